#!/usr/bin/env bash
# How soon a file written into a watched folder is searchable from another
# process (issue 15: within 5 s). Starts `gazette index --watch` (release
# build) on an empty temporary folder, then N times: writes a small article
# with a word of its own, and runs `gazette query WORD` every 50 ms until it
# is found. Prints each latency (last write to first hit, including the
# query process's own start-up) and the median and maximum.
# Usage: scripts/watch_latency.sh [N] [SETTLE_MS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10}
SETTLE=${2:-1000}
cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-target}/release/gazette
WORK=$(mktemp -d)
mkdir "$WORK/news"
"$BIN" --index "$WORK/index" index --watch --settle "$SETTLE" "$WORK/news" 2> "$WORK/log" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
until grep -q watching "$WORK/log"; do sleep 0.05; done
times=()
for i in $(seq 1 "$N"); do
    word="zqx${i}marker"
    printf 'date 2024-05-0%d\n\nArticle %d mentions %s among other words.\n' $((i % 9 + 1)) "$i" "$word" \
        > "$WORK/news/article$i.txt"
    start=$(date +%s.%N)
    until "$BIN" --index "$WORK/index" query "$word" --format jsonl 2>/dev/null | grep -q "article$i.txt"; do
        sleep 0.05
    done
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    times+=("$t")
    printf 'file %2d searchable after %.2f s\n' "$i" "$t"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median %.2f s, max %.2f s over %d files (settle %s ms)\n", a[int((NR+1)/2)], a[NR], NR, '"$SETTLE"'}'
