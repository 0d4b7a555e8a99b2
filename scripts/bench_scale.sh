#!/usr/bin/env bash
# Growth on one machine: the news + tweets mix of ../shared/corpora indexed
# at several scales (copies with distinct ids and dates spread over
# 2014-2024, scripts/scale_mix.py), and per scale: indexing wall time and
# records/s, peak RSS, index size, segments after the run and after
# `gazette optimize`, CPU time (user + system: steadier than wall time on a
# shared machine), one-shot query p50/p95, batch queries/s, and the
# latency of a --facets query and of a date-filtered query. Medians of the
# runs at each scale. Prints a Markdown table (docs/SCALING.md); on stderr,
# each run's memory at its peak (heap and mapped files) and CPU by thread
# kind (scripts/proc_sample.py).
#
# Usage: scripts/bench_scale.sh [SCALE:RUNS ...]   (default 1:3 3:3 10:1)
# Environment: GAZETTE (binary; default: cargo build --release),
# GAZETTE_BEFORE (another binary indexed in the same runs, just before, on
# the same files: a row of its own with the indexing columns, and the
# ratios are then of runs side by side), GAZETTE_INDEX_ARGS (extra `gazette
# index` options, e.g. "--memory 128").
# Needs ../shared/corpora, python3, /usr/bin/time, bc.
set -euo pipefail
cd "$(dirname "$0")/.."
C=../shared/corpora
[ -d "$C" ] || { echo "bench_scale: ../shared/corpora is missing" >&2; exit 2; }
command -v bc >/dev/null || apt-get install -y -qq bc >/dev/null
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
SCALES=("$@"); [ ${#SCALES[@]} -gt 0 ] || SCALES=(1:3 3:3 10:1)
if [ -z "${GAZETTE:-}" ]; then
  cargo build --release --quiet
  GAZETTE=${CARGO_TARGET_DIR:-$PWD/target}/release/gazette
fi
G=$GAZETTE
W=$(mktemp -d "${TMPDIR:-/tmp}/bench_scale.XXXXXX")
trap 'rm -rf "$W"' EXIT
MIX=("$C"/news-*/news.jsonl.gz "$C/tweets-xlmt/tweets.jsonl.gz")
QUERIES=(Guaido election "football match" Bolsonaro Merkel inflation "oil prices" earthquake vaccine
  "world cup" presidente eleições gobierno élections gouvernement Regierung Wahlen Fußball
  "interest rates" "central bank" coronavirus refugees Brexit Trump Putin "climate change"
  polícia corrupção "Copa do Mundo" México violencia "Banco Central" Nigeria Kenya Ethiopia
  "Premier League" Olympics tariff dollar wheat coffee 石油 中国 北京 "الحكومة" "Россия" हिंदी
  "#7Ene" "@user" "stock market" strike)
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p+0.5); if (i<1) i=1; print a[i]}'; }
# ms CMD...: prints its wall milliseconds; appends its CPU milliseconds
# (user + system, 10 ms resolution) to $W/cpu.
ms() {
  /usr/bin/time -f "%e %U %S" -o "$W/t" "$@" >/dev/null 2>&1 || true
  awk '$1 ~ /^[0-9.]+$/ {printf "%.0f\n", $1 * 1000; printf "%.0f\n", ($2 + $3) * 1000 >> cpu}' cpu="$W/cpu" "$W/t"
}
# index_run BIN: a fresh index of the mix in $W/idx; sets wall, rss, cpu,
# size, segs.
index_run() {
  rm -rf "$W/idx"
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %M %U %S" -o "$W/time" "$1" --index "$W/idx" index ${GAZETTE_INDEX_ARGS:-} "$W/mix.jsonl.gz" >/dev/null 2>"$W/err" &
  local timer=$! pid="" sampler=""
  while kill -0 "$timer" 2>/dev/null && [ -z "$pid" ]; do
    pid=$(pgrep -P "$timer" | head -1 || true); [ -n "$pid" ] || sleep 0.05
  done
  [ -z "$pid" ] || { python3 scripts/proc_sample.py "$pid" 0.25 > "$W/sample" & sampler=$!; }
  wait "$timer" || { local rc=$?; [ $rc -eq 3 ] || { cat "$W/err" >&2; exit $rc; }; }
  [ -z "$sampler" ] || { wait "$sampler"; echo "bench_scale:   $(cat "$W/sample")" >&2; }
  read -r wall rss cpu < <(awk '$1 ~ /^[0-9.]+$/ {printf "%s %.0f %.1f\n", $1, $2/1024, $3+$4}' "$W/time")
  size=$(du -sm "$W/idx" | cut -f1); segs=$(segments "$W/idx")
}
segments() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["segments"]))' "$1/meta.json"; }

