#!/usr/bin/env bash
# Indexing CPU (user + system), wall time and index size of several builds
# on the news + tweets mix of ../shared/corpora (the records bench.sh
# indexes, or the FILES given): medians of ROUNDS rounds, builds
# alternating, each indexing into a fresh folder; ratios to the first
# build.
# Usage: scripts/index_compare.sh ROUNDS NAME=BINARY...
#   e.g. scripts/index_compare.sh 3 filing=/tmp/gazette-07d51d1 now=target/release/gazette
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 ROUNDS NAME=BINARY..." >&2; exit 2; }
R=$1; shift
declare -A BIN
NAMES=()
# Binaries as given from the caller's folder.
for nb in "$@"; do BIN[${nb%%=*}]=$(realpath "${nb#*=}"); NAMES+=("${nb%%=*}"); done
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
C=../shared/corpora
MIX=("$C"/news-*/news.jsonl.gz "$C/tweets-xlmt/tweets.jsonl.gz")
# FILES: other records instead of the mix (paths from the project's root),
# e.g. FILES="$C/news-reuters21578/news.jsonl.gz $C/news-fakebr-pt/news.jsonl.gz"
if [ -n "${FILES:-}" ]; then read -r -a MIX <<< "$FILES"; fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# Each binary copied afresh, all alike: a 130 MB binary written long ago
# ran the same queries 10% slower than a fresh copy of itself (the page
# cache; docs/RELEVANCE.md, "Common grams left out of a query").
for n in "${NAMES[@]}"; do cp "${BIN[$n]}" "$W/bin-$n"; BIN[$n]=$W/bin-$n; done
: > "$W/times"
for _ in $(seq "$R"); do for n in "${NAMES[@]}"; do
  rm -rf "$W/ix"
  # gazette exits 3 when some records were rejected (the mix has a few);
  # any other failure stops the comparison.
  /usr/bin/time -f "%U %S %e" -o "$W/t" "${BIN[$n]}" --index "$W/ix" index "${MIX[@]}" >/dev/null 2>"$W/err" ||
    { rc=$?; [ $rc -eq 3 ] || { echo "$n failed ($rc):" >&2; tail -3 "$W/err" >&2; exit $rc; }; }
  # (time's first line is then "Command exited with non-zero status 3".)
  echo "$n $(tail -1 "$W/t" | awk '{print $1 + $2, $3}') $(du -sm "$W/ix" | cut -f1)" >> "$W/times"
done; done
base=""
for n in "${NAMES[@]}"; do
  med() { awk -v n="$n" -v c="$1" '$1 == n {print $c}' "$W/times" | sort -n |
    awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
  cpu=$(med 2); wall=$(med 3); mb=$(med 4)
  [ -z "$base" ] && base=$cpu
  echo "$n: CPU ${cpu}s ($(echo "scale=2; $cpu / $base" | bc)x), wall ${wall}s, index ${mb} MB"
done
