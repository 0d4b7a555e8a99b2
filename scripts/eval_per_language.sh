#!/usr/bin/env bash
# XQuAD-R evaluated as the peers are (../shared/peers/README.md): one index
# per language, each language's questions against its own index.
# Prints a markdown table. Usage: scripts/eval_per_language.sh
set -euo pipefail
cd "$(dirname "$0")/.."
X=../shared/corpora/ir-xquad-r
[ -d "$X" ] || { echo "../shared/corpora/ir-xquad-r is missing" >&2; exit 2; }
cargo build --release --quiet
G=target/release/gazette
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
echo "| lang | n | nDCG@10 | MRR@10 | Recall@100 |"
echo "|---|---:|---:|---:|---:|"
for l in ar de el en es hi ru th tr vi zh; do
  zcat "$X/docs.jsonl.gz" | grep "\"lang\": *\"$l\"" > "$W/docs-$l.jsonl"
  grep "^xquadr-$l-" "$X/queries.tsv" > "$W/q-$l.tsv"
  "$G" --index "$W/ix-$l" index "$W/docs-$l.jsonl" >/dev/null 2>&1
  "$G" --index "$W/ix-$l" eval --queries "$W/q-$l.tsv" --input-format tsv --qrels "$X/qrels.txt" \
      --metrics ndcg@10,mrr@10,recall@100 --format json 2>/dev/null |
    python3 -c "import json,sys; r=json.load(sys.stdin); m=r['metrics']; print(f\"| $l | {r['queries']} | {m['ndcg@10']:.4f} | {m['mrr@10']:.4f} | {m['recall@100']:.4f} |\")"
done
