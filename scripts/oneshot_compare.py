#!/usr/bin/env python3
# One-shot `gazette query` cost of several builds, each on its own index:
# one process per query, builds alternating query by query (a shared
# machine's load hits them alike), CPU from getrusage (µs resolution).
# Usage: scripts/oneshot_compare.py ROUNDS BIN1 IDX1 [BIN2 IDX2 ...]
#   Q=FILE: queries one per line (default: the 51 of bench_oneshot.sh)
#   PERQ=1: each query's CPU median per build
# Every index is copied afresh (`cp -r` into a temporary folder) just
# before the run, all alike: the same index answered 15-20% faster copied
# than as tantivy wrote it, and an older copy slower again (the page
# cache; docs/RELEVANCE.md, "One-shot queries: the languages without
# grams first"), and every binary with them (a binary written long ago
# ran 10% slower than a fresh copy of itself: "Common grams left out of a
# query"). NOCOPY=1 measures the indexes and binaries as they are.
import sys, subprocess, time, resource, statistics, os, shutil, tempfile, atexit
R=int(sys.argv[1]); pairs=list(zip(sys.argv[2::2], sys.argv[3::2]))
if not os.environ.get('NOCOPY'):
  tmp=tempfile.mkdtemp(prefix='oneshot-'); atexit.register(shutil.rmtree, tmp, True)
  copied=[]
  for i,(b,ix) in enumerate(pairs):
    dst=os.path.join(tmp, f"ix{i}")
    subprocess.run(['cp','-r',ix,dst],check=True)
    # The binary too, named as it was (the report uses its name): one
    # written long ago ran 10% slower than a fresh copy of itself.
    os.makedirs(os.path.join(tmp, f"bin{i}"))
    fresh=os.path.join(tmp, f"bin{i}", os.path.basename(b))
    shutil.copy2(b, fresh)
    copied.append((fresh,dst))
  pairs=copied
Q=["Guaido","election","football match","Bolsonaro","Merkel","inflation","oil prices","earthquake","vaccine",
 "world cup","presidente","eleições","gobierno","élections","gouvernement","Regierung","Wahlen","Fußball",
 "interest rates","central bank","coronavirus","refugees","Brexit","Trump","Putin","climate change",
 "polícia","corrupção","Copa do Mundo","México","violencia","Banco Central","Nigeria","Kenya","Ethiopia",
 "Premier League","Olympics","tariff","dollar","wheat","coffee","石油","中国","北京","الحكومة","Россия","हिंदी",
 "#7Ene","@user","stock market","strike"]
if os.environ.get('Q'): Q=[l.strip() for l in open(os.environ['Q']) if l.strip()]
wall={p:[] for p in pairs}; cpu={p:[] for p in pairs}
for r in range(R):
  for q in Q:
    for p in pairs:
      u0=resource.getrusage(resource.RUSAGE_CHILDREN); t0=time.perf_counter()
      res=subprocess.run([p[0],'--index',p[1],'query',q,'--format','json'],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE)
      if res.returncode not in (0,1): sys.exit(f"{p[0]} failed on {q!r}: {res.stderr.decode()[:300]}")
      t1=time.perf_counter(); u1=resource.getrusage(resource.RUSAGE_CHILDREN)
      wall[p].append((t1-t0)*1000); cpu[p].append((u1.ru_utime-u0.ru_utime+u1.ru_stime-u0.ru_stime)*1000)
base=None
for p in pairs:
  w=sorted(wall[p]); c=cpu[p]
  p50=statistics.median(w); p95=w[min(len(w)-1, max(0, -(-len(w)*95//100)-1))]; c50=statistics.median(c)
  if base is None: base=(p50,c50)
  print(f"{os.path.basename(p[0])}: wall p50 {p50:.1f} ms p95 {p95:.1f} ms, CPU p50 {c50:.1f} ms (x{p50/base[0]:.2f} wall, x{c50/base[1]:.2f} cpu)")
if os.environ.get('PERQ'):
  n=len(Q)
  for qi,q in enumerate(Q):
    vals=[statistics.median([cpu[p][r*n+qi] for r in range(R)]) for p in pairs]
    print(f"{q[:25]:25s} "+" ".join(f"{v:6.1f}" for v in vals))
