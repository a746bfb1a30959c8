#!/usr/bin/env bash
# swarm_scenarios.sh: whole swarms of swarmshare-cli processes and a tracker on 127.0.0.1
# (bench/README.md). Every peer has its own home folder and a peer server on 127.0.0.1;
# every peer process is capped with --up-limit, so the figures are set by the swarm's
# behaviour (how well peers share the work), not by this machine's CPU.
#
# Scenarios (SCENARIOS, default all three):
#   four_seeders  4 seeders each capped at SEEDER_LIMIT (20M) serve one downloader a file of
#                 FOUR_SIZE (1G). Reported: the download rate against 4 x SEEDER_LIMIT.
#   flash_crowd   1 seeder and CROWD (15) downloaders start at once; every process uploads
#                 at most CROWD_LIMIT (8M); a file of CROWD_SIZE (256M). Downloaders answer
#                 Yes and keep serving (--seed --serve). Reported: the time until the last
#                 download completed, against the fluid-model lower bound
#                 max(F/U, N*F/((N+1)*U)).
#   staggered     The original seeder leaves once the first downloader has the file; then
#                 LATE (10) downloaders arrive one by one, each when the one before has
#                 finished or given up (--timeout STAGGER_TIMEOUT, 10 s). Run twice: every
#                 downloader says Yes (--seed --serve), then every downloader says No
#                 (--no-seed). File of STAGGER_SIZE (64M). Reported: completions.
#   restart       A downloader fetching RESTART_SIZE (1G) from one seeder at RESTART_LIMIT
#                 (20M) is killed with SIGKILL after RESTART_AFTER (3) seconds and started
#                 again without a limit. Reported: the time from the new process's start
#                 until it is transferring again, that is until it has written the first
#                 MiB of file data (read from /proc/PID/io every few milliseconds; the
#                 engine's own start-up writes are a few KiB), and whether it re-fetched
#                 anything it had verified before (bytes_resumed).
#
# Prints human lines on stderr and one key=value line per scenario on stdout.
# Usage: bench/swarm_scenarios.sh
# Knobs (env): SCENARIOS="four_seeders flash_crowd staggered restart" RUNS=1 BUILD_DIR=build-bench
#              FOUR_SIZE=1G SEEDER_LIMIT=20M CROWD=15 CROWD_SIZE=256M CROWD_LIMIT=8M
#              LATE=10 STAGGER_SIZE=64M STAGGER_TIMEOUT=10 RESTART_SIZE=1G
#              RESTART_LIMIT=20M RESTART_AFTER=3 KEEP=0
set -euo pipefail
# Loopback only: LAN discovery would announce each process on the machine's network.
export SWARMSHARE_NO_LAN=1

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$root/build-bench}
SCENARIOS=${SCENARIOS:-four_seeders flash_crowd staggered restart}
RUNS=${RUNS:-1}
FOUR_SIZE=${FOUR_SIZE:-1G}
SEEDER_LIMIT=${SEEDER_LIMIT:-20M}
CROWD=${CROWD:-15}
CROWD_SIZE=${CROWD_SIZE:-256M}
CROWD_LIMIT=${CROWD_LIMIT:-8M}
LATE=${LATE:-10}
STAGGER_SIZE=${STAGGER_SIZE:-64M}
STAGGER_TIMEOUT=${STAGGER_TIMEOUT:-10}
RESTART_SIZE=${RESTART_SIZE:-1G}
RESTART_LIMIT=${RESTART_LIMIT:-20M}
RESTART_AFTER=${RESTART_AFTER:-3}
KEEP=${KEEP:-0}

cli=$BUILD_DIR/bin/swarmshare-cli
tracker_bin=$BUILD_DIR/bin/swarmshare-tracker
[[ -x $cli && -x $tracker_bin ]] || {
  echo "swarm_scenarios.sh: build swarmshare-cli and swarmshare-tracker in $BUILD_DIR" >&2
  exit 1
}

