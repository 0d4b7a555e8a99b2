#!/usr/bin/env bash
# The shared test collections as most users search them: one index of a
# whole collection (every language together), queries of unknown
# language, the records with their `lang` and without it (as scraped news
# comes). Prints a markdown table of nDCG@10 / MRR@10 per collection
# (`--by-lang` rows with BYLANG=1). scripts/eval_collection.sh gives the
# peers' setting (one index per language) instead.
# Usage: scripts/eval_mixed.sh [DIR]
# With DIR, the indexes are kept in DIR and reused by later runs
# (query-time experiments); GAZETTE_BIN evaluates another build, and the
# environment passes through to gazette, e.g.
#   GAZETTE_DOC_WEIGHT=0 scripts/eval_mixed.sh /tmp/mixed
set -euo pipefail
cd "$(dirname "$0")/.."
C=../shared/corpora
[ -d "$C/ir-news-headlines" ] || { echo "$C/ir-news-headlines is missing" >&2; exit 2; }
if [ -n "${GAZETTE_BIN:-}" ]; then G=$GAZETTE_BIN; else
  cargo build --release --quiet; G=target/release/gazette; fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
D=${1:-$W}
mkdir -p "$D"
row() { # NAME DOCS QUERIES QRELS
  local name=$1 docs=$2 q=$3 qrels=$4 with without
  for v in lang nolang; do
    local ix=$D/$name-$v
    if [ ! -d "$ix" ]; then
      local input=$docs
      if [ $v = nolang ]; then
        python3 scripts/without_lang.py "$W/$name" "$docs" >/dev/null
        input=$(ls "$W/$name"/*)
      fi
      "$G" --index "$ix" index "$input" >/dev/null 2>&1
    fi
    if [ -n "${BYLANG:-}" ]; then
      echo "$name, $v:" >&2
      "$G" --index "$ix" eval --queries "$q" --input-format tsv --qrels "$qrels" \
        --metrics ndcg@10,mrr@10 --by-lang >&2 2>/dev/null
    fi
    local m
    m=$("$G" --index "$ix" eval --queries "$q" --input-format tsv --qrels "$qrels" \
        --metrics ndcg@10,mrr@10 --format json 2>/dev/null |
      python3 -c 'import json, sys; m = json.load(sys.stdin)["metrics"]; print("%.4f / %.4f" % (m["ndcg@10"], m["mrr@10"]))')
    if [ $v = lang ]; then with=$m; else without=$m; fi
  done
  echo "| $name | $with | $without |"
}
echo "| collection, one index | with \`lang\` | without \`lang\` |"
echo "|---|---:|---:|"
row headlines "$C/ir-news-headlines/docs.jsonl.gz" "$C/ir-news-headlines/queries.tsv" "$C/ir-news-headlines/qrels.txt"
row paragraphs "$C/ir-xquad-r/docs_paragraphs.jsonl.gz" "$C/ir-xquad-r/queries.tsv" "$C/ir-xquad-r/qrels_paragraphs.txt"
row sentences "$C/ir-xquad-r/docs.jsonl.gz" "$C/ir-xquad-r/queries.tsv" "$C/ir-xquad-r/qrels.txt"
