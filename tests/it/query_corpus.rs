//! Queries on the sample corpus: 000 (undated), 001 (2020-01-07, nine quoted
//! tweets), 002 (2020-01-06).

use std::collections::{BTreeMap, BTreeSet};

use gazette::model::Kind;
use gazette::search::Response;

use crate::common::{TestIndex, gazette, handle, ids, marked, tweet_date};

const DOC0: &str = "000_76612771bb08419c.txt";
const DOC1: &str = "001_909ce76226cad930.txt";
const DOC2: &str = "002_021b94e78dccdefd.txt";

#[test]
fn guaido_finds_all_three_articles_and_both_spellings() {
    let idx = TestIndex::corpus();
    let resp = idx.query("Guaido", &["--limit", "100"]);
    assert!(resp.warnings.is_empty(), "{:?}", resp.warnings);
    assert_eq!(resp.hits.len(), resp.total);

    let docs: BTreeSet<&str> = resp.hits.iter().map(|h| h.doc.id.as_str()).collect();
    assert_eq!(docs, BTreeSet::from([DOC0, DOC1, DOC2]));

    let words: BTreeSet<&str> = resp.hits.iter().flat_map(marked).collect();
    assert_eq!(
        words,
        BTreeSet::from(["Guaido", "Guaidó"]),
        "every highlight is one of the two spellings, and both occur"
    );

    // Every passage that contains the name, in either spelling, is found
    // and has each occurrence highlighted (`@jguaido` is a handle, not the
    // word).
    for hit in &resp.hits {
        let text = &hit.passage.text;
        let n = text.matches("Guaido").count() + text.matches("Guaidó").count();
        assert_eq!(marked(hit).len(), n, "{}: {text:?}", hit.passage.id);
    }

    // Spot checks, with their exact text.
    let by_id = |id: &str| {
        resp.hits
            .iter()
            .find(|h| h.passage.id == id)
            .unwrap_or_else(|| panic!("{id} missing from {:?}", ids(&resp)))
    };
    let reporte = by_id(&format!("{DOC1}#12"));
    assert_eq!(handle(reporte), Some("ReporteYa"));
    assert_eq!(marked(reporte), ["Guaidó"]);
    assert!(
        reporte
            .passage
            .text
            .contains("Ciudadanos y diputados a la espera de que Juan Guaidó pueda entrar")
    );
    let eu = by_id(&format!("{DOC2}#7"));
    assert_eq!(
        eu.passage.text,
        "The European Union also said it would continue to recognize Guaido, while Argentina \
         criticized blocking Guaido from the National Assembly."
    );
    assert_eq!(marked(eu), ["Guaido", "Guaido"]);
    let undated = by_id(&format!("{DOC0}#7"));
    assert_eq!(marked(undated), ["Guaidó"; 4]);
    assert_eq!(undated.doc.date, None);
}

#[test]
fn diputados_tweets_are_the_five_spanish_ones() {
    let idx = TestIndex::corpus();
    let resp = idx.query("diputados", &["--kind", "tweet"]);
    assert_eq!(resp.total, 5);
    assert_eq!(resp.hits.len(), 5);

    let mut handles: Vec<&str> = resp.hits.iter().filter_map(handle).collect();
    handles.sort_unstable();
    assert_eq!(
        handles,
        [
            "AsambleaVE",
            "CronicaUno",
            "EfectoCocuyo",
            "EfectoCocuyo",
            "ReporteYa"
        ]
    );

    let got: BTreeMap<&str, (Option<&str>, Vec<&str>)> = resp
        .hits
        .iter()
        .map(|h| (h.passage.id.as_str(), (handle(h), marked(h))))
        .collect();
    let want: BTreeMap<String, (Option<&str>, Vec<&str>)> = [
        (4, "CronicaUno", "Diputados"),
        (8, "AsambleaVE", "diputados"),
        (12, "ReporteYa", "diputados"),
        (15, "EfectoCocuyo", "diputados"),
        (17, "EfectoCocuyo", "diputados"),
    ]
    .into_iter()
    .map(|(n, h, w)| (format!("{DOC1}#{n}"), (Some(h), vec![w])))
    .collect();
    let want: BTreeMap<&str, _> = want.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    assert_eq!(got, want);

    for hit in &resp.hits {
        assert_eq!(hit.passage.kind, Kind::Tweet);
        assert_eq!(hit.passage.lang, "es", "{}", hit.passage.id);
        assert_eq!(tweet_date(hit).as_deref(), Some("2020-01-07"));
        assert!(
            hit.passage.text.to_lowercase().contains("diputados"),
            "{}",
            hit.passage.id
        );
    }
    // `#100Diputados` is a hashtag: the word inside it is not highlighted.
    let asamblea = resp.hits.iter().find(|h| handle(h) == Some("AsambleaVE"));
    assert!(asamblea.unwrap().passage.text.contains("#100Diputados"));
}

