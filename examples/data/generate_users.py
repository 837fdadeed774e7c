#!/usr/bin/env python3
"""Writes users.jsonl, the sample data of BuildSnapshotExample.

Deterministic (fixed seed, no clock): running it again reproduces the committed file byte for
byte. Usage: python3 examples/data/generate_users.py [OUTPUT] [COUNT]
"""
import json
import os
import random
import string
import sys

FIRST = ["Ada", "Alan", "Barbara", "Claude", "Donald", "Edsger", "Frances", "Grace", "Hedy",
         "Ivan", "John", "Katherine", "Leslie", "Margaret", "Niklaus", "Ole", "Radia", "Shafi",
         "Tim", "Whitfield", "Xiaoyun", "Yukihiro", "Zhores"]
LAST = ["Lovelace", "Turing", "Liskov", "Shannon", "Knuth", "Dijkstra", "Allen", "Hopper",
        "Lamarr", "Sutherland", "Backus", "Johnson", "Lamport", "Hamilton", "Wirth", "Dahl",
        "Perlman", "Goldwasser", "Berners-Lee", "Diffie", "Wang", "Matsumoto", "Alferov"]
COUNTRIES = ["DE", "FR", "GB", "US", "BR", "IN", "JP", "NG", "PL", "SE", "ES", "CA", "KR", "AU"]
ALPHABET = string.ascii_letters + string.digits


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "users.jsonl")
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    rng = random.Random(20240611)
    # Unique, sparse, unordered ids: routing and sorting have real work to do.
    ids = rng.sample(range(1, 10_000_000), count)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for user_id in ids:
            record = {
                "id": user_id,
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "country": rng.choice(COUNTRIES),
                "payload": "".join(rng.choice(ALPHABET) for _ in range(rng.randint(40, 120))),
            }
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
