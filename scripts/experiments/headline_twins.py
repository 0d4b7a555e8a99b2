#!/usr/bin/env python3
"""ir-news-headlines' NTREX twins (por / por-BR, fra / fra-CA): which
variant's spelling each headline uses, and what a document-level bonus
for query words found with their marks as written would do to a run.

Usage: gazette --index IX batch --input-format tsv --format trec --unit doc \\
         --limit 100 QUERIES_OF_LANG.tsv > RUN
       scripts/experiments/headline_twins.py LANG RUN [W,W,...] [CORPORA]
e.g. LANG pt with the queries `grep '^hl-pt-' queries.tsv`.

Prints, over the language's queries whose article has a twin: how many
headlines hold more words found as written (lower-cased, NFC) only in the
judged article than only in its twin ("judged's spelling"), the reverse
("twin's spelling"), or neither; of each, how many runs have the twin
first and the judged article second; then nDCG@10 / MRR@10 of the run re-ranked with each
weight W: a document gains W x idf x (its top hit's score / 100) for each
query word with marks its text holds as written (W 0: the run as it is).
(docs/RELEVANCE.md, "Portuguese headlines: twins".)
"""
import collections, gzip, json, math, re, sys, unicodedata

lang, run_path = sys.argv[1], sys.argv[2]
weights = [float(w) for w in (sys.argv[3] if len(sys.argv) > 3 else "0,0.5,1,2,4").split(",")]
C = (sys.argv[4] if len(sys.argv) > 4 else "../shared/corpora") + "/ir-news-headlines"
WORD = re.compile(r"\w+")


def words(text):
    return set(WORD.findall(unicodedata.normalize("NFC", text).lower()))


def folded(w):
    return "".join(c for c in unicodedata.normalize("NFD", w) if not unicodedata.combining(c))


def twin_key(doc_id):  # ntrex-por-BR-x and ntrex-por-x are one article
    return re.sub(r"^ntrex-([a-z]{3})-[A-Z]{2}-", r"ntrex-\1-", doc_id)


judged = {}
for line in open(f"{C}/qrels.txt"):
    q, _, d, r = line.split()
    if int(r) > 0 and q.startswith(f"hl-{lang}-"):
        judged[q] = d
queries = {}
for line in open(f"{C}/queries.tsv"):
    q, text = line.rstrip("\n").split("\t", 1)
    if q in judged:
        queries[q] = text
docs = {}
with gzip.open(f"{C}/docs.jsonl.gz", "rt") as f:
    for line in f:
        r = json.loads(line)
        if r.get("lang") == lang:
            docs[r["id"]] = words((r.get("title") or "") + " " + r["body"])
by_key = collections.defaultdict(list)
for d in docs:
    by_key[twin_key(d)].append(d)
run = collections.defaultdict(list)
for line in open(run_path):
    q, _, d, _, score, _ = line.split()
    run[q].append((d, float(score)))

spelling = collections.Counter()
for q, rel in judged.items():
    twins = [d for d in by_key[twin_key(rel)] if d != rel]
    if not twins:
        continue
    a, b = docs[rel], docs[twins[0]]
    qw = words(queries[q])
    own, other = len([w for w in qw if w in a and w not in b]), len([w for w in qw if w in b and w not in a])
    kind = "judged's spelling" if own > other else "twin's spelling" if other > own else "neither"
    spelling[kind] += 1
    hits = [d for d, _ in run.get(q, [])[:2]]
    if len(hits) == 2 and hits[1] == rel and twin_key(hits[0]) == twin_key(rel):
        spelling[f"twin first, judged second ({kind})"] += 1
print(lang, dict(spelling))

df = collections.Counter()
for s in docs.values():
    df.update(s)
n = len(docs)
for w in weights:
    ndcg = mrr = 0.0
    for q, text in queries.items():
        marked = [x for x in words(text) if folded(x) != x]
        hits = run.get(q, [])
        if marked and w and hits:
            top = hits[0][1]
            bonus = lambda d: sum(math.log(1 + n / (df[x] + 0.5)) for x in marked if x in docs.get(d, ()))
            hits = sorted(((d, s + w * bonus(d) * top / 100) for d, s in hits), key=lambda h: -h[1])
        for i, (d, _) in enumerate(hits[:10]):
            if d == judged[q]:
                mrr += 1 / (i + 1)
                ndcg += 1 / math.log2(i + 2)
                break
    print(f"W {w}: nDCG@10 {ndcg / len(queries):.4f}  MRR@10 {mrr / len(queries):.4f}")
