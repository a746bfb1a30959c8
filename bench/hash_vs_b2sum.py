#!/usr/bin/env python3
"""Hash throughput of `swarmshare-cli hash` against `b2sum` on one page-cached file.

Both programs read the same file in the same run, alternating, `--rounds` times each;
the figures are medians. Peak RSS is taken per process from wait4(). The file is made
once (deterministic pseudo-random bytes) and read twice before timing so that both
programs read from the page cache, not the disk. Needs GNU time (Debian: time).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

GIB = 1024 ** 3


def make_file(path, size):
    if os.path.exists(path) and os.path.getsize(path) == size:
        return
    block = bytearray(os.urandom(1 << 20))
    with open(path, "wb") as out:
        written = 0
        while written < size:
            # Vary every block cheaply so no two chunks are equal.
            block[0:8] = written.to_bytes(8, "little")
            n = min(len(block), size - written)
            out.write(block[:n])
            written += n


def warm(path):
    for _ in range(2):
        with open(path, "rb") as f:
            while f.read(8 << 20):
                pass


def timed(command):
    """Wall seconds and peak RSS (MiB) of one run. GNU time reports the RSS: a child forked
    from this Python process would count Python's own pages until exec."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name] + command,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"{command[0]} failed: {proc.stderr}")
        peak_kib = int(report.read().split()[-1])
    return seconds, peak_kib / 1024.0, proc.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cli", required=True, help="path to swarmshare-cli")
    parser.add_argument("--file", default="/tmp/swarmshare-bench-4g.bin")
    parser.add_argument("--size-gib", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the test file")
    args = parser.parse_args()

    size = int(args.size_gib * GIB)
    make_file(args.file, size)
    warm(args.file)
    ours, theirs = [], []
    for round_number in range(args.rounds):
        seconds, rss, out = timed([args.cli, "hash", args.file])
        ours.append((seconds, rss))
        seconds_b, rss_b, _ = timed(["b2sum", args.file])
        theirs.append((seconds_b, rss_b))
        print(f"round {round_number + 1}: swarmshare-cli {size / seconds / 1e9:.2f} GB/s "
              f"({rss:.1f} MiB)   b2sum {size / seconds_b / 1e9:.2f} GB/s ({rss_b:.1f} MiB)")
    ours_s = statistics.median(s for s, _ in ours)
    theirs_s = statistics.median(s for s, _ in theirs)
    peak = max(r for _, r in ours)
    print(f"file: {size / GIB:.1f} GiB, {args.rounds} rounds, {os.cpu_count()} CPUs")
    print(f"swarmshare-cli hash: median {ours_s:.3f} s = {size / ours_s / 1e9:.2f} GB/s, "
          f"peak RSS {peak:.1f} MiB")
    print(f"b2sum:               median {theirs_s:.3f} s = {size / theirs_s / 1e9:.2f} GB/s")
    ratio = theirs_s / ours_s
    print(f"ratio (b2sum time / swarmshare time): {ratio:.2f}")
    if not args.keep:
        os.remove(args.file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
