#!/usr/bin/env bash
# Compiles every non-GUI, non-test source that a Windows build compiles (the parts, the command
# line client, the tracker server and the desktop client's presenter, which has no wx in it) with the MinGW-w64 cross compiler, syntax only (no
# linking, no Windows libraries needed): a Linux machine finds out whether the code still
# builds for Windows. The *_posix.cpp sources are left out, as the CMake files do on Windows.
#
# Needs the cross compiler: apt-get install g++-mingw-w64-x86-64-posix mingw-w64-x86-64-dev
# The third-party headers (Boost, msgpack, CLI11, nlohmann/json, libsodium, SQLite; spdlog and
# fmt for the tracker server) are taken from the Linux ones in /usr/include: they are
# header-only or platform-neutral declarations.
# /usr/include itself is never on the path (its C library headers are Linux's).
#
# With --tests it checks instead the test sources tests/CMakeLists.txt builds on Windows
# (every suite but those that need POSIX processes or Linux), against GoogleTest's headers.
#
# Usage: scripts/check-windows-syntax.sh [-jN] [--tests] [FILE.cpp...]   (default: every source)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
compiler="${CXX_MINGW:-x86_64-w64-mingw32-g++-posix}"
jobs=2
if [[ "${1:-}" == -j* ]]; then
  jobs="${1#-j}"
  shift
fi
tests=0
if [[ "${1:-}" == --tests ]]; then
  tests=1
  shift
fi
if ! command -v "$compiler" >/dev/null; then
  echo "check-windows-syntax: $compiler not found (apt-get install g++-mingw-w64-x86-64-posix)" >&2
  exit 2
fi

third_party="$(mktemp -d)"
trap 'rm -rf "$third_party"' EXIT
headers=(boost msgpack.hpp msgpack CLI nlohmann sodium.h sodium sqlite3.h spdlog fmt)
((tests)) && headers+=(gtest gmock)
for header in "${headers[@]}"; do
  if [[ ! -e "/usr/include/$header" ]]; then
    echo "check-windows-syntax: /usr/include/$header is missing (scripts/install-deps.sh)" >&2
    exit 2
  fi
  ln -s "/usr/include/$header" "$third_party/$header"
done

parts=(core crypto tracker transfer client dht cli)
flags=(-std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
       -D_WIN32_WINNT=0x0A00 -DWIN32_LEAN_AND_MEAN -DNOMINMAX
       -DBOOST_ASIO_HAS_CO_AWAIT=1 -DBOOST_ASIO_HAS_STD_COROUTINE=1
       -DSWARMSHARE_VERSION='"windows-syntax-check"' -DSPDLOG_FMT_EXTERNAL -DSPDLOG_COMPILED_LIB)
for part in "${parts[@]}"; do
  flags+=(-I "$root/$part/include")
  [[ -d "$root/$part/src" ]] && flags+=(-I "$root/$part/src")
done
flags+=(-I "$root/tracker-server" -I "$root/gui/presenter/include" -isystem "$third_party")
if ((tests)); then
  flags+=(-I "$root/tests/support" -I "$root/crypto/tools"
          -DSWARMSHARE_TEST_DATA_DIR='"tests/data"' -DSWARMSHARE_FUZZ_SEEDS_DIR='"fuzz/seeds"')
fi

if [[ $# -gt 0 ]]; then
  sources=("$@")
elif ((tests)); then
  # What tests/CMakeLists.txt leaves out on Windows (SWARMSHARE_TESTS_POSIX and _LINUX).
  mapfile -t sources < <(cd "$root" && find tests -name '*.cpp' ! -path 'tests/cli/*' \
                           ! -name window_test.cpp ! -name download_share_test.cpp \
                           ! -name settings_tracker_test.cpp ! -name open_link_test.cpp \
                           ! -name home_lock_test.cpp ! -name file_hasher_test.cpp \
                           ! -name identity_test.cpp ! -name store_durability_test.cpp \
                           ! -name tracker_process_test.cpp ! -name download_folder_test.cpp \
                           ! -name part_file_direct_test.cpp ! -name lan_discovery_test.cpp | sort)
else
  mapfile -t sources < <(cd "$root" && find "${parts[@]/%//src}" tracker-server gui/presenter/src \
                           -name '*.cpp' \
                           ! -name '*_posix.cpp' | sort)
fi

export compiler root
printf '%s\n' "${sources[@]}" |
  (cd "$root" && xargs -P "$jobs" -I{} sh -c '"$0" "$@" {} || { echo "FAILED: {}"; exit 1; }' \
     "$compiler" "${flags[@]}") && status=0 || status=$?
if [[ $status -eq 0 ]]; then
  echo "check-windows-syntax: ${#sources[@]} sources compile for Windows"
else
  echo "check-windows-syntax: some sources do not compile for Windows (see FAILED above)" >&2
fi
exit $status
