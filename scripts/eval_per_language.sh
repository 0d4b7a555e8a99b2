#!/usr/bin/env bash
# XQuAD-R sentences evaluated as the peers are: one index per language.
# Kept for the commands in docs/RELEVANCE.md; the work is done by
# scripts/eval_collection.sh (which also evaluates paragraphs and whole
# articles). Usage: scripts/eval_per_language.sh [DIR]
set -euo pipefail
exec "$(dirname "$0")/eval_collection.sh" sentences "$@"
