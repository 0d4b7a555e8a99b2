#!/usr/bin/env python3
"""Writes the news + tweets mix N times over as one gzipped JSON Lines file,
for scripts/bench_scale.sh: copy c of record `id` is `id~c` (copy 0 keeps
the id), and every record gets a date spread over 2014-2024 (a record's own
date moved c years on; an undated one a day drawn from its id and copy), so
the index holds an archive of years and date filters select slices of it.
Also writes QUERIES_OUT: query lines for `gazette batch`, the first words
of sampled titles. Usage: scale_mix.py N OUT.jsonl.gz QUERIES_OUT FILES...
"""
import datetime
import gzip
import hashlib
import json
import sys

START = datetime.date(2014, 1, 1)
DAYS = (datetime.date(2024, 12, 31) - START).days


def day_of(key):
    h = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")
    return START + datetime.timedelta(days=h % DAYS)


def main():
    n, out, queries_out, files = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
    records = 0
    titles = []
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=1) as w:
        for c in range(n):
            for path in files:
                with gzip.open(path, "rt", encoding="utf-8") as f:
                    for line in f:
                        r = json.loads(line)
                        rid = str(r.get("id"))
                        if c:
                            r["id"] = f"{rid}~{c}"
                        own = r.get("date")
                        try:
                            d = datetime.date.fromisoformat(str(own)[:10])
                            d = d.replace(year=min(2024, max(2014, d.year + c)))
                        except (ValueError, TypeError):
                            d = day_of(f"{rid}~{c}")
                        r["date"] = d.isoformat()
                        w.write(json.dumps(r, ensure_ascii=False) + "\n")
                        records += 1
                        if c == 0 and r.get("title") and records % 37 == 0:
                            words = str(r["title"]).split()[:3]
                            if words:
                                titles.append(" ".join(words))
    with open(queries_out, "w", encoding="utf-8") as q:
        for t in titles[:2000]:
            # Plain words: the batch line parser reads one query per line.
            q.write(" ".join(t.replace("\t", " ").split()) + "\n")
    print(records)


main()
