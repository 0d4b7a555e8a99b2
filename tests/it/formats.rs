//! The readers of other formats, run through the real binary on the
//! fixtures in `tests/fixtures/formats/` (see its README for the public
//! documentation each one follows): API tweets (v1.1, v2 pages, v2
//! flattened), CSV/TSV, RSS/Atom/JSON Feed and HTML pages — the passages,
//! kinds, authors and dates they index, and their malformed inputs.

use std::path::PathBuf;

use gazette::index::build::PassageView;
use gazette::model::Kind;
use gazette::search::Hit;

use crate::indexing::{Ix, Run};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

/// The passages `gazette passages` prints for `args`, and the run.
fn passages(ix: &Ix, args: &[&str]) -> (Vec<PassageView>, Run) {
    let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"passages"];
    for a in args {
        all.push(a);
    }
    let run = ix.run(&all);
    let views = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (views, run)
}

/// (text, kind) of each passage of document `doc`, in order.
fn texts_of(views: &[PassageView], doc: &str) -> Vec<(String, Kind)> {
    views
        .iter()
        .filter(|v| v.doc_id == doc)
        .map(|v| (v.text.clone(), v.kind))
        .collect()
}

/// Every hit of document `id` (all its passages), in passage order.
#[track_caller]
fn doc_hits(ix: &Ix, id: &str) -> Vec<Hit> {
    let mut hits = ix.query(&format!("id:\"{id}\"")).hits;
    hits.sort_by_key(|h| h.passage.offset.start);
    assert!(!hits.is_empty(), "no passage of {id}");
    hits
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

const ORIGINAL: &str = "1214571003281420288";
const ORIGINAL_TEXT: &str = "Diputados llegan al Palacio Federal Legislativo & la Guardia Nacional bloquea el paso #7Ene @ana_ejemplo https://radio.example.org/noticias/asamblea-7-enero pic.twitter.com/PhOtO12345";

#[test]
fn v1_tweets_index_with_their_author_handle_date_and_entities() {
    let ix = Ix::new();
    let s = ix.index_ok(&[&fixture("tweets-v1.jsonl")]);
    // Five lines: the retweet (first) and its original (third) are one
    // document, indexed once.
    assert_eq!((s.added, s.unchanged, s.passages), (4, 1, 5));
    assert_eq!(ix.stats().documents, 4);

    let hits = doc_hits(&ix, ORIGINAL);
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    assert_eq!(h.passage.text, ORIGINAL_TEXT);
    assert_eq!(h.passage.kind, Kind::Tweet);
    assert_eq!(h.passage.lang, "es");
    assert_eq!(h.doc.kind, Kind::Tweet);
    assert_eq!(h.doc.date.as_deref(), Some("2020-01-07"));
    assert_eq!(
        h.doc.url.as_deref(),
        Some("https://twitter.com/RadioEjemplo/status/1214571003281420288")
    );
    let t = h.tweet.as_ref().expect("tweet metadata");
    assert_eq!(t.author.as_deref(), Some("Radio Ejemplo"));
    assert_eq!(t.handle.as_deref(), Some("RadioEjemplo"));
    assert_eq!(t.date.map(|d| d.to_string()).as_deref(), Some("2020-01-07"));
    assert_eq!(t.hashtags, strings(&["7Ene"]));
    assert_eq!(t.mentions, strings(&["ana_ejemplo"]));
    assert_eq!(
        t.links,
        strings(&[
            "https://radio.example.org/noticias/asamblea-7-enero",
            "pic.twitter.com/PhOtO12345"
        ])
    );
    // The retweet is not a document of its own.
    assert!(ix.query("id:1214585000000000000").hits.is_empty());
    // Found by hashtag and mention as quoted tweets are.
    assert!(ix.doc_ids("@ana_ejemplo").contains(&ORIGINAL.to_string()));
    assert!(ix.doc_ids("#7Ene").contains(&ORIGINAL.to_string()));
}

#[test]
fn a_v1_quote_tweet_holds_its_quoted_tweet_as_a_passage() {
    let ix = Ix::new();
    ix.index_ok(&[&fixture("tweets-v1.jsonl")]);
    let hits = doc_hits(&ix, "1214800000000000002");
    let got: Vec<(&str, Option<&str>)> = hits
        .iter()
        .map(|h| {
            (
                h.passage.text.as_str(),
                h.tweet.as_ref().and_then(|t| t.handle.as_deref()),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "Así quedó la entrada esta tarde, según @RadioEjemplo https://twitter.com/RadioEjemplo/status/1214571003281420288",
                Some("ana_ejemplo")
            ),
            (ORIGINAL_TEXT, Some("RadioEjemplo")),
        ]
    );
    assert!(hits.iter().all(|h| h.passage.kind == Kind::Tweet));
    // 23:30 at -05:00 is the next day in UTC.
    assert_eq!(hits[0].doc.date.as_deref(), Some("2020-01-08"));
    let quoted = hits[1].tweet.as_ref().unwrap();
    assert_eq!(
        quoted.date.map(|d| d.to_string()).as_deref(),
        Some("2020-01-07")
    );
}

#[test]
fn a_truncated_v1_tweet_is_read_from_extended_tweet_and_und_is_detected() {
    let ix = Ix::new();
    ix.index_ok(&[&fixture("tweets-v1.jsonl")]);
    let h = &doc_hits(&ix, "1214743000000000001")[0];
    assert_eq!(
        h.passage.text,
        "Timeline of the sitting at the National Assembly in Caracas: members of parliament waited outside for hours while the session opened without them. Full thread below #Venezuela https://observatorio.example.net/asamblea/cronologia"
    );
    let t = h.tweet.as_ref().unwrap();
    assert_eq!(t.hashtags, strings(&["Venezuela"]));
    assert_eq!(t.handle.as_deref(), Some("ObsEjemplo"));
    assert_eq!(h.doc.lang, "en");
    // `und` from the API: the language is detected.
    let h = &doc_hits(&ix, "1214860000000000003")[0];
    assert_eq!(h.doc.lang, "es");
    assert_eq!(
        h.tweet.as_ref().unwrap().links,
        strings(&["pic.twitter.com/MeDiA00003"])
    );
}

#[test]
fn a_retweet_and_its_original_are_one_document_in_any_order_and_run() {
    let lines: Vec<String> = std::fs::read_to_string(fixture("tweets-v1.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let (retweet, original) = (&lines[0], &lines[2]);
    // Original first, then the retweet, in one run.
    let ix = Ix::new();
    let f = ix.write("a.jsonl", format!("{original}\n{retweet}\n"));
    let s = ix.index_ok(&[&f]);
    assert_eq!((s.added, s.unchanged), (1, 1));
    // The retweet alone, then the original in a later run.
    let ix = Ix::new();
    let rt = ix.write("rt.jsonl", format!("{retweet}\n"));
    let or = ix.write("or.jsonl", format!("{original}\n"));
    assert_eq!(ix.index_ok(&[&rt]).added, 1);
    let s = ix.index_ok(&[&or]);
    assert_eq!((s.added, s.updated, s.unchanged), (0, 0, 1));
    assert_eq!(ix.stats().documents, 1);
}

#[test]
fn v2_pages_and_flattened_tweets_resolve_authors_retweets_and_quotes() {
    let ix = Ix::new();
    let s = ix.index_ok(&[
        &fixture("tweets-v2-page.jsonl"),
        &fixture("tweets-v2-flat.jsonl"),
    ]);
    // Page: retweet (→ 010), quote, 010 itself; flattened: retweet (→ 010),
    // a long tweet.
    assert_eq!((s.added, s.unchanged), (3, 2));
    let orig = &doc_hits(&ix, "1215000000000000010")[0];
    assert_eq!(
        orig.passage.text,
        "La sesión de la Asamblea Nacional se instala en la sede de El Nacional con 100 diputados #8Ene"
    );
    let t = orig.tweet.as_ref().unwrap();
    assert_eq!(t.author.as_deref(), Some("Diario Modelo"));
    assert_eq!(t.handle.as_deref(), Some("DiarioModelo"));
    assert_eq!(t.date.map(|d| d.to_string()).as_deref(), Some("2020-01-08"));
    assert_eq!(t.hashtags, strings(&["8Ene"]));

    let quote = doc_hits(&ix, "1215000000000000012");
    let got: Vec<(&str, Option<&str>)> = quote
        .iter()
        .map(|h| {
            (
                h.passage.text.as_str(),
                h.tweet.as_ref().and_then(|t| t.handle.as_deref()),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "Cobertura completa aquí https://diario.example.com/politica/sesion-8-enero",
                Some("luis_modelo")
            ),
            (orig.passage.text.as_str(), Some("DiarioModelo")),
        ]
    );
    assert_eq!(quote[0].doc.date.as_deref(), Some("2020-01-09"));

    // A long v2 tweet: `note_tweet.text`, the API's escapes undone.
    let long = &doc_hits(&ix, "1215000000000000014")[0];
    assert_eq!(
        long.passage.text,
        "Los diputados votaron de pie, uno por uno, en la sala de redacción del diario 😀 <en vivo> #8Ene"
    );
    assert_eq!(
        long.tweet.as_ref().unwrap().author.as_deref(),
        Some("Diario Modelo")
    );
    for rt in ["1215000000000000011", "1215000000000000013"] {
        assert!(ix.query(&format!("id:{rt}")).hits.is_empty(), "{rt}");
    }
}

#[test]
fn a_truncated_tweet_line_is_reported_and_the_rest_indexed() {
    let ix = Ix::new();
    let lines: Vec<String> = std::fs::read_to_string(fixture("tweets-v1.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let cut = &lines[1][..lines[1].len() / 2];
    let f = ix.write("t.jsonl", format!("{}\n{cut}\n{}\n", lines[3], lines[4]));
    let run = ix.index(&[&f]);
    run.expect_code(3);
    let s = run.summary();
    assert_eq!(s.added, 2);
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].line, 2);
    assert!(
        s.errors[0].message.starts_with("malformed JSON"),
        "{:?}",
        s.errors
    );
    assert!(
        run.stderr
            .contains(&format!("{}:2: malformed JSON", f.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn csv_rows_are_articles_with_mapped_columns_and_dates() {
    let ix = Ix::new();
    let (views, run) = passages(&ix, &[fixture("articles.csv").to_str().unwrap()]);
    run.expect_code(0);
    assert_eq!(
        texts_of(&views, "csv-1"),
        [
            (
                "Members of the National Assembly met in a newspaper's offices on Tuesday.".into(),
                Kind::Article
            ),
            (
                "The session elected a new board with 100 votes, the organisers said.".into(),
                Kind::Article
            ),
        ]
    );
    assert_eq!(
        texts_of(&views, "csv-3"),
        [(
            "Le communiqué a été lu devant la presse, dit-il \"sans délai\".".into(),
            Kind::Article
        )]
    );
    ix.index_ok(&[&fixture("articles.csv")]);
    let h = &doc_hits(&ix, "csv-1")[0];
    assert_eq!(h.doc.title.as_deref(), Some("Assembly session moved"));
    // 21:15 at -05:00 is the next day in UTC.
    assert_eq!(h.doc.date.as_deref(), Some("2020-01-08"));
    assert_eq!(
        h.doc.url.as_deref(),
        Some("https://news.example.org/assembly-session")
    );
    assert_eq!(h.doc.source.as_deref(), Some("Example News"));
    assert_eq!(h.doc.lang, "en");
    let h = &doc_hits(&ix, "csv-2")[0];
    assert_eq!(
        h.doc.title.as_deref(),
        Some("Guardia bloquea el acceso, otra vez")
    );
    assert_eq!(h.doc.date.as_deref(), Some("2020-01-07"));
    let h = &doc_hits(&ix, "csv-3")[0];
    assert_eq!(h.doc.date.as_deref(), Some("2020-01-07"));
    assert_eq!(
        (h.doc.source.as_deref(), h.doc.url.as_deref()),
        (None, None)
    );
    // The byline is the author filter's.
    let by = ix.run(&[
        &"query",
        &"assembly",
        &"--author",
        &"Maria Example",
        &"--format",
        &"json",
    ]);
    by.expect_code(0);
}

#[test]
fn tsv_columns_are_named_with_map() {
    let ix = Ix::new();
    let tsv = fixture("stories.tsv");
    // Without --map the file has no text column.
    let run = ix.index(&[&tsv]);
    run.expect_code(3);
    assert!(
        run.summary().errors[0]
            .message
            .starts_with("no text column")
    );
    let s = ix.index_ok(&[
        &tsv,
        &"--map",
        &"id=story_id,body=story",
        &"--map",
        &"date=day,source=paper",
    ]);
    assert_eq!(s.added, 2);
    let h = &doc_hits(&ix, "t-1")[0];
    assert_eq!(
        h.passage.text,
        "The opposition leader took the oath in the offices of a daily newspaper."
    );
    assert_eq!(h.doc.date.as_deref(), Some("2020-01-08"));
    assert_eq!(h.doc.source.as_deref(), Some("The Example Post"));
    assert_eq!(
        doc_hits(&ix, "t-2")[0].doc.date.as_deref(),
        Some("2020-01-09")
    );
    // A --map of an unknown field is a usage error.
    ix.run(&[&"index", &tsv, &"--map", &"colour=paper"])
        .expect_code(2);
}

#[test]
fn a_bad_csv_row_names_its_line_and_the_others_are_indexed() {
    let ix = Ix::new();
    let f = ix.write(
        "bad.csv",
        "id,title,body\n\
         ok-1,One,\"First body,\nwith a line break.\"\n\
         bad-1,Two,body,extra\n\
         ok-2,Three,Third body.\n\
         bad-2,,\"\"\n\
         ok-3,Five,Fifth body.\n",
    );
    let run = ix.index(&[&f]);
    run.expect_code(3);
    let s = run.summary();
    assert_eq!(s.added, 3);
    let errs: Vec<(u64, &str)> = s
        .errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    assert_eq!(
        errs,
        [
            (4, "4 fields, the header has 3"),
            (6, "missing body (need a non-empty \"body\" or \"text\")")
        ]
    );
    assert!(
        run.stderr.contains(&format!("{}:4: 4 fields", f.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn rss_items_are_articles_with_html_turned_into_paragraphs() {
    let ix = Ix::new();
    let feed = fixture("feed-rss.xml");
    let (views, run) = passages(&ix, &[feed.to_str().unwrap()]);
    run.expect_code(0);
    let first = "https://wire.example.com/2020/01/07/parliament";
    let second = "https://wire.example.com/2020/01/08/ministers";
    assert_eq!(
        texts_of(&views, first),
        [
            (
                "Lawmakers met in the offices of a newspaper after troops blocked the entrance."
                    .into(),
                Kind::Article
            ),
            (
                "The vote was held by a show of hands & counted twice.".into(),
                Kind::Article
            ),
        ]
    );
    // Two short sentences (HTML <p>s): a passage each.
    assert_eq!(
        texts_of(&views, second),
        [
            (
                "Several foreign ministers welcomed the outcome.".into(),
                Kind::Article
            ),
            ("Others called for talks.".into(), Kind::Article)
        ]
    );
    ix.index_ok(&[&feed]);
    let h = &doc_hits(&ix, first)[0];
    assert_eq!(
        h.doc.title.as_deref(),
        Some("Parliament meets outside its building")
    );
    // Tue 23:40 at -05:00 is Wednesday in UTC.
    assert_eq!(h.doc.date.as_deref(), Some("2020-01-08"));
    assert_eq!(h.doc.url.as_deref(), Some(first));
    assert_eq!(h.doc.source.as_deref(), Some("Example Wire"));
    assert_eq!(h.doc.lang, "en");
}

#[test]
fn atom_and_json_feed_items_keep_dates_languages_and_embedded_tweets() {
    let ix = Ix::new();
    let s = ix.index_ok(&[&fixture("feed-atom.atom"), &fixture("feed.json")]);
    assert_eq!(s.added, 3);
    let atom = doc_hits(&ix, "https://boletin.example.es/sesion");
    let got: Vec<(&str, Kind)> = atom
        .iter()
        .map(|h| (h.passage.text.as_str(), h.passage.kind))
        .collect();
    assert_eq!(
        got,
        [
            (
                "Los diputados sesionaron en la redacción de un periódico.",
                Kind::Article
            ),
            ("Ya empezó la sesión #7Ene", Kind::Tweet),
        ]
    );
    let t = atom[1].tweet.as_ref().unwrap();
    assert_eq!(t.handle.as_deref(), Some("RadioEjemplo"));
    assert_eq!(t.author.as_deref(), Some("Radio Ejemplo"));
    assert_eq!(t.date.map(|d| d.to_string()).as_deref(), Some("2020-01-07"));
    assert_eq!(t.hashtags, strings(&["7Ene"]));
    // 01:30 at +02:00 is the day before in UTC.
    assert_eq!(atom[0].doc.date.as_deref(), Some("2020-01-07"));
    assert_eq!(atom[0].doc.lang, "es");
    assert_eq!(atom[0].doc.source.as_deref(), Some("Boletín Ejemplo"));

    let json = &doc_hits(&ix, "https://notes.example.net/2020/abstimmung")[0];
    assert_eq!(
        json.passage.text,
        "Die Abgeordneten stimmten in den Räumen einer Zeitung ab."
    );
    assert_eq!(
        json.doc.title.as_deref(),
        Some("Abstimmung in einer Zeitungsredaktion")
    );
    assert_eq!(json.doc.date.as_deref(), Some("2020-01-08"));
    assert_eq!(json.doc.lang, "de");
    let note = &doc_hits(&ix, "note-2")[0];
    assert_eq!(
        note.passage.text,
        "Kurze Notiz ohne Titel über die Sitzung."
    );
    assert_eq!(note.doc.date.as_deref(), Some("2020-01-09"));
}

#[test]
fn a_feed_that_is_not_xml_is_reported() {
    let ix = Ix::new();
    let bad = ix.write("broken.rss", "this is not XML at all {\n");
    let run = ix.index(&[&bad, &fixture("feed-rss.xml")]);
    run.expect_code(3);
    let s = run.summary();
    assert_eq!(s.added, 2);
    assert_eq!(s.errors.len(), 1);
    assert!(
        s.errors[0].message.starts_with("not a feed"),
        "{:?}",
        s.errors
    );
}

#[test]
fn a_bad_feed_item_is_reported_at_its_line_and_the_others_indexed() {
    let ix = Ix::new();
    let feed = ix.write(
        "news.rss",
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>\n<title>Wire</title>\n\
         <!-- <item>a comment, not an item</item> -->\n\
         <item><title>First</title><link>https://w.example/1</link>\n\
         <description>Parliament met.</description></item>\n\
         <item><link>https://w.example/2</link></item>\n\
         <item><title>Third</title><link>https://w.example/3</link>\n\
         <description><![CDATA[<p>Vote <item>held</item>.</p>]]></description></item>\n\
         </channel></rss>\n",
    );
    let run = ix.index(&[&feed]);
    run.expect_code(3);
    let s = run.summary();
    assert_eq!(s.added, 2);
    assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
    assert_eq!(s.errors[0].line, 7, "{:?}", s.errors);
    assert_eq!(
        s.errors[0].message,
        "item 2: no title, content or description"
    );
    assert!(
        run.stderr.contains("news.rss:7: item 2: no title"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_html_page_keeps_its_main_text_metadata_and_embedded_tweets() {
    let ix = Ix::new();
    let page = fixture("page.html");
    let url = "https://diario.example.com/politica/asamblea-sesiona";
    let (views, run) = passages(&ix, &[page.to_str().unwrap()]);
    run.expect_code(0);
    let got = texts_of(&views, url);
    let want: Vec<(String, Kind)> = vec![
        // The byline, a short paragraph, leads into the first paragraph.
        ("Por Carmen Ejemplo\n\nLos diputados de la Asamblea Nacional se reunieron este martes en la sede de un periódico de Caracas, después de que efectivos de la Guardia Nacional les impidieran entrar al Palacio Federal Legislativo durante toda la mañana.".into(), Kind::Article),
        ("La sesión comenzó pasadas las tres de la tarde. Los parlamentarios votaron de pie, uno por uno, y el conteo fue leído en voz alta ante la prensa nacional e internacional que cubría la jornada.".into(), Kind::Article),
        ("Diputados sesionan en la redacción del diario #7Ene pic.twitter.com/PhOtO12345".into(), Kind::Tweet),
        ("Al cierre de la sesión, la directiva electa anunció que volvería a intentar entrar al Palacio Federal Legislativo al día siguiente, acompañada por diplomáticos de varios países que habían seguido la votación.".into(), Kind::Article),
    ];
    // Navigation, cookie banner, related links and footer are left out
    // (a heading kept by the extractor may come first).
    let body: Vec<(String, Kind)> = got
        .iter()
        .skip_while(|(t, _)| !t.starts_with("Por Carmen"))
        .cloned()
        .collect();
    assert_eq!(body, want);
    for junk in ["cookies", "Portada", "béisbol", "derechos reservados"] {
        assert!(
            !got.iter().any(|(t, _)| t.contains(junk)),
            "{junk} in {got:#?}"
        );
    }
    ix.index_ok(&[&page]);
    let hits = doc_hits(&ix, url);
    let h = &hits[0];
    assert_eq!(
        h.doc.title.as_deref(),
        Some("La Asamblea sesiona en la sede de un diario")
    );
    // 22:10 at -04:00 is the next day in UTC.
    assert_eq!(h.doc.date.as_deref(), Some("2020-01-08"));
    assert_eq!(h.doc.url.as_deref(), Some(url));
    assert_eq!(h.doc.lang, "es");
    let tweet = hits.iter().find(|h| h.passage.kind == Kind::Tweet).unwrap();
    let t = tweet.tweet.as_ref().unwrap();
    assert_eq!(t.handle.as_deref(), Some("RadioEjemplo"));
    assert_eq!(t.author.as_deref(), Some("Radio Ejemplo"));
    assert_eq!(t.date.map(|d| d.to_string()).as_deref(), Some("2020-01-07"));
    assert_eq!(t.hashtags, strings(&["7Ene"]));
    assert_eq!(t.links, strings(&["pic.twitter.com/PhOtO12345"]));
}

#[test]
fn an_html_page_takes_its_date_and_url_from_json_ld() {
    let ix = Ix::new();
    ix.index_ok(&[&fixture("page-jsonld.htm")]);
    let hits = doc_hits(&ix, "https://post.example.com/world/joint-statement");
    assert_eq!(hits.len(), 3);
    assert!(
        hits[0]
            .passage
            .text
            .starts_with("Foreign ministers from eleven countries")
    );
    // 03:00 at +05:30 is the day before in UTC.
    assert_eq!(hits[0].doc.date.as_deref(), Some("2020-01-08"));
    assert_eq!(hits[0].doc.lang, "en");
    assert!(ix.query("Copyright").hits.is_empty());
}

#[test]
fn an_html_page_without_an_article_is_reported() {
    let ix = Ix::new();
    let empty = ix.write(
        "empty.html",
        "<!doctype html><html><head><title>Menu</title></head><body><nav><a href=\"/\">Home</a></nav></body></html>\n",
    );
    let run = ix.index(&[&empty, &fixture("page-jsonld.htm")]);
    run.expect_code(3);
    let s = run.summary();
    assert_eq!(s.added, 1);
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].message, "no article text found in the page");
    assert!(
        run.stderr
            .contains(&format!("{}:0: no article", empty.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn formats_are_found_by_content_and_forced_by_input_format() {
    let ix = Ix::new();
    // Standard input: a feed, a page and API tweets are told by content.
    for (file, want) in [
        (
            "feed-rss.xml",
            "https://wire.example.com/2020/01/07/parliament",
        ),
        (
            "page.html",
            "https://diario.example.com/politica/asamblea-sesiona",
        ),
        ("tweets-v2-page.jsonl", "1215000000000000012"),
    ] {
        let out = crate::common::gazette()
            .args(["passages", "-"])
            .pipe_stdin(fixture(file))
            .unwrap()
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!("\"doc_id\":\"{want}\"")),
            "{file}: {text}"
        );
    }
    // A CSV file under another name, read as CSV when told.
    let csv = std::fs::read_to_string(fixture("articles.csv")).unwrap();
    let f = ix.write("articles.txt", csv);
    let (views, run) = passages(&ix, &[f.to_str().unwrap(), "--input-format", "csv"]);
    run.expect_code(0);
    assert_eq!(
        views
            .iter()
            .map(|v| v.doc_id.as_str())
            .collect::<std::collections::BTreeSet<_>>(),
        ["csv-1", "csv-2", "csv-3"].into_iter().collect()
    );
    // API tweets forced to gazette's schema have no body.
    let (_, run) = passages(
        &ix,
        &[
            fixture("tweets-v1.jsonl").to_str().unwrap(),
            "--input-format",
            "gazette",
        ],
    );
    run.expect_code(3);
    assert!(run.stderr.contains("missing body"), "{}", run.stderr);
}
