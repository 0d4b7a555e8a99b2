#!/usr/bin/env python3
"""SQLite FTS5 peer for `gazette batch`: index XQuAD-R sentences, answer every
query top 10 with bm25() and snippet() in one process, print queries/s.

The query is built as the peers harness does (../shared/peers/README.md):
white-space pieces containing a letter or digit, each quoted, joined by OR.
"""
import gzip, json, sqlite3, sys, time

docs_path, queries_path = sys.argv[1], sys.argv[2]
snippets = "--no-snippets" not in sys.argv

db = sqlite3.connect(":memory:")
db.execute("CREATE VIRTUAL TABLE d USING fts5(id UNINDEXED, title, body, tokenize='unicode61 remove_diacritics 2')")
with gzip.open(docs_path, "rt", encoding="utf-8") as f:
    rows = [(r["id"], r.get("title") or "", r.get("body") or "") for r in map(json.loads, f)]
db.executemany("INSERT INTO d VALUES (?, ?, ?)", rows)
db.execute("INSERT INTO d(d) VALUES ('optimize')")
db.commit()

queries = []
with open(queries_path, encoding="utf-8") as f:
    for line in f:
        qid, _, text = line.rstrip("\n").partition("\t")
        pieces = [p for p in text.split() if any(c.isalnum() for c in p)]
        queries.append(" OR ".join('"' + p.replace('"', '""') + '"' for p in pieces))

sql = ("SELECT id, bm25(d), snippet(d, 2, '[', ']', '…', 16) FROM d WHERE d MATCH ? ORDER BY bm25(d) LIMIT 10"
       if snippets else "SELECT id, bm25(d) FROM d WHERE d MATCH ? ORDER BY bm25(d) LIMIT 10")
hits = 0
start = time.perf_counter()
for q in queries:
    if not q:
        continue
    hits += len(db.execute(sql, (q,)).fetchall())
elapsed = time.perf_counter() - start
assert hits > len(queries), "FTS5 found almost nothing: the comparison would be meaningless"
print(json.dumps({"queries": len(queries), "hits": hits, "seconds": elapsed, "qps": len(queries) / elapsed}))
