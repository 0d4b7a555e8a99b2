//! Ranking: the title weighs in, but only for passages that match themselves.

use crate::common::TestIndex;

fn two_articles() -> (tempfile::TempDir, TestIndex) {
    let src = tempfile::tempdir().expect("temp dir");
    // Same paragraph in both; only the first article's title has "quorum".
    // (Paragraphs of more than ten words: each a passage of its own.)
    std::fs::write(
        src.path().join("a.txt"),
        "The quorum was contested in the chamber by the deputies of both factions.\n\nDeputies said the quorum vote was void and would have to be held again.\n\nNothing else happened here in the afternoon, and the session closed at six.\n",
    )
    .unwrap();
    std::fs::write(
        src.path().join("b.txt"),
        "The session opened late in the chamber after a long delay at the doors.\n\nDeputies said the quorum vote was void and would have to be held again.\n\nNothing else happened here in the afternoon, and the session closed at six.\n",
    )
    .unwrap();
    let idx = TestIndex::build(&[src.path()]);
    (src, idx)
}

/// An index of JSON Lines `records` (one per line).
fn index_of(records: &[&str]) -> TestIndex {
    let src = tempfile::tempdir().expect("temp dir");
    std::fs::write(src.path().join("records.jsonl"), records.join("\n") + "\n").unwrap();
    TestIndex::build(&[src.path()])
}

/// The document ids of a response's hits, in rank order.
fn doc_ids(resp: &gazette::search::Response) -> Vec<String> {
    resp.hits.iter().map(|h| h.doc.id.clone()).collect()
}

#[test]
fn a_matching_title_ranks_its_passage_first() {
    let (_src, idx) = two_articles();
    let resp = idx.query("quorum vote", &[]);
    let ids: Vec<&str> = resp.hits.iter().map(|h| h.passage.id.as_str()).collect();
    // a.txt#1 and b.txt#1 have the same text; a.txt's title matches.
    let a = ids
        .iter()
        .position(|i| *i == "a.txt#1")
        .expect("a.txt#1 found");
    let b = ids
        .iter()
        .position(|i| *i == "b.txt#1")
        .expect("b.txt#1 found");
    assert!(a < b, "title match should rank first: {ids:?}");
    assert!(resp.hits[a].score > resp.hits[b].score);
}

#[test]
fn a_title_match_alone_is_not_a_hit() {
    let (_src, idx) = two_articles();
    let resp = idx.query("quorum", &["--limit", "50"]);
    let ids: Vec<&str> = resp.hits.iter().map(|h| h.passage.id.as_str()).collect();
    assert_eq!(resp.total, 3, "{ids:?}");
    assert!(
        !ids.contains(&"a.txt#2"),
        "a passage without the word came back: {ids:?}"
    );
    for h in &resp.hits {
        assert!(
            !h.passage.highlights.is_empty(),
            "{} has no highlight",
            h.passage.id
        );
    }
}

#[test]
fn every_corpus_hit_contains_the_word() {
    let idx = TestIndex::corpus();
    for q in ["Guaido", "lawmaker", "\"National Guard\""] {
        let resp = idx.query(q, &["--limit", "100"]);
        assert_eq!(resp.total, resp.hits.len(), "{q}");
        for h in &resp.hits {
            assert!(
                !h.passage.highlights.is_empty(),
                "{q}: {} has no highlight",
                h.passage.id
            );
        }
    }
}

#[test]
fn turkish_case_endings_after_an_apostrophe_are_not_words() {
    let idx = index_of(&[
        r#"{"id": "tr-1", "lang": "tr", "title": "Başkent", "body": "Türkiye'nin başkenti Ankara'dır."}"#,
        r#"{"id": "en-1", "lang": "en", "title": "Nin", "body": "Nin is not a word of the Turkish passage."}"#,
    ]);
    // The suffix is not indexed in Turkish, so a phrase across it matches,
    // and is highlighted as one span from the word to the next.
    let resp = idx.query("\"Türkiye'nin başkenti\"", &["--lang", "tr"]);
    assert_eq!(doc_ids(&resp), ["tr-1"]);
    assert_eq!(
        crate::common::marked(&resp.hits[0]),
        ["Türkiye'nin başkenti"]
    );
    let resp = idx.query("Türkiye", &[]);
    assert_eq!(doc_ids(&resp), ["tr-1"]);
    let resp = idx.query("nin", &[]);
    assert_eq!(doc_ids(&resp), ["en-1"]);
}

/// A word of its own for record `i` (`neno` and three letters), sharing
/// no trigram with the words the tests below search.
fn own_word(mut i: usize) -> String {
    let alphabet = b"cdfghjklnpsvwyz";
    let mut w = String::from("neno");
    for _ in 0..3 {
        w.push(alphabet[i % alphabet.len()] as char);
        i /= alphabet.len();
    }
    w
}

