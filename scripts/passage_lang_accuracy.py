#!/usr/bin/env python3
"""Passage-level language accuracy: reads `gazette passages` JSON lines on stdin
(run on the corpora without lang: scripts/without_lang.py); the truth is the
document's `lang` in ../shared/corpora. Prints accuracy per source and
the count of `und` passages. Usage:
  gazette passages DIR/*.gz | scripts/passage_lang_accuracy.py [CORPORA]"""
import gzip, json, sys, glob, collections
root = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpora"
truth = {}
for f in glob.glob(f"{root}/news-*/news.jsonl.gz") + [f"{root}/tweets-xlmt/tweets.jsonl.gz"]:
    for l in gzip.open(f, "rt"):
        r = json.loads(l); truth[str(r["id"])] = r["lang"]
ok = collections.Counter(); n = collections.Counter(); und = 0
for line in sys.stdin:
    p = json.loads(line); t = truth.get(p["doc_id"])
    if t is None: continue
    src = p["doc_id"].split("-")[0]
    n[src] += 1; n["all"] += 1
    if p["lang"] == t: ok[src] += 1; ok["all"] += 1
    und += p["lang"] == "und"
for k in sorted(n): print(f"{k}: {ok[k]}/{n[k]} = {100*ok[k]/n[k]:.2f}%")
print("und passages:", und)
