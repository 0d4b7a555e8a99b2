#!/usr/bin/env python3
"""Paragraph lengths (in words) of the shared news corpora, to choose the
passage split limit. Usage: scripts/paragraph_lengths.py [../shared/corpora]"""
import gzip, json, re, sys, glob, statistics

root = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpora"
word = re.compile(r"\w+")
for path in sorted(glob.glob(f"{root}/news-*/news.jsonl.gz")):
    lengths = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            body = json.loads(line).get("body") or ""
            lengths += [len(word.findall(p)) for p in body.split("\n") if p.strip()]
    lengths.sort()
    q = lambda p: lengths[min(len(lengths) - 1, int(p * len(lengths)))]
    print(f"{path.split('/')[-2]:24} paragraphs {len(lengths):7}  median {q(0.5):4}  p75 {q(0.75):4}  p90 {q(0.9):4}  p99 {q(0.99):5}  >80 words {sum(l > 80 for l in lengths) / len(lengths):.1%}")
