#!/usr/bin/env python3
# Usage: python3 scripts/indic_variants.py   (reads ../shared/corpora)
# What the shared Hindi (and Bengali, Marathi, Nepali) data shows about normalization:
# per variant kind, the share of word types carrying it, and query words that miss
# the documents' vocabulary as written but meet it once the variant is normalized.
import gzip, json, re, sys, unicodedata, collections
import os
C=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'corpora')
def words(t): return re.findall(r'[\u0900-\u09FF\u200C\u200D]+', t)
def docs(path, lang):
    for l in gzip.open(path,'rt'):
        d=json.loads(l)
        if d.get('lang')==lang: yield (d.get('title') or '')+' '+(d.get('body') or d.get('text') or '')
def queries(path, prefix):
    for l in open(path):
        i,q=l.rstrip('\n').split('\t',1)
        if i.startswith(prefix): yield q
NUKTA='\u093C\u09BC'
rules={
 'nfc/nfd (precomposed nukta letters)': lambda w: unicodedata.normalize('NFD',w),
 'nukta dropped': lambda w: re.sub('['+NUKTA+']','',unicodedata.normalize('NFD',w)),
 'chandrabindu->anusvara': lambda w: w.replace('\u0901','\u0902').replace('\u0981','\u0982'),
 'zwj/zwnj dropped': lambda w: w.replace('\u200C','').replace('\u200D',''),
 'virama dropped': lambda w: w.replace('\u094D','').replace('\u09CD',''),
 'dead n -> anusvara': lambda w: re.sub('\u0928\u094D(?=[\u0915-\u0939])','\u0902',w),
 'long->short vowels': lambda w: w.translate(str.maketrans('\u0940\u0942\u0908\u090A\u09C0\u09C2\u0988\u098A','\u093F\u0941\u0907\u0909\u09BF\u09C1\u0987\u0989')),
}
for name,dsrc,qsrc in [
  ('hi xquad sentences', (C+'/ir-xquad-r/docs.jsonl.gz','hi'), (C+'/ir-xquad-r/queries.tsv','xquadr-hi-')),
  ('hi headlines', (C+'/ir-news-headlines/docs.jsonl.gz','hi'), (C+'/ir-news-headlines/queries.tsv','hl-hi-')),
  ('bn headlines', (C+'/ir-news-headlines/docs.jsonl.gz','bn'), (C+'/ir-news-headlines/queries.tsv','hl-bn-')),
]:
    vocab=collections.Counter(w for t in docs(*dsrc) for w in words(t))
    qw=collections.Counter(w for q in queries(*qsrc) for w in words(q))
    print(f'## {name}: {len(vocab)} doc word types, {sum(qw.values())} query words')
    types=len(vocab)
    for rn,f in rules.items():
        changed=sum(1 for w in vocab if f(w)!=w)
        nv={}
        for w,c in vocab.items(): nv.setdefault(f(w),set()).add(w)
        miss=sum(c for w,c in qw.items() if w not in vocab)
        rescued=sum(c for w,c in qw.items() if w not in vocab and f(w) in nv)
        merged=sum(1 for k,v in nv.items() if len(v)>1)
        print(f'  {rn:40s} types changed {changed/types:6.1%}  doc forms merged {merged:6d}  query words missing {miss}, found after {rescued}')
