#!/usr/bin/env python3
# Instructions a build executes (valgrind's callgrind; user space only, no
# kernel, no cache misses): a count that the shared machine's load does
# not move, for comparing builds where CPU times disagree run to run.
#   scripts/instructions.py oneshot BIN IDX [QUERIES]   one process per query
#       (QUERIES: one per line; default the 51 of scripts/oneshot_compare.py)
#   scripts/instructions.py batch BIN IDX QUERIES.tsv   one `batch --no-highlights`,
#       on one search thread (RAYON_NUM_THREADS=1 unless set): with two,
#       the count moved by 2% with how the queries fell to the threads
#       (per-thread caches); with one it repeats to 0.01%
# Prints the total (and with PERQ=1 each query's count). Needs valgrind.
import os, re, shutil, subprocess, sys


def collected(cmd, env=None):
    r = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    m = re.search(r"Collected : (\d+)", r.stderr)
    if not m:
        sys.exit(f"instructions: no count from {' '.join(cmd)}: {r.stderr[-300:]}")
    return int(m.group(1))


def default_queries():
    here = os.path.dirname(os.path.abspath(__file__))
    src = open(os.path.join(here, "oneshot_compare.py"), encoding="utf-8").read()
    return eval(re.search(r"^Q=(\[.*?\])\n", src, re.S | re.M).group(1))


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("oneshot", "batch"):
        sys.exit("usage: instructions.py oneshot|batch BIN IDX [QUERIES]")
    if not shutil.which("valgrind"):
        sys.exit("instructions: valgrind is not installed (apt-get install valgrind)")
    mode, binary, index = sys.argv[1:4]
    if mode == "batch":
        if len(sys.argv) < 5:
            sys.exit("instructions: batch needs a queries file")
        env = dict(os.environ)
        env.setdefault("RAYON_NUM_THREADS", "1")
        n = collected([binary, "--index", index, "batch", "--input-format", "tsv",
                       "--no-highlights", sys.argv[4]], env)
        print(f"{os.path.basename(binary)} batch {os.path.basename(sys.argv[4])}: {n / 1e6:.1f} M")
        return
    queries = ([l.strip() for l in open(sys.argv[4], encoding="utf-8") if l.strip()]
               if len(sys.argv) > 4 else default_queries())
    total = 0
    for q in queries:
        n = collected([binary, "--index", index, "query", q, "--format", "json"])
        total += n
        if os.environ.get("PERQ"):
            print(f"{n / 1e6:8.1f} M  {q}")
    print(f"{os.path.basename(binary)} one-shot, {len(queries)} queries: {total / 1e6:.1f} M")


main()
