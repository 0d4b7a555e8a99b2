#!/usr/bin/env python3
"""ir-news-headlines' documents with the twelve African languages that
whatlang does not know (or confuses) labelled by lingua instead: what a
second identifier would give the records that arrive without `lang`.
Every other document keeps its true label (whatlang names those right).

Usage: pip install lingua-language-detector
       scripts/experiments/lingua_labels.py OUT.jsonl [CORPORA]
then index OUT.jsonl and evaluate the headlines against it:
       gazette --index IX index OUT.jsonl
       gazette --index IX eval --queries ../shared/corpora/ir-news-headlines/queries.tsv \\
         --input-format tsv --qrels ../shared/corpora/ir-news-headlines/qrels.txt \\
         --metrics ndcg@10,mrr@10 --by-lang
(docs/LANGUAGE.md, "A second identifier for the African languages").
"""
import gzip, json, sys
from lingua import LanguageDetectorBuilder

AFRICAN = {"so", "sw", "lg", "xh", "ln", "ha", "om", "rn", "pcm", "ig", "sn", "yo"}
out_path = sys.argv[1]
root = sys.argv[2] if len(sys.argv) > 2 else "../shared/corpora"
detector = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()
with open(out_path, "w") as out:
    for line in gzip.open(f"{root}/ir-news-headlines/docs.jsonl.gz", "rt"):
        record = json.loads(line)
        if record.get("lang") in AFRICAN:
            guess = detector.detect_language_of(record["body"][:1000])
            record["lang"] = guess.iso_code_639_1.name.lower() if guess else "und"
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
