#!/usr/bin/env bash
# Runs clang-tidy (configured by .clang-tidy) over every first-party source file, using the
# compile commands of a build directory (default: build/).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
[[ -f "$build/compile_commands.json" ]] || cmake -S . -B "$build" >/dev/null
git ls-files '*.cpp' | grep -v '^fuzz/' |
  xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet \
    --extra-arg=-DBOOST_ASIO_HAS_CO_AWAIT --extra-arg=-DBOOST_ASIO_HAS_STD_COROUTINE