#[test]
fn deputes_finds_the_french_tweet() {
    let idx = TestIndex::corpus();
    let resp = idx.query("deputes", &[]);
    assert_eq!(resp.total, 1);
    let hit = &resp.hits[0];
    assert_eq!(hit.passage.id, format!("{DOC1}#10"));
    assert_eq!(hit.passage.kind, Kind::Tweet);
    assert_eq!(hit.passage.lang, "fr");
    assert_eq!(
        hit.passage.text,
        "Juan Guaido et des dizaines de députés sont effectivement bloqués à l’extérieur du \
         Parlement. #7Ene #Venezuela pic.twitter.com/iNKNH3hgNR"
    );
    assert_eq!(marked(hit), ["députés"]);
    let tweet = hit.tweet.as_ref().expect("tweet metadata");
    assert_eq!(tweet.handle.as_deref(), Some("BenjiDelylo"));
    assert_eq!(tweet.author.as_deref(), Some("Benjamin Delille"));
    assert_eq!(tweet.hashtags, ["7Ene", "Venezuela"]);
    assert_eq!(tweet.links, ["pic.twitter.com/iNKNH3hgNR"]);
    assert!(tweet.mentions.is_empty());
}

#[test]
fn lawmaker_finds_lawmakers_and_exact_matches_rank_first() {
    let idx = TestIndex::corpus();
    let resp = idx.query("lawmaker", &["--limit", "100"]);
    let words: BTreeSet<&str> = resp.hits.iter().flat_map(marked).collect();
    assert_eq!(words, BTreeSet::from(["Lawmaker", "lawmaker", "lawmakers"]));
    for hit in &resp.hits {
        assert_eq!(hit.passage.lang, "en", "{}", hit.passage.id);
    }

    // The three passages with the exact word come first, in this order:
    // 002#5 has it and the plural too, and its document title has the
    // word; 000#1 has the word and the plural (title: the plural only);
    // 002#0 has the word once (title: the word). The last two are close
    // (2.69 and 2.67): at k1 0.4 with the title weighing 1.5 and the exact
    // form 0.3, 002#0's exact title match put it second.
    let top: Vec<(&str, Vec<&str>)> = resp.hits[..3]
        .iter()
        .map(|h| (h.passage.id.as_str(), marked(h)))
        .collect();
    assert_eq!(
        top,
        [
            (format!("{DOC2}#5").as_str(), vec!["Lawmaker", "lawmakers"]),
            (format!("{DOC0}#1").as_str(), vec!["lawmakers", "lawmaker"]),
            (format!("{DOC2}#0").as_str(), vec!["lawmaker"]),
        ]
    );
    assert!(
        resp.hits[0]
            .passage
            .text
            .starts_with("Lawmaker Luis Parra speaks to the press after many opposition lawmakers")
    );

    let exact =
        |h: &&gazette::search::Hit| marked(h).iter().any(|w| w.eq_ignore_ascii_case("lawmaker"));
    let stem_only = |h: &&gazette::search::Hit| {
        let m = marked(h);
        !m.is_empty() && m.iter().all(|w| *w == "lawmakers")
    };
    let last_exact = resp
        .hits
        .iter()
        .filter(exact)
        .map(|h| h.rank)
        .max()
        .unwrap();
    let first_stem = resp
        .hits
        .iter()
        .filter(stem_only)
        .map(|h| h.rank)
        .min()
        .unwrap();
    assert!(
        last_exact < first_stem,
        "exact match at rank {last_exact} below a `lawmakers`-only passage at rank {first_stem}"
    );
    // e.g. "Opposition lawmakers hold 112 seats …" is found by its stem.
    assert!(
        resp.hits
            .iter()
            .any(|h| h.passage.id == format!("{DOC2}#14") && marked(h) == ["lawmakers"])
    );
}

