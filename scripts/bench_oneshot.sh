#!/usr/bin/env bash
# One-shot query latency of several gazette binaries on one index: the 50
# queries of scripts/bench_scale.sh, one process each, the binaries
# alternating query by query (a shared machine's load hits them alike).
# Prints per binary the wall p50 / p95 and the CPU (user + system) p50 in ms.
# Usage: scripts/bench_oneshot.sh INDEX BINARY...
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 INDEX BINARY..." >&2; exit 2; }
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
IDX=$1; shift
QUERIES=(Guaido election "football match" Bolsonaro Merkel inflation "oil prices" earthquake vaccine
  "world cup" presidente eleições gobierno élections gouvernement Regierung Wahlen Fußball
  "interest rates" "central bank" coronavirus refugees Brexit Trump Putin "climate change"
  polícia corrupção "Copa do Mundo" México violencia "Banco Central" Nigeria Kenya Ethiopia
  "Premier League" Olympics tariff dollar wheat coffee 石油 中国 北京 "الحكومة" "Россия" हिंदी
  "#7Ene" "@user" "stock market" strike)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
for q in "${QUERIES[@]}"; do
  for i in $(seq $#); do
    /usr/bin/time -f "%e %U %S" -o "$W/t" "${!i}" --index "$IDX" query "$q" --format json >/dev/null 2>&1 || true
    awk -v b="$i" '$1 ~ /^[0-9.]+$/ {printf "%s %.0f %.0f\n", b, $1 * 1000, ($2 + $3) * 1000}' "$W/t" >> "$W/all"
  done
done
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p+0.5); if (i<1) i=1; print a[i]}'; }
for i in $(seq $#); do
  col() { awk -v b="$i" -v c="$1" '$1==b {print $c}' "$W/all"; }
  echo "${!i}: wall p50 $(col 2 | pct 0.5) ms, p95 $(col 2 | pct 0.95) ms, CPU p50 $(col 3 | pct 0.5) ms"
done
