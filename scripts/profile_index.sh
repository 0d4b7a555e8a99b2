#!/usr/bin/env bash
# Where gazette's indexing CPU goes: perf samples (99 Hz, DWARF call
# graphs) of `gazette index` on the news + tweets mix of ../shared/corpora,
# summed by part (inclusive: a part's callees count in it).
# Usage: scripts/profile_index.sh [GAZETTE] [--unlabelled]
# Needs perf (linux-perf) and ../shared/corpora. Writes docs/PROFILE.md's
# table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
G=${1:-target/release/gazette}
C=../shared/corpora
[ -d "$C" ] || { echo "../shared/corpora is missing" >&2; exit 2; }
command -v perf >/dev/null || { echo "perf is missing (apt-get install linux-perf)" >&2; exit 2; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
IN=("$C"/news-*/news.jsonl.gz "$C/tweets-xlmt/tweets.jsonl.gz")
if [ "${2:-}" = --unlabelled ]; then
  python3 scripts/without_lang.py "$W/nolang" "${IN[@]}" >/dev/null
  IN=("$W"/nolang/*.gz)
fi
perf record -q -F 99 --call-graph dwarf,16384 -o "$W/perf.data" \
  "$G" --index "$W/index" index "${IN[@]}" >/dev/null 2>&1 || [ $? -eq 3 ]
perf report -i "$W/perf.data" --children --sort symbol 2>/dev/null > "$W/report.txt"
share() { # share LABEL REGEX: the largest inclusive share of a matching symbol
  local v
  v=$(grep -E '^ +[0-9]' "$W/report.txt" | grep -E "\] ($2)" | awk '{print $1}' | tr -d % | sort -rn | head -1 || true)
  printf '| %s | %s%% |\n' "$1" "${v:-0}"
}
echo "| part (inclusive) | share of indexing CPU |"
echo "|---|---:|"
share "tantivy: adding documents (analysis + in-memory postings)" 'tantivy::indexer::segment_writer::SegmentWriter::add_document'
share "  gazette analyzer and postings it feeds (TokenStream::process)" 'tantivy_tokenizer_api::TokenStream::process'
share "    tokenizing" 'gazette::analysis::tokenizer::tokenize_lang'
share "    terms of a word (fold + stem)" 'gazette::analysis::Analyzer::terms_into'
share "      stemming" 'gazette::analysis::stem::word_stem_into'
share "tantivy: writing segments" 'tantivy::indexer::segment_writer::SegmentWriter::finalize_inner'
share "  postings, positions, term dictionary" 'tantivy::postings::postings_writer::serialize_postings'
share "  term dictionary FST" 'tantivy_fst::raw::registry::Registry::entry'
share "  document store (zstd)" 'ZSTD_compress2'
share "  fast fields" 'tantivy_columnar::columnar::writer::ColumnarWriter::serialize'
share "tantivy: merging segments" 'tantivy::indexer::merger::IndexMerger::write'
share "gazette: records to tantivy documents" 'gazette::index::writer::process'
share "  passages" 'gazette::ingest::passages::article_passages'
share "  near-duplicate signatures: shingles" 'gazette::analysis::minhash::MinHash::of_text'
share "  near-duplicate signatures: stored form" 'gazette::analysis::minhash::MinHash::signature'
share "  language identification" 'gazette::analysis::langid::'
share "reading: gzip" 'miniz_oxide::inflate::core::decompress_with_limit'
share "reading: lines and JSON" 'gazette::ingest::read::read_line'
