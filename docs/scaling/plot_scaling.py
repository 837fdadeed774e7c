#!/usr/bin/env python3
"""Draws docs/scaling.png from scaling.csv (figures printed by bin/shardy-bench and
bin/shardy-runner-bench; see docs/BENCHMARKS.md). Needs matplotlib (Debian: python3-matplotlib).

CSV columns: series,axis,x,seconds   where axis is "rows" (x = rows, 8 shards) or
"num_dbs" (x = shard count, 10M rows)."""
import csv
import os
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
data = defaultdict(list)
with open(os.path.join(here, "scaling.csv")) as f:
    for row in csv.DictReader(f):
        data[(row["axis"], row["series"])].append((float(row["x"]), float(row["seconds"])))

fig, (by_rows, by_dbs) = plt.subplots(1, 2, figsize=(11, 4.2))
for (axis, series), points in sorted(data.items()):
    points.sort()
    xs, ys = zip(*points)
    ax = by_rows if axis == "rows" else by_dbs
    ax.plot(xs, ys, marker="o", label=series)
by_rows.set_title("Build time vs rows (8 shards, file://)")
by_rows.set_xlabel("rows (millions)")
by_rows.set_ylabel("seconds, end to end")
by_rows.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1e6:g}"))
by_dbs.set_title("Build time vs shards (10M rows)")
by_dbs.set_xlabel("num_dbs")
by_dbs.set_xscale("log", base=2)
by_dbs.set_xticks([8, 64, 256])
by_dbs.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
by_dbs.set_ylabel("seconds, end to end")
for ax in (by_rows, by_dbs):
    ax.grid(True, alpha=0.3)
    ax.set_ylim(0, ax.get_ylim()[1] * 1.45)  # room for the legend above the lines
    ax.legend(fontsize=7, ncol=2, loc="upper left")
fig.suptitle("shardyfusion write scaling, 2 cores, 8-byte keys, 100-byte values")
fig.tight_layout()
fig.savefig(os.path.join(here, "..", "scaling.png"), dpi=110)
print("wrote docs/scaling.png")
