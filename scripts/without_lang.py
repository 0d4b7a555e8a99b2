#!/usr/bin/env python3
"""Copies JSON Lines corpora without their `lang` (and `orig_lang`) fields:
the records as scraped news and exports come, for timing gazette's language
identification. Usage: scripts/without_lang.py OUT_DIR FILE.jsonl.gz...
Writes OUT_DIR/NN-<path with / as _> (gzip level 1); prints the record count."""
import gzip
import json
import os
import sys

out, paths = sys.argv[1], sys.argv[2:]
os.makedirs(out, exist_ok=True)
n = 0
for i, path in enumerate(paths):
    name = f"{i:02d}-" + path.replace("/", "_").lstrip("._")
    with gzip.open(path, "rt", encoding="utf-8") as src, gzip.open(
        os.path.join(out, name), "wt", encoding="utf-8", compresslevel=1
    ) as dst:
        for line in src:
            record = json.loads(line)
            record.pop("lang", None)
            record.pop("orig_lang", None)
            dst.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
print(n)
