#!/usr/bin/env python3
"""Topical search over whole English news articles, from shared data: the
Reuters-21578 stories of ../shared/corpora with their topic codes as
judgments. Each query is a topic's description (the category names of
the Reuters-21578 distribution, written out as a user would type them:
`crude` -> "crude oil"); every story filed under the topic is relevant.
The 57 topics with 21 stories or more. A stand-in for collections judged
per article with topical queries (not known-item search, as
ir-news-headlines is); not a tuning target.

Usage: scripts/reuters_topics.py DIR [--peer]
Writes DIR/docs.jsonl, DIR/queries.tsv, DIR/qrels.txt, indexes them with
GAZETTE_BIN (default target/release/gazette) and prints gazette's means
(--unit doc). With --peer, also tantivy-py's BM25 over title and body
(k1 1.2, b 0.75; default and English-stemming tokenizers; needs
`pip install tantivy==0.27.0`), scored the same way.
"""
import gzip, json, math, os, re, subprocess, sys

TOPICS = {
    "earn": "earnings and earnings forecasts", "acq": "mergers and acquisitions",
    "money-fx": "money foreign exchange", "crude": "crude oil", "grain": "grain",
    "trade": "trade", "interest": "interest rates", "wheat": "wheat", "ship": "shipping",
    "corn": "corn", "dlr": "US dollar", "oilseed": "oilseeds", "money-supply": "money supply",
    "sugar": "sugar", "gnp": "GNP GDP", "coffee": "coffee", "veg-oil": "vegetable oils",
    "gold": "gold", "nat-gas": "natural gas", "soybean": "soybean",
    "bop": "balance of payments", "livestock": "livestock", "cpi": "consumer price index",
    "reserves": "reserves", "copper": "copper", "cocoa": "cocoa",
    "jobs": "employment unemployment", "carcass": "carcass meat", "yen": "Japanese yen",
    "rice": "rice", "iron-steel": "iron and steel", "ipi": "industrial production index",
    "gas": "gasoline", "cotton": "cotton", "alum": "aluminium", "barley": "barley",
    "meal-feed": "meal and feed", "rubber": "rubber", "zinc": "zinc", "palm-oil": "palm oil",
    "pet-chem": "petrochemicals", "silver": "silver", "sorghum": "sorghum",
    "rapeseed": "rapeseed", "lead": "lead", "tin": "tin", "strategic-metal": "strategic metals",
    "wpi": "wholesale price index", "orange": "orange juice", "fuel": "fuel oil",
    "soy-meal": "soybean meal", "retail": "retail sales", "hog": "hogs",
    "soy-oil": "soybean oil", "heat": "heating oil", "housing": "housing starts",
    "stg": "pound sterling",
}

out = sys.argv[1]
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
gazette = os.environ.get("GAZETTE_BIN", os.path.join(root, "target/release/gazette"))
src = os.path.join(root, "../shared/corpora/news-reuters21578/news.jsonl.gz")
os.makedirs(out, exist_ok=True)
docs = [json.loads(line) for line in gzip.open(src, "rt")]
relevant = {f"rt-en-{t}": {r["id"] for r in docs if t in (r.get("topics") or [])} for t in TOPICS}
with open(f"{out}/docs.jsonl", "w") as f:
    for r in docs:
        f.write(json.dumps(r) + "\n")
with open(f"{out}/queries.tsv", "w") as q, open(f"{out}/qrels.txt", "w") as qr:
    for t, text in TOPICS.items():
        q.write(f"rt-en-{t}\t{text}\n")
        for d in sorted(relevant[f"rt-en-{t}"]):
            qr.write(f"rt-en-{t} 0 {d} 1\n")

ix = f"{out}/ix"
# Exit 3: some records rejected (one story has neither title nor body).
done = subprocess.run([gazette, "--index", ix, "index", "--rebuild", f"{out}/docs.jsonl"],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if done.returncode not in (0, 3):
    sys.exit(f"gazette index failed ({done.returncode})")
subprocess.run([gazette, "--index", ix, "eval", "--queries", f"{out}/queries.tsv",
                "--input-format", "tsv", "--qrels", f"{out}/qrels.txt", "--unit", "doc",
                "--metrics", "ndcg@10,p@10,mrr@10,map"], check=True)


def means(ranked):
    """nDCG@10, P@10, MRR@10 and MAP (over 1,000 results), as gazette eval computes them."""
    rows = []
    for qid, ids in ranked.items():
        rel = relevant[qid]
        gains = [1 if d in rel else 0 for d in ids]
        dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:10]))
        idcg = sum(1 / math.log2(i + 2) for i in range(min(10, len(rel))))
        mrr = next((1 / (i + 1) for i, g in enumerate(gains[:10]) if g), 0.0)
        found, ap = 0, 0.0
        for i, g in enumerate(gains):
            if g:
                found += 1
                ap += found / (i + 1)
        rows.append((dcg / idcg, sum(gains[:10]) / 10, mrr, ap / len(rel)))
    return "  ".join(f"{n} {sum(r[i] for r in rows) / len(rows):.4f}"
                     for i, n in enumerate(["ndcg@10", "p@10", "mrr@10", "map"]))


if "--peer" in sys.argv:
    import tantivy
    for tokenizer in ("default", "en_stem"):
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", tokenizer_name=tokenizer)
        sb.add_text_field("body", tokenizer_name=tokenizer)
        index = tantivy.Index(sb.build())
        w = index.writer(heap_size=500_000_000, num_threads=1)
        for r in docs:
            w.add_document(tantivy.Document(id=r["id"], title=r.get("title") or "", body=r.get("body") or ""))
        w.commit()
        index.reload()
        s = index.searcher()
        ranked = {}
        for t, text in TOPICS.items():
            query = index.parse_query(" ".join(re.findall(r"[^\W_]+", text)), ["title", "body"])
            ranked[f"rt-en-{t}"] = [s.doc(a)["id"][0] for _, a in s.search(query, 1000).hits]
        print(f"tantivy-py ({tokenizer}): {means(ranked)}")
