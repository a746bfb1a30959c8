#!/usr/bin/env bash
# demo.sh: Swarmshare on this machine, to watch. A tracker and three peers (alice, bob, carol),
# each with its own home folder, all on 127.0.0.1:
#   1. alice shares a sample file and serves it;
#   2. bob downloads it and says Yes to "Share this file?", so he serves it too;
#   3. alice leaves;
#   4. carol downloads the file from bob alone.
# Everything lives in a temporary folder that is removed at the end (KEEP=1 keeps it).
#
# Usage: scripts/demo.sh [BUILD_DIR]   (default build-release, where scripts/main.sh builds)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-release}
cli=$build/bin/swarmshare-cli
tracker_bin=$build/bin/swarmshare-tracker
[[ -x $cli && -x $tracker_bin ]] || { echo "demo.sh: build first (no $cli)" >&2; exit 1; }

work=$(mktemp -d -t swarmshare-demo.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ ${KEEP:-0} == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
# Waits up to 30 s for a line matching $2 in file $1 and prints the first match.
wait_for_line() {
  for _ in $(seq 300); do
    if grep -m1 -E "$2" "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "demo.sh: timed out waiting for '$2' in $1" >&2
  cat "$1" >&2
  return 1
}
# Runs swarmshare-cli as peer $1 (its own home folder); exec, so that a peer started in the
# background with & has the CLI's own process ID in $!.
peer() {
  local home=$1
  shift
  exec "$cli" --home "$work/$home" --tracker "$tracker_address" --listen-address 127.0.0.1 "$@"
}

step "starting a tracker on 127.0.0.1 (a free port)"
mkdir -p "$work/tracker"
"$tracker_bin" --listen 127.0.0.1:0 --db "$work/tracker/tracker.db" --log-level warning \
  >"$work/tracker.out" 2>"$work/tracker.err" &
pids+=($!)
port=$(wait_for_line "$work/tracker.out" '^listening on ' | sed 's/.*:\([0-9]*\)$/\1/')
tracker_id=$(sed -n 's/^tracker id //p' "$work/tracker.out")
tracker_address="$tracker_id@127.0.0.1:$port"
echo "tracker $tracker_address"

step "alice shares a sample file"
mkdir -p "$work/alice-files"
head -c $((8 * 1024 * 1024)) /dev/urandom >"$work/alice-files/holiday-video-2026.bin"
(peer alice share --serve "$work/alice-files/holiday-video-2026.bin") \
  >"$work/alice.out" 2>"$work/alice.err" &
alice=$!
pids+=($alice)
wait_for_line "$work/alice.out" '^serving on ' >/dev/null
file_id=$(grep -m1 -E '^[0-9a-f]{64}$' "$work/alice.out")
echo "alice shares holiday-video-2026.bin, File ID $file_id"

step "bob downloads it and says Yes to \"Share this file?\""
(peer bob get "$file_id" -o "$work/bob-downloads" --seed --serve) \
  >"$work/bob.out" 2>"$work/bob.err" &
pids+=($!)
wait_for_line "$work/bob.out" '^shared' >/dev/null
wait_for_line "$work/bob.out" '^serving on ' >/dev/null
echo "bob has $(ls "$work/bob-downloads") and serves it under the same File ID"

step "alice leaves"
kill -TERM "$alice"
wait "$alice" || true
echo "alice stopped (her announce is withdrawn)"

step "carol downloads the file from bob alone"
(peer carol --json get "$file_id" -o "$work/carol-downloads" --no-seed) | tail -n 1

step "checking the bytes"
if cmp "$work/alice-files/holiday-video-2026.bin" \
  "$work/carol-downloads/holiday-video-2026.bin"; then
  echo "carol's copy is identical to alice's original: the network effect, in one download"
else
  echo "demo.sh: carol's copy differs from the original" >&2
  exit 1
fi
