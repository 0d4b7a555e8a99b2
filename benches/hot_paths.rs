//! Benchmarks of the hot inner loops. Each one asserts what it computed, so
//! it cannot silently measure nothing. Run: `cargo bench --bench hot_paths`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gazette::analysis::{Analyzer, tokenizer};
use gazette::ingest::passages::{self, Layout};
use gazette::search::highlight::{self as hl, Highlighter, highlight};
use gazette::search::query::HighlightSpec;

const EN: &str = include_str!("../corpus/000_76612771bb08419c.txt");
const TWEETS: &str = include_str!("../corpus/001_909ce76226cad930.txt");

/// Short texts per language (from the sample corpus and NTREX-128 style news).
const LANGS: [(&str, &str); 6] = [
    (
        "es",
        "Ciudadanos y diputados a la espera de que Juan Guaidó pueda entrar a la Asamblea Nacional. ",
    ),
    (
        "fr",
        "Juan Guaido et des dizaines de députés sont effectivement bloqués à l’extérieur du Parlement. ",
    ),
    (
        "de",
        "Die Abgeordneten der Opposition wurden von der Nationalgarde am Betreten des Gebäudes gehindert. ",
    ),
    (
        "ar",
        "منعت قوات الأمن نواب المعارضة من دخول مبنى الجمعية الوطنية في كاراكاس. ",
    ),
    (
        "zh",
        "反对派议员被国民警卫队阻止进入国民议会大楼，随后在另一地点举行了会议。",
    ),
    (
        "th",
        "สมาชิกรัฐสภาฝ่ายค้านถูกกองกำลังรักษาความมั่นคงขัดขวางไม่ให้เข้าไปในอาคารรัฐสภา ",
    ),
];

fn tokenizer_and_analyzers(c: &mut Criterion) {
    let mut group = c.benchmark_group("analyze");
    let en = EN.repeat(4);
    group.throughput(Throughput::Bytes(en.len() as u64));
    let want = tokenizer::tokenize(&en).len();
    assert!(want > 2000);
    group.bench_function("tokenize/en", |b| {
        b.iter(|| assert_eq!(tokenizer::tokenize(black_box(&en)).len(), want))
    });
    for (lang, text) in LANGS {
        let text = text.repeat(20);
        let analyzer = Analyzer::for_lang(Some(lang));
        let n = analyzer.tokens(&text).len();
        assert!(n >= 20, "{lang}: {n}");
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("tokens/{lang}"), |b| {
            b.iter(|| assert_eq!(analyzer.tokens(black_box(&text)).len(), n))
        });
        // The second pass over the same text for the `body_gram` field
        // (each distinct gram once).
        let grams = analyzer.trigram_tokens(&text).len();
        // Thai's grams are those of its words in other scripts: none here.
        let own_script = gazette::analysis::SCRIPT_TRIGRAM_LANGUAGES.contains(&lang);
        if gazette::analysis::gram_size(lang).is_some() && !own_script {
            assert!(grams >= 20, "{lang}: {grams}");
            group.bench_function(format!("trigrams/{lang}"), |b| {
                b.iter(|| assert_eq!(analyzer.trigram_tokens(black_box(&text)).len(), grams))
            });
        } else {
            assert_eq!(grams, 0, "{lang}");
        }
    }
    // The near-duplicate signature of each passage (index time).
    let sig = gazette::analysis::minhash::MinHash::of_text(&en).expect("words");
    group.bench_function("minhash/en", |b| {
        b.iter(|| {
            let m = gazette::analysis::minhash::MinHash::of_text(black_box(&en));
            assert_eq!(m.as_ref(), Some(&sig));
        })
    });
    group.finish();
}

