#!/usr/bin/env bash
# tracker_load.sh: the tracker load benchmark in one go (bench/README.md).
#
# Starts swarmshare-tracker on 127.0.0.1 (a free port) with a fresh database in a temp
# folder and limits raised for one host with many connections, then runs
# bench_tracker_load against it:
#   1. fill                 ENTRIES peer entries (FILES files x CONNS peers by default)
#   2. closed_announce      announces of the fill's own entries (updates, not new
#                           entries), one run per value in INFLIGHT
#   3. closed_announce_new  the same from fresh Peer IDs: each announce adds an entry
#                           (until a connection has announced each of its files once)
#   4. closed_get_peers     limit 50 on files with about ENTRIES/FILES peers each
#   5. open                 announces at OPEN_RATE/s; by default half the best closed
#                           announce rate of steps 2 and 3
# and stops the tracker with SIGTERM. With OPENTRACKER=1 it first runs the opentracker
# anchor script given in OPENTRACKER_ANCHOR (or --opentracker-anchor PATH), so both figures
# come from the same session.
#
# Every run prints one key=value line on stdout; the tracker's pid is passed to the
# generator, which reads the tracker's CPU time and memory from /proc.
#
# Usage: bench/tracker_load.sh [--tracker-bin PATH] [--bench-bin PATH]
#                              [--opentracker-anchor PATH] [--keep]
# Knobs (env): CONNS=1000 FILES=1000 ENTRIES=(FILES*CONNS) DURATION=10 WARMUP=2
#              INFLIGHT=1,2,4 FILL_INFLIGHT=4 OPEN_RATE=(half the closed peak; or a list
#              of rates "5000 10000", one open run each) OPEN_OP=announce
#              PAGE_CACHE_KIB=4096 THREADS=0 (tracker threads; 0 = one per CPU) TTL=7200
#              STEPS="fill closed_announce closed_announce_new closed_get_peers open"
#              (also: closed_refresh) OPENTRACKER=0
#              OPENTRACKER_ANCHOR=PATH OPENTRACKER_ENV="CONNS=1000" (passed to the anchor)
#              BUILD_DIR=build (where bin/swarmshare-tracker and bin/bench_tracker_load are)
#              EXTRA_TRACKER_ARGS= EXTRA_BENCH_ARGS=
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$root/build}
TRACKER_BIN=${TRACKER_BIN:-$BUILD_DIR/bin/swarmshare-tracker}
BENCH_BIN=${BENCH_BIN:-$BUILD_DIR/bin/bench_tracker_load}
OPENTRACKER_ANCHOR=${OPENTRACKER_ANCHOR:-}
KEEP=${KEEP:-0}
while (($#)); do
  case $1 in
  --tracker-bin) TRACKER_BIN=$2; shift 2 ;;
  --bench-bin) BENCH_BIN=$2; shift 2 ;;
  --opentracker-anchor) OPENTRACKER_ANCHOR=$2; OPENTRACKER=1; shift 2 ;;
  --keep) KEEP=1; shift ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

CONNS=${CONNS:-1000}
FILES=${FILES:-1000}
ENTRIES=${ENTRIES:-$((FILES * CONNS))}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
INFLIGHT=${INFLIGHT:-1,2,4}
FILL_INFLIGHT=${FILL_INFLIGHT:-4}
OPEN_RATE=${OPEN_RATE:-}
OPEN_OP=${OPEN_OP:-announce}
PAGE_CACHE_KIB=${PAGE_CACHE_KIB:-4096}
THREADS=${THREADS:-0}
TTL=${TTL:-7200}
STEPS=${STEPS:-fill closed_announce closed_announce_new closed_get_peers open}
OPENTRACKER=${OPENTRACKER:-0}
OPENTRACKER_ENV=${OPENTRACKER_ENV:-}
EXTRA_TRACKER_ARGS=${EXTRA_TRACKER_ARGS:-}
EXTRA_BENCH_ARGS=${EXTRA_BENCH_ARGS:-}

log() { echo "== $*" >&2; }
die() { echo "tracker_load.sh: $*" >&2; exit 1; }

[[ -x $TRACKER_BIN ]] || die "no tracker at $TRACKER_BIN (build target swarmshare-tracker, or --tracker-bin)"
[[ -x $BENCH_BIN ]] || die "no generator at $BENCH_BIN (build target bench_tracker_load, or --bench-bin)"

# One descriptor per connection on each side, plus the database and the usual ones.
need=$((CONNS + 256))
if (($(ulimit -n) < need)); then
  ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
  (($(ulimit -n) >= need)) || die "ulimit -n is $(ulimit -n), $need needed for $CONNS connections"
fi

if [[ $OPENTRACKER == 1 ]]; then
  [[ -n $OPENTRACKER_ANCHOR && -r $OPENTRACKER_ANCHOR ]] ||
    die "OPENTRACKER=1 needs the anchor script: OPENTRACKER_ANCHOR=PATH or --opentracker-anchor PATH"
  log "opentracker anchor: $OPENTRACKER_ANCHOR ${OPENTRACKER_ENV}"
  # The anchor's last stdout line is its summary; its per-run lines go to stderr.
  # OPENTRACKER_ENV holds shell assignments (CONNS="100 1000" RUNS=3): a shell parses them,
  # so quoted values with spaces stay whole.
  anchor_out=$(bash -c "$OPENTRACKER_ENV bash \"\$0\"" "$OPENTRACKER_ANCHOR") ||
    die "the opentracker anchor failed"
  echo "anchor $(tail -n 1 <<<"$anchor_out")"
