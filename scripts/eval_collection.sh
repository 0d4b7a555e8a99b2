#!/usr/bin/env bash
# A shared test collection evaluated as the peers are (../shared/peers/README.md):
# one index per language, each language's queries against its own index,
# documents ranked each at its best passage (--unit doc).
# Prints a markdown table with the macro average over languages.
# Usage: scripts/eval_collection.sh headlines|paragraphs|sentences [DIR]
# With DIR, the indexes are kept in DIR and reused by later runs (query-time
# experiments). The environment passes through to gazette, e.g.
#   GAZETTE_DOC_WEIGHT=0 scripts/eval_collection.sh headlines /tmp/ix
set -euo pipefail
cd "$(dirname "$0")/.."
C=../shared/corpora
case "${1:-}" in
  headlines) DOCS=$C/ir-news-headlines/docs.jsonl.gz; Q=$C/ir-news-headlines/queries.tsv
             QRELS=$C/ir-news-headlines/qrels.txt; PREFIX=hl ;;
  paragraphs) DOCS=$C/ir-xquad-r/docs_paragraphs.jsonl.gz; Q=$C/ir-xquad-r/queries.tsv
              QRELS=$C/ir-xquad-r/qrels_paragraphs.txt; PREFIX=xquadr ;;
  sentences) DOCS=$C/ir-xquad-r/docs.jsonl.gz; Q=$C/ir-xquad-r/queries.tsv
             QRELS=$C/ir-xquad-r/qrels.txt; PREFIX=xquadr ;;
  *) echo "usage: $0 headlines|paragraphs|sentences [DIR]" >&2; exit 2 ;;
esac
[ -f "$DOCS" ] || { echo "$DOCS is missing" >&2; exit 2; }
# GAZETTE_BIN: another build to evaluate (e.g. a copy of an earlier one).
if [ -n "${GAZETTE_BIN:-}" ]; then G=$GAZETTE_BIN; else
  cargo build --release --quiet; G=target/release/gazette; fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
IX=${2:-$W}/$1
mkdir -p "$IX"
LANGS=$(cut -f1 "$Q" | awk -F- -v p="$PREFIX" '$1 == p {print $2}' | sort -u)
echo "| lang | n | nDCG@10 | MRR@10 | Recall@100 |"
echo "|---|---:|---:|---:|---:|"
: > "$W/rows"
for l in $LANGS; do
  grep "^$PREFIX-$l-" "$Q" > "$W/q-$l.tsv"
  if [ -z "${2:-}" ] || [ ! -d "$IX/ix-$l" ]; then
    zcat "$DOCS" | grep "\"lang\": *\"$l\"" > "$W/docs-$l.jsonl"
    "$G" --index "$IX/ix-$l" index "$W/docs-$l.jsonl" >/dev/null 2>&1
  fi
  "$G" --index "$IX/ix-$l" eval --queries "$W/q-$l.tsv" --input-format tsv --qrels "$QRELS" \
      --metrics ndcg@10,mrr@10,recall@100 --format json 2>/dev/null |
    python3 -c "import json,sys; r=json.load(sys.stdin); m=r['metrics']; print(f\"| $l | {r['queries']} | {m['ndcg@10']:.4f} | {m['mrr@10']:.4f} | {m['recall@100']:.4f} |\")" |
    tee -a "$W/rows"
done
python3 -c "import sys; r=[[float(x) for x in l.split('|')[3:6]] for l in open(sys.argv[1])]; a=[sum(c)/len(r) for c in zip(*r)]; print(f'| avg | | {a[0]:.4f} | {a[1]:.4f} | {a[2]:.4f} |')" "$W/rows"
