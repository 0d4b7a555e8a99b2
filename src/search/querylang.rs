//! A query's language among the index's own, by the index's own grams.
//!
//! whatlang names a query's language when it knows the language; most of
//! the languages of African news (Hausa, Xhosa, Shona, Somali, Oromo,
//! Luganda, Igbo …) it does not know, and a query in one of them is then
//! searched with the stems of every language of the index and none of the
//! character grams that match its words across their affixes. The index
//! knows those languages, though: each passage of a gram language holds its
//! words' grams tagged with the language (`xh#nge`). [`by_grams`] scores
//! each gram language of the index by how usual the query's grams are among
//! its passages (a naive Bayes over passage frequencies: the mean of
//! ln((df + 0.5) / (passages + 1)) over the grams), and names the best one
//! when it is ahead of the next, its passages hold nearly all of the
//! query's grams, and no language
//! without grams (English, French …) has the query's words as stems as
//! often.

use tantivy::{Searcher, Term};

use crate::analysis::{
    Analyzer, GRAM_SEP, SCRIPT_TRIGRAM_LANGUAGES, WordKind, gram_size, tokenizer,
};
use crate::schema::Fields;
use crate::search::terms;

/// Fewest distinct grams a query needs to be identified by them. The
/// first two words of each ir-news-headlines headline as queries, one
/// index with `lang` / without: nDCG@10 0.4668 / 0.4621 with 8, 0.4691 /
/// 0.4637 with 6, 0.4701 / 0.4644 with 4; three words and whole
/// headlines, and XQuAD-R, the same within 0.0007.
const MIN_GRAMS: usize = 6;

/// Grams every language is first scored on (about this many, evenly
/// spread).
const SAMPLE_GRAMS: usize = 8;

/// Most grams (and words) a language is scored on, evenly spread over
/// the query's: a pasted article asks no more of the dictionaries than a
/// headline (whose grams are fewer: ir-news-headlines does not move).
const MAX_GRAMS: usize = 64;

/// Languages scored on all of the query's grams: the best on the sample
/// (one index of ir-news-headlines: 0.8862 / 0.8864 / 0.8866 nDCG@10 with
/// 1 / 3 / all, for a tenth of the lookups of all).
const SHORTLIST: usize = 3;

/// Lead of the named language over the next, in mean ln probability per
/// gram (its grams about 1.28 times as frequent). One index of
/// ir-news-headlines, records with `lang` / without, nDCG@10: no lead
/// 0.8866 / 0.8656, 0.25: 0.8863 / 0.8683, 0.5: 0.8858 / 0.8684, 1.0:
/// 0.8836 / 0.8684. Without `lang` the index's languages are whatlang's
/// guesses (one Hausa record Javanese, the next Tagalog), and a close
/// call names one guess whose grams leave the others' records out.
const MIN_MARGIN: f64 = 0.25;

/// Share of the query's grams the named language's passages must hold
/// (on ir-news-headlines any share from 0.6 to 0.9 names the same
/// languages: the comparison with the languages without grams decides).
const MIN_COVERAGE: f64 = 0.8;

