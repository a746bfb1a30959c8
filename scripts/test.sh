#!/usr/bin/env bash
# Command (2) of README.md: install what is needed, build, and run every test:
#   1. the normal build (warnings are errors) and its ctest suite;
#   2. the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the formatting check (.clang-format) when clang-format is installed.
# Set SWARMSHARE_SKIP_SANITIZE=1 to skip step 2 on a slow machine.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
jobs=$(nproc)
status=0

run_suite() {
  local dir=$1
  shift
  echo "== configure $dir: $*"
  cmake -S . -B "$dir" -DSWARMSHARE_WARNINGS_AS_ERRORS=ON "$@" >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log"; return 1; }
  echo "== build $dir"
  cmake --build "$dir" -j "$jobs" >"$dir.build.log" 2>&1 ||
    { grep -E -A8 'error|Error' "$dir.build.log" | head -n 80; return 1; }
  echo "== test $dir"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 600)
}

mkdir -p build build-asan
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo || status=1
if [[ "${SWARMSHARE_SKIP_SANITIZE:-0}" != 1 ]]; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DSWARMSHARE_SANITIZE=ON || status=1
fi

if command -v clang-format >/dev/null; then
  echo "== format check"
  if ! git ls-files -z '*.cpp' '*.hpp' | xargs -0 clang-format --dry-run --Werror; then
    echo "format check failed: run scripts/format.sh"
    status=1
  fi
fi

if [[ $status -ne 0 ]]; then
  echo "test.sh: FAILED"
else
  echo "test.sh: all suites passed"
fi
exit $status
