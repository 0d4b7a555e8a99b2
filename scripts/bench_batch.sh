#!/usr/bin/env bash
# Batch query throughput on XQuAD-R: gazette batch (with and without
# highlights) beside SQLite FTS5 (bm25 + snippet, one process), and beside
# one `gazette query` process per query (on a sample). Medians of REPS runs,
# all measured in this one run. Usage: scripts/bench_batch.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-3}
X=../shared/corpora/ir-xquad-r
[ -d "$X" ] || { echo "../shared/corpora/ir-xquad-r is missing" >&2; exit 2; }
cargo build --release --quiet
G=target/release/gazette
IDX=$(mktemp -d)
trap 'rm -rf "$IDX"' EXIT
$G --index "$IDX" index "$X/docs.jsonl.gz" >/dev/null 2>&1
NQ=$(wc -l < "$X/queries.tsv")
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
declare -a G_HL G_NOHL F_SN F_NOSN
for i in $(seq "$REPS"); do
  G_HL+=("$(secs $G --index "$IDX" batch --input-format tsv "$X/queries.tsv")")
  G_NOHL+=("$(secs $G --index "$IDX" batch --input-format tsv --no-highlights "$X/queries.tsv")")
  F_SN+=("$(python3 scripts/fts5_batch.py "$X/docs.jsonl.gz" "$X/queries.tsv" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')")
  F_NOSN+=("$(python3 scripts/fts5_batch.py "$X/docs.jsonl.gz" "$X/queries.tsv" --no-snippets | python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')")
done
# One process per query, on the first 200 queries.
SAMPLE=200
head -n $SAMPLE "$X/queries.tsv" | cut -f2 > "$IDX/sample.txt"
ONE=$(secs bash -c "while IFS= read -r q; do $G --index '$IDX' query \"\$q\" --format json >/dev/null || true; done < '$IDX/sample.txt'")
m_hl=$(printf '%s\n' "${G_HL[@]}" | median); m_nohl=$(printf '%s\n' "${G_NOHL[@]}" | median)
m_sn=$(printf '%s\n' "${F_SN[@]}" | median); m_nosn=$(printf '%s\n' "${F_NOSN[@]}" | median)
qps() { echo "$NQ / $1" | bc -l | xargs printf '%.0f'; }
per_one=$(echo "$ONE / $SAMPLE" | bc -l); per_batch=$(echo "$m_hl / $NQ" | bc -l)
cat <<TABLE
| measure ($NQ XQuAD-R queries, top 10, median of $REPS) | seconds | queries/s |
|---|---:|---:|
| gazette batch, highlights | $(printf '%.2f' "$m_hl") | $(qps "$m_hl") |
| gazette batch, --no-highlights | $(printf '%.2f' "$m_nohl") | $(qps "$m_nohl") |
| SQLite FTS5 bm25() + snippet() | $(printf '%.2f' "$m_sn") | $(qps "$m_sn") |
| SQLite FTS5 bm25() only | $(printf '%.2f' "$m_nosn") | $(qps "$m_nosn") |
| gazette query, one process per query ($SAMPLE-query sample) | $(printf '%.3f' "$per_one") per query | $(echo "1 / $per_one" | bc -l | xargs printf '%.0f') |

batch (highlights) vs FTS5 (snippets): $(echo "$m_sn / $m_hl" | bc -l | xargs printf '%.1f')x
batch vs one process per query: $(echo "$per_one / $per_batch" | bc -l | xargs printf '%.1f')x
TABLE
