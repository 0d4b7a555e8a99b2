#!/usr/bin/env bash
# Query-time cost of the document evidence: gazette batch over the
# ir-news-headlines queries (whole articles, one mixed index) and the
# XQuAD-R questions, with the evidence (default) and without it
# (GAZETTE_DOC_WEIGHT=0), alternating, medians of REPS runs.
# Usage: scripts/bench_doc_evidence.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-3}
C=../shared/corpora
[ -d "$C" ] || { echo "../shared/corpora is missing" >&2; exit 2; }
cargo build --release --quiet
G=target/release/gazette
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
echo "| collection | queries | without evidence s | with evidence s | ratio |"
echo "|---|---:|---:|---:|---:|"
for c in headlines xquad; do
  case $c in
    headlines) D=$C/ir-news-headlines/docs.jsonl.gz; Q=$C/ir-news-headlines/queries.tsv ;;
    xquad) D=$C/ir-xquad-r/docs.jsonl.gz; Q=$C/ir-xquad-r/queries.tsv ;;
  esac
  $G --index "$W/$c" index "$D" >/dev/null 2>&1
  : > "$W/off"; : > "$W/on"
  for _ in $(seq "$REPS"); do
    GAZETTE_DOC_WEIGHT=0 secs $G --index "$W/$c" batch --input-format tsv --no-highlights "$Q" >> "$W/off"
    secs $G --index "$W/$c" batch --input-format tsv --no-highlights "$Q" >> "$W/on"
  done
  off=$(median < "$W/off"); on=$(median < "$W/on")
  printf '| %s | %s | %.2f | %.2f | %.2fx |\n' "$c" "$(wc -l < "$Q")" "$off" "$on" "$(echo "$on / $off" | bc -l)"
done
