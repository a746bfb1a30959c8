#!/usr/bin/env python3
"""An independent implementation of the manifest encoding in docs/PROTOCOL.md.

Builds files, computes their File IDs from the documented byte layout with Python's own
BLAKE2b, and checks that `swarmshare-cli hash` prints the same IDs. Exit status 0 when
every case agrees.
"""
import argparse
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

DEFAULT_CHUNK = 256 * 1024


def pack_uint(value):
    if value < 0x80:
        return bytes([value])
    if value <= 0xFF:
        return b"\xcc" + struct.pack(">B", value)
    if value <= 0xFFFF:
        return b"\xcd" + struct.pack(">H", value)
    if value <= 0xFFFFFFFF:
        return b"\xce" + struct.pack(">I", value)
    return b"\xcf" + struct.pack(">Q", value)


def pack_str(text):
    data = text.encode("utf-8")
    n = len(data)
    if n < 32:
        return bytes([0xA0 | n]) + data
    if n <= 0xFF:
        return b"\xd9" + struct.pack(">B", n) + data
    return b"\xda" + struct.pack(">H", n) + data


def pack_bin(data):
    n = len(data)
    if n <= 0xFF:
        return b"\xc4" + struct.pack(">B", n) + data
    if n <= 0xFFFF:
        return b"\xc5" + struct.pack(">H", n) + data
    return b"\xc6" + struct.pack(">I", n) + data


def file_id(name, content, chunk):
    hashes = b"".join(
        hashlib.blake2b(content[o:o + chunk], digest_size=32).digest()
        for o in range(0, len(content), chunk))
    manifest = (b"\x95" + pack_uint(1) + pack_str(name) + pack_uint(len(content)) +
                pack_uint(chunk) + pack_bin(hashes))
    return hashlib.blake2b(manifest, digest_size=32).hexdigest()


def pattern(size):
    return bytes(((i * i + 7 * i) % 251) for i in range(size))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    args = parser.parse_args()
    cases = [
        ("empty.bin", b"", None),
        ("golden.bin", pattern(3 * DEFAULT_CHUNK + 1000), None),
        ("two-exact.bin", pattern(2 * DEFAULT_CHUNK), None),
        ("small chunks.dat", pattern(100 * 1024 + 3), 16 * 1024),
        ("x" * 40 + ".bin", pattern(70 * 1024), 65536),  # str8 name, 2 chunks
    ]
    failures = 0
    with tempfile.TemporaryDirectory(prefix="swarmshare-reference-") as tmp:
        for name, content, chunk in cases:
            path = os.path.join(tmp, name)
            with open(path, "wb") as out:
                out.write(content)
            command = [args.cli, "hash", path]
            if chunk:
                command += ["--chunk-size", str(chunk)]
            printed = subprocess.run(command, check=True, capture_output=True,
                                     text=True).stdout.splitlines()[0]
            expected = file_id(name, content, chunk or DEFAULT_CHUNK)
            verdict = "ok" if printed == expected else "MISMATCH"
            failures += verdict != "ok"
            print(f"{verdict}: {name}: expected {expected[:16]}.. got {printed[:16]}..")
    print(f"{len(cases) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