/// `query QUERY ARGS… --format json` with one environment variable set,
/// deserialized.
fn query_with_env(
    idx: &TestIndex,
    query: &str,
    args: &[&str],
    (name, value): (&str, &str),
) -> gazette::search::Response {
    let out = idx
        .query_cmd(query, args)
        .args(["--format", "json"])
        .env(name, value)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn a_gram_in_more_than_a_fifth_of_its_languages_passages_is_left_out() {
    // 1,200 Swahili news items all saying `habari` (news), each with a
    // word of its own, and one about children. `bari` is in no passage:
    // it could only match by its trigrams `bar` and `ari`, which every
    // `habari` passage holds. A gram in more than a fifth of its
    // language's passages tells them apart by little and is left out.
    // The words of their own share no trigram with `bari` or `mtoto`.
    let mut records: Vec<String> = (0..1200)
        .map(|i| {
            format!(
                r#"{{"id": "n{i}", "lang": "sw", "body": "Habari za leo: {}."}}"#,
                own_word(i)
            )
        })
        .collect();
    records.push(
        r#"{"id": "children", "lang": "sw", "body": "Watoto wanacheza mpira uwanjani."}"#
            .to_string(),
    );
    let refs: Vec<&str> = records.iter().map(String::as_str).collect();
    let idx = index_of(&refs);
    let sw = ["--lang", "sw", "--no-highlights"];
    let resp = idx.query("bari", &sw);
    assert_eq!(resp.total, 0);
    // A rare gram still matches (`tot`, `oto` of `mtoto`, in one passage).
    let resp = idx.query("mtoto bari", &sw);
    assert_eq!(doc_ids(&resp), ["children"]);
    assert_eq!(resp.total, 1);
    // Every gram kept: `bari` matches each `habari` passage by its grams.
    let all = query_with_env(&idx, "mtoto bari", &sw, ("GAZETTE_COMMON_GRAM_SHARE", "1"));
    assert_eq!(all.total, 1201);
    assert_eq!(doc_ids(&all)[0], "children");
}

#[test]
fn a_word_in_more_than_half_of_its_languages_passages_is_a_stop_word() {
    // 1,200 Swahili items all saying `habari za leo` (today's news), and
    // one about children: `habari` tells them apart by nothing.
    let mut records: Vec<String> = (0..1200)
        .map(|i| {
            let text = format!("Habari za leo: {}.", own_word(i));
            format!(r#"{{"id": "n{i}", "lang": "sw", "body": "{text}"}}"#)
        })
        .collect();
    records.push(r#"{"id": "children", "lang": "sw", "body": "Watoto wanacheza."}"#.into());
    let idx = index_of(&records.iter().map(String::as_str).collect::<Vec<_>>());
    let sw = ["--lang", "sw"];
    // Beside another word it is left out: the hits are that word's, and
    // the response says which word played no part.
    let resp = idx.query("Habari watoto habari", &sw);
    assert_eq!(doc_ids(&resp), ["children"]);
    assert_eq!(resp.total, 1);
    assert_eq!(resp.stop_words, ["habari"]);
    let text = idx.query_cmd("Habari watoto", &sw).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.lines()
            .last()
            .is_some_and(|l| l.ends_with("; left out as stop words: habari")),
        "{text}"
    );
    // Alone, it is what the query asks for (and nothing is left out).
    let alone = idx.query("habari", &sw);
    assert_eq!(alone.total, 1200);
    assert!(alone.stop_words.is_empty());
    // Every word kept: each `habari` item matches too.
    let all = query_with_env(
        &idx,
        "habari watoto",
        &sw,
        ("GAZETTE_COMMON_WORD_SHARE", "1"),
    );
    assert_eq!(all.total, 1201);
    assert_eq!(doc_ids(&all)[0], "children");
    assert!(all.stop_words.is_empty());
}

#[test]
fn a_word_is_common_by_its_own_languages_passages_only() {
    // 1,000 Lingala passages, all with `mbula` (rain), 100 of them naming
    // Kinshasa; 3,000 French passages naming Kinshasa. `kinshasa` is in
    // 3,100 passages, three times the Lingala ones, but in a tenth of
    // them: not a Lingala stop word. `mbula` is.
    let mut records: Vec<String> = (0..1000)
        .map(|i| {
            let place = if i < 100 { " na Kinshasa" } else { "" };
            let text = format!("Mbula ezali kobeta{place} {}.", own_word(i));
            format!(r#"{{"id": "ln{i}", "lang": "ln", "body": "{text}"}}"#)
        })
        .collect();
    records.extend((0..3000).map(|i| {
        let text = format!("La ville de Kinshasa {}.", own_word(i));
        format!(r#"{{"id": "fr{i}", "lang": "fr", "body": "{text}"}}"#)
    }));
    let idx = index_of(&records.iter().map(String::as_str).collect::<Vec<_>>());
    // In Lingala (`--lang` also keeps the hits to it): `mbula` is left
    // out and the hits are the 100 naming Kinshasa. Had `kinshasa` been
    // counted as common too, the query would be two stop words, both
    // kept, and match all 1,000.
    let resp = idx.query("mbula kinshasa", &["--lang", "ln", "--no-highlights"]);
    assert_eq!(resp.total, 100);
    let resp = idx.query("mbula", &["--lang", "ln", "--no-highlights"]);
    assert_eq!(resp.total, 1000);
}

#[test]
fn common_grams_are_counted_over_every_index_searched() {
    // Two indexes of 650 Swahili passages each, 150 of them `habari`
    // (news): in one index 150 of its passages are fewer than a fifth of
    // the 1,000 a language counts at least; in both, 300 of 1,300 are more.
    // Searched as one, the indexes leave the grams of `habari` out, as
    // one index holding everything would, and so do their facet counts.
    let half = |from: usize| -> Vec<String> {
        let mut out: Vec<String> = (from..from + 650)
            .map(|i| {
                let text = match i % 650 < 150 {
                    true => format!("Habari za leo: {}.", own_word(i)),
                    false => format!("Leo ni siku ya {}.", own_word(i)),
                };
                format!(r#"{{"id": "n{i}", "lang": "sw", "body": "{text}"}}"#)
            })
            .collect();
        if from == 0 {
            out.push(
                r#"{"id": "children", "lang": "sw", "body": "Watoto wanacheza mpira."}"#.into(),
            );
        }
        out
    };
    let (a, b) = (half(0), half(650));
    let a_idx = index_of(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let b_idx = index_of(&b.iter().map(String::as_str).collect::<Vec<_>>());
    let sw = ["--lang", "sw", "--no-highlights"];
    // One index alone: `habari`'s grams are not common there.
    assert_eq!(a_idx.query("bari", &sw).total, 150);
    // Both as one: they are, and `bari` matches nothing by them.
    let both = |query: &str, extra: &[&str]| -> gazette::search::Response {
        let out = crate::common::gazette()
            .arg("--index")
            .arg(a_idx.path())
            .arg("--index")
            .arg(b_idx.path())
            .args(["query", query, "--format", "json"])
            .args(sw)
            .args(extra)
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    assert_eq!(both("bari", &[]).total, 0);
    let resp = both("mtoto bari", &["--facets", "lang"]);
    assert_eq!(doc_ids(&resp), ["children"]);
    assert_eq!(resp.total, 1);
    let facets = resp.facets.expect("facets");
    assert_eq!(facets.lang.expect("lang counts").get("sw"), Some(&1));
}

#[test]
fn a_language_without_a_stemmer_matches_by_trigrams() {
    // Swahili has no stemmer: `mtoto` (a child) and `watoto` (children)
    // differ in their noun-class prefix; their trigrams `tot`, `oto` meet.
    let idx = index_of(&[
        r#"{"id": "children", "lang": "sw", "body": "Watoto wanacheza mpira uwanjani."}"#,
        r#"{"id": "budget", "lang": "sw", "body": "Serikali imetangaza bajeti mpya ya mwaka."}"#,
        r#"{"id": "english", "lang": "en", "body": "Watoto is not an English word, photo is."}"#,
    ]);
    let resp = idx.query("mtoto", &["--lang", "sw"]);
    assert_eq!(doc_ids(&resp), ["children"]);
    // The word that matched by its trigrams is highlighted.
    assert_eq!(crate::common::marked(&resp.hits[0]), ["Watoto"]);
    // The word itself ranks above its trigrams alone, in its language.
    let resp = idx.query("watoto mtoto", &["--lang", "sw"]);
    assert_eq!(doc_ids(&resp), ["children"]);
    assert_eq!(crate::common::marked(&resp.hits[0]), ["Watoto"]);
    // English has no trigrams: `photo` does not find `watoto`.
    let resp = idx.query("photo", &["--lang", "en"]);
    assert_eq!(doc_ids(&resp), ["english"]);
}

#[test]
fn a_latin_name_in_thai_text_weighs_as_its_trigrams() {
    // Thai text is cut into character trigrams: `ต้องการ` (to want) is five
    // terms. The Latin name beside it is a word, and its trigrams too, so
    // that it weighs as much as a Thai word of its length: the record that
    // names the pitcher comes before the one that only wants something.
    let idx = index_of(&[
        r#"{"id": "wants", "lang": "th", "body": "ทุกคนต้องการฝนในฤดูร้อน"}"#,
        r#"{"id": "pitcher", "lang": "th", "body": "Scherzer ขว้างลูกได้ดีเมื่อคืนนี้"}"#,
    ]);
    let resp = idx.query("Scherzer ต้องการ", &["--lang", "th"]);
    assert_eq!(doc_ids(&resp), ["pitcher", "wants"]);
    assert_eq!(crate::common::marked(&resp.hits[0]), ["Scherzer"]);
    // Its trigrams match another form of the name, and highlight it.
    let resp = idx.query("Scherzers", &["--lang", "th"]);
    assert_eq!(doc_ids(&resp), ["pitcher"]);
    assert_eq!(crate::common::marked(&resp.hits[0]), ["Scherzer"]);
}

#[test]
fn thai_records_do_not_change_how_other_queries_are_read() {
    // An index of German and Thai reads a query without Thai letters as
    // an index of German alone does: German, with its stems and
    // trigrams (Thai has grams of its own, for its foreign words, but a
    // Latin query is never Thai).
    let records = [
        r#"{"id": "de1", "lang": "de", "body": "Die Bundestagsabgeordneten stimmten gestern über den Haushalt ab."}"#,
        r#"{"id": "de2", "lang": "de", "body": "Der Bundestag tagte am Morgen."}"#,
    ];
    let thai = r#"{"id": "th1", "lang": "th", "body": "ทีม Scherzer ชนะเมื่อคืนนี้"}"#;
    let german = index_of(&records);
    let both = index_of(&[records[0], records[1], thai]);
    for q in ["Bundestagsabgeordnete", "Bundestages", "Haushalts"] {
        let alone = german.query(q, &[]);
        let with_thai = both.query(q, &[]);
        // (The scores differ: a third record changes the statistics.)
        assert_eq!(doc_ids(&with_thai), doc_ids(&alone), "{q}");
        assert_eq!(with_thai.query_lang, alone.query_lang, "{q}");
        assert!(!alone.hits.is_empty(), "{q}");
    }
    // A Thai query is read as Thai.
    let resp = both.query("Scherzer ชนะ", &[]);
    assert_eq!(doc_ids(&resp), ["th1"]);
    assert_eq!(
        resp.query_lang.as_ref().map(|q| q.lang.as_str()),
        Some("th")
    );
}

#[test]
fn korean_words_match_and_highlight_by_their_syllable_bigrams() {
    // `정부` (government) with its particles: `정부가`, `정부는`; and in
    // `행정부` (the executive). Korean words index syllable bigrams.
    let idx = index_of(&[
        r#"{"id": "gov", "lang": "ko", "body": "정부가 새 예산을 발표했다."}"#,
        r#"{"id": "busan", "lang": "ko", "body": "부산에서 축제가 열렸다."}"#,
    ]);
    let resp = idx.query("정부는", &["--lang", "ko"]);
    assert_eq!(doc_ids(&resp), ["gov"]);
    let hit = &resp.hits[0];
    assert_eq!(crate::common::marked(hit), ["정부가"]);
    let h = &hit.passage.highlights[0];
    assert_eq!((h.start, h.end, h.char_start, h.char_end), (0, 9, 0, 3));
}

#[test]
fn stop_words_are_left_out_of_queries_with_other_words() {
    let idx = index_of(&[
        r#"{"id": "the", "lang": "en", "title": "Chamber", "body": "The chamber and the hall of the house."}"#,
        r#"{"id": "quorum", "lang": "en", "title": "Vote", "body": "Quorum vote."}"#,
    ]);
    let docs = |q: &str| doc_ids(&idx.query(q, &[]));
    // "the" and "of" are English stop words: left out beside "quorum".
    assert_eq!(docs("the quorum of"), ["quorum"]);
    // Kept when the query has nothing else, when required, and in phrases.
    assert_eq!(docs("the of"), ["the"]);
    assert_eq!(docs("+the quorum"), ["the"]);
    assert_eq!(docs("\"the hall\" quorum"), ["the", "quorum"]);
    // And when the other words only exclude.
    assert_eq!(docs("of -title:vote"), ["the"]);
    assert_eq!(docs("of -kind:tweet"), ["the"]);
}

#[test]
fn vietnamese_marks_rank_the_word_asked_for_first() {
    let idx = index_of(&[
        r#"{"id": "ma", "lang": "vi", "title": "Một", "body": "Con ma trong nhà."}"#,
        r#"{"id": "mother", "lang": "vi", "title": "Hai", "body": "Má tôi ở nhà."}"#,
    ]);
    let docs = |q: &str| doc_ids(&idx.query(q, &[]));
    // Both match without marks (folded), the one with the marks asked for first.
    assert_eq!(docs("má"), ["mother", "ma"]);
    assert_eq!(docs("ma"), ["ma", "mother"]);
    let resp = idx.query("má", &[]);
    assert_eq!(crate::common::marked(&resp.hits[0]), ["Má"]);
    assert_eq!(crate::common::marked(&resp.hits[1]), ["ma"]);
}
