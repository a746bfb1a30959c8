# The third-party libraries every part shares, found the same way on each platform:
# Debian's packages (README.md) on Linux, a vcpkg manifest (vcpkg.json) on Windows and
# macOS. Package names and target names differ between the two, so the parts link only the
# project's own names:
#   swarmshare::msgpack  msgpack-c's C++ headers (Debian 12: msgpackc-cxx 4.1; vcpkg: 6 or
#                        later, whose package and target are msgpack-cxx)
#   swarmshare::sodium   libsodium (Debian: pkg-config; vcpkg: its unofficial-sodium package)
include_guard(GLOBAL)

find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(SQLite3 REQUIRED)

add_library(swarmshare_msgpack INTERFACE)
add_library(swarmshare::msgpack ALIAS swarmshare_msgpack)
find_package(msgpack-cxx CONFIG QUIET)
if(TARGET msgpack-cxx)
  target_link_libraries(swarmshare_msgpack INTERFACE msgpack-cxx)
else()
  find_package(msgpack CONFIG QUIET) # Debian 12's msgpack-cxx 4.1.3
  if(NOT TARGET msgpackc-cxx)
    find_package(msgpackc-cxx CONFIG REQUIRED)
  endif()
  target_link_libraries(swarmshare_msgpack INTERFACE msgpackc-cxx)
endif()

add_library(swarmshare_sodium INTERFACE)
add_library(swarmshare::sodium ALIAS swarmshare_sodium)
find_package(unofficial-sodium CONFIG QUIET)
if(TARGET unofficial-sodium::sodium)
  target_link_libraries(swarmshare_sodium INTERFACE unofficial-sodium::sodium)
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.18)
  target_link_libraries(swarmshare_sodium INTERFACE PkgConfig::SODIUM)
endif()