bytes_of() {
  local text=${1^^}
  case $text in
  *G) echo $((${text%G} * 1024 * 1024 * 1024)) ;;
  *M) echo $((${text%M} * 1024 * 1024)) ;;
  *K) echo $((${text%K} * 1024)) ;;
  *) echo "$text" ;;
  esac
}

work=$(mktemp -d -t swarmshare-swarm.XXXXXX)
pids=()
stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_all
  if [[ $KEEP == 1 ]]; then echo "swarm_scenarios.sh: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "== $*" >&2; }
now() { date +%s.%N; }
# Waits up to $3 seconds (default 60) for a line matching $2 in file $1; prints it.
wait_for_line() {
  local deadline=$((SECONDS + ${3:-60}))
  while ((SECONDS < deadline)); do
    if grep -m1 -E "$2" "$1" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "swarm_scenarios.sh: timed out waiting for '$2' in $1" >&2
  tail -n 5 "$1" "${1%.out}.err" >&2 2>/dev/null || true
  return 1
}

# A fresh tracker for one scenario run, with per-address limits raised for one host.
start_tracker() {
  local dir=$1
  mkdir -p "$dir"
  "$tracker_bin" --listen 127.0.0.1:0 --db "$dir/tracker.db" --log-level warning \
    --max-connections-per-address 1024 --requests-per-second 1000 \
    >"$dir/tracker.out" 2>"$dir/tracker.err" &
  pids+=($!)
  local port id
  port=$(wait_for_line "$dir/tracker.out" '^listening on ' | sed 's/.*:\([0-9]*\)$/\1/')
  id=$(sed -n 's/^tracker id //p' "$dir/tracker.out")
  tracker="$id@127.0.0.1:$port"
}

# peer NAME ARGS...: swarmshare-cli as peer NAME in the background, output in NAME.out/.err.
peer() {
  local name=$1
  shift
  "$cli" --home "$run_dir/$name" --tracker "$tracker" --listen-address 127.0.0.1 "$@" \
    >"$run_dir/$name.out" 2>"$run_dir/$name.err" &
  pids+=($!)
  last_pid=$!
}

make_file() {
  local path=$1 size=$2
  mkdir -p "$(dirname "$path")"
  head -c "$(bytes_of "$size")" /dev/urandom >"$path"
}

