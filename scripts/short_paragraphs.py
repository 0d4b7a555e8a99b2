#!/usr/bin/env python3
"""Short paragraphs of ir-news-headlines by language and source: those of
ten words or fewer (the short-paragraph rule's limit), and the share of
them that are sentences, which the rule leaves alone (two words or more,
the last mark before closing quotes and brackets a sentence end, not an
ellipsis). Mirrors src/ingest/passages.rs: `word_count` (runs of letters
and digits, an apostrophe or point between two letters or digits joining
them, each character of a spaceless script one word; Python's letters
and combining marks stand in for Rust's alphabetic class), `ends_sentence`
and `closes_sentence` (its sentence marks are a list: passages.rs asks
unicode-segmentation's UAX#29 rules, which count these and a few more).
Usage: scripts/short_paragraphs.py [LANG...] (default: every language)"""
import collections, gzip, json, os, sys, unicodedata

here = os.path.dirname(os.path.abspath(__file__))
docs = os.path.join(here, "../../shared/corpora/ir-news-headlines/docs.jsonl.gz")
SHORT_MAX_WORDS, MIN_SENTENCE_WORDS = 10, 2
ENDS = tuple(".!?\u037e。．｡！？।॥؟۔።፧։။។།")
CLOSING = set("\"')]”’“‘»«」』）》】〉\u200b\u200e\u200f\ufeff")
ELLIPSES = ("..", ". .", "。。", "．．")
SPACELESS = [(0x0E00, 0x0EFF), (0x0F00, 0x0FFF), (0x1000, 0x109F), (0x1780, 0x17FF),
             (0x19E0, 0x19FF), (0x3040, 0x30FF), (0x31F0, 0x31FF), (0x3400, 0x4DBF),
             (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFF66, 0xFF9F), (0x20000, 0x3134F)]


def spaceless(c):
    return any(a <= ord(c) <= b for a, b in SPACELESS)


def word_char(c):
    return c.isalnum() or unicodedata.category(c) in ("Mn", "Mc")


def word_count(text):
    count, in_word = 0, False
    for i, c in enumerate(text):
        after = text[i + 1] if i + 1 < len(text) else ""
        joins_next = after != "" and word_char(after) and not spaceless(after)
        if c.isascii():
            if c.isalnum():
                if not in_word:
                    count += 1
                in_word = True
            else:
                in_word = in_word and c in "'.,:" and joins_next
        elif spaceless(c):
            count, in_word = count + 1, False
        elif word_char(c):
            if not in_word:
                count += 1
            in_word = True
        else:
            in_word = in_word and c == "’" and joins_next
    return count


def ends_sentence(p):
    end = p
    while end and (end[-1].isspace() or end[-1] in CLOSING):
        end = end[:-1]
    return end.endswith(ENDS) and not end.endswith(ELLIPSES)


langs = set(sys.argv[1:])
n = collections.defaultdict(lambda: [0, 0, 0])
for line in gzip.open(docs, "rt", encoding="utf-8"):
    d = json.loads(line)
    if langs and d["lang"] not in langs:
        continue
    c = n[(d["lang"], d["id"].split("-")[0])]
    for p in (d.get("body") or "").split("\n"):
        p = p.strip()
        if not p:
            continue
        c[0] += 1
        words = word_count(p)
        if words <= SHORT_MAX_WORDS:
            c[1] += 1
            c[2] += words >= MIN_SENTENCE_WORDS and ends_sentence(p)
print("| lang | source | paragraphs | short | of them sentences |")
print("|---|---|---:|---:|---:|")
for (lang, src), (a, b, s) in sorted(n.items()):
    print(f"| {lang} | {src} | {a} | {b / a:.1%} | {s / max(b, 1):.0%} |")
