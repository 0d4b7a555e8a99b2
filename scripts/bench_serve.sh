#!/usr/bin/env bash
# Load on `gazette serve`: CLIENTS concurrent clients (16) for SECONDS (30)
# on an index, without and with facets, beside `gazette batch` on the same
# queries. Prints a Markdown section. Loopback only; stops by itself.
# Usage: scripts/bench_serve.sh INDEX QUERIES_FILE [SECONDS] [CLIENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
IDX=$1; QUERIES=$2; SECS=${3:-30}; CLIENTS=${4:-16}
cargo build --release --quiet
cargo build --release --quiet --example load
OUT=${CARGO_TARGET_DIR:-$PWD/target}/release
G=$OUT/gazette
LOAD=$OUT/examples/load
W=$(mktemp -d)
"$G" --index "$IDX" serve --addr 127.0.0.1:0 --quiet > "$W/out" 2> "$W/err" &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$W"' EXIT
for _ in $(seq 100); do grep -q listening "$W/out" && break; sleep 0.1; done
URL=$(sed -n 's/^gazette: listening on //p' "$W/out")
[ -n "$URL" ] || { cat "$W/err" >&2; exit 1; }
PLAIN=$("$LOAD" "$URL" "$QUERIES" "$CLIENTS" "$SECS")
FACETS=$("$LOAD" "$URL" "$QUERIES" "$CLIENTS" "$SECS" "facets=lang,kind,author,date")
kill -TERM $PID; wait $PID || true
# gazette batch on the same queries, repeated to about as many requests.
N=$(grep -c . "$QUERIES")
REPEAT=$(( $(echo "$PLAIN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])') / N + 1 ))
for _ in $(seq "$REPEAT"); do grep . "$QUERIES"; done > "$W/batch.txt"
BN=$(wc -l < "$W/batch.txt")
s=$(date +%s.%N); "$G" --index "$IDX" batch "$W/batch.txt" > /dev/null; e=$(date +%s.%N)
field() { echo "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"; }
row() { echo "| $1 | $(field "$2" requests) | $(field "$2" failed) | $(field "$2" rps) | $(field "$2" p50_ms) | $(field "$2" p99_ms) |"; }
cat <<MD
$CLIENTS clients (\`examples/load.rs\`, one keep-alive connection each) send
\`GET /search\` for the $N queries of the one-shot list in turn, for $SECS s,
on the same index, \`gazette serve\` with its defaults ($(nproc) workers,
queue 64), the load generator on the same $(nproc) cores.

| load | requests | failed | requests/s | p50 ms | p99 ms |
|---|---:|---:|---:|---:|---:|
$(row "GET /search, top 10" "$PLAIN")
$(row "GET /search, top 10 + facets lang,kind,author,date" "$FACETS")
| \`gazette batch\`, same queries ($BN lines, one process) | $BN | 0 | $(echo "$BN / ($e - $s)" | bc -l | xargs printf '%.1f') | – | – |
MD