fi

tmp=$(mktemp -d -t swarmshare-tracker-load.XXXXXX)
tracker_pid=""
cleanup() {
  local rc=$?
  if [[ -n $tracker_pid ]] && kill -0 "$tracker_pid" 2>/dev/null; then
    kill -TERM "$tracker_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$tracker_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$tracker_pid" 2>/dev/null; then
      echo "tracker_load.sh: the tracker ignored SIGTERM for 10 s; killing it" >&2
      kill -KILL "$tracker_pid" 2>/dev/null || true
    fi
    wait "$tracker_pid" 2>/dev/null || true
  fi
  if [[ $KEEP == 1 ]]; then
    echo "tracker_load.sh: kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db=$tmp/tracker.db
# Limits for one host driving many connections; everything else stays at its default.
# shellcheck disable=SC2086 # EXTRA_TRACKER_ARGS is a list of words
"$TRACKER_BIN" --listen 127.0.0.1:0 --db "$db" --threads "$THREADS" \
  --max-connections $((CONNS + 64)) --max-connections-per-address $((CONNS + 64)) \
  --requests-per-second 1000000 --max-in-flight 256 --handshake-timeout 30 \
  --idle-timeout 3600 --ttl "$TTL" --page-cache-kib "$PAGE_CACHE_KIB" --log-level warning \
  $EXTRA_TRACKER_ARGS >"$tmp/tracker.out" 2>"$tmp/tracker.err" &
tracker_pid=$!

port="" peer_id=""
for _ in $(seq 200); do
  peer_id=$(sed -n 's/^tracker id \([a-z2-7]\{52\}\)$/\1/p' "$tmp/tracker.out")
  port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]\{1,5\}\)$/\1/p' "$tmp/tracker.out")
  [[ -n $port && -n $peer_id ]] && break
  kill -0 "$tracker_pid" 2>/dev/null || { cat "$tmp/tracker.err" >&2; die "the tracker exited"; }
  sleep 0.05
done
[[ -n $port && -n $peer_id ]] || { cat "$tmp/tracker.err" >&2; die "no 'listening on' line within 10 s"; }
log "tracker pid $tracker_pid on 127.0.0.1:$port, id $peer_id, page cache $PAGE_CACHE_KIB KiB x 2"

bench() {
  # shellcheck disable=SC2086 # EXTRA_BENCH_ARGS is a list of words
  "$BENCH_BIN" "$1" --tracker "$peer_id@127.0.0.1:$port" --server-pid "$tracker_pid" \
    --db "$db" --connections "$CONNS" --files "$FILES" --entries "$ENTRIES" \
    --duration "$DURATION" --warmup "$WARMUP" "${@:2}" $EXTRA_BENCH_ARGS
}

results=$tmp/results.txt
: >"$results"
failed=""
for step in $STEPS; do
  kill -0 "$tracker_pid" 2>/dev/null || { cat "$tmp/tracker.err" >&2; die "the tracker died before $step"; }
  log "$step"
  case $step in
  # A run with errors still prints its line; the next steps run anyway.
  fill) bench fill --inflight "$FILL_INFLIGHT" | tee -a "$results" || failed+=" $step" ;;
  closed_announce)
    bench closed --op announce --inflight "$INFLIGHT" | tee -a "$results" || failed+=" $step" ;;
  closed_announce_new)
    bench closed --op announce --identities fresh --inflight "$INFLIGHT" | tee -a "$results" ||
      failed+=" $step" ;;
  closed_refresh)
    bench closed --op refresh --inflight "$INFLIGHT" | tee -a "$results" || failed+=" $step" ;;
  closed_get_peers)
    bench closed --op get_peers --inflight "$INFLIGHT" | tee -a "$results" || failed+=" $step" ;;
  open)
    rate=$OPEN_RATE
    if [[ -z $rate ]]; then
      # Half the peak: the best closed announce run of this session (updates or new).
      rate=$(awk '/^mode=closed op=announce /{for(i=1;i<=NF;i++) if($i ~ /^rate=/){split($i,a,"="); if(a[2]>m) m=a[2]}} END{if(m>0) printf "%d", m/2}' "$results")
      [[ -n $rate ]] || die "open: no closed announce run to take half the peak from; set OPEN_RATE"
      log "open: offered rate $rate/s (half the closed announce peak)"
    fi
    # OPEN_RATE may list several rates ("5000 10000 20000"): one run each, for the curve.
    for one_rate in $rate; do
      bench open --op "$OPEN_OP" --rate "$one_rate" | tee -a "$results" || failed+=" $step"
    done
    ;;
  *) die "unknown step $step (fill closed_announce closed_announce_new closed_refresh closed_get_peers open)" ;;
  esac
done

if [[ -s $tmp/tracker.err ]]; then
  log "tracker stderr (last 20 lines)"
  tail -n 20 "$tmp/tracker.err" >&2
fi
[[ -z $failed ]] || die "steps that reported failures:$failed"
