#!/usr/bin/env python3
"""Whether two `gazette batch` outputs (JSON Lines) rank the same: for every
query, the same total and the same hits (passage ids) with the same scores,
compared exactly. Used to check that a speed change leaves every score
bit-identical. Usage: scripts/same_ranking.py A.jsonl B.jsonl (exit 1 if not)."""
import json
import sys


def load(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            o = json.loads(line)
            key = (n, o.get("id"), o.get("query"))
            hits = [(h["passage"]["id"], h["score"]) for h in o.get("hits", [])]
            out[key] = (o.get("total"), hits, o.get("error"))
    return out


a, b = load(sys.argv[1]), load(sys.argv[2])
if a.keys() != b.keys():
    sys.exit("the two outputs answer different queries")
diff = [k for k in a if a[k] != b[k]]
print(f"{len(a)} queries, {sum(len(v[1]) for v in a.values())} hits, {len(diff)} differ")
for k in diff[:5]:
    print(k, a[k], b[k], sep="\n  ")
sys.exit(1 if diff else 0)