#[test]
fn phrase_national_guard_is_one_span() {
    let idx = TestIndex::corpus();
    for query in ["\"National Guard\"", "\"national guard\""] {
        let resp = idx.query(query, &["--limit", "100"]);
        let got: BTreeSet<&str> = ids(&resp).into_iter().collect();
        let want: Vec<String> = [2, 6, 7, 9, 20]
            .iter()
            .map(|n| format!("{DOC1}#{n}"))
            .collect();
        assert_eq!(got, want.iter().map(String::as_str).collect(), "{query}");
        for hit in &resp.hits {
            assert!(
                hit.passage.text.to_lowercase().contains("national guard"),
                "{query}: {} lacks the phrase",
                hit.passage.id
            );
            assert_eq!(
                marked(hit),
                ["National Guard"],
                "{query}: {}",
                hit.passage.id
            );
        }
        let ana = resp
            .hits
            .iter()
            .find(|h| handle(h) == Some("AnaVHerrero"))
            .expect("the AnaVHerrero tweet");
        assert_eq!(ana.passage.highlights[0].start, 0);
        assert_eq!(ana.passage.highlights[0].end, "National Guard".len());
    }
}

#[test]
fn author_filter_returns_the_three_efecto_cocuyo_tweets() {
    let idx = TestIndex::corpus();
    let want: Vec<String> = [15, 17, 24].iter().map(|n| format!("{DOC1}#{n}")).collect();
    for author in ["@EfectoCocuyo", "EfectoCocuyo", "Efecto Cocuyo"] {
        let resp = idx.query("", &["--author", author]);
        let got: BTreeSet<&str> = ids(&resp).into_iter().collect();
        assert_eq!(
            got,
            want.iter().map(String::as_str).collect(),
            "--author {author}"
        );
        for hit in &resp.hits {
            assert_eq!(handle(hit), Some("EfectoCocuyo"));
            assert_eq!(
                hit.tweet.as_ref().unwrap().author.as_deref(),
                Some("Efecto Cocuyo")
            );
            assert_eq!(tweet_date(hit).as_deref(), Some("2020-01-07"));
            assert_eq!(hit.passage.kind, Kind::Tweet);
        }
    }
    // With a word: only the two of them that contain it.
    let resp = idx.query("diputados", &["--author", "@EfectoCocuyo"]);
    assert_eq!(ids(&resp), [format!("{DOC1}#15"), format!("{DOC1}#17")]);
    for hit in &resp.hits {
        assert_eq!(marked(hit), ["diputados"]);
    }
}

#[test]
fn since_and_until_filter_by_date_and_drop_undated() {
    let idx = TestIndex::corpus();
    let resp = idx.query("", &["--since", "2020-01-07", "--limit", "100"]);
    assert_eq!(resp.total, 27, "all 27 passages of 001 and nothing else");
    for hit in &resp.hits {
        assert_eq!(
            hit.doc.id, DOC1,
            "{} leaked through --since",
            hit.passage.id
        );
        assert_eq!(hit.doc.date.as_deref(), Some("2020-01-07"));
    }
    let resp = idx.query("Guaido", &["--since", "2020-01-07", "--limit", "100"]);
    assert!(!resp.hits.is_empty());
    for hit in &resp.hits {
        assert!(
            !hit.doc.id.starts_with("000_") && !hit.doc.id.starts_with("002_"),
            "{} leaked through --since",
            hit.passage.id
        );
    }

    let resp = idx.query("", &["--until", "2020-01-06", "--limit", "100"]);
    assert_eq!(resp.total, 15);
    assert!(resp.hits.iter().all(|h| h.doc.id == DOC2));
    let resp = idx.query(
        "Guaido",
        &[
            "--since",
            "2020-01-06",
            "--until",
            "2020-01-06",
            "--limit",
            "100",
        ],
    );
    assert!(!resp.hits.is_empty());
    assert!(resp.hits.iter().all(|h| h.doc.id == DOC2));
}

