#!/usr/bin/env bash
# transfer_loopback.sh: one seeder to one downloader over loopback, encrypted and verified,
# with swarmshare-cli processes (bench/README.md). Optionally runs the libtorrent anchor in
# the same session for the side-by-side figure.
#
# A random file of SIZE is shared by a seeder (`share --serve`, --tracker none); a
# downloader fetches it by the share link alone (`get LINK --tracker none --no-seed`).
# Timed span: the downloader process, from its start until it exits with the verified file
# in place (so it includes starting the engine, the handshake and fetching the manifest:
# milliseconds, against seconds for the transfer). Also reported: the downloader's peak
# resident memory (/usr/bin/time), and both processes' CPU time.
#
# Prints one line per run on stderr and a last line on stdout:
#   swarmshare_loopback_MBps=<median, 10^6 bytes/s> downloader_max_rss_kib=<max over runs>
#
# Usage: bench/transfer_loopback.sh
# Knobs (env): SIZE=1G RUNS=3 BUILD_DIR=build-bench DOWN_LIMIT= UP_LIMIT= (bytes/s, K/M/G)
#              ANCHOR=PATH (the libtorrent anchor script; run first, same SIZE and RUNS)
#              WORKDIR= (default: a fresh temp folder; the file is made once per session)
set -euo pipefail
# Loopback only: LAN discovery would announce each process on the machine's network.
export SWARMSHARE_NO_LAN=1

root=$(cd "$(dirname "$0")/.." && pwd)
SIZE=${SIZE:-1G}
RUNS=${RUNS:-3}
BUILD_DIR=${BUILD_DIR:-$root/build-bench}
cli=$BUILD_DIR/bin/swarmshare-cli
[[ -x $cli ]] || { echo "transfer_loopback.sh: no $cli (build swarmshare-cli)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "transfer_loopback.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

bytes_of() {
  local text=${1^^}
  case $text in
  *G) echo $((${text%G} * 1024 * 1024 * 1024)) ;;
  *M) echo $((${text%M} * 1024 * 1024)) ;;
  *K) echo $((${text%K} * 1024)) ;;
  *) echo "$text" ;;
  esac
}
size_bytes=$(bytes_of "$SIZE")

if [[ -n ${ANCHOR:-} ]]; then
  echo "== libtorrent anchor: $ANCHOR $SIZE --runs $RUNS" >&2
  anchor_line=$(/usr/bin/python3 "$ANCHOR" "$SIZE" --runs "$RUNS" | tail -n 1)
  echo "$anchor_line" >&2
fi

work=${WORKDIR:-$(mktemp -d -t swarmshare-loopback.XXXXXX)}
seeder_pid=
cleanup() {
  [[ -n $seeder_pid ]] && kill -TERM "$seeder_pid" 2>/dev/null && wait "$seeder_pid" 2>/dev/null
  [[ -z ${WORKDIR:-} ]] && rm -rf "$work"
  true
}
trap cleanup EXIT

file=$work/sample.bin
if [[ ! -f $file || $(stat -c %s "$file") != "$size_bytes" ]]; then
  echo "== making a $SIZE random file" >&2
  head -c "$size_bytes" /dev/urandom >"$file"
fi

limits=()
[[ -n ${UP_LIMIT:-} ]] && limits+=(--up-limit "$UP_LIMIT")
[[ -n ${DOWN_LIMIT:-} ]] && limits+=(--down-limit "$DOWN_LIMIT")

rm -rf "$work/seeder"
("$cli" --home "$work/seeder" --tracker none --listen-address 127.0.0.1 "${limits[@]}" \
  share --serve "$file" >"$work/seeder.out" 2>"$work/seeder.err") &
seeder_pid=$!
for _ in $(seq 600); do grep -q '^serving on ' "$work/seeder.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^serving on ' "$work/seeder.out" || { cat "$work/seeder.err" >&2; exit 1; }
link=$(sed -n 's/^link: //p' "$work/seeder.out")

rates=()
max_rss=0
for run in $(seq "$RUNS"); do
  rm -rf "$work/downloader" "$work/downloads"
  # Every run starts with no dirty pages waiting to be written back: the anchor's downloads
  # (and our previous run's) would otherwise be flushed during this run's writes.
  sync
  start=$(date +%s.%N)
  /usr/bin/time -f '%M %U %S' -o "$work/time.txt" \
    "$cli" --home "$work/downloader" --tracker none --listen-address 127.0.0.1 "${limits[@]}" \
    --json get "$link" -o "$work/downloads" --no-seed >"$work/get.out" 2>"$work/get.err" ||
    { cat "$work/get.err" >&2; exit 1; }
  end=$(date +%s.%N)
  read -r rss user sys <"$work/time.txt"
  cmp -s "$file" "$work/downloads/sample.bin" || { echo "run $run: the copy differs" >&2; exit 1; }
  seconds=$(echo "$end - $start" | bc -l)
  rate=$(echo "$size_bytes / $seconds / 1000000" | bc -l)
  rates+=("$rate")
  ((rss > max_rss)) && max_rss=$rss
  printf 'run %d: %.2f s, %.1f MB/s, downloader max RSS %d KiB, CPU user %.2f s sys %.2f s\n' \
    "$run" "$seconds" "$rate" "$rss" "$user" "$sys" >&2
done
median=$(printf '%s\n' "${rates[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf 'swarmshare_loopback_MBps=%.1f downloader_max_rss_kib=%d\n' "$median" "$max_rss"