# share_and_serve NAME FILE [CLI options before the command]: starts a seeder and waits until
# it serves; sets file_id.
share_and_serve() {
  local name=$1 file=$2
  shift 2
  peer "$name" "$@" share --serve "$file"
  wait_for_line "$run_dir/$name.out" '^serving on ' 120 >/dev/null
  file_id=$(grep -m1 -E '^[0-9a-f]{64}$' "$run_dir/$name.out")
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

four_seeders_run() {
  local size_bytes limit_bytes start end seconds rate
  size_bytes=$(bytes_of "$FOUR_SIZE")
  limit_bytes=$(bytes_of "$SEEDER_LIMIT")
  make_file "$run_dir/files/four.bin" "$FOUR_SIZE"
  for s in 1 2 3 4; do
    share_and_serve "seeder$s" "$run_dir/files/four.bin" --up-limit "$SEEDER_LIMIT"
  done
  start=$(now)
  "$cli" --home "$run_dir/downloader" --tracker "$tracker" --listen-address 127.0.0.1 --json \
    get "$file_id" -o "$run_dir/downloads" --no-seed >"$run_dir/downloader.out" \
    2>"$run_dir/downloader.err" || { tail -n 5 "$run_dir/downloader.err" >&2; return 1; }
  end=$(now)
  cmp -s "$run_dir/files/four.bin" "$run_dir/downloads/four.bin" ||
    { echo "four_seeders: the copy differs" >&2; return 1; }
  seconds=$(echo "$end - $start" | bc -l)
  rate=$(echo "$size_bytes / $seconds" | bc -l)
  printf '%s\n' "$(echo "100 * $rate / (4 * $limit_bytes)" | bc -l)" >>"$work/four_percent"
  printf 'four_seeders: %s in %.2f s: %.1f MiB/s, %.1f %% of 4 x %s\n' "$FOUR_SIZE" \
    "$seconds" "$(echo "$rate / 1048576" | bc -l)" \
    "$(echo "100 * $rate / (4 * $limit_bytes)" | bc -l)" "$SEEDER_LIMIT" >&2
}

flash_crowd_run() {
  local size_bytes limit_bytes start last seconds bound ratio d done_count
  size_bytes=$(bytes_of "$CROWD_SIZE")
  limit_bytes=$(bytes_of "$CROWD_LIMIT")
  make_file "$run_dir/files/crowd.bin" "$CROWD_SIZE"
  share_and_serve seeder "$run_dir/files/crowd.bin" --up-limit "$CROWD_LIMIT"
  start=$(now)
  for d in $(seq "$CROWD"); do
    peer "d$d" --up-limit "$CROWD_LIMIT" --json get "$file_id" -o "$run_dir/d$d-downloads" \
      --seed --serve
  done
  # The last completion: poll every downloader's output for its completed event.
  local deadline=$((SECONDS + 1800))
  while ((SECONDS < deadline)); do
    done_count=$( (grep -l '"event":"completed"' "$run_dir"/d*.out 2>/dev/null || true) | wc -l)
    ((done_count == CROWD)) && break
    sleep 0.05
  done
  last=$(now)
  ((done_count == CROWD)) || { echo "flash_crowd: only $done_count of $CROWD completed" >&2; return 1; }
  for d in $(seq "$CROWD"); do
    cmp -s "$run_dir/files/crowd.bin" "$run_dir/d$d-downloads/crowd.bin" ||
      { echo "flash_crowd: d$d's copy differs" >&2; return 1; }
  done
  seconds=$(echo "$last - $start" | bc -l)
  # Fluid model: the seeder alone must send F once (F/U); all N+1 uploaders together must
  # deliver N*F.
  bound=$(echo "a = $size_bytes / $limit_bytes; b = $CROWD * $size_bytes / (($CROWD + 1) * $limit_bytes); if (a > b) a else b" | bc -l)
  ratio=$(echo "$seconds / $bound" | bc -l)
  echo "$ratio" >>"$work/crowd_ratio"
  echo "$seconds" >>"$work/crowd_seconds"
  printf 'flash_crowd: %d downloaders of %s at %s/s each: last done after %.2f s; bound %.2f s; %.3f x the bound\n' \
    "$CROWD" "$CROWD_SIZE" "$CROWD_LIMIT" "$seconds" "$bound" "$ratio" >&2
}

# staggered_run yes|no
staggered_run() {
  local answer=$1 seed_flag completed=0 d
  [[ $answer == yes ]] && seed_flag=(--seed --serve) || seed_flag=(--no-seed --serve)
  make_file "$run_dir/files/late.bin" "$STAGGER_SIZE"
  share_and_serve origin "$run_dir/files/late.bin"
  local origin_pid=$last_pid
  peer first --json get "$file_id" -o "$run_dir/first-downloads" "${seed_flag[@]}"
  wait_for_line "$run_dir/first.out" '"event":"completed"' 600 >/dev/null
  # --serve prints its listening line once serving; with No it serves an empty library.
  wait_for_line "$run_dir/first.out" 'serving on |"event":"serving"' 60 >/dev/null || true
  kill -TERM "$origin_pid" 2>/dev/null || true
  wait "$origin_pid" 2>/dev/null || true
  for d in $(seq "$LATE"); do
    if [[ $answer == yes ]]; then
      # Yes: once done the newcomer keeps serving (get --seed --serve) for the next ones.
      peer "late$d" --json get "$file_id" -o "$run_dir/late$d-downloads" --seed --serve \
        --timeout "$STAGGER_TIMEOUT"
      wait_for_line "$run_dir/late$d.out" '"event":"(completed|failed)"' 900 >/dev/null || true
      wait_for_line "$run_dir/late$d.out" 'serving on |"event":"serving"' 60 >/dev/null || true
    else
      "$cli" --home "$run_dir/late$d" --tracker "$tracker" --listen-address 127.0.0.1 --json \
        get "$file_id" -o "$run_dir/late$d-downloads" --no-seed --timeout "$STAGGER_TIMEOUT" \
        >"$run_dir/late$d.out" 2>"$run_dir/late$d.err" || true
    fi
    if [[ -f $run_dir/late$d-downloads/late.bin ]] &&
      cmp -s "$run_dir/files/late.bin" "$run_dir/late$d-downloads/late.bin"; then
      completed=$((completed + 1))
    fi
  done
  echo "$completed" >>"$work/staggered_$answer"
  printf 'staggered (%s): %d of %d late downloaders completed after the original seeder left\n' \
    "$answer" "$completed" "$LATE" >&2
}

# The file bytes a process has written so far (write(2), pwrite(2) and the like).
written_bytes() { awk '/^wchar:/ {print $2}' "/proc/$1/io" 2>/dev/null || echo 0; }

restart_run() {
  local pid start first resumed seconds
  make_file "$run_dir/files/big.bin" "$RESTART_SIZE"
  share_and_serve seeder "$run_dir/files/big.bin"
  peer downloader --down-limit "$RESTART_LIMIT" --json get "$file_id" -o "$run_dir/downloads" \
    --no-seed
  pid=$last_pid
  sleep "$RESTART_AFTER"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  start=$(now)
  "$cli" --home "$run_dir/downloader" --tracker "$tracker" --listen-address 127.0.0.1 --json \
    get "$file_id" -o "$run_dir/downloads" --no-seed >"$run_dir/again.out" \
    2>"$run_dir/again.err" &
  pid=$!
  pids+=("$pid")
  first=
  while kill -0 "$pid" 2>/dev/null; do
    if (($(written_bytes "$pid") >= 1048576)); then
      first=$(now)
      break
    fi
    sleep 0.002
  done
  wait "$pid" || { tail -n 5 "$run_dir/again.err" >&2; return 1; }
  [[ -n $first ]] || { echo "restart: the restarted download wrote no data" >&2; return 1; }
  cmp -s "$run_dir/files/big.bin" "$run_dir/downloads/big.bin" ||
    { echo "restart: the copy differs" >&2; return 1; }
  seconds=$(echo "$first - $start" | bc -l)
  resumed=$(grep '"event":"completed"' "$run_dir/again.out" | sed 's/.*"bytes_resumed":\([0-9]*\).*/\1/')
  echo "$seconds" >>"$work/restart_seconds"
  printf 'restart: transferring again %.3f s after the new process started; %s bytes resumed (verified before the kill)\n' \
    "$seconds" "$resumed" >&2
}

for scenario in $SCENARIOS; do
  for run in $(seq "$RUNS"); do
    case $scenario in
    four_seeders | flash_crowd | restart)
      run_dir=$work/$scenario-$run
      start_tracker "$run_dir/tracker"
      log "$scenario, run $run"
      "${scenario}_run"
      stop_all
      [[ $KEEP == 1 ]] || rm -rf "$run_dir"
      ;;
    staggered)
      for answer in yes no; do
        run_dir=$work/staggered-$answer-$run
        start_tracker "$run_dir/tracker"
        log "staggered ($answer), run $run"
        staggered_run "$answer"
        stop_all
        [[ $KEEP == 1 ]] || rm -rf "$run_dir"
      done
      ;;
    *) echo "swarm_scenarios.sh: unknown scenario $scenario" >&2; exit 2 ;;
    esac
  done
done

for scenario in $SCENARIOS; do
  case $scenario in
  four_seeders)
    printf 'four_seeders_percent_of_limit=%.1f\n' "$(median <"$work/four_percent")" ;;
  flash_crowd)
    printf 'flash_crowd_seconds=%.2f flash_crowd_ratio_to_bound=%.3f\n' \
      "$(median <"$work/crowd_seconds")" "$(median <"$work/crowd_ratio")" ;;
  restart)
    printf 'restart_transferring_again_s=%.3f\n' "$(median <"$work/restart_seconds")" ;;
  staggered)
    printf 'staggered_yes_completed=%s staggered_no_completed=%s late=%s\n' \
      "$(median <"$work/staggered_yes")" "$(median <"$work/staggered_no")" "$LATE" ;;
  esac
done