#[test]
fn all_nine_quoted_tweets_come_out_with_their_handles() {
    let idx = TestIndex::corpus();
    let resp = idx.query("", &["--kind", "tweet", "--limit", "50"]);
    assert_eq!(resp.total, 9);
    let mut handles: Vec<&str> = resp.hits.iter().filter_map(handle).collect();
    handles.sort_unstable();
    assert_eq!(
        handles,
        [
            "AnaVHerrero",
            "AsambleaVE",
            "BenjiDelylo",
            "CronicaUno",
            "EfectoCocuyo",
            "EfectoCocuyo",
            "EfectoCocuyo",
            "ReporteYa",
            "puzkas",
        ]
    );
    for hit in &resp.hits {
        assert_eq!(hit.passage.kind, Kind::Tweet);
        assert_eq!(hit.doc.id, DOC1);
        assert_eq!(hit.doc.kind, Kind::Article);
        assert_eq!(
            tweet_date(hit).as_deref(),
            Some("2020-01-07"),
            "{}",
            hit.passage.id
        );
        // The attribution line is metadata, not tweet text.
        assert!(
            !hit.passage.text.contains("January 7, 2020"),
            "{}",
            hit.passage.id
        );
    }
    let ana = resp
        .hits
        .iter()
        .find(|h| handle(h) == Some("AnaVHerrero"))
        .unwrap();
    let text = &ana.passage.text;
    assert!(
        text.contains("National Guard immediately stepped back"),
        "{text:?}"
    );
    assert!(text.contains("Minutes later"), "{text:?}");
    assert_eq!(ana.passage.lang, "en");
    assert_eq!(
        ana.tweet.as_ref().unwrap().author.as_deref(),
        Some("Ana Vanessa Herrero")
    );
    let puzkas = resp
        .hits
        .iter()
        .find(|h| handle(h) == Some("puzkas"))
        .unwrap();
    assert_eq!(
        puzkas.tweet.as_ref().unwrap().author.as_deref(),
        Some("Eugenio G. Martínez")
    );
    let cronica = resp
        .hits
        .iter()
        .find(|h| handle(h) == Some("CronicaUno"))
        .unwrap();
    assert_eq!(
        cronica.tweet.as_ref().unwrap().author.as_deref(),
        Some("Crónica Uno")
    );
    assert_eq!(cronica.tweet.as_ref().unwrap().mentions, ["YohanaMarra"]);
}

#[test]
fn per_article_one_repeats_no_document() {
    let idx = TestIndex::corpus();
    let resp = idx.query("Guaido", &["--per-article", "1", "--limit", "10"]);
    let docs: Vec<&str> = resp.hits.iter().map(|h| h.doc.id.as_str()).collect();
    let unique: BTreeSet<&str> = docs.iter().copied().collect();
    assert_eq!(docs.len(), unique.len(), "a document repeats: {docs:?}");
    assert_eq!(unique, BTreeSet::from([DOC0, DOC1, DOC2]));
    // Each document's best passage, best first.
    assert_eq!(
        ids(&resp),
        [
            format!("{DOC1}#10"),
            format!("{DOC2}#7"),
            format!("{DOC0}#7")
        ]
    );
    let ranks: Vec<usize> = resp.hits.iter().map(|h| h.rank).collect();
    assert_eq!(ranks, [1, 2, 3]);
}

#[test]
fn syntax_error_still_answers_and_warns() {
    let idx = TestIndex::corpus();
    let out = idx
        .query_cmd("\"Guaido AND (", &["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning"),
        "no warning on stderr: {stderr:?}"
    );
    let resp = idx.query("\"Guaido AND (", &[]);
    assert_eq!(resp.query, "\"Guaido AND (");
    assert!(!resp.warnings.is_empty());
    assert!(resp.warnings.iter().all(|w| !w.is_empty()));
    assert!(!resp.hits.is_empty());
    assert!(marked(&resp.hits[0]).contains(&"Guaido"));
    // The plain word is searched: same passages as the plain query.
    let plain = idx.query("Guaido", &[]);
    assert_eq!(ids(&resp), ids(&plain));
}

