#!/usr/bin/env bash
# gui_responsiveness.sh: the desktop client's two responsiveness figures (bench/README.md),
# under Xvfb, through the client's test automation (the same handlers as clicks):
#
# 1. Share Files with a library of COUNT shares (default 100,000), RUNS times, each in a
#    freshly started client: at start, from the window's construction to the list holding
#    every row (`library at start`); then opening the tab, from asking the engine for the
#    library to the tab shown and painted (automation `open-shares`).
# 2. The longest stall of the GUI's event loop while it downloads a SIZE file (default
#    1 GiB) from a CLI seeder on 127.0.0.1: a 10 ms timer in the client whose late ticks
#    are the stalls (SWARMSHARE_GUI_STALL_WATCH), from the search to the share question.
#
# Prints each run on stderr and a last line on stdout:
#   shares_open_ms=<median> shares_at_start_ms=<median> shares=<COUNT>
#   longest_stall_ms=<max over runs> download_s=<median>
#
# Usage: bench/gui_responsiveness.sh
# Knobs (env): COUNT=100000 SIZE=1G RUNS=3 BUILD_DIR=build-bench WORKDIR=
# The home with the large library is made once per WORKDIR on /dev/shm (the store makes
# each share durable on its own: on a disk that is one fsync per share).
set -euo pipefail
export SWARMSHARE_NO_LAN=1 SWARMSHARE_NO_DHT=1

root=$(cd "$(dirname "$0")/.." && pwd)
COUNT=${COUNT:-100000}
SIZE=${SIZE:-1G}
RUNS=${RUNS:-3}
BUILD_DIR=${BUILD_DIR:-$root/build-bench}
bin=$BUILD_DIR/bin
for program in swarmshare swarmshare-cli swarmshare-tracker bench_gui_library_fill; do
  [[ -x $bin/$program ]] || { echo "gui_responsiveness.sh: no $bin/$program (build it)" >&2; exit 1; }
done
command -v xvfb-run >/dev/null || { echo "gui_responsiveness.sh: needs xvfb-run" >&2; exit 1; }

WORKDIR=${WORKDIR:-$(mktemp -d /dev/shm/swarmshare-gui-bench.XXXXXX)}
mkdir -p "$WORKDIR"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# Waits until FILE has a line starting with PREFIX (at most 600 s); prints the line.
wait_line() {
  local file=$1 prefix=$2 line
  for _ in $(seq 1 6000); do
    line=$(grep -m1 "^$prefix" "$file" 2>/dev/null || true)
    if [[ -n $line ]]; then echo "$line"; return 0; fi
    sleep 0.1
  done
  echo "gui_responsiveness.sh: no '$prefix' in $file" >&2
  return 1
}

# Starts the client on HOME with the rest as its arguments; sets gui_out and opens fd 3 on
# its command FIFO.
start_gui() {
  local home=$1 name=$2
  shift 2
  gui_out=$WORKDIR/$name.out
  local fifo=$WORKDIR/$name.fifo
  rm -f "$fifo" "$gui_out"
  mkfifo "$fifo"
  HOME=$WORKDIR SWARMSHARE_GUI_AUTOMATION=$fifo \
    xvfb-run -a -s "-screen 0 1100x800x24" "$bin/swarmshare" --home "$home" "$@" \
    >"$gui_out" 2>"$WORKDIR/$name.err" &
  gui_pid=$!
  pids+=("$gui_pid")
  exec 3>"$fifo"
  wait_line "$gui_out" "automation ready" >/dev/null
}

stop_gui() {
  exec 3>&-
  # xvfb-run's child is the client: SIGTERM closes it as a user's close does.
  pkill -TERM -P "$gui_pid" -x swarmshare || true
  wait "$gui_pid" 2>/dev/null || true
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ---- 1. Share Files with COUNT entries
library=$WORKDIR/library-home
if [[ ! -f $library/.filled-$COUNT ]]; then
  rm -rf "$library"
  "$bin/bench_gui_library_fill" "$library" "$COUNT" >&2
  touch "$library/.filled-$COUNT"
fi
open_times=()
start_times=()
for run in $(seq 1 "$RUNS"); do
  start_gui "$library" "library-$run" --tracker none --no-lan --no-dht \
    --listen-address 127.0.0.1 --listen 0
  start_line=$(wait_line "$gui_out" "library at start")
  echo "open-shares" >&3
  line=$(wait_line "$gui_out" "shares shown")
  echo "run $run: $start_line; $line" >&2
  start_times+=("$(awk '{ print $(NF - 1) }' <<<"$start_line")")
  open_times+=("$(awk '{ print $(NF - 1) }' <<<"$line")")
  stop_gui
done

# ---- 2. The event loop during a SIZE download
file=$WORKDIR/big.bin
if [[ ! -f $file ]]; then
  head -c "$SIZE" /dev/urandom >"$file"
fi
"$bin/swarmshare-tracker" --listen 127.0.0.1:0 --db "$WORKDIR/tracker/tracker.db" \
  >"$WORKDIR/tracker.out" 2>"$WORKDIR/tracker.err" &
pids+=("$!")
tracker=$(wait_line "$WORKDIR/tracker.out" "listening on" | awk '{ print $3 }')
"$bin/swarmshare-cli" --home "$WORKDIR/seeder" --tracker "$tracker" --listen-address 127.0.0.1 \
  --listen 0 --no-lan --no-dht share "$file" --serve >"$WORKDIR/seeder.out" 2>"$WORKDIR/seeder.err" &
pids+=("$!")
wait_line "$WORKDIR/seeder.out" "serving on" >/dev/null
file_id=$(head -n1 "$WORKDIR/seeder.out")
stalls=()
durations=()
for run in $(seq 1 "$RUNS"); do
  rm -rf "$WORKDIR/gui-home" "$WORKDIR/Downloads"
  SWARMSHARE_GUI_STALL_WATCH=1 start_gui "$WORKDIR/gui-home" "download-$run" \
    --tracker "$tracker" --no-lan --no-dht --listen-address 127.0.0.1 --listen 0
  echo "stalls reset" >&3
  started=$(date +%s.%N)
  echo "search $file_id" >&3
  wait_line "$gui_out" "results 1" >/dev/null
  echo "download 0" >&3
  wait_line "$gui_out" "question " >/dev/null
  finished=$(date +%s.%N)
  echo "stalls" >&3
  # The answer to `stalls reset` came first; this is the second.
  for _ in $(seq 1 100); do
    [[ $(grep -c "^stalls longest" "$gui_out") -ge 2 ]] && break
    sleep 0.1
  done
  line=$(grep "^stalls longest" "$gui_out" | tail -n1)
  seconds=$(awk -v a="$started" -v b="$finished" 'BEGIN { printf "%.1f", b - a }')
  echo "run $run: $line; download ${seconds} s" >&2
  stalls+=("$(awk '{ print $3 }' <<<"$line")")
  durations+=("$seconds")
  stop_gui
done

echo "shares_open_ms=$(printf '%s\n' "${open_times[@]}" | median)" \
  "shares_at_start_ms=$(printf '%s\n' "${start_times[@]}" | median) shares=$COUNT" \
  "longest_stall_ms=$(printf '%s\n' "${stalls[@]}" | sort -n | tail -n1)" \
  "download_s=$(printf '%s\n' "${durations[@]}" | median)"
