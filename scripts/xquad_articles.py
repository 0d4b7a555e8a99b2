#!/usr/bin/env python3
"""The best passage inside a whole article: XQuAD-R's paragraphs indexed as
articles of one sentence a line, each question judged by the passage that
holds its answer sentence (`eval --unit passage`), one index per language.

XQuAD-R judges a question's answer sentence (qrels.txt) and its paragraph
(qrels_paragraphs.txt) apart; here the sentences are lines of their
paragraph's article, as a news body written a sentence a line is, and a hit
counts only if it is the passage that holds the answer: the article must be
found and the right passage shown first. gazette cuts the articles itself
(`gazette passages`), so a passage that joins the answer sentence to
another one still counts; a sentence of more than 80 words, cut in two,
counts by the passage holding its start (74 of 13,014).

Usage: scripts/xquad_articles.py [DIR]   (DIR keeps the articles, qrels and
indexes of the last run, built again by each; default a temporary folder).
Then the same on one mixed index of all eleven languages, with and
without `lang` in the records. GAZETTE_BIN: the build
(default target/release/gazette); the environment passes through to gazette
(e.g. GAZETTE_DOC_WEIGHT=0). Prints a markdown table, macro average last.
"""
import collections, gzip, json, os, shutil, subprocess, sys, tempfile

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
C = os.path.join(root, "../shared/corpora/ir-xquad-r")
gazette = os.environ.get("GAZETTE_BIN", os.path.join(root, "target/release/gazette"))
work = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()
os.makedirs(work, exist_ok=True)
for f in ("docs.jsonl.gz", "qrels.txt", "queries.tsv"):
    if not os.path.exists(os.path.join(C, f)):
        sys.exit(f"xquad_articles: {C}/{f} is missing")

# Articles: a paragraph's sentences in order, one a line.
sentences = collections.defaultdict(list)
titles, langs = {}, {}
for line in gzip.open(f"{C}/docs.jsonl.gz", "rt", encoding="utf-8"):
    d = json.loads(line)
    art = d["id"].rsplit("-s", 1)[0]
    if d["body"].strip():
        sentences[art].append((int(d["id"].rsplit("-s", 1)[1]), d["id"], d["body"].strip()))
    titles[art], langs[art] = d.get("title") or "", d["lang"]
where = {}  # sentence id -> (article, byte start)
arts = os.path.join(work, "articles")
os.makedirs(arts, exist_ok=True)
by_lang = collections.defaultdict(list)
for art, sents in sentences.items():
    body, at = [], 0
    for _, sid, text in sorted(sents):
        where[sid] = (art, at)
        body.append(text)
        at += len(text.encode("utf-8")) + 1
    by_lang[langs[art]].append({"id": art, "title": titles[art], "body": "\n".join(body), "lang": langs[art]})
for lang, docs in by_lang.items():
    with open(os.path.join(arts, f"{lang}.jsonl"), "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")

# The passage holding each sentence, as this build cuts the articles.
spans = collections.defaultdict(list)  # article -> [(start, end, passage id)]
for lang in by_lang:
    out = subprocess.run([gazette, "passages", os.path.join(arts, f"{lang}.jsonl")],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        p = json.loads(line)
        spans[p["doc_id"]].append((p["offset"]["start"], p["offset"]["end"], p["id"]))
qrels = os.path.join(work, "qrels_passages.txt")
with open(qrels, "w") as f:
    for line in open(f"{C}/qrels.txt"):
        q, _, sid, grade = line.split()
        if sid not in where:
            continue
        art, start = where[sid]
        pid = next(p for s, e, p in spans[art] if s <= start < e)
        f.write(f"{q} 0 {pid} {grade}\n")

print("| lang | n | nDCG@10 | MRR@10 | passages |")
print("|---|---:|---:|---:|---:|")
rows = []
for lang in sorted(by_lang):
    # Built again every run: the qrels are cut by this build's passages.
    ix = os.path.join(work, f"ix-{lang}")
    shutil.rmtree(ix, ignore_errors=True)
    subprocess.run([gazette, "--index", ix, "index", os.path.join(arts, f"{lang}.jsonl")],
                   capture_output=True, check=True)
    qf = os.path.join(work, f"q-{lang}.tsv")
    with open(qf, "w", encoding="utf-8") as f:
        for line in open(f"{C}/queries.tsv", encoding="utf-8"):
            if line.startswith(f"xquadr-{lang}-"):
                f.write(line)
    r = json.loads(subprocess.run(
        [gazette, "--index", ix, "eval", "--queries", qf, "--input-format", "tsv", "--qrels", qrels,
         "--unit", "passage", "--metrics", "ndcg@10,mrr@10", "--format", "json"],
        capture_output=True, text=True, check=True).stdout)
    m = r["metrics"]
    n = sum(len(spans[d["id"]]) for d in by_lang[lang])
    rows.append((m["ndcg@10"], m["mrr@10"]))
    print(f"| {lang} | {r['queries']} | {m['ndcg@10']:.4f} | {m['mrr@10']:.4f} | {n} |")
print(f"| avg | | {sum(r[0] for r in rows) / len(rows):.4f} | {sum(r[1] for r in rows) / len(rows):.4f} | |")

# One index of every language's articles, as a user keeps them: the
# records with their `lang`, and without it (gazette identifies each).
# Every question against all of them, nDCG@10 / MRR@10 over all
# questions. (The cutting, and so the qrels, do not depend on `lang` as
# long as the identified language keeps a line's script.)
print()
print("| one mixed index | nDCG@10 | MRR@10 |")
print("|---|---:|---:|")
everything = os.path.join(work, "all.jsonl")
unlabelled = os.path.join(work, "all-without-lang.jsonl")
with open(everything, "w", encoding="utf-8") as f, open(unlabelled, "w", encoding="utf-8") as g:
    for lang in sorted(by_lang):
        for d in by_lang[lang]:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
            g.write(json.dumps({k: v for k, v in d.items() if k != "lang"}, ensure_ascii=False) + "\n")
for name, docs in (("with `lang`", everything), ("without `lang`", unlabelled)):
    ix = os.path.join(work, "ix-all" if docs == everything else "ix-all-without-lang")
    shutil.rmtree(ix, ignore_errors=True)
    subprocess.run([gazette, "--index", ix, "index", docs], capture_output=True, check=True)
    r = json.loads(subprocess.run(
        [gazette, "--index", ix, "eval", "--queries", f"{C}/queries.tsv", "--input-format", "tsv",
         "--qrels", qrels, "--unit", "passage", "--metrics", "ndcg@10,mrr@10", "--format", "json"],
        capture_output=True, text=True, check=True).stdout)
    print(f"| {name} | {r['metrics']['ndcg@10']:.4f} | {r['metrics']['mrr@10']:.4f} |")
