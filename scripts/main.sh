#!/usr/bin/env bash
# Command (1) of README.md: install what is needed, build, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"

echo "== swarmshare-cli hash README.md"
build/bin/swarmshare-cli hash README.md
