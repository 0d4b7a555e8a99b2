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
# Wall and user+system CPU seconds of a command (index exits 3: Reuters
# has records without a body). CPU time is the steadier number on a
# machine that others share.
secs() { /usr/bin/time -f "%e %U %S" -o "$W/t" "$@" >/dev/null 2>&1 || true; awk '{print $1, $2 + $3}' "$W/t"; }
wall() { cut -d' ' -f1 | median; }
cpu() { cut -d' ' -f2 | median; }
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
echo "| Reuters-21578 (21,578 records), medians of $REPS | without signatures | with signatures | ratio |"
echo "|---|---:|---:|---:|"
row() { printf '| %s | %.2f | %.2f | %.2fx |\n' "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l)"; }
row "indexing, wall s" "$(wall < "$W/idx_off")" "$(wall < "$W/idx_on")"
row "indexing, CPU s" "$(cpu < "$W/idx_off")" "$(cpu < "$W/idx_on")"
size() { du -sb "$1" | cut -f1; }
row "index MB" "$(echo "$(size "$W/off") / 1000000" | bc -l)" "$(echo "$(size "$W/on") / 1000000" | bc -l)"
: > "$W/q_off"; : > "$W/q_on"
for _ in $(seq "$REPS"); do
  secs $G --index "$W/on" batch --no-highlights "$W/queries.txt" >> "$W/q_off"
  secs $G --index "$W/on" batch --no-highlights --collapse "$W/queries.txt" >> "$W/q_on"
done
row "2,000 headline queries (batch; right: --collapse), wall s" "$(wall < "$W/q_off")" "$(wall < "$W/q_on")"
row "2,000 headline queries (batch; right: --collapse), CPU s" "$(cpu < "$W/q_off")" "$(cpu < "$W/q_on")"
$G --index "$W/on" stats | grep near-dups
