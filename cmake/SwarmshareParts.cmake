# Helpers that keep the layering of docs/ARCHITECTURE.md true in the build.
#
# A part is a library whose public headers live in <part>/include/swarmshare/<part>/.
# Its include directory reaches only the targets that link it, so a part cannot include
# a header of a part it does not link. Each part lists the parts it may use; linking
# anything above it in the layering is a configure-time error.

set(SWARMSHARE_LAYER_core 0)
set(SWARMSHARE_LAYER_crypto 1)
set(SWARMSHARE_LAYER_tracker 2)
set(SWARMSHARE_LAYER_dht 2)
set(SWARMSHARE_LAYER_transfer 2)
set(SWARMSHARE_LAYER_client 3)

# Warnings and sanitizers for every first-party target.
function(swarmshare_target_defaults target)
  if(MSVC)
    # /utf-8: the sources are UTF-8; /bigobj: coroutine-heavy files pass the default section
    # limit; /Zc:__cplusplus: Boost and msgpack see the real language version.
    target_compile_options(${target} PRIVATE /W4 /permissive- /utf-8 /bigobj /Zc:__cplusplus)
    target_compile_definitions(${target} PRIVATE _WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)
    if(SWARMSHARE_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE /WX)
    endif()
    return()
  endif()
  if(WIN32) # MinGW: the same Windows version floor and headers as MSVC
    target_compile_definitions(${target} PRIVATE _WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)
  endif()
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 reports -Wmismatched-new-delete for Boost.Asio's coroutine frames (their class
    # operator new and sized delete match; GCC bug 109224) wherever a coroutine is inlined.
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
  endif()
  if(SWARMSHARE_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # g++ 12 at -O3 reports false -Wrestrict, -Wstringop-overflow, -Warray-bounds and
      # -Wmaybe-uninitialized inside libstdc++'s own string, vector, copy and variant code
      # (GCC bugs 105329, 105651, 106199, 105562); they stay warnings, not errors.
      target_compile_options(${target} PRIVATE -Wno-error=restrict -Wno-error=stringop-overflow
                                               -Wno-error=array-bounds
                                               -Wno-error=maybe-uninitialized)
    endif()
  endif()
  if(SWARMSHARE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# swarmshare_add_part(<part> SOURCES ... [USES <parts>...] [LIBS <external targets>...]
#                     [PRIVATE_LIBS <external targets>...])
function(swarmshare_add_part part)
  cmake_parse_arguments(ARG "" "" "SOURCES;USES;LIBS;PRIVATE_LIBS" ${ARGN})
  if(NOT DEFINED SWARMSHARE_LAYER_${part})
    message(FATAL_ERROR "Unknown part '${part}': add it to cmake/SwarmshareParts.cmake")
  endif()
  foreach(used IN LISTS ARG_USES)
    if(NOT SWARMSHARE_LAYER_${used} LESS SWARMSHARE_LAYER_${part})
      message(FATAL_ERROR "Part '${part}' may not use '${used}': arrows point down only")
    endif()
  endforeach()
  add_library(swarmshare_${part} STATIC ${ARG_SOURCES})
  add_library(swarmshare::${part} ALIAS swarmshare_${part})
  target_include_directories(swarmshare_${part} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  list(TRANSFORM ARG_USES PREPEND swarmshare:: OUTPUT_VARIABLE used_targets)
  target_link_libraries(swarmshare_${part} PUBLIC ${used_targets} ${ARG_LIBS}
                                           PRIVATE ${ARG_PRIVATE_LIBS})
  swarmshare_target_defaults(swarmshare_${part})
endfunction()
