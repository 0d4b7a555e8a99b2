#!/usr/bin/env python3
"""Is gazette's gap to a peer on one language of ir-news-headlines more
than chance? Replicates the peer query by query, evaluates gazette on the
same queries (one index of that language, --unit doc), and runs a paired
randomization test and a bootstrap interval on the per-query nDCG@10 and
MRR@10 differences.

Usage: scripts/peer_gap.py LANG fts5-trigram|tantivy-py [WORKDIR]

Peers, as ../shared/peers/README.md runs them (each reproduces its
published numbers):
  fts5-trigram  SQLite FTS5, tokenize='trigram', the query's trigrams ORed,
                ordered by bm25() (Python's own sqlite3, nothing to install)
  tantivy-py    tantivy-py's default tokenizer, title and body, a term query
                per word and field (needs `pip install tantivy==0.27.0`)
GAZETTE_BIN: the gazette build (default target/release/gazette).
"""
import gzip, json, math, os, random, re, sqlite3, subprocess, sys

lang, peer = sys.argv[1], sys.argv[2]
work = sys.argv[3] if len(sys.argv) > 3 else f"/tmp/peer_gap-{lang}"
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
C = os.path.join(root, "../shared/corpora/ir-news-headlines")
gazette = os.environ.get("GAZETTE_BIN", os.path.join(root, "target/release/gazette"))
os.makedirs(work, exist_ok=True)

docs = [r for r in map(json.loads, gzip.open(f"{C}/docs.jsonl.gz", "rt")) if r.get("lang") == lang]
queries = [l.rstrip("\n").split("\t", 1) for l in open(f"{C}/queries.tsv")]
queries = [(q, t) for q, t in queries if q.startswith(f"hl-{lang}-")]
relevant = {}
for line in open(f"{C}/qrels.txt"):
    q, _, d, g = line.split()
    if int(g) > 0:
        relevant.setdefault(q, set()).add(d)
# The peers' nDCG@10 below is 1 / log2(rank + 1): one relevant document a query.
assert all(len(relevant.get(q, ())) == 1 for q, _ in queries), "a query with other than one relevant document"


def rank_of(qid, ids):
    return next((i + 1 for i, d in enumerate(ids) if d in relevant.get(qid, ())), None)


def fts5_trigram():
    db = sqlite3.connect(":memory:")
    db.execute("create virtual table d using fts5(id UNINDEXED, title, body, tokenize='trigram')")
    db.executemany("insert into d values (?,?,?)",
                   [(r["id"], r.get("title", ""), r.get("body") or r.get("text", "")) for r in docs])
    ranks = {}
    for qid, text in queries:
        grams = ['"' + w[i:i + 3].replace('"', '""') + '"'
                 for w in text.split() if re.search(r"\w", w) for i in range(len(w) - 2)]
        ids = [row[0] for row in db.execute(
            "select id from d where d match ? order by bm25(d) limit 10", (" OR ".join(grams),))] if grams else []
        ranks[qid] = rank_of(qid, ids)
    return ranks


def tantivy_py():
    import tantivy
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", tokenizer_name="default")
    sb.add_text_field("body", tokenizer_name="default")
    schema = sb.build()
    index = tantivy.Index(schema)
    # The default tokenizer's own analysis for the queries: a regex split
    # differs on vowel signs and other marks (Hindi, Thai, Bengali, Arabic).
    default = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
               .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase()).build())
    w = index.writer(heap_size=1_000_000_000, num_threads=2)
    for r in docs:
        w.add_document(tantivy.Document(id=r["id"], title=r.get("title", ""), body=r.get("body", "")))
    w.commit()
    index.reload()
    s = index.searcher()
    ranks = {}
    for qid, text in queries:
        words = default.analyze(text)
        clauses = [(tantivy.Occur.Should, tantivy.Query.term_query(schema, f, t))
                   for t in words for f in ("title", "body")]
        hits = s.search(tantivy.Query.boolean_query(clauses), 10).hits if clauses else []
        ranks[qid] = rank_of(qid, [s.doc(a)["id"][0] for _, a in hits])
    return ranks


def gazette_scores():
    with open(f"{work}/docs.jsonl", "w") as f:
        for r in docs:
            f.write(json.dumps(r) + "\n")
    with open(f"{work}/q.tsv", "w") as f:
        for q, t in queries:
            f.write(f"{q}\t{t}\n")
    ix = f"{work}/ix"
    # Exit 3: some records rejected (said on stderr); anything else is a failure.
    done = subprocess.run([gazette, "--index", ix, "index", "--rebuild", f"{work}/docs.jsonl"],
                          stdout=subprocess.DEVNULL)
    if done.returncode not in (0, 3):
        sys.exit(f"gazette index failed ({done.returncode})")
    out = subprocess.run([gazette, "--index", ix, "eval", "--queries", f"{work}/q.tsv",
                          "--input-format", "tsv", "--qrels", f"{C}/qrels.txt", "--unit", "doc",
                          "--metrics", "ndcg@10,mrr@10", "--per-query", "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    return {x["id"]: (x["metrics"]["ndcg@10"], x["metrics"]["mrr@10"]) for x in json.loads(out)["per_query"]}


def test(name, ours, theirs):
    n = len(ours)
    d = [a - b for a, b in zip(ours, theirs)]
    observed = sum(d) / n
    rng = random.Random(1)
    rounds = 20000
    extreme = 1 + sum(abs(sum(x if rng.random() < 0.5 else -x for x in d) / n) >= abs(observed) - 1e-12
                  for _ in range(rounds))
    boot = sorted(sum(rng.choice(d) for _ in range(n)) / n for _ in range(5000))
    print(f"{lang} {name}: gazette {sum(ours) / n:.4f}  {peer} {sum(theirs) / n:.4f}  "
          f"difference {observed:+.4f}, 95% bootstrap interval [{boot[125]:+.4f}, {boot[4874]:+.4f}], "
          f"paired randomization p = {extreme / (rounds + 1):.2f}; "
          f"gazette better on {sum(x > 0 for x in d)}, worse on {sum(x < 0 for x in d)} of {n} queries")


peer_ranks = {"fts5-trigram": fts5_trigram, "tantivy-py": tantivy_py}[peer]()
ours = gazette_scores()
ids = [q for q, _ in queries]
nd = lambda r: 1 / math.log2(r + 1) if r else 0.0
test("nDCG@10", [ours[q][0] for q in ids], [nd(peer_ranks[q]) for q in ids])
test("MRR@10", [ours[q][1] for q in ids], [1 / peer_ranks[q] if peer_ranks[q] else 0.0 for q in ids])
# By source (the query id's third part: hl-en-reuters21578-12 -> reuters21578),
# when the language's queries come from more than one.
sources = sorted({q.split("-")[2] for q in ids})
if len(sources) > 1:
    for src in sources:
        sub = [q for q in ids if q.split("-")[2] == src]
        n = len(sub)
        print(f"{lang} {src} ({n} queries): nDCG@10 / MRR@10 gazette "
              f"{sum(ours[q][0] for q in sub) / n:.4f} / {sum(ours[q][1] for q in sub) / n:.4f}, {peer} "
              f"{sum(nd(peer_ranks[q]) for q in sub) / n:.4f} / "
              f"{sum(1 / peer_ranks[q] if peer_ranks[q] else 0.0 for q in sub) / n:.4f}")