#[test]
fn offset_pages_through_the_ranking() {
    let idx = TestIndex::corpus();
    let all = idx.query("Guaido", &["--limit", "6"]);
    let page = idx.query("Guaido", &["--offset", "2", "--limit", "3"]);
    assert_eq!(page.total, all.total);
    assert_eq!(ids(&page), ids(&all)[2..5]);
    let ranks: Vec<usize> = page.hits.iter().map(|h| h.rank).collect();
    assert_eq!(ranks, [3, 4, 5]);
}

/// Segments holding documents, from the index's `meta.json`.
fn segments_with_docs(index: &std::path::Path) -> usize {
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(index.join("meta.json")).expect("meta.json"))
            .expect("meta.json is JSON");
    meta["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .filter(|s| s["max_doc"].as_u64().unwrap_or(0) > 0)
        .count()
}

#[test]
fn a_document_stays_in_one_segment_and_per_article_counts_it_once() {
    // One article of 400 paragraphs, indexed by two writer threads. Its
    // passages are sent to tantivy as one batch, so they land in one
    // segment (before, they were spread over both threads' segments in
    // nearly every run); --per-article sees one document either way.
    let dir = tempfile::tempdir().expect("temp dir");
    let body: Vec<String> = (0..400)
        .map(|i| format!("Paragraph {i} mentions the zebra crossing near the old market square."))
        .collect();
    let record =
        serde_json::json!({"id": "spread", "title": "Crossings", "body": body.join("\n\n")});
    let input = dir.path().join("spread.jsonl");
    std::fs::write(&input, format!("{record}\n")).expect("write");
    let index = dir.path().join("index");
    for _ in 0..3 {
        gazette()
            .arg("--index")
            .arg(&index)
            .args(["index", "--rebuild", "--threads", "2"])
            .arg(&input)
            .assert()
            .success();
        assert_eq!(segments_with_docs(&index), 1);
    }
    let query = |args: &[&str]| -> Response {
        let out = gazette()
            .arg("--index")
            .arg(&index)
            .args(["query", "zebra", "--format", "json"])
            .args(args)
            .output()
            .expect("run gazette");
        serde_json::from_slice(&out.stdout).expect("a Response")
    };
    let all = query(&["--limit", "10"]);
    assert_eq!(all.total, 400);
    assert_eq!(all.hits.len(), 10);
    let capped = query(&["--limit", "10", "--per-article", "2"]);
    assert_eq!(capped.hits.len(), 2, "{:?}", ids(&capped));
    assert!(capped.hits.iter().all(|h| h.doc.id == "spread"));
    // In a batch, later requests use the engine's key table instead.
    let line = r#"{"query": "zebra", "per_article": 2}"#;
    let out = gazette()
        .arg("--index")
        .arg(&index)
        .args(["batch", "-"])
        .write_stdin(format!("{line}\n{line}\n{line}\n{line}\n"))
        .output()
        .expect("run gazette batch");
    let answers: Vec<Response> = String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a Response line"))
        .collect();
    assert_eq!(answers.len(), 4);
    for answer in &answers {
        assert_eq!(answer.hits.len(), 2, "{:?}", ids(answer));
    }
}

#[test]
fn a_lead_in_joins_its_paragraph_and_does_not_outrank_content() {
    let idx = TestIndex::corpus();
    // "Guaido said:" introduces the next paragraph: one passage with it.
    let resp = idx.query("mobilize", &[]);
    assert_eq!(ids(&resp), [format!("{DOC1}#25")]);
    assert!(
        resp.hits[0]
            .passage
            .text
            .starts_with("Guaido said:\n\nLet’s mobilize on the streets"),
        "{:?}",
        resp.hits[0].passage.text
    );
    // Alone it ranked third for "Guaidó" on length normalization; now the
    // two quoted tweets, then paragraphs with content, all of the article
    // that is about Guaidó blocked from the Assembly.
    let resp = idx.query("Guaidó", &["--limit", "6"]);
    assert_eq!(
        ids(&resp),
        [
            format!("{DOC1}#10"),
            format!("{DOC1}#12"),
            format!("{DOC1}#7"),
            format!("{DOC1}#18"),
            format!("{DOC1}#11"),
            format!("{DOC1}#23"),
        ]
    );
}

