#!/usr/bin/env python3
"""Writes the news+tweets mix as tantivy-cli wants it: a meta.json with the
peers' schema (id raw stored; title, body text with positions, default
tokenizer) in INDEX_DIR, and one JSON document per line in OUT.
Usage: tantivy_cli_input.py OUT INDEX_DIR FILE.jsonl.gz...
With --stored, title and body are stored too (lz4, tantivy's default), as
a search tool that shows text must store it.
With --passages, FILE is `gazette passages` output (JSON Lines, may be -):
one document per passage, the title on a document's first passage, as
gazette indexes them."""
import gzip, json, os, sys

args = sys.argv[1:]
stored = "--stored" in args
args = [a for a in args if a != "--stored"]
passages = args[:1] == ["--passages"]
if passages:
    args = args[1:]
out, index_dir, files = args[0], args[1], args[2:]
os.makedirs(index_dir, exist_ok=True)
text = lambda: {"indexing": {"record": "position", "fieldnorms": True, "tokenizer": "default"}, "stored": stored, "fast": False}
schema = [
    {"name": "id", "type": "text", "options": {"indexing": {"record": "basic", "fieldnorms": False, "tokenizer": "raw"}, "stored": True, "fast": False}},
    {"name": "title", "type": "text", "options": text()},
    {"name": "body", "type": "text", "options": text()},
]
meta = {"index_settings": {"docstore_compression": "lz4", "docstore_blocksize": 16384}, "segments": [], "schema": schema, "opstamp": 0}
with open(os.path.join(index_dir, "meta.json"), "w") as f:
    json.dump(meta, f)
n = 0
with open(out, "w", encoding="utf-8") as w:
    if passages:
        for path in files:
            with (sys.stdin if path == "-" else open(path, encoding="utf-8")) as f:
                for line in f:
                    p = json.loads(line)
                    # gazette indexes the title on a document's first passage only.
                    title = (p.get("title") or "") if p["position"] == 0 else ""
                    w.write(json.dumps({"id": p["id"], "title": title, "body": p["text"]}, ensure_ascii=False) + "\n")
                    n += 1
        files = []
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                w.write(json.dumps({"id": str(r.get("id")), "title": r.get("title") or "", "body": r.get("body") or r.get("text") or ""}, ensure_ascii=False) + "\n")
                n += 1
print(n)
