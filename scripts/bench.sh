#!/usr/bin/env bash
# gazette's benchmark: one run on this machine, peers measured in the same
# run, medians of REPS round-robin repetitions, ratios within the run.
# Writes BENCHMARKS.md. Usage: scripts/bench.sh [REPS]   (default 3)
#
# Installs its peer itself: tantivy-cli into target/peers (cargo install).
# Needs ../shared/corpora, python3 (sqlite3 with FTS5), /usr/bin/time, bc.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-3}
C=../shared/corpora
[ -d "$C" ] || { echo "bench: ../shared/corpora is missing" >&2; exit 2; }
command -v bc >/dev/null || apt-get install -y -qq bc >/dev/null
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null

cargo build --release --quiet
G=$PWD/target/release/gazette
T=$PWD/target/peers/bin/tantivy
if [ ! -x "$T" ]; then
  # tantivy-cli 0.24's lock file pins a crate that no longer builds on
  # current Rust (traitobject 0.1.0), so it is installed without --locked.
  cargo install tantivy-cli --root target/peers --quiet
fi

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
MIX=("$C"/news-*/news.jsonl.gz "$C/tweets-xlmt/tweets.jsonl.gz")
MIX_MB=$(python3 - "${MIX[@]}" <<'PY'
import gzip, sys
print(round(sum(sum(len(l) for l in gzip.open(p, "rb")) for p in sys.argv[1:]) / 1e6, 1))
PY
)
# The same records as users mostly have them: without `lang` (gazette
# identifies the languages); written once, not timed.
python3 scripts/without_lang.py "$W/nolang" "${MIX[@]}" >/dev/null
NOLANG=("$W"/nolang/*.gz)
RECORDS=$(python3 scripts/tantivy_cli_input.py "$W/tcli.json" "$W/tcli-template" "${MIX[@]}")
# The same documents with title and body stored (not only the id).
python3 scripts/tantivy_cli_input.py --stored /dev/null "$W/tclis-template" "${MIX[@]}" >/dev/null
# The same records cut as gazette cuts them: one tantivy-cli document per
# passage, the title on each document's first passage (not timed).
PASSAGES=$("$G" passages "${MIX[@]}" 2>/dev/null |
  python3 scripts/tantivy_cli_input.py --passages "$W/tclip.json" "$W/tclip-template" -) || true
[ -n "$PASSAGES" ] || { echo "bench: gazette passages failed" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# run_timed NAME CMD...: appends "wall rss_mb cpu_s" to $W/NAME (CPU = user
# + system: less moved than wall time by other work on a shared machine).
run_timed() {
  local name=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$W/time.tmp" "$@" >/dev/null 2>"$W/$name.err" || {
    local rc=$?; [ $rc -eq 3 ] || { cat "$W/$name.err" >&2; exit $rc; }; }
  # GNU time adds a "Command exited with non-zero status" line on exit 3.
  awk '$1 ~ /^[0-9.]+$/ {printf "%s %.0f %.1f\n", $1, $2/1024, $3 + $4}' "$W/time.tmp" >> "$W/$name"
}
col() { awk -v c="$2" '{print $c}' "$W/$1" | median; }

echo "bench: indexing the mix ($RECORDS records, $MIX_MB MB), $REPS repetitions" >&2
for i in $(seq "$REPS"); do
  rm -rf "$W/g" "$W/t"; cp -r "$W/tcli-template" "$W/t"
  run_timed gazette_first "$G" --index "$W/g" index "${MIX[@]}"
  run_timed gazette_second "$G" --index "$W/g" index "${MIX[@]}"
  rm -rf "$W/gu"
  run_timed gazette_unlabelled "$G" --index "$W/gu" index "${NOLANG[@]}"
  run_timed tantivy_cli "$T" index -i "$W/t" -f "$W/tcli.json" -t 2
  rm -rf "$W/ts"; cp -r "$W/tclis-template" "$W/ts"
  run_timed tantivy_cli_stored "$T" index -i "$W/ts" -f "$W/tcli.json" -t 2
  rm -rf "$W/tp"; cp -r "$W/tclip-template" "$W/tp"
  run_timed tantivy_cli_passages "$T" index -i "$W/tp" -f "$W/tclip.json" -t 2
done
G_SIZE=$(du -sm "$W/g" | cut -f1); GU_SIZE=$(du -sm "$W/gu" | cut -f1); T_SIZE=$(du -sm "$W/t" | cut -f1); TS_SIZE=$(du -sm "$W/ts" | cut -f1); TP_SIZE=$(du -sm "$W/tp" | cut -f1)

echo "bench: one-shot queries" >&2
QUERIES=(Guaido election "football match" Bolsonaro Merkel inflation "oil prices" earthquake vaccine
  "world cup" presidente eleições gobierno élections gouvernement Regierung Wahlen Fußball
  "interest rates" "central bank" coronavirus refugees Brexit Trump Putin "climate change"
  polícia corrupção "Copa do Mundo" México violencia "Banco Central" Nigeria Kenya Ethiopia
  "Premier League" Olympics tariff dollar wheat coffee 石油 中国 北京 "الحكومة" "Россия" हिंदी
  "#7Ene" "@user" "stock market" strike)
: > "$W/oneshot"
for i in $(seq "$REPS"); do
  for q in "${QUERIES[@]}"; do
    s=$(date +%s%N); "$G" --index "$W/g" query "$q" --format json >/dev/null || true; e=$(date +%s%N)
    echo "scale=3; ($e - $s) / 1000000" | bc >> "$W/oneshot"
  done
done
P50=$(median < "$W/oneshot")
P95=$(sort -n "$W/oneshot" | awk '{a[NR]=$1} END {print a[int(NR*0.95+0.5)]}')

echo "bench: batch on XQuAD-R" >&2
BATCH=$(scripts/bench_batch.sh "$REPS")

echo "bench: gazette serve under load" >&2
printf '%s\n' "${QUERIES[@]}" > "$W/queries.txt"
SERVE=$(scripts/bench_serve.sh "$W/g" "$W/queries.txt" 30 16)

gf=$(col gazette_first 1); gs=$(col gazette_second 1); gu=$(col gazette_unlabelled 1); tc=$(col tantivy_cli 1); ts=$(col tantivy_cli_stored 1); tp=$(col tantivy_cli_passages 1)
ratio() { echo "scale=3; $1 / $2" | bc | xargs printf '%.2f'; }
rate() { echo "scale=1; $1 / $2" | bc | xargs printf '%.0f'; }
cat > BENCHMARKS.md <<MD
# Benchmarks

Written by \`scripts/bench.sh $REPS\` on $(date -u +%Y-%m-%d) ($(nproc) cores,
$(free -g | awk '/Mem:/ {print $2}') GB). Medians of $REPS round-robin
repetitions; every ratio is taken within this one run (the machine is shared
and noisy: absolute times move, ratios hold).

## Indexing the news + tweets mix

All \`news-*/news.jsonl.gz\` and \`tweets-xlmt/tweets.jsonl.gz\` of
\`../shared/corpora\`: $RECORDS records, $MIX_MB MB of JSON. gazette reads the
gzip files itself and does passages, language handling and stemming;
tantivy-cli ($("$T" --version 2>/dev/null | head -1 || echo tantivy-cli)) reads the same records pre-converted
to \`{id,title,body}\` JSON (conversion not timed) with its default tokenizer
and 2 threads. gazette also indexes the same records with their \`lang\`
field removed (\`scripts/without_lang.py\`, not timed), as scraped news and
exports mostly come: it then identifies every language itself. A second
tantivy-cli run indexes the records as gazette
cuts them, one document per passage ($PASSAGES passages, the title on
each document's first passage; from \`gazette passages\`, not timed): the
documents gazette hands tantivy, without its stems, trigrams, stored text
and other fields.
Wall time, CPU time (user + system) and peak RSS from \`/usr/bin/time\`.

| run | wall s | CPU s | records/s | MB/s | peak RSS MB | index MB |
|---|---:|---:|---:|---:|---:|---:|
| gazette, first run | $gf | $(col gazette_first 3) | $(rate "$RECORDS" "$gf") | $(rate "$MIX_MB" "$gf") | $(col gazette_first 2) | $G_SIZE |
| gazette, first run, records without \`lang\` | $gu | $(col gazette_unlabelled 3) | $(rate "$RECORDS" "$gu") | $(rate "$MIX_MB" "$gu") | $(col gazette_unlabelled 2) | $GU_SIZE |
| gazette, second run (unchanged input) | $gs | $(col gazette_second 3) | $(rate "$RECORDS" "$gs") | $(rate "$MIX_MB" "$gs") | $(col gazette_second 2) | $G_SIZE |
| tantivy-cli | $tc | $(col tantivy_cli 3) | $(rate "$RECORDS" "$tc") | $(rate "$MIX_MB" "$tc") | $(col tantivy_cli 2) | $T_SIZE |
| tantivy-cli, title and body stored | $ts | $(col tantivy_cli_stored 3) | $(rate "$RECORDS" "$ts") | $(rate "$MIX_MB" "$ts") | $(col tantivy_cli_stored 2) | $TS_SIZE |
| tantivy-cli, gazette's passages | $tp | $(col tantivy_cli_passages 3) | $(rate "$RECORDS" "$tp") | $(rate "$MIX_MB" "$tp") | $(col tantivy_cli_passages 2) | $TP_SIZE |

- gazette first run / tantivy-cli: **$(ratio "$gf" "$tc")×** (target ≤ 1.25);
  in CPU time $(ratio "$(col gazette_first 3)" "$(col tantivy_cli 3)")×
- index size, gazette / tantivy-cli storing title and body:
  **$(ratio "$G_SIZE" "$TS_SIZE")×** (target ≤ 1.2); / tantivy-cli storing
  the id only: $(ratio "$G_SIZE" "$T_SIZE")×
- gazette first run on the records without \`lang\` / tantivy-cli:
  **$(ratio "$gu" "$tc")×** (target ≤ 1.5; in CPU time
  $(ratio "$(col gazette_unlabelled 3)" "$(col tantivy_cli 3)")×); / gazette on the records with
  \`lang\`: $(ratio "$gu" "$gf")×
- tantivy-cli on gazette's passages / on the records: **$(ratio "$tp" "$tc")×**
  (what one document per passage costs tantivy itself)
- gazette first run / tantivy-cli on the same passages: **$(ratio "$gf" "$tp")×**
- gazette second run / first run: **$(ratio "$gs" "$gf")** (target ≤ 0.15)

## One-shot \`gazette query\`

${#QUERIES[@]} fixed queries (in the script) × $REPS on the mix index, one
process each, wall time including process start and index opening:
**p50 $P50 ms, p95 $P95 ms** (target p50 < 50 ms).

## Batch queries on XQuAD-R

$BATCH

## \`gazette serve\` under load (mix index)

$SERVE
MD
echo "bench: wrote BENCHMARKS.md" >&2
# The hotspot tables are measured by hand with perf (see the file).
{ echo; cat docs/PROFILE.md; } >> BENCHMARKS.md