echo "| scale | records | index s | records/s | index CPU s | peak RSS MB | index MB | segments (run / optimized) | optimize s | one-shot p50 / p95 ms (CPU p50) | batch q/s | --facets ms | date-filtered ms |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for spec in "${SCALES[@]}"; do
  n=${spec%%:*}; runs=${spec##*:}
  RECORDS=$(python3 scripts/scale_mix.py "$n" "$W/mix.jsonl.gz" "$W/batch.txt" "${MIX[@]}")
  : > "$W/runs"; : > "$W/before"
  for r in $(seq "$runs"); do
    if [ -n "${GAZETTE_BEFORE:-}" ]; then
      echo "bench_scale: ${n}x ($RECORDS records), run $r of $runs, before: $GAZETTE_BEFORE" >&2
      index_run "$GAZETTE_BEFORE"
      echo "$wall $rss $size $segs $cpu" >> "$W/before"
      echo "bench_scale:   before: $(tail -1 "$W/before")" >&2
    fi
    echo "bench_scale: ${n}x ($RECORDS records), run $r of $runs" >&2
    index_run "$G"
    : > "$W/oneshot"; : > "$W/cpu"
    for q in "${QUERIES[@]}"; do ms "$G" --index "$W/idx" query "$q" --format json >> "$W/oneshot"; done
    p50=$(median < "$W/oneshot"); p95=$(pct 0.95 < "$W/oneshot"); cpu50=$(median < "$W/cpu")
    : > "$W/facets"; : > "$W/dated"
    for q in "${QUERIES[@]:0:10}"; do
      ms "$G" --index "$W/idx" query "$q" --format json --facets lang,kind,author,date >> "$W/facets"
      ms "$G" --index "$W/idx" query "$q" --format json --since 2019-01-01 --until 2019-12-31 >> "$W/dated"
    done
    nq=$(wc -l < "$W/batch.txt")
    bms=$(ms "$G" --index "$W/idx" batch "$W/batch.txt")
    qps=$(echo "$nq * 1000 / $bms" | bc)
    s=$(date +%s%N); "$G" --index "$W/idx" optimize >/dev/null 2>&1; e=$(date +%s%N)
    opt=$(echo "scale=1; ($e - $s) / 1000000000" | bc)
    echo "$wall $rss $size $segs $(segments "$W/idx") $opt $p50 $p95 $qps $(median < "$W/facets") $(median < "$W/dated") $cpu $cpu50" >> "$W/runs"
    echo "bench_scale:   $(tail -1 "$W/runs")" >&2
  done
  m() { awk -v c="$1" '{print $c}' "$W/runs" | median; }
  wall=$(m 1)
  if [ -s "$W/before" ]; then
    b() { awk -v c="$1" '{print $c}' "$W/before" | median; }
    echo "| ${n}x, before | $RECORDS | $(b 1) | $(echo "$RECORDS / $(b 1)" | bc) | $(b 5) | $(b 2) | $(b 3) | $(b 4) / | | | | | |"
  fi
  echo "| ${n}x | $RECORDS | $wall | $(echo "$RECORDS / $wall" | bc) | $(m 12) | $(m 2) | $(m 3) | $(m 4) / $(m 5) | $(m 6) | $(m 7) / $(m 8) ($(m 13)) | $(m 9) | $(m 10) | $(m 11) |"
done
echo
echo "Medians of the runs at each scale ($(for s in "${SCALES[@]}"; do printf '%sx: %s  ' "${s%%:*}" "${s##*:}"; done)runs); $(nproc) cores, $(date -u +%Y-%m-%d)."