fn passages_and_tweets(c: &mut Criterion) {
    let mut group = c.benchmark_group("ingest");
    let start = TWEETS.find("The National").expect("sample text");
    let paras = passages::paragraphs(TWEETS, start, Layout::BlankLines);
    group.bench_function("paragraphs", |b| {
        b.iter(|| {
            assert_eq!(
                passages::paragraphs(black_box(TWEETS), start, Layout::BlankLines).len(),
                paras.len()
            )
        })
    });
    group.bench_function("article_passages_with_tweets", |b| {
        b.iter(|| {
            let p = passages::article_passages(black_box(TWEETS), &paras);
            assert_eq!(
                p.iter()
                    .filter(|p| p.kind == gazette::model::Kind::Tweet)
                    .count(),
                9
            );
        })
    });
    let long = EN.replace("\n\n", " ");
    let mut out = Vec::new();
    passages::split_long(&long, (0, long.len()), &mut out);
    let n = out.len();
    assert!(n > 5);
    group.bench_function("split_long_paragraph", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            passages::split_long(black_box(&long), (0, long.len()), &mut out);
            assert_eq!(out.len(), n);
        })
    });
    group.finish();
}

fn highlighting_and_output(c: &mut Criterion) {
    let mut group = c.benchmark_group("search");
    let spec = HighlightSpec {
        terms: ["guaido", "en:lawmak", "chamber"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        phrases: vec![vec!["security".into(), "forces".into()]],
        grams: Vec::new(),
    };
    let spans = highlight(EN, "en", &spec).len();
    assert!(spans > 20, "{spans}");
    group.throughput(Throughput::Bytes(EN.len() as u64));
    group.bench_function("highlight/en_article", |b| {
        b.iter(|| assert_eq!(highlight(black_box(EN), "en", &spec).len(), spans))
    });
    // A batch's case: passages analyzed once (kept across queries), a
    // query whose words match by their trigrams (German), one
    // highlighter per query over its ten hits.
    let de = LANGS[2].1.repeat(4);
    let analyzed = hl::analyze(&de, "de");
    let de_analyzer = Analyzer::for_lang(Some("de"));
    let grams_spec = HighlightSpec {
        terms: Default::default(),
        phrases: Vec::new(),
        grams: ["Abgeordnete", "Nationalgarden", "Gebäude", "verhindert"]
            .iter()
            .map(|w| de_analyzer.trigram_terms(w))
            .collect(),
    };
    let marked = Highlighter::new(&grams_spec).spans(&de, &analyzed).len();
    assert_eq!(marked, 16);
    group.bench_function("highlight/de_grams_10_hits_analyzed", |b| {
        b.iter(|| {
            let h = Highlighter::new(black_box(&grams_spec));
            for _ in 0..10 {
                assert_eq!(h.spans(black_box(&de), &analyzed).len(), marked);
            }
        })
    });
    let hit = serde_json::json!({"rank": 1, "score": 7.1, "passage": {"id": "a#1", "kind": "article", "lang": "en",
        "text": &EN[..600], "offset": {"start": 0, "end": 600, "char_start": 0, "char_end": 590},
        "highlights": [{"start": 5, "end": 11, "char_start": 5, "char_end": 11}]},
        "doc": {"id": "a", "kind": "article", "title": "t", "date": null, "source": null, "url": null, "lang": "en"},
        "tweet": null});
    let hit: gazette::search::Hit = serde_json::from_value(hit).expect("a Hit");
    let resp = gazette::search::Response {
        query: "guaido".into(),
        total: 10,
        took_ms: 1.0,
        warnings: vec![],
        hits: vec![hit; 10],
        facets: None,
        query_lang: None,
        stop_words: vec![],
    };
    let len = serde_json::to_vec(&resp).expect("json").len();
    group.bench_function("serialize/response_10_hits", |b| {
        b.iter(|| {
            assert_eq!(
                serde_json::to_vec(black_box(&resp)).expect("json").len(),
                len
            )
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    tokenizer_and_analyzers,
    passages_and_tweets,
    highlighting_and_output
);
criterion_main!(benches);
