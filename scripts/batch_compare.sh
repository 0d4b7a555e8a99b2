#!/usr/bin/env bash
# Batch CPU (user + system) of several builds, each on its own indexes of
# XQuAD-R sentences and ir-news-headlines (built on first use in $QS,
# default a temporary folder): every query of each collection (with and
# without highlights), medians of
# ROUNDS rounds, builds alternating; ratios to the first build.
# Usage: scripts/batch_compare.sh ROUNDS NAME=BINARY...
# Indexes are built with `--threads 1` (the segments of a two-thread
# build differ run to run, and that alone moved the headline batch by
# 13%), and every index is copied afresh before the rounds (a copy
# answers up to 20% faster than an index as tantivy wrote it, an older
# copy slower again: the page cache), and so is every binary. An index
# already in $QS is used
# as it is: give builds of one index format the same index (a link) to
# compare their query paths alone.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 ROUNDS NAME=BINARY..." >&2; exit 2; }
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
R=$1; shift
C=../shared/corpora
QS=${QS:-$(mktemp -d)}
declare -A BIN
NAMES=()
for nb in "$@"; do BIN[${nb%%=*}]=${nb#*=}; NAMES+=("${nb%%=*}"); done
for n in "${NAMES[@]}"; do
  [ -d "$QS/$n-x" ] || "${BIN[$n]}" --index "$QS/$n-x" index --threads 1 "$C/ir-xquad-r/docs.jsonl.gz" >/dev/null 2>&1
  [ -d "$QS/$n-h" ] || "${BIN[$n]}" --index "$QS/$n-h" index --threads 1 "$C/ir-news-headlines/docs.jsonl.gz" >/dev/null 2>&1
done
FRESH=$(mktemp -d)
trap 'rm -rf "$FRESH"' EXIT
for n in "${NAMES[@]}"; do for c in x h; do cp -r "$QS/$n-$c/" "$FRESH/$n-$c"; done; done
# The binaries too: one written long ago ran 10% slower than a fresh copy
# of itself (docs/RELEVANCE.md, "Common grams left out of a query").
for n in "${NAMES[@]}"; do cp "${BIN[$n]}" "$FRESH/bin-$n"; BIN[$n]=$FRESH/bin-$n; done
: > "$QS/times"
for _ in $(seq "$R"); do for n in "${NAMES[@]}"; do
  for m in x-nohl x-hl h-nohl h-hl; do
    c=${m%%-*}; Q=$C/ir-xquad-r/queries.tsv; [ "$c" = h ] && Q=$C/ir-news-headlines/queries.tsv
    hl=(); [ "${m#*-}" = nohl ] && hl=(--no-highlights)
    /usr/bin/time -f "%U %S" -o "$QS/t" "${BIN[$n]}" --index "$FRESH/$n-$c" batch --input-format tsv "${hl[@]}" "$Q" >/dev/null 2>&1
    echo "$n $m $(awk '{print $1 + $2}' "$QS/t")" >> "$QS/times"
  done
done; done
for m in x-nohl x-hl h-nohl h-hl; do
  line="$m:"; base=""
  for n in "${NAMES[@]}"; do
    med=$(awk -v n="$n" -v m="$m" '$1 == n && $2 == m {print $3}' "$QS/times" | sort -n |
      awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    [ -z "$base" ] && base=$med
    line="$line $n ${med}s ($(echo "scale=2; $med / $base" | bc)x)"
  done
  echo "$line"
done