/// The ids and scores of a response, in order.
fn ranking(resp: &Response) -> Vec<(String, f32)> {
    resp.hits
        .iter()
        .map(|h| (h.passage.id.clone(), h.score))
        .collect()
}

/// `query`'s answer, which warns `warning` and ranks as `words` do
/// (they warn nothing).
fn answered_as(idx: &TestIndex, query: &str, warning: &str, words: &str) -> Response {
    let resp = idx.query(query, &["--limit", "100"]);
    assert_eq!(resp.warnings, [warning]);
    let plain = idx.query(words, &["--limit", "100"]);
    assert!(plain.warnings.is_empty(), "{:?}", plain.warnings);
    assert_eq!(resp.total, plain.total);
    assert_eq!(ranking(&resp), ranking(&plain));
    resp
}

#[test]
fn a_phrase_nothing_has_is_searched_as_its_words_with_a_warning() {
    let idx = TestIndex::corpus();
    // The words occur ("National Guard"), never in this order.
    let resp = answered_as(
        &idx,
        "\"Guard National\"",
        "no passage has \"Guard National\"; searched the words instead",
        "Guard National",
    );
    assert!(resp.total > 5, "{}", resp.total);
    // Highlights are the words, not a phrase span.
    let top = &resp.hits[0];
    assert!(
        marked(top)
            .iter()
            .all(|m| ["Guard", "National"].contains(m))
    );
    // A phrase that matches keeps its meaning: no warning, phrase hits only.
    let phrase = idx.query("\"National Guard\"", &["--limit", "100"]);
    assert!(phrase.warnings.is_empty());
    assert_eq!(phrase.total, 5);
}

#[test]
fn a_word_run_together_is_searched_as_the_two_words_passages_hold() {
    let idx = TestIndex::corpus();
    // No passage has "nationalguard"; "national" and "guard" stand side by
    // side in five.
    let resp = answered_as(
        &idx,
        "nationalguard",
        "no passage has \"nationalguard\"; searched \"national guard\" instead",
        "national guard",
    );
    let ana = resp
        .hits
        .iter()
        .find(|h| handle(h) == Some("AnaVHerrero"))
        .expect("the AnaVHerrero tweet");
    let spans: Vec<(usize, usize)> = (ana.passage.highlights.iter())
        .map(|h| (h.start, h.end))
        .collect();
    assert_eq!(spans[..2], [(0, 8), (9, 14)], "{:?}", ana.passage.text);
    // A word some passage has, and a required word, stay as written.
    let known = idx.query("Guaido", &[]);
    assert!(known.warnings.is_empty(), "{:?}", known.warnings);
    for query in ["+nationalguard Guaido", "+nationalguard"] {
        let required = idx.query(query, &[]);
        assert!(
            required.warnings.is_empty(),
            "{query}: {:?}",
            required.warnings
        );
        assert_eq!(required.total, 0, "{query}");
    }
}

#[test]
fn a_label_before_a_colon_is_a_word_not_a_field() {
    let idx = TestIndex::corpus();
    // A pasted headline: "Venezuela: …" is not a field named Venezuela.
    for (labelled, plain) in [
        (
            "Venezuela: \"National Guard\"",
            "Venezuela \"National Guard\"",
        ),
        (
            "Venezuela:\"National Guard\"",
            "Venezuela \"National Guard\"",
        ),
        ("Venezuela: lawmakers", "Venezuela lawmakers"),
    ] {
        let a = idx.query(labelled, &["--limit", "100"]);
        let b = idx.query(plain, &["--limit", "100"]);
        assert!(a.warnings.is_empty(), "{labelled}: {:?}", a.warnings);
        assert!(a.total > 5, "{labelled}: {}", a.total);
        assert_eq!(ranking(&a), ranking(&b), "{labelled}");
    }
    // Field names keep their meaning, also before a space.
    let kind = idx.query("+kind: tweet Guaidó", &["--limit", "100"]);
    assert!(kind.total > 0);
    assert!(kind.hits.iter().all(|h| h.passage.kind == Kind::Tweet));
}

