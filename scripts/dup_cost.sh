#!/usr/bin/env bash
# What near-duplicate signatures cost (docs/DUPLICATES.md): indexing time
# and index size of Reuters-21578 with signatures and without them
# (GAZETTE_DUP_SIGNATURES=0), and the time of gazette batch over 2,000
# headlines as queries with and without --collapse; medians of REPS runs.
# Usage: scripts/dup_cost.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-3}
C=../shared/corpora
[ -d "$C" ] || { echo "../shared/corpora is missing" >&2; exit 2; }
cargo build --release --quiet
G=${CARGO_TARGET_DIR:-target}/release/gazette
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
D=$C/news-reuters21578/news.jsonl.gz
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# (index exits 3: Reuters has records without a body.)
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
zcat "$D" | python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    t = json.loads(line).get("title")
    if t and n < 2000:
        print(" ".join(t.replace("\t", " ").split())); n += 1
' > "$W/queries.txt"
: > "$W/idx_on"; : > "$W/idx_off"
for _ in $(seq "$REPS"); do
  rm -rf "$W/on" "$W/off"
  GAZETTE_DUP_SIGNATURES=0 secs $G --index "$W/off" index "$D" >> "$W/idx_off"
  secs $G --index "$W/on" index "$D" >> "$W/idx_on"
done
size() { du -sb "$1" | cut -f1; }
echo "| Reuters-21578 (21,578 records) | without signatures | with signatures | ratio |"
echo "|---|---:|---:|---:|"
a=$(median < "$W/idx_off"); b=$(median < "$W/idx_on")
printf '| indexing s (median of %s) | %.2f | %.2f | %.2fx |\n' "$REPS" "$a" "$b" "$(echo "$b / $a" | bc -l)"
a=$(size "$W/off"); b=$(size "$W/on")
printf '| index bytes | %s | %s | %.3fx |\n' "$a" "$b" "$(echo "$b / $a" | bc -l)"
: > "$W/q_off"; : > "$W/q_on"
for _ in $(seq "$REPS"); do
  secs $G --index "$W/on" batch --no-highlights "$W/queries.txt" >> "$W/q_off"
  secs $G --index "$W/on" batch --no-highlights --collapse "$W/queries.txt" >> "$W/q_on"
done
a=$(median < "$W/q_off"); b=$(median < "$W/q_on")
printf '| batch of 2,000 headline queries s | %.2f | %.2f (--collapse) | %.2fx |\n' "$a" "$b" "$(echo "$b / $a" | bc -l)"
$G --index "$W/on" stats | grep near-dups
