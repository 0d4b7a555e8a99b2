#!/usr/bin/env bash
# Reading cost of the format readers (issue 15): generates 100,000 CSV rows,
# 100,000 v1.1 API tweets (every tenth a retweet of an earlier one) and
# 1,000 HTML pages, the same articles and tweets as gazette JSON Lines, and
# times for each `gazette passages` (reading, parsing, cutting into
# passages, languages: all that ingestion does) and `gazette index
# --rebuild` (all of indexing). Prints records/s and the share of indexing
# time that ingestion takes. Usage: scripts/bench_readers.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-1}
cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-target}/release/gazette
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$WORK" <<'PY'
import csv, json, random, sys
out = sys.argv[1]
rnd = random.Random(15)
words = ("asamblea nacional diputados sesion guardia palacio federal legislativo "
         "votacion presidente junta directiva prensa caracas oposicion gobierno "
         "parliament members vote session board newspaper offices troops entrance "
         "ministers statement talks security forces elected count public").split()
def sentence(n):
    w = [rnd.choice(words) for _ in range(n)]
    return " ".join(w).capitalize() + "."
def para():
    return " ".join(sentence(rnd.randint(8, 16)) for _ in range(rnd.randint(2, 4)))
N = 100_000
with open(f"{out}/articles.csv", "w", newline="") as f, open(f"{out}/articles.jsonl", "w") as j:
    w = csv.writer(f)
    w.writerow(["id", "title", "body", "published_at", "url", "lang"])
    for i in range(N):
        body = "\n".join(para() for _ in range(3))
        row = [f"a{i}", sentence(6), body, f"2020-01-{1 + i % 28:02d}T12:00:00-05:00", f"https://news.example.org/{i}", "es"]
        w.writerow(row)
        j.write(json.dumps({"id": row[0], "title": row[1], "body": body, "date": f"2020-01-{1 + i % 28:02d}", "url": row[4], "lang": "es"}) + "\n")
tweets = []
with open(f"{out}/tweets.jsonl", "w") as f, open(f"{out}/tweets-gazette.jsonl", "w") as j:
    for i in range(N):
        text = sentence(rnd.randint(8, 20)) + f" #tag{i % 50} @user{i % 300} https://t.co/x{i}"
        t = {"created_at": "Tue Jan 07 15:04:05 +0000 2020", "id": 10**18 + i, "id_str": str(10**18 + i),
             "full_text": text, "lang": "es",
             "user": {"id_str": str(i % 1000), "name": f"User {i % 1000}", "screen_name": f"user{i % 1000}", "followers_count": i},
             "entities": {"hashtags": [{"text": f"tag{i % 50}", "indices": [0, 1]}], "symbols": [],
                          "user_mentions": [{"screen_name": f"user{i % 300}", "indices": [0, 1]}],
                          "urls": [{"url": f"https://t.co/x{i}", "expanded_url": f"https://example.org/story/{i}", "display_url": f"example.org/story/{i}"}]},
             "retweet_count": 0, "favorite_count": 0, "truncated": False}
        if i % 10 == 9 and tweets:
            orig = rnd.choice(tweets)
            t = dict(t, full_text="RT @" + orig["user"]["screen_name"] + ": " + orig["full_text"][:100], retweeted_status=orig)
        else:
            tweets.append(t)
            j.write(json.dumps({"id": t["id_str"], "text": text.replace(f"https://t.co/x{i}", f"https://example.org/story/{i}"),
                                "author": "@" + t["user"]["screen_name"], "date": "2020-01-07", "lang": "es"}) + "\n")
        f.write(json.dumps(t) + "\n")
import os
os.makedirs(f"{out}/pages")
for i in range(1000):
    paras = "".join(f"<p>{para()}</p>" for _ in range(6))
    tweet = ('<blockquote class="twitter-tweet"><p lang="es">' + sentence(10) +
             f' #tag{i}</p>&mdash; User (@user{i}) <a href="https://twitter.com/user{i}/status/1214571003281420288">January 7, 2020</a></blockquote>')
    html = f"""<!doctype html><html lang="es"><head><title>{sentence(6)} | Example</title>
<link rel="canonical" href="https://news.example.org/p/{i}">
<meta property="article:published_time" content="2020-01-07T22:10:00-04:00"></head>
<body><div class="cookie-banner">We use cookies <button>OK</button></div>
<nav><ul>{''.join(f'<li><a href="/s{k}">Section {k}</a></li>' for k in range(12))}</ul></nav>
<article><h1>{sentence(6)}</h1>{paras[:len(paras)//2]}{tweet}{paras[len(paras)//2:]}</article>
<aside class="related"><ul>{''.join(f'<li><a href="/r{k}">{sentence(5)}</a></li>' for k in range(8))}</ul></aside>
<footer><p>Copyright Example</p></footer></body></html>"""
    with open(f"{out}/pages/p{i:04d}.html", "w") as f:
        f.write(html)
PY

best() { # best wall seconds of REPS runs of "$@"
  local b=""
  for _ in $(seq "$REPS"); do
    local s e
    s=$(date +%s.%N); "$@" > /dev/null 2>&1 || [ $? -eq 3 ]; e=$(date +%s.%N)
    b=$(python3 -c "a=$e-$s; b='$b'; print(a if not b else min(a, float(b)))")
  done
  echo "$b"
}
printf '%-22s %8s %10s %12s %10s %12s %8s\n' input records passages_s records/s index_s records/s share
for spec in "articles.csv:100000" "articles.jsonl:100000" "tweets.jsonl:100000" "tweets-gazette.jsonl:90000" "pages:1000"; do
  name=${spec%%:*}; n=${spec##*:}
  p=$(best "$BIN" passages "$WORK/$name")
  i=$(best "$BIN" --index "$WORK/ix" index --rebuild "$WORK/$name")
  python3 -c "n=$n; p=$p; i=$i; print(f'{\"$name\":<22} {n:>8} {p:>10.2f} {n/p:>12.0f} {i:>10.2f} {n/i:>12.0f} {p/i:>8.0%}')"
done