#[test]
fn single_quotes_are_quotation_marks_not_phrases() {
    let idx = TestIndex::corpus();
    let quoted = idx.query("'Guard National'", &["--limit", "100"]);
    let words = idx.query("Guard National", &["--limit", "100"]);
    assert!(quoted.warnings.is_empty(), "{:?}", quoted.warnings);
    assert_eq!(ranking(&quoted), ranking(&words));
}

#[test]
fn a_language_filter_no_passage_is_in_says_so() {
    let idx = TestIndex::corpus();
    // German: a real code the sample corpus has no passage in.
    let resp = idx.query("Guaidó", &["--lang", "de"]);
    assert_eq!(resp.total, 0);
    assert_eq!(
        resp.warnings,
        ["no passage is in language \"de\"; the index holds en, es, fr"]
    );
    // A phrase is not searched again as words: the language is the reason.
    let phrase = idx.query("\"Juan Guaidó\"", &["--lang", "de"]);
    assert_eq!(
        phrase.warnings,
        ["no passage is in language \"de\"; the index holds en, es, fr"]
    );
    // A language the corpus holds: hits, no warning.
    let es = idx.query("Guaidó", &["--lang", "es"]);
    assert!(es.total > 0);
    assert!(es.warnings.is_empty(), "{:?}", es.warnings);
}

#[test]
fn a_language_whose_passages_are_all_deleted_is_not_held() {
    let idx = TestIndex::multilingual();
    // The fixture's one Chinese article.
    let zh = "ntrex-zho-CN-euronews-en.153835";
    let before = idx.query("海啸", &["--lang", "zh"]);
    assert!(before.total > 0);
    assert!(before.warnings.is_empty(), "{:?}", before.warnings);
    gazette()
        .arg("--index")
        .arg(idx.path())
        .args(["delete", zh])
        .assert()
        .success();
    // The segment keeps the deleted passages' terms until it merges; the
    // language they were in is no longer one the index holds.
    let after = idx.query("海啸", &["--lang", "zh"]);
    assert_eq!(after.total, 0);
    assert_eq!(
        after.warnings,
        ["no passage is in language \"zh\"; the index holds ar, de, es, fr, pt"]
    );
}

#[test]
fn a_lang_filter_in_the_query_that_no_passage_is_in_says_so() {
    let idx = TestIndex::corpus();
    let absent = "no passage is in language \"de\"; the index holds en, es, fr";
    // Required (`+`): nothing can match, and the warning says why.
    let resp = idx.query("Guaidó +lang:de", &[]);
    assert_eq!(resp.total, 0);
    assert_eq!(resp.warnings, [absent]);
    // A phrase is not searched again as words: the language is the reason.
    let phrase = idx.query("\"Juan Guaidó\" +lang:de", &[]);
    assert_eq!(
        (phrase.total, &phrase.warnings[..]),
        (0, &[absent.to_string()][..])
    );
    // One of two alternatives: searched all the same, the Spanish passages
    // found, the absent language named.
    let either = idx.query("Guaidó +(lang:de OR lang:es)", &["--limit", "100"]);
    assert!(either.total > 0);
    assert!(either.hits.iter().all(|h| h.passage.lang == "es"));
    assert_eq!(either.warnings, [absent]);
    // Excluding a language no passage is in is no surprise: no warning.
    let not = idx.query("Guaidó -lang:de", &[]);
    assert!(not.total > 0);
    assert!(not.warnings.is_empty(), "{:?}", not.warnings);
    // Not a language code at all.
    let bad = idx.query("Guaidó +lang:german1", &[]);
    assert_eq!(bad.total, 0);
    assert_eq!(
        bad.warnings,
        ["lang: takes a language code (en, es, pt-BR …), not \"german1\""]
    );
    // A language the corpus holds: no warning.
    let es = idx.query("Guaidó +lang:es", &[]);
    assert!(es.total > 0);
    assert!(es.warnings.is_empty(), "{:?}", es.warnings);
}
