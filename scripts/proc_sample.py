#!/usr/bin/env python3
"""Samples a running process until it exits, for scripts/bench_scale.sh:
its peak memory split into anonymous (heap) and file-backed (mapped index
files) pages, and its CPU time by thread kind (tantivy names its threads:
merge_thread_N, thrd-tantivy-indexN, segment_updater; gazette's own main,
reader and rayon worker threads are `gazette`). Threads that exit (tantivy's
indexing threads end at each commit) are counted in the process's total
but can only be seen alive, so "indexing" is the total less the threads
still sampled at the end. Prints one line of key=value to standard output.

Usage: proc_sample.py PID [INTERVAL_SECONDS]
"""
import os
import re
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def stat_cpu(path):
    """utime + stime in seconds, and the command name, of /proc/.../stat."""
    with open(path) as f:
        s = f.read()
    comm = s[s.index("(") + 1 : s.rindex(")")]
    fields = s[s.rindex(")") + 2 :].split()
    return comm, (int(fields[11]) + int(fields[12])) / TICK


def kind(comm):
    if comm.startswith("merge_thread"):
        return "merge"
    if comm.startswith("thrd-tantivy"):
        return "indexing"
    if comm.startswith("docstore"):
        return "indexing"
    if comm.startswith("segment_update"):
        return "segment_updater"
    return re.sub(r"\d+$", "", comm)


def main():
    pid = int(sys.argv[1])
    interval = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    peak = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0}
    at_peak = (0, 0)
    threads = {}
    total = 0.0
    while True:
        try:
            with open(f"/proc/{pid}/status") as f:
                status = dict(
                    (k, int(v.split()[0]))
                    for k, v in (line.split(":", 1) for line in f)
                    if k in peak
                )
            _, total = stat_cpu(f"/proc/{pid}/stat")
            for tid in os.listdir(f"/proc/{pid}/task"):
                try:
                    threads[tid] = stat_cpu(f"/proc/{pid}/task/{tid}/stat")
                except OSError:
                    pass
        except (OSError, ValueError):
            break
        if status.get("VmRSS", 0) > peak["VmRSS"]:
            at_peak = (status.get("RssAnon", 0), status.get("RssFile", 0))
        for k in peak:
            peak[k] = max(peak[k], status.get(k, 0))
        time.sleep(interval)
    by_kind = {}
    for comm, cpu in threads.values():
        by_kind[kind(comm)] = by_kind.get(kind(comm), 0.0) + cpu
    # Exited threads (per-commit indexing threads) are in the total only.
    by_kind["indexing"] = by_kind.get("indexing", 0.0) + max(
        0.0, total - sum(cpu for _, cpu in threads.values())
    )
    mb = lambda kb: kb // 1024
    out = [
        f"peak_rss_mb={mb(peak['VmRSS'])}",
        f"at_peak_anon_mb={mb(at_peak[0])}",
        f"at_peak_file_mb={mb(at_peak[1])}",
        f"peak_anon_mb={mb(peak['RssAnon'])}",
        f"peak_file_mb={mb(peak['RssFile'])}",
        f"cpu_s={total:.1f}",
    ]
    out += [f"cpu_{k}_s={v:.1f}" for k, v in sorted(by_kind.items())]
    print(" ".join(out))


main()
