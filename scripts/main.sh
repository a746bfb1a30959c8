#!/usr/bin/env bash
# Command (1) of README.md: install what is needed, build, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# Its own build directory, so it never shares a cache with the test builds of test.sh.
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release
cmake --build build-release -j "$(nproc)"

# A tracker and three peers on this machine: alice shares, bob downloads and re-shares,
# alice leaves, carol downloads from bob alone.
bash scripts/demo.sh build-release
