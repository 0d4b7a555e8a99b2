#!/usr/bin/env python3
"""Precision and recall of gazette's near-duplicate grouping on pairs built
from the shared news corpora (docs/DUPLICATES.md).

Originals: Reuters-21578 articles (>= 3 paragraphs, >= 120 words, with a
topic), sampled with a fixed seed. Each original is indexed alone; then one
pair kind at a time is indexed into a copy of that index with
`gazette index --skip-duplicates --duplicate-threshold T`, and the summary
says which documents were taken for copies of which.

Positives (edited copies of the original):
  words     5% of the words replaced by words of other articles
  dropped   the last paragraph dropped
  headline  the headline rewritten (another article's) and 2% of words replaced
  all       all three at once
Negatives (not duplicates):
  topic     another Reuters article with the same first topic
  translation  NTREX-128: the English original indexed, its Spanish,
               French and German translations as the candidates

A positive counts as found when its copy is reported as copying its own
original; any negative reported as a copy is a false positive.

Usage: scripts/dup_eval.py [GAZETTE] [N]   (default target/release/gazette, 300)
"""
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPORA = os.path.join(HERE, "..", "..", "shared", "corpora")
GAZETTE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "target", "release", "gazette")
N = int(sys.argv[2]) if len(sys.argv) > 2 else 300
THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.9]
rng = random.Random(17)


def read(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def replace_words(body, share, vocab):
    paras = body.split("\n")
    out = []
    for p in paras:
        words = p.split(" ")
        for i in range(len(words)):
            if rng.random() < share:
                words[i] = rng.choice(vocab)
        out.append(" ".join(words))
    return "\n".join(out)


def drop_last(body):
    paras = [p for p in body.split("\n") if p.strip()]
    return "\n".join(paras[:-1])


def main():
    reuters = [
        d for d in read(os.path.join(CORPORA, "news-reuters21578", "news.jsonl.gz"))
        if d.get("topics") and d.get("body")
        and len([p for p in d["body"].split("\n") if p.strip()]) >= 3
        and len(d["body"].split()) >= 120
    ]
    # One article per body: Reuters repeats some stories word for word.
    seen, unique = set(), []
    for d in reuters:
        key = " ".join(d["body"].split()[:40])
        if key not in seen:
            seen.add(key)
            unique.append(d)
    rng.shuffle(unique)
    originals = unique[:N]
    by_topic = {}
    for d in unique[N:]:
        by_topic.setdefault(d["topics"][0], []).append(d)
    vocab = [w for d in unique[N:N + 200] for w in d["body"].split()]
    titles = [d["title"] for d in unique[N:] if d.get("title")]

    def rec(id, title, body, lang="en"):
        return {"id": id, "title": title, "body": body, "lang": lang}

    kinds = {"words": [], "dropped": [], "headline": [], "all": [], "topic": [], "translation": []}
    truth = {}
    base = []
    for i, d in enumerate(originals):
        a = f"orig-{i}"
        base.append(rec(a, d["title"], d["body"]))
        variants = {
            "words": (d["title"], replace_words(d["body"], 0.05, vocab)),
            "dropped": (d["title"], drop_last(d["body"])),
            "headline": (rng.choice(titles), replace_words(d["body"], 0.02, vocab)),
            "all": (rng.choice(titles), replace_words(drop_last(d["body"]), 0.05, vocab)),
        }
        for k, (t, b) in variants.items():
            kinds[k].append(rec(f"{k}-{i}", t, b))
            truth[f"{k}-{i}"] = a
        same = by_topic.get(d["topics"][0], [])
        if same:
            o = rng.choice(same)
            kinds["topic"].append(rec(f"topic-{i}", o["title"], o["body"]))
    # NTREX: English originals and their translations.
    ntrex = {}
    for d in read(os.path.join(CORPORA, "news-ntrex128", "news.jsonl.gz")):
        lang, story = d["lang"], d["id"].rsplit("-", 1)[-1]
        if lang in ("en", "es", "fr", "de"):
            ntrex.setdefault(story, {}).setdefault(lang, d)
    stories = sorted(s for s, v in ntrex.items() if "en" in v)
    for s in stories:
        en = ntrex[s]["en"]
        base.append(rec(f"ntrex-en-{s}", en.get("title"), en["body"]))
        for lang in ("es", "fr", "de"):
            if lang in ntrex[s]:
                t = ntrex[s][lang]
                kinds["translation"].append(rec(f"translation-{lang}-{s}", t.get("title"), t["body"], lang))

    work = tempfile.mkdtemp()
    try:
        write(os.path.join(work, "base.jsonl"), base)
        base_index = os.path.join(work, "base")
        run([GAZETTE, "--index", base_index, "index", os.path.join(work, "base.jsonl")])
        counts = {k: len(v) for k, v in kinds.items()}
        print(f"originals: {len(originals)} Reuters + {len(stories)} NTREX English; "
              f"candidates: " + ", ".join(f"{k} {n}" for k, n in counts.items()))
        print()
        print("| threshold | " + " | ".join(kinds) + " | precision | recall |")
        print("|---:|" + "---:|" * (len(kinds) + 2))
        repeats = {}
        for t in THRESHOLDS:
            found = {}
            for kind, recs in kinds.items():
                path = os.path.join(work, f"{kind}.jsonl")
                write(path, recs)
                idx = os.path.join(work, f"idx-{kind}")
                shutil.rmtree(idx, ignore_errors=True)
                shutil.copytree(base_index, idx)
                out = run([GAZETTE, "--index", idx, "index", "--skip-duplicates",
                           "--duplicate-threshold", str(t), "--format", "json", path])
                summary = json.loads(out)
                if kind in ("topic", "translation"):
                    found[kind] = len(summary["duplicate_of"])
                    # A "negative" the corpus itself repeats (Reuters re-ran
                    # stories with a new first paragraph): exact similarity.
                    for d in summary["duplicate_of"]:
                        cand = next(r for r in recs if r["id"] == d["id"])
                        orig = next(r for r in base + recs if r["id"] == d["copies"])
                        j = jaccard(cand["body"], orig["body"])
                        if j >= 0.5:
                            repeats.setdefault(t, 0)
                            repeats[t] += 1
                else:
                    found[kind] = sum(1 for d in summary["duplicate_of"]
                                      if truth.get(d["id"]) == d["copies"])
            tp = sum(found[k] for k in ("words", "dropped", "headline", "all"))
            fp = found["topic"] + found["translation"]
            pos = sum(counts[k] for k in ("words", "dropped", "headline", "all"))
            precision = tp / (tp + fp) if tp + fp else 1.0
            cells = " | ".join(f"{found[k]}/{counts[k]}" for k in kinds)
            print(f"| {t} | {cells} | {precision:.4f} | {tp / pos:.4f} |")
        print()
        for t in THRESHOLDS:
            print(f"threshold {t}: negatives reported whose exact word-triple Jaccard "
                  f"with the document they copy is >= 0.5: {repeats.get(t, 0)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def jaccard(a, b):
    """Exact Jaccard similarity of lower-cased word triples."""
    def shingles(t):
        w = t.lower().split()
        return {tuple(w[i:i + 3]) for i in range(max(1, len(w) - 2))}
    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y) if x | y else 0.0


def write(path, recs):
    with open(path, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 3):
        sys.exit(f"{' '.join(cmd)}: {p.stderr}")
    return p.stdout


if __name__ == "__main__":
    main()
