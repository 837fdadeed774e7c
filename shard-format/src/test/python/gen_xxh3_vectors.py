#!/usr/bin/python3
"""Generate xxh3 routing parity vectors from python-xxhash (an independent C xxh3).

Writes shard-format/src/test/resources/vectors/xxh3_routing_vectors.jsonl, one JSON object per
line:
  {"key": {"type": "int", "value": -1} | {"type": "str", "value": "..."}
          | {"type": "bytes", "hex": "..."},
   "digest": "<unsigned decimal>",
   "shards": {"1": 0, "2": 1, ...}}

The routing definition mirrored here is the Python shardyfusion one: xxh3_64 with seed 0 over
canonical bytes (int -> 8-byte signed little-endian, str -> UTF-8, bytes as is), taken as an
unsigned 64-bit number modulo num_dbs.

Run:  /usr/bin/python3 shard-format/src/test/python/gen_xxh3_vectors.py
(the Debian python3-xxhash package lives in the system interpreter). Output is deterministic.
"""
import json
import os
import random
import struct

import xxhash

NUM_DBS = [1, 2, 3, 7, 8, 64, 256, 1000]
# XXH3's code paths switch at these input lengths: 0, 1-3, 4-8, 9-16, 17-128, 129-240, >240;
# the long path (>240) also switches at stripe (64) and block (1024) multiples.
LENGTHS = sorted(set(
    list(range(0, 20)) + [31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 130, 200, 239, 240, 241,
                          242, 255, 256, 257, 300, 511, 512, 513, 1023, 1024, 1025, 2048, 4099]))
I64_MIN, I64_MAX = -(1 << 63), (1 << 63) - 1


def canonical(key):
    if isinstance(key, int):
        return struct.pack("<q", key)
    if isinstance(key, str):
        return key.encode("utf-8")
    return key


def ints(rng):
    vals = {0, 1, -1, 2, -2, 7, 42, 255, 256, 1000, 65535, 65536, 123456789, -123456789,
            I64_MIN, I64_MAX, I64_MIN + 1, I64_MAX - 1, (1 << 32) - 1, 1 << 32}
    for p in range(1, 63):
        for d in (-1, 0, 1):
            vals.add((1 << p) + d)
            vals.add(-(1 << p) + d)
    vals.update(rng.randint(I64_MIN, I64_MAX) for _ in range(40))
    vals.update(rng.randint(0, 10**6) for _ in range(20))
    return sorted(v for v in vals if I64_MIN <= v <= I64_MAX)


def strings(rng):
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:/"
    out = [""]
    for n in LENGTHS:
        if 0 < n <= 300:
            out.append("".join(rng.choice(alphabet) for _ in range(n)))
    out += ["user:1", "user:2", "key", "a", "ab", "abc", "abcd",
            "é", "ü ber", "日本語", "日本語のキー", "Ω≈ç√∫", "😀", "a😀b", "🇩🇪🇫🇷",
            "\u0000", "tab\tnew\nline", "\U0010FFFF", "ß" * 60, "€" * 50, "😀" * 70,
            "mixed é 日 😀 " * 20]
    return out


def byte_strings(rng):
    out = [b""]
    for n in LENGTHS:
        out.append(bytes(rng.randrange(256) for _ in range(n)))
    out += [b"\x00", b"\xff", b"\x00" * 8, b"\xff" * 8, bytes(range(256)),
            struct.pack("<q", 1), struct.pack(">q", 1)]
    return out


def vector(kind, key):
    digest = xxhash.xxh3_64_intdigest(canonical(key), seed=0)
    if kind == "int":
        k = {"type": "int", "value": key}
    elif kind == "str":
        k = {"type": "str", "value": key}
    else:
        k = {"type": "bytes", "hex": key.hex()}
    return {"key": k, "digest": str(digest), "shards": {str(n): digest % n for n in NUM_DBS}}


def main():
    assert xxhash.xxh3_64_intdigest(b"") == 0x2D06800538D394C2
    rng = random.Random(20240601)
    vectors = [vector("int", k) for k in ints(rng)]
    vectors += [vector("str", k) for k in strings(rng)]
    vectors += [vector("bytes", k) for k in byte_strings(rng)]
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "resources", "vectors", "xxh3_routing_vectors.jsonl")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for v in vectors:
            f.write(json.dumps(v, ensure_ascii=True, sort_keys=True) + "\n")
    print(f"wrote {len(vectors)} vectors to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