/// The gram language of `candidates` whose passages (in `searchers`) make
/// the query's grams likeliest, when it holds nearly all of them and no
/// language of `candidates` without grams holds as large a share of the
/// query's words' stems; `None` otherwise, for a query of fewer than
/// [`MIN_GRAMS`] grams, or when a lookup fails.
pub(crate) fn by_grams(
    searchers: &[Searcher],
    fields: &Fields,
    query: &str,
    candidates: &[&'static str],
) -> Option<&'static str> {
    let words = words_of(query);
    let count = |term: &Term| terms::doc_freq_over(searchers, term);
    // Nothing to tell without words, nor without a gram language to name
    // (Thai's grams say nothing of a query's language, see below): no
    // dictionary is asked then.
    let scored_by_grams =
        |l: &&str| gram_size(l).is_some() && !SCRIPT_TRIGRAM_LANGUAGES.contains(l);
    if words.is_empty() || !candidates.iter().any(scored_by_grams) {
        return None;
    }
    // The languages without grams cannot be scored by grams; one whose
    // stems cover as large a share of the query's words as the named
    // language's passages hold of its grams (an English headline against
    // Nigerian Pidgin's grams) keeps the query unidentified. Their best
    // share is known first: when one holds every word (most queries in
    // English, Spanish, French …), no gram language can beat it, and not
    // one of the gram dictionaries is asked.
    let mut stems_share: f64 = 0.0;
    for &other in candidates.iter().filter(|l| gram_size(l).is_none()) {
        let Some(share) = share_as_stems(searchers, fields, &words, other).ok()? else {
            continue;
        };
        stems_share = stems_share.max(share);
        if stems_share >= 1.0 {
            return None;
        }
    }
    // The query's grams of each size, untagged, each once (a language's
    // terms are its tag and these).
    let mut sizes: Vec<(u8, Vec<String>)> = Vec::new();
    let mut langs: Vec<(&'static str, u8, u64)> = Vec::new();
    let mut held: Vec<(&'static str, u8, u64)> = Vec::new();
    for &lang in candidates {
        let Some(n) = gram_size(lang) else { continue };
        // Thai's grams are those of its foreign words (Latin names): they
        // say nothing of a query's language, which its script tells.
        if SCRIPT_TRIGRAM_LANGUAGES.contains(&lang) {
            continue;
        }
        let passages = count(&Term::from_field_text(fields.lang, lang)).ok()?;
        if passages > 0 {
            held.push((lang, n, passages));
        }
    }
    // A language of fewer passages says little about how frequent a gram
    // is, and the smoothing of a gram it lacks, (0 + 0.5) / (passages + 1),
    // favours it (with one passage, 1/4 for every gram: more than any real
    // language gives most grams): without `lang` an index holds a few
    // records whatlang called Esperanto, Estonian, Croatian …, and those
    // took the sample's shortlist from every query (ir-news-headlines, one
    // index, records without `lang`: 0.8757 → 0.8776 nDCG@10; with `lang`
    // no language is that small).
    let largest = held.iter().map(|l| l.2).max().unwrap_or(0);
    let floor = crate::analysis::lang::min_passages(largest);
    for (lang, n, passages) in held {
        if passages < floor {
            continue;
        }
        if !sizes.iter().any(|(m, _)| *m == n) {
            let analyzer = Analyzer::for_lang(Some(lang));
            let tag = lang.len() + GRAM_SEP.len_utf8();
            let mut grams: Vec<String> = (words.iter())
                .flat_map(|w| analyzer.trigram_terms(w))
                .map(|g| g[tag..].to_string())
                .collect();
            grams.sort_unstable();
            grams.dedup();
            sizes.push((n, grams));
        }
        langs.push((lang, n, passages));
    }
    // Each segment's gram dictionary, asked directly: the query's grams
    // in each language are mostly asked once (not through the per-thread
    // cache of terms, which they would only crowd).
    let mut dicts = Vec::new();
    for reader in searchers.iter().flat_map(|s| s.segment_readers()) {
        dicts.extend(terms::inverted(reader, fields.body_gram).ok()?);
    }
    let gram_df = |text: &str| -> Option<u64> {
        let mut n = 0;
        for dict in &dicts {
            n += dict
                .terms()
                .get(text.as_bytes())
                .ok()?
                .map_or(0, |i| u64::from(i.doc_freq));
        }
        Some(n)
    };
    // Mean log probability of `grams` in a language, and the share found.
    let score = |lang: &str, passages: u64, grams: &mut dyn Iterator<Item = &String>| {
        let (mut sum, mut found, mut n) = (0.0, 0usize, 0usize);
        let mut text = String::new();
        for g in grams {
            text.clear();
            text.push_str(lang);
            text.push(GRAM_SEP);
            text.push_str(g);
            let df = gram_df(&text)?;
            found += usize::from(df > 0);
            sum += ((df as f64 + 0.5) / (passages as f64 + 1.0)).ln();
            n += 1;
        }
        Some((sum / n as f64, found as f64 / n as f64))
    };
    // Every language on a sample of about SAMPLE_GRAMS grams, then the
    // SHORTLIST best on all of them (at most MAX_GRAMS).
    let mut sampled: Vec<(f64, usize)> = Vec::with_capacity(langs.len());
    for (i, &(lang, n, passages)) in langs.iter().enumerate() {
        let grams = &sizes.iter().find(|(m, _)| *m == n)?.1;
        if grams.len() < MIN_GRAMS {
            continue;
        }
        let step = (grams.len() / SAMPLE_GRAMS).max(1);
        sampled.push((score(lang, passages, &mut grams.iter().step_by(step))?.0, i));
    }
    sampled.sort_by(|a, b| b.0.total_cmp(&a.0));
    // (mean log probability, coverage, language).
    let mut scored: Vec<(f64, f64, &'static str)> = Vec::new();
    for &(_, i) in sampled.iter().take(SHORTLIST) {
        let (lang, n, passages) = langs[i];
        let grams = &sizes.iter().find(|(m, _)| *m == n)?.1;
        let step = grams.len().div_ceil(MAX_GRAMS);
        let (mean, coverage) = score(lang, passages, &mut grams.iter().step_by(step))?;
        scored.push((mean, coverage, lang));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (best, coverage, lang) = *scored.first()?;
    if coverage < MIN_COVERAGE || scored.get(1).is_some_and(|next| best - next.0 < MIN_MARGIN) {
        return None;
    }
    // A language without grams holds the query's words as often as the
    // named one holds its grams (asked above).
    if stems_share >= coverage {
        return None;
    }
    Some(lang)
}

/// The words of a query (not its numbers, links or tags).
fn words_of(query: &str) -> Vec<&str> {
    tokenizer::tokenize(query)
        .into_iter()
        .filter(|t| t.kind == WordKind::Word)
        .map(|t| &query[t.start..t.end])
        .collect()
}

/// Whether each of `words` (at most [`MAX_GRAMS`], evenly spread) that
/// `lang` stems has its stem in some passage, in order (lazily: a caller
/// may stop at the first miss).
fn stems_held<'a>(
    searchers: &'a [Searcher],
    fields: &'a Fields,
    words: &'a [&str],
    lang: &str,
) -> impl Iterator<Item = tantivy::Result<bool>> + 'a {
    let analyzer = Analyzer::for_lang(Some(lang));
    let step = words.len().div_ceil(MAX_GRAMS).max(1);
    (words.iter().step_by(step))
        .filter_map(move |w| analyzer.stem_term(w))
        .map(move |s| {
            Ok(terms::doc_freq_over(searchers, &Term::from_field_text(fields.body, &s))? > 0)
        })
}

/// The share of `words` (at most [`MAX_GRAMS`], evenly spread) whose stem
/// in `lang` some passage holds; `None` when `lang` stems none of them.
fn share_as_stems(
    searchers: &[Searcher],
    fields: &Fields,
    words: &[&str],
    lang: &str,
) -> tantivy::Result<Option<f64>> {
    let (mut stems, mut found) = (0usize, 0usize);
    for held in stems_held(searchers, fields, words, lang) {
        stems += 1;
        found += usize::from(held?);
    }
    Ok((stems > 0).then(|| found as f64 / stems as f64))
}

/// Whether `lang` is the one language of `langs` without grams whose
/// stems hold every word of `query` (at most [`MAX_GRAMS`] of them) in the
/// index's passages: what [`by_grams`] asks of the languages without
/// grams before it names a gram language. Two that both hold them (a
/// Spanish headline's words as Portuguese stems too) say nothing.
pub(crate) fn only_language_holding(
    searchers: &[Searcher],
    fields: &Fields,
    query: &str,
    lang: &str,
    langs: &[&'static str],
) -> bool {
    let words = words_of(query);
    // Every word, and at least one stem; a language stops being asked at
    // its first miss (most others miss at once).
    let holds = |l: &str| {
        let mut stems = 0;
        for held in stems_held(searchers, fields, &words, l) {
            match held {
                Ok(true) => stems += 1,
                _ => return false,
            }
        }
        stems > 0
    };
    holds(lang)
        && !(langs.iter())
            .filter(|l| **l != lang && gram_size(l).is_none())
            .any(|l| holds(l))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::writer::{self, IndexOptions};

    /// An index of one record per `(lang, body)`, ids `r0`, `r1` …
    fn index_of_records(
        records: &[(&str, &str)],
    ) -> (tempfile::TempDir, crate::index::GazetteIndex) {
        let lines: Vec<String> = (records.iter().enumerate())
            .map(|(i, (lang, body))| {
                serde_json::json!({"id": format!("r{i}"), "lang": lang, "body": body}).to_string()
            })
            .collect();
        index_of(&lines)
    }

    /// An index of JSON Lines `lines`, in a folder that lives as long as
    /// the first value.
    fn index_of(lines: &[String]) -> (tempfile::TempDir, crate::index::GazetteIndex) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("records.jsonl");
        std::fs::write(&file, lines.join("\n")).unwrap();
        let idx = crate::index::open_or_create(&dir.path().join("index")).unwrap();
        let opts = IndexOptions {
            paths: vec![file],
            ..IndexOptions::default()
        };
        writer::run(&idx, &opts, |_| {}).unwrap();
        (dir, idx)
    }

    /// Names the language of each query among an index of a few passages
    /// in Swahili and Nigerian Pidgin (unknown to whatlang), English and
    /// German.
    #[test]
    fn names_a_gram_language_but_not_against_a_language_without_grams() {
        let records: &[(&str, &str)] = &[
            (
                "sw",
                "Watu wengi walikwama katika vifusi vya majengo yaliyoanguka.",
            ),
            (
                "sw",
                "Serikali imesema idadi ya waliofariki imeongezeka hadi mia tatu.",
            ),
            (
                "sw",
                "Mvua kubwa ilinyesha jana katika mji wa Mombasa na watu walihama.",
            ),
            (
                "pcm",
                "Di goment don talk say dem go build new road for di town.",
            ),
            (
                "pcm",
                "Wetin we know about di new law wey dem pass for Abuja.",
            ),
            (
                "pcm",
                "Plenti pipo don die for di accident wey happun for road.",
            ),
            (
                "pcm",
                "President Buhari don sign di new budget into law for Abuja.",
            ),
            (
                "en",
                "The government said it will build a new road in the town.",
            ),
            (
                "en",
                "Many people were trapped in the rubble of collapsed buildings.",
            ),
            (
                "en",
                "What we know about the new law passed in Abuja this week.",
            ),
            (
                "en",
                "The president signed the new budget into law on Monday.",
            ),
            (
                "de",
                "Die Regierung sagte, sie werde eine neue Straße in der Stadt bauen.",
            ),
            (
                "de",
                "Viele Menschen wurden in den Trümmern eingestürzter Gebäude verschüttet.",
            ),
        ];
        let (_dir, idx) = index_of_records(records);
        let searcher = idx.index.reader().unwrap().searcher();
        let named = |query: &str| {
            by_grams(
                std::slice::from_ref(&searcher),
                &idx.fields,
                query,
                &["de", "en", "pcm", "sw"],
            )
        };
        assert_eq!(
            named("watu walikwama katika vifusi vya majengo"),
            Some("sw")
        );
        assert_eq!(named("wetin dem talk about di new road"), Some("pcm"));
        assert_eq!(
            named("Viele Menschen wurden in Trümmern verschüttet"),
            Some("de")
        );
        // Pidgin's passages hold nearly all of this English headline's
        // grams, but English ones hold all its words' stems.
        assert_eq!(named("President signs new budget into law"), None);
        // Too few grams to tell.
        assert_eq!(named("di road"), None);
        // No words at all (Japanese kana runs are cut into bigrams, not
        // words), however many parts: nothing to tell, and no panic.
        assert_eq!(named("エリート リーグ:ダンディー"), None);
        assert_eq!(named("!! ?? --"), None);
    }

    #[test]
    fn a_guess_stands_when_its_language_alone_holds_every_word() {
        let records: &[(&str, &str)] = &[
            (
                "en",
                "The president signed the new budget into law on Monday.",
            ),
            (
                "en",
                "Heavy rain flooded the town and people left their homes.",
            ),
            ("es", "El presidente firmó el nuevo presupuesto el lunes."),
            (
                "es",
                "La lluvia inundó la ciudad y la gente dejó sus casas.",
            ),
            (
                "pt",
                "O presidente assinou o novo orçamento na segunda-feira.",
            ),
            (
                "sw",
                "Rais ametia saini bajeti mpya kuwa sheria siku ya Jumatatu.",
            ),
        ];
        let (_dir, idx) = index_of_records(records);
        let searcher = idx.index.reader().unwrap().searcher();
        let langs = ["en", "es", "pt", "sw"];
        let only = |query: &str, lang: &str| {
            only_language_holding(
                std::slice::from_ref(&searcher),
                &idx.fields,
                query,
                lang,
                &langs,
            )
        };
        assert!(only("president signs budget into law", "en"));
        // A word no English passage has.
        assert!(!only("president signs budget into sheria", "en"));
        // Spanish passages hold every word as a Spanish stem; Portuguese
        // ones not `el`, `firmó`: Spanish alone.
        assert!(only("el presidente firmó presupuesto", "es"));
        // A word both hold as their stems: neither stands alone.
        assert!(!only("presidente", "es"));
        assert!(!only("presidente", "pt"));
        // No words at all.
        assert!(!only("!! ??", "en"));
    }

    /// A language of a record or two (whatlang's stray guesses in an index
    /// without `lang`) is not scored: the smoothing of the grams it lacks
    /// would put it ahead of every real language.
    #[test]
    fn a_language_of_a_stray_record_is_not_named() {
        let mut lines: Vec<String> = (0..200)
            .map(|i| {
                let body = format!("Habari za soko la samaki namba {i} kutoka pwani.");
                serde_json::json!({"id": format!("f{i}"), "lang": "sw", "body": body}).to_string()
            })
            .collect();
        let sw = "Watu wengi walikwama katika vifusi vya majengo yaliyoanguka.";
        lines.push(serde_json::json!({"id": "s", "lang": "sw", "body": sw}).to_string());
        lines.push(serde_json::json!({"id": "e", "lang": "eo", "body": "Saluton."}).to_string());
        let (_dir, idx) = index_of(&lines);
        let searcher = idx.index.reader().unwrap().searcher();
        let query = "watu walikwama katika vifusi vya majengo";
        let named = |candidates: &[&'static str]| {
            by_grams(
                std::slice::from_ref(&searcher),
                &idx.fields,
                query,
                candidates,
            )
        };
        assert_eq!(named(&["eo", "sw"]), Some("sw"));
    }
}
