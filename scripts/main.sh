#!/usr/bin/env bash
# Command (1) of README.md: install what is needed, build, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# Its own build directory, so it never shares a cache with the test builds of test.sh.
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release
cmake --build build-release -j "$(nproc)"

# With a display: the desktop client. With no tracker configured it runs its own tracker
# and LAN discovery, so a second copy on this machine or on this LAN shares with it at once.
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
  echo "Opening the desktop client (build-release/bin/swarmshare) ..."
  exec build-release/bin/swarmshare "$@"
fi

# No display: the command-line demonstration instead. A tracker and three peers on this
# machine: alice shares, bob downloads and re-shares, alice leaves, carol downloads from bob
# alone.
echo "No display (DISPLAY and WAYLAND_DISPLAY are not set): running the command-line"
echo "demonstration instead. On a desktop this command opens the client."
bash scripts/demo.sh build-release
