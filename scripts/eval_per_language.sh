#!/usr/bin/env bash
# XQuAD-R evaluated as the peers are (../shared/peers/README.md): one index
# per language, each language's questions against its own index.
# Prints a markdown table. Usage: scripts/eval_per_language.sh [DIR]
# With DIR, the indexes are kept in DIR and reused by later runs (for
# query-time experiments: indexing with 2 threads orders tied passages
# differently from run to run, which moves nDCG@10 by up to 0.0002).
# The environment passes through to gazette, e.g. for BM25 experiments:
#   GAZETTE_BM25_K1=0.9 GAZETTE_BM25_B=0.4 scripts/eval_per_language.sh
set -euo pipefail
cd "$(dirname "$0")/.."
X=../shared/corpora/ir-xquad-r
[ -d "$X" ] || { echo "../shared/corpora/ir-xquad-r is missing" >&2; exit 2; }
cargo build --release --quiet
G=target/release/gazette
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
IX=${1:-$W}
mkdir -p "$IX"
echo "| lang | n | nDCG@10 | MRR@10 | Recall@100 |"
echo "|---|---:|---:|---:|---:|"
: > "$W/ndcg"
for l in ar de el en es hi ru th tr vi zh; do
  zcat "$X/docs.jsonl.gz" | grep "\"lang\": *\"$l\"" > "$W/docs-$l.jsonl"
  grep "^xquadr-$l-" "$X/queries.tsv" > "$W/q-$l.tsv"
  [ -n "${1:-}" ] && [ -d "$IX/ix-$l" ] ||
    "$G" --index "$IX/ix-$l" index "$W/docs-$l.jsonl" >/dev/null 2>&1
  "$G" --index "$IX/ix-$l" eval --queries "$W/q-$l.tsv" --input-format tsv --qrels "$X/qrels.txt" \
      --metrics ndcg@10,mrr@10,recall@100 --format json 2>/dev/null |
    python3 -c "import json,sys; r=json.load(sys.stdin); m=r['metrics']; print(f\"| $l | {r['queries']} | {m['ndcg@10']:.4f} | {m['mrr@10']:.4f} | {m['recall@100']:.4f} |\")" |
    tee -a "$W/ndcg"
done
# macro average over languages, as the peers report it
python3 -c "import sys; r=[[float(x) for x in l.split('|')[3:6]] for l in open(sys.argv[1])]; a=[sum(c)/len(r) for c in zip(*r)]; print(f'| avg | | {a[0]:.4f} | {a[1]:.4f} | {a[2]:.4f} |')" "$W/ndcg"
