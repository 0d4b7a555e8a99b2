//! Searching: parse → search → pick passages → highlight.

mod all;
pub mod batch;
pub mod bm25;
pub mod docevidence;
pub mod doclevel;
pub mod explain;
pub mod facets;
pub mod highlight;
pub mod hit;
mod layout;
pub mod multi;
pub mod query;
mod querylang;
mod terms;

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, EnableScoring, Occur, Query, RangeQuery, TermQuery, Weight,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, IndexReader, Searcher, TantivyDocument, Term};

use crate::analysis::{lang, minhash};
use crate::error::{Error, Result};
use crate::index::{GazetteIndex, dedup};
use crate::model::{Day, Kind, TweetMeta};
pub use facets::{Facet, Facets};
pub use hit::{DocOut, Duplicate, Hit, PassageOut, QueryLang, QueryLangBy, Response, Span};
use multi::{Addr, Statistics};
use query::Compiler;

/// A query with its options.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Query text.
    pub query: String,
    /// Hits to return.
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
    /// Only passages in this language.
    pub lang: Option<String>,
    /// Only passages of this kind.
    pub kind: Option<Kind>,
    /// Only passages dated on or after.
    pub since: Option<Day>,
    /// Only passages dated on or before.
    pub until: Option<Day>,
    /// Only passages by this author (`@handle` or name).
    pub author: Option<String>,
    /// At most this many passages per document.
    pub per_article: Option<usize>,
    /// Compute highlights.
    pub highlights: bool,
    /// Explain each hit's score ([`explain`]).
    pub explain: bool,
    /// Fold near-duplicate passages into the best of them: those whose
    /// signatures' estimated Jaccard similarity is at least this.
    pub collapse: Option<f32>,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            query: String::new(),
            limit: 10,
            offset: 0,
            lang: None,
            kind: None,
            since: None,
            until: None,
            author: None,
            per_article: None,
            highlights: true,
            explain: false,
            collapse: None,
        }
    }
}

/// What answers requests: gazette's own [`Engine`] over a local index, or
/// another engine holding an export of one (`--engine`).
pub trait Search: Send + Sync {
    /// Runs one request.
    fn search(&self, req: &Request) -> Result<Response>;
    /// Runs a request and counts `facets` over all its matches.
    fn search_with_facets(&self, req: &Request, facets: &[Facet]) -> Result<Response>;
}

impl Search for Engine {
    fn search(&self, req: &Request) -> Result<Response> {
        Engine::search(self, req)
    }
    fn search_with_facets(&self, req: &Request, facets: &[Facet]) -> Result<Response> {
        Engine::search_with_facets(self, req, facets)
    }
}

/// Words a query needs before its language is detected among the index's
/// languages only ([`lang::detector_for`]).
const MIN_WORDS_AMONG: usize = 4;

/// Words a query needs before its language is named by the index's grams
/// ([`querylang::by_grams`], which also wants 6 grams: a single word is
/// ambiguous, and its stems are wanted in every language). The first two
/// or three words of each ir-news-headlines headline as queries, one
/// index, records with `lang` / without: nDCG@10 0.5830 / 0.5754 (three
/// words, four needed) → 0.5926 / 0.5818 (two needed); two words 0.4598 /
/// 0.4561 → 0.4669 / 0.4623 (German, Ukrainian, Arabic, Xhosa, Swahili
/// +0.03 to +0.06; Turkish and Indonesian −0.007 to −0.009 the largest
/// losses). Whole headlines and questions have four words or more.
const MIN_WORDS_GRAMS: usize = 2;

/// One index or several searched as one ([`multi`]), ready to answer
/// queries; cheap to share across threads.
pub struct Engine {
    /// The indexes, in the order given (ties between them rank by it).
    parts: Vec<Part>,
    /// The stemmed languages of all of them.
    stem_langs: Vec<&'static str>,
    /// Every language code their passages are in, sorted.
    langs: Vec<String>,
    /// Detects a query's language among those of the indexes.
    detector: Option<whatlang::Detector>,
    /// `per_article` requests served, to decide when the table pays.
    per_article_requests: AtomicUsize,
    /// Passages analyzed for highlighting, kept across requests (batch).
    passages: Option<highlight::PassageCache>,
}

/// One index of an engine, with what is cached for its searcher.
struct Part {
    index: GazetteIndex,
    reader: IndexReader,
    /// Document keys for `per_article`, with the searcher generation they
    /// were built for.
    doc_keys: Mutex<Option<(u64, Arc<DocKeys>)>>,
    /// Passage signature columns for `collapse`, with the searcher
    /// generation they were opened for (opening a column reads its
    /// dictionary's index: once, not per query).
    signatures: Mutex<Option<(u64, Arc<dedup::PassageSignatures>)>>,
}

impl Part {
    fn open(dir: &std::path::Path) -> Result<Part> {
        let index = crate::index::open(dir)?;
        let reader = index
            .index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()?;
        Ok(Part {
            index,
            reader,
            doc_keys: Mutex::new(None),
            signatures: Mutex::new(None),
        })
    }

    /// The passage signature columns of `searcher`'s segments, opened on
    /// first use.
    fn signatures(&self, searcher: &Searcher) -> Result<Arc<dedup::PassageSignatures>> {
        let generation = searcher.generation().generation_id();
        let mut cached = self.signatures.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, sigs)) = &*cached
            && *g == generation
        {
            return Ok(sigs.clone());
        }
        let sigs = Arc::new(dedup::PassageSignatures::new(searcher)?);
        *cached = Some((generation, sigs.clone()));
        Ok(sigs)
    }

    /// The document keys of `searcher`'s segments, built on first use.
    fn doc_keys(&self, searcher: &Searcher) -> Result<Arc<DocKeys>> {
        let generation = searcher.generation().generation_id();
        let mut cached = self.doc_keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, keys)) = &*cached
            && *g == generation
        {
            return Ok(keys.clone());
        }
        let keys = Arc::new(DocKeys::new(searcher)?);
        *cached = Some((generation, keys.clone()));
        Ok(keys)
    }
}

impl Engine {
    /// Opens the index in `dir` for searching.
    pub fn open(dir: &std::path::Path) -> Result<Engine> {
        Engine::open_all(&[dir.to_path_buf()])
    }

    /// Opens the indexes in `dirs` to search as one: one ranking, with
    /// the statistics of all of them ([`multi`]). They must have the same
    /// schema; each may be given once.
    pub fn open_all(dirs: &[std::path::PathBuf]) -> Result<Engine> {
        if dirs.is_empty() {
            return Err(Error::Invalid("no index to search".into()));
        }
        let mut parts: Vec<Part> = Vec::with_capacity(dirs.len());
        let mut seen = Vec::with_capacity(dirs.len());
        for dir in dirs {
            let real = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
            if seen.contains(&real) {
                return Err(Error::Invalid(format!(
                    "index {} is given twice",
                    dir.display()
                )));
            }
            seen.push(real);
            let part = Part::open(dir)?;
            if let Some(first) = parts.first()
                && first.index.index.schema() != part.index.index.schema()
            {
                return Err(Error::Invalid(format!(
                    "indexes {} and {} have different schemas",
                    first.index.path.display(),
                    dir.display()
                )));
            }
            parts.push(part);
        }
        let mut codes: BTreeMap<String, u64> = BTreeMap::new();
        for part in &parts {
            for (code, n) in indexed_langs(&part.index, &part.reader.searcher())? {
                *codes.entry(code).or_default() += n;
            }
        }
        let langs: Vec<String> = codes.keys().cloned().collect();
        let mut stem_langs: Vec<&'static str> =
            langs.iter().filter_map(|c| lang::analyzed(c)).collect();
        stem_langs.sort_unstable();
        stem_langs.dedup();
        // A query is detected among the languages the index holds enough
        // of: not among the few records whatlang put in a neighbour of
        // their language (an index built without `lang`), which would
        // make it unsure between the two. A language whatlang does not
        // know stays, however small: with it there is no allowlist (its
        // queries would be forced into a known language, and never named
        // by their grams).
        let floor = lang::min_passages(codes.values().copied().max().unwrap_or(0));
        let mut detect_among: Vec<&'static str> = (codes.iter())
            .filter(|(c, n)| **n >= floor || !lang::whatlang_knows(c))
            .filter_map(|(c, _)| lang::analyzed(c))
            .collect();
        detect_among.sort_unstable();
        detect_among.dedup();
        let detector = lang::detector_for(&detect_among);
        Ok(Engine {
            parts,
            detector,
            stem_langs,
            langs,
            per_article_requests: AtomicUsize::new(0),
            passages: None,
        })
    }

    /// Keeps up to `capacity` analyzed passages across requests, so a
    /// passage that many queries hit is analyzed for highlighting once
    /// (for engines that serve many requests: batch).
    pub fn with_passage_cache(mut self, capacity: usize) -> Engine {
        self.passages = (capacity > 0).then(|| highlight::PassageCache::new(capacity));
        self
    }

    /// The index searched (the first, when there are several).
    pub fn index(&self) -> &GazetteIndex {
        &self.parts[0].index
    }

    /// The indexes searched, in order.
    pub fn indexes(&self) -> impl Iterator<Item = &GazetteIndex> {
        self.parts.iter().map(|p| &p.index)
    }

    /// The searcher of the last commit seen (of the first index, when
    /// there are several).
    pub fn searcher(&self) -> Searcher {
        self.parts[0].reader.searcher()
    }

    /// The searchers of the last commits seen, one per index.
    fn searchers(&self) -> Vec<Searcher> {
        self.parts.iter().map(|p| p.reader.searcher()).collect()
    }

    /// The statistics of several indexes as one, with the document
    /// evidence's counted in each and set (`None` for one index: its
    /// searcher is its statistics).
    fn shared_stats<'a>(
        &self,
        searchers: &'a [Searcher],
        evidence: Option<&docevidence::EvidenceStats>,
    ) -> Result<Option<Statistics<'a>>> {
        if searchers.len() < 2 {
            return Ok(None);
        }
        if let Some(ev) = evidence {
            let mut sum: Vec<u64> = Vec::new();
            for s in searchers {
                let local = ev.local(s)?;
                sum.resize(local.len(), 0);
                sum.iter_mut().zip(local).for_each(|(a, b)| *a += b);
            }
            ev.set(sum);
        }
        Ok(Some(Statistics::new(searchers)))
    }

    /// Runs one request.
    pub fn search(&self, req: &Request) -> Result<Response> {
        Ok(self.search_phrases(req)?.0)
    }

    /// Runs one request; also says whether its phrases were searched as
    /// words (nothing had them).
    pub(crate) fn search_phrases(&self, req: &Request) -> Result<(Response, bool)> {
        let started = Instant::now();
        let query_lang = self.query_lang(req)?;
        let mut compiled = self.compile(req, &query_lang, false);
        if let Some(w) = self.absent_language(req) {
            // Nothing can match: no search, and no phrase searched again
            // as words (whose warning would give the wrong reason).
            compiled.warnings.push(w);
            let resp = Response {
                query: req.query.clone(),
                total: 0,
                took_ms: (started.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
                warnings: compiled.warnings,
                hits: Vec::new(),
                facets: None,
                query_lang,
                stop_words: compiled.stop_words,
            };
            return Ok((resp, false));
        }
        // A `lang:` filter in the query itself: searched all the same (it
        // may be one of several alternatives), with the reason if nothing
        // is in that language.
        let absent: Vec<String> = (compiled.lang_filters.iter())
            .filter_map(|code| self.language_absent(code))
            .collect();
        compiled.warnings.extend_from_slice(&absent);
        let mut query = self.with_filters(compiled.query, req)?;
        let searchers = self.searchers();
        let mut stats = self.shared_stats(&searchers, compiled.evidence.as_ref())?;
        let (mut hits, mut total) = self.top(&searchers, stats.as_ref(), &*query, req)?;
        // (Not when a language filter explains it.)
        let relaxed = total == 0 && !compiled.phrases.is_empty() && absent.is_empty();
        if relaxed {
            // No passage has the phrase (a pasted headline quoting someone
            // loosely, a misremembered quote): search its words, and say so.
            let phrases = std::mem::take(&mut compiled.phrases);
            compiled = self.compile(req, &query_lang, true);
            query = self.with_filters(compiled.query, req)?;
            stats = self.shared_stats(&searchers, compiled.evidence.as_ref())?;
            (hits, total) = self.top(&searchers, stats.as_ref(), &*query, req)?;
            let quoted: Vec<String> = phrases.iter().map(|p| format!("\"{p}\"")).collect();
            compiled.warnings.push(format!(
                "no passage has {}; searched the words instead",
                quoted.join(", ")
            ));
        }
        // The weight of the very query that ranked the hits, built once
        // per index.
        let mut explainers: Vec<Option<Box<dyn Weight>>> =
            (0..searchers.len()).map(|_| None).collect();
        let several = self.parts.len() > 1;
        let label =
            |part: usize| several.then(|| self.parts[part].index.path.display().to_string());
        let highlighter = req
            .highlights
            .then(|| highlight::Highlighter::new(&compiled.highlight));
        let mut out = Vec::with_capacity(hits.len());
        for (i, (score, at, dups)) in hits.into_iter().enumerate() {
            let searcher = &searchers[at.part];
            let addr = at.doc;
            let doc: TantivyDocument = searcher.doc(addr)?;
            // The document's values are stored on its first passage.
            let position = doc
                .get_first(self.index().fields.position)
                .and_then(|v| v.as_u64())
                .and_then(|p| u32::try_from(p).ok())
                .filter(|&p| p > 0 && p <= addr.doc_id);
            let first: Option<TantivyDocument> = match position {
                Some(p) => Some(searcher.doc(DocAddress::new(addr.segment_ord, addr.doc_id - p))?),
                None => None,
            };
            let key = (
                searcher.segment_reader(addr.segment_ord).segment_id(),
                addr.doc_id,
            );
            let mut hit = self.hit(
                &doc,
                first.as_ref().unwrap_or(&doc),
                key,
                req.offset + i + 1,
                score,
                highlighter.as_ref(),
            );
            hit.index = label(at.part);
            for (score, d) in dups {
                let mut dup = duplicate(&searchers[d.part], d.doc, score)?;
                dup.index = label(d.part);
                hit.duplicates.push(dup);
            }
            if req.explain {
                let weight = match &mut explainers[at.part] {
                    Some(w) => w,
                    slot => slot.insert(
                        explain::guarded(&*query).weight(scoring(searcher, stats.as_ref()))?,
                    ),
                };
                let reader = searcher.segment_reader(addr.segment_ord);
                hit.explain = Some((&weight.explain(reader, addr.doc_id)?).into());
            }
            out.push(hit);
        }
        let resp = Response {
            query: req.query.clone(),
            total,
            took_ms: (started.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
            warnings: compiled.warnings,
            hits: out,
            facets: None,
            query_lang,
            stop_words: compiled.stop_words,
        };
        Ok((resp, relaxed))
    }

    /// The language the request's words are read in: given, else the
    /// query's own when it can be told ([`Engine::identify`]); `None`:
    /// every language of the index.
    fn query_lang(&self, req: &Request) -> Result<Option<QueryLang>> {
        Ok(match &req.lang {
            Some(l) => Some(QueryLang {
                lang: lang::normalize(l)
                    .ok_or_else(|| Error::Invalid(format!("invalid language {l:?}")))?,
                by: QueryLangBy::Given,
            }),
            None => self.identify(&req.query),
        })
    }

    /// The query text compiled in `query_lang` ([`Engine::query_lang`]; its
    /// stems, or every stemmed language's when `None`).
    /// `phrases_as_words`: see [`Compiler::phrases_as_words`].
    fn compile(
        &self,
        req: &Request,
        query_lang: &Option<QueryLang>,
        phrases_as_words: bool,
    ) -> query::Compiled {
        let langs: Vec<&'static str> = match query_lang {
            Some(q) if q.by == QueryLangBy::Given => lang::analyzed(&q.lang).into_iter().collect(),
            // Identified among the index's own.
            Some(q) => (self.stem_langs.iter())
                .filter(|l| **l == q.lang)
                .copied()
                .collect(),
            None => self.langs_of(&req.query),
        };
        let detected = query_lang
            .as_ref()
            .is_some_and(|q| q.by != QueryLangBy::Given);
        let searchers = self.searchers();
        let common = |gram: &str| self.common_gram(&searchers, gram);
        let words = |lang: &str, word: &str| self.common_word(&searchers, lang, word);
        let body = self.index().fields.body;
        let count = |word: &str| doc_freq_all(&searchers, &Term::from_field_text(body, word));
        let adjacent = |a: &str, b: &str| {
            let (a, b) = (
                Term::from_field_text(body, a),
                Term::from_field_text(body, b),
            );
            terms::adjacent_anywhere(&searchers, &a, &b).unwrap_or(false)
        };
        let compiler = Compiler::new(&self.index().fields, langs)
            .detected(detected)
            .leaving_out(&common)
            .common_words(&words)
            .splitting_unknown(&count, &adjacent);
        let compiler = if phrases_as_words {
            compiler.phrases_as_words()
        } else {
            compiler
        };
        compiler.compile(&req.query)
    }

    /// Whether a gram term (`sw#ari`) is in more than
    /// [`query::common_gram_share`] of its language's passages, counted
    /// over every index searched (as the statistics of several indexes
    /// count): such a gram is left out of the query
    /// ([`Compiler::leaving_out`]).
    fn common_gram(&self, searchers: &[Searcher], gram: &str) -> bool {
        let Some((code, _)) = gram.split_once(crate::analysis::GRAM_SEP) else {
            return false;
        };
        let fields = &self.index().fields;
        let share = query::common_gram_share();
        let n = doc_freq_all(searchers, &Term::from_field_text(fields.body_gram, gram));
        // Most grams are rare, common even among the fewest passages a
        // language is counted as having: theirs need no counting.
        bm25::is_common(n, 0, share)
            && bm25::is_common(
                n,
                doc_freq_all(searchers, &Term::from_field_text(fields.lang, code)),
                share,
            )
    }

    /// Whether a word (its folded form) is in more than
    /// [`query::common_word_share`] of its language's passages, counted
    /// over every index searched: a stop word of that language, for this
    /// index ([`Compiler::common_words`]). Only the language's own
    /// passages count: in an index of many languages a name (`Kinshasa`)
    /// or a word several languages write alike is not common in one of
    /// them because the others hold it.
    fn common_word(&self, searchers: &[Searcher], lang: &str, word: &str) -> bool {
        let share = query::common_word_share();
        let fields = &self.index().fields;
        let (word, lang) = (
            Term::from_field_text(fields.body, word),
            Term::from_field_text(fields.lang, lang),
        );
        // Its passages in every language bound those in its own: most
        // words stop here.
        let anywhere = doc_freq_all(searchers, &word);
        if !bm25::is_common(anywhere, 0, share) {
            return false;
        }
        let passages = doc_freq_all(searchers, &lang);
        if !bm25::is_common(anywhere, passages, share) {
            return false;
        }
        let all: u64 = searchers.iter().map(|s| s.num_docs()).sum();
        let own = if passages >= all {
            anywhere
        } else {
            (searchers.iter())
                .map(|s| terms::doc_freq_both(s, &word, &lang).unwrap_or(0))
                .sum()
        };
        bm25::is_common(own, passages, share)
    }

    /// A warning when the request's language filter names a language no
    /// passage is in (a mistyped code, or one the index does not hold):
    /// otherwise nothing would say why nothing matched.
    fn absent_language(&self, req: &Request) -> Option<String> {
        self.language_absent(&lang::normalize(req.lang.as_deref()?)?)
    }

    /// The warning that no passage is in language `code`, if none is.
    fn language_absent(&self, code: &str) -> Option<String> {
        if self.langs.iter().any(|l| l == code) {
            return None;
        }
        const SHOWN: usize = 20;
        let mut held = self
            .langs
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if self.langs.len() > SHOWN {
            held.push_str(&format!(" and {} more", self.langs.len() - SHOWN));
        }
        Some(if self.langs.is_empty() {
            format!("no passage is in language {code:?}: the index is empty")
        } else {
            format!("no passage is in language {code:?}; the index holds {held}")
        })
    }

    /// The index's stemmed languages a query may be in: all but Thai
    /// (and any language of [`crate::analysis::SCRIPT_TRIGRAM_LANGUAGES`])
    /// when the query has no letter of its script. An index of German and
    /// Thai reads a German query as German, as an index of German alone
    /// does (its stems and trigrams), instead of asking the detector.
    fn langs_of(&self, query: &str) -> Vec<&'static str> {
        (self.stem_langs.iter().copied())
            .filter(|l| {
                !crate::analysis::SCRIPT_TRIGRAM_LANGUAGES.contains(l)
                    || crate::analysis::writes_script_of(l, query)
            })
            .collect()
    }

    /// The language of a query without `--lang`, among the index's stemmed
    /// languages: the query's own when the detector is confident about it
    /// (questions, sentences) or, for a language it does not know, the
    /// index's grams name it ([`querylang::by_grams`]); `None` otherwise
    /// (single words are ambiguous: every stemmed language of the index).
    fn identify(&self, query: &str) -> Option<QueryLang> {
        let chosen = |l: &str, by| QueryLang {
            lang: l.to_string(),
            by,
        };
        let langs = self.langs_of(query);
        if langs.len() <= 1 {
            // Detection could only pick what the fallback gives anyway.
            return None;
        }
        // Thai letters name Thai (no other language of the news writes
        // them), however many Latin names are around them: `langs` holds
        // Thai only for a query with Thai letters.
        if let Some(l) =
            (langs.iter()).find(|l| crate::analysis::SCRIPT_TRIGRAM_LANGUAGES.contains(l))
        {
            return Some(chosen(l, QueryLangBy::Detected));
        }
        // Among the index's languages only for a query of a few words:
        // with fewer candidates whatlang calls even one word "reliable"
        // (`Guaidó` Spanish among en, es, fr), and a word's stems are
        // wanted in every language.
        let detected = match &self.detector {
            Some(d) if query.split_whitespace().nth(MIN_WORDS_AMONG - 1).is_some() => {
                crate::analysis::langid::identify_among(query, d)
            }
            _ => lang::detect(query),
        };
        if let Some(d) = detected.as_ref().filter(|d| d.reliable)
            && let Some(l) = self.stem_langs.iter().find(|l| **l == d.lang)
        {
            return Some(chosen(l, QueryLangBy::Detected));
        }
        // A language whatlang does not know (or was unsure of), by the
        // index's grams; not when its guess is one of the index's
        // languages without grams, which that cannot weigh.
        let guess_without_grams: Option<&'static str> = detected
            .as_ref()
            .and_then(|d| self.stem_langs.iter().copied().find(|l| *l == d.lang))
            .filter(|l| crate::analysis::gram_size(l).is_none());
        // That guess, unsure (an English headline among the news of
        // languages whatlang does not know, where it names nothing
        // reliably), taken when the index has every word of the query as
        // a stem of that language and of no other without grams: what
        // keeps such a query from being named by any gram language below,
        // and it otherwise stays unidentified (every language's stems, no
        // stop words).
        if let Some(l) = guess_without_grams
            && query.split_whitespace().nth(MIN_WORDS_AMONG - 1).is_some()
            && querylang::only_language_holding(
                &self.searchers(),
                &self.index().fields,
                query,
                l,
                &self.stem_langs,
            )
        {
            return Some(chosen(l, QueryLangBy::Detected));
        }
        if guess_without_grams.is_none()
            && query.split_whitespace().nth(MIN_WORDS_GRAMS - 1).is_some()
            && let Some(l) = querylang::by_grams(
                &self.searchers(),
                &self.index().fields,
                query,
                &self.stem_langs,
            )
        {
            return Some(chosen(l, QueryLangBy::Grams));
        }
        None
    }

    fn with_filters(&self, main: Box<dyn Query>, req: &Request) -> Result<Box<dyn Query>> {
        let f = &self.index().fields;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        let term = |field, text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::Basic,
            ))
        };
        if let Some(l) = &req.lang {
            let code = lang::normalize(l)
                .ok_or_else(|| Error::Invalid(format!("invalid language {l:?}")))?;
            filters.push(term(f.lang, &code));
        }
        if let Some(k) = req.kind {
            filters.push(term(f.kind, k.as_str()));
        }
        if req.since.is_some() || req.until.is_some() {
            let b = |d: Option<Day>| match d {
                Some(d) => Bound::Included(Term::from_field_i64(f.date, d.days())),
                None => Bound::Unbounded,
            };
            if let (Some(s), Some(u)) = (req.since, req.until)
                && s > u
            {
                return Err(Error::Invalid(format!("--since {s} is after --until {u}")));
            }
            filters.push(Box::new(RangeQuery::new(b(req.since), b(req.until))));
        }
        if let Some(a) = &req.author {
            filters.push(query::author_query(f, a));
        }
        if filters.is_empty() {
            return Ok(main);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, main)];
        for q in filters {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// The page of hits asked for, honouring `per_article` and
    /// `collapse`, and the total.
    fn top(
        &self,
        searchers: &[Searcher],
        stats: Option<&Statistics>,
        query: &dyn Query,
        req: &Request,
    ) -> Result<(Vec<Ranked>, usize)> {
        let want = req.offset + req.limit;
        if req.per_article.is_none() && req.collapse.is_none() {
            let (top, total) = if let [searcher] = searchers {
                let (top, total) = searcher.search(
                    query,
                    &(
                        TopDocs::with_limit(req.limit.max(1))
                            .and_offset(req.offset)
                            .order_by_score(),
                        Count,
                    ),
                )?;
                let top = top.into_iter().map(|(s, doc)| (s, Addr { part: 0, doc }));
                (top.collect(), total)
            } else {
                // Each index's best `want` hold the best `want` of all.
                let (top, total, _) = candidates(searchers, stats, query, want.max(1))?;
                (top.into_iter().skip(req.offset).collect(), total)
            };
            let top = if req.limit == 0 { Vec::new() } else { top };
            let top = top
                .into_iter()
                .take(req.limit)
                .map(|(s, a)| (s, a, Vec::new()))
                .collect();
            return Ok((top, total));
        }
        let per = req.per_article.unwrap_or(usize::MAX).max(1);
        let mut fetch = (want * 2).max(32);
        let sigs = match req.collapse {
            Some(_) => Some(
                self.parts
                    .iter()
                    .zip(searchers)
                    .map(|(p, s)| p.signatures(s))
                    .collect::<Result<Vec<_>>>()?,
            ),
            None => None,
        };
        loop {
            let (top, total, complete) = candidates(searchers, stats, query, fetch)?;
            // The first per-article request of an engine looks its few
            // candidates up one by one; an engine that serves more (batch,
            // eval) builds the key table once and reuses it.
            let table = if req.per_article.is_none()
                || self.per_article_requests.fetch_add(1, Ordering::Relaxed) == 0
            {
                None
            } else {
                Some(
                    self.parts
                        .iter()
                        .zip(searchers)
                        .map(|(p, s)| p.doc_keys(s))
                        .collect::<Result<Vec<_>>>()?,
                )
            };
            let mut counts: HashMap<DocKey, usize> = HashMap::new();
            let mut kept: Vec<Group> = Vec::new();
            for &(score, addr) in &top {
                let sig = sigs
                    .as_ref()
                    .and_then(|s| s[addr.part].get(addr.doc.segment_ord, addr.doc.doc_id));
                if let (Some(threshold), Some(sig)) = (req.collapse, &sig)
                    && let Some(group) = kept.iter_mut().find(|g| {
                        g.sig
                            .as_ref()
                            .is_some_and(|s| minhash::similarity(s, sig) >= threshold)
                    })
                {
                    group.duplicates.push((score, addr));
                    continue;
                }
                if kept.len() == want {
                    if req.collapse.is_none() {
                        break;
                    }
                    // Full: look on only for duplicates of the hits kept.
                    continue;
                }
                if req.per_article.is_some() {
                    // A document is an id in one index: the same id in two
                    // indexes is two documents.
                    let key = match &table {
                        Some(keys) => DocKey::Key(addr.part, keys[addr.part].get(addr.doc)),
                        None => DocKey::Id(addr.part, doc_id_of(&searchers[addr.part], addr.doc)?),
                    };
                    let n = counts.entry(key).or_default();
                    if *n >= per {
                        continue;
                    }
                    *n += 1;
                }
                kept.push(Group {
                    score,
                    addr,
                    sig,
                    duplicates: Vec::new(),
                });
            }
            if kept.len() == want || complete || fetch >= total {
                let page = kept
                    .into_iter()
                    .skip(req.offset)
                    .take(req.limit)
                    .map(|g| (g.score, g.addr, g.duplicates))
                    .collect();
                return Ok((page, total));
            }
            fetch *= 4;
        }
    }

    /// The hit of the passage `doc`, whose document's first passage is
    /// `first` (`doc` itself when it is the first).
    fn hit(
        &self,
        doc: &TantivyDocument,
        first: &TantivyDocument,
        key: (tantivy::index::SegmentId, tantivy::DocId),
        rank: usize,
        score: f32,
        highlighter: Option<&highlight::Highlighter>,
    ) -> Hit {
        let f = &self.index().fields;
        let s = |field| str_of(doc, field);
        let first_s = |field| str_of(first, field);
        let u = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0) as usize;
        let text = s(f.text).unwrap_or_default();
        let doc_id = s(f.doc_id).unwrap_or_default();
        let plang = s(f.lang).unwrap_or_else(|| "und".into());
        let highlights = match (highlighter, &self.passages) {
            (None, _) => Vec::new(),
            (Some(h), None) => h.spans_of(&text, &plang),
            (Some(h), Some(cache)) => {
                let analyzed = cache.get_or_analyze(key, || highlight::analyze(&text, &plang));
                h.spans(&text, &analyzed)
            }
        };
        let tweet: Option<TweetMeta> = s(f.tweet).and_then(|j| serde_json::from_str(&j).ok());
        let kind = |k: Option<String>| k.and_then(|k| Kind::parse(&k)).unwrap_or(Kind::Article);
        let day = |field| {
            first
                .get_first(field)
                .and_then(|v| v.as_i64())
                .and_then(Day::from_days)
                .map(|d| d.to_string())
        };
        Hit {
            rank,
            score,
            passage: PassageOut {
                id: format!("{doc_id}#{}", u(f.position)),
                kind: kind(s(f.kind)),
                lang: plang,
                text,
                offset: Span {
                    start: u(f.start),
                    end: u(f.end),
                    char_start: u(f.char_start),
                    char_end: u(f.char_end),
                },
                highlights,
            },
            doc: DocOut {
                id: doc_id,
                kind: kind(first_s(f.doc_kind)),
                title: first_s(f.title_text),
                date: day(f.doc_date),
                source: first_s(f.source),
                url: first_s(f.url),
                lang: first_s(f.doc_lang).unwrap_or_else(|| "und".into()),
            },
            tweet,
            duplicates: Vec::new(),
            explain: None,
            index: None,
        }
    }
}

/// A hit with the near-duplicates folded into it (score and address each).
type Ranked = (f32, Addr, Vec<(f32, Addr)>);

/// A hit kept while collapsing, with its signature and its duplicates.
struct Group {
    score: f32,
    addr: Addr,
    sig: Option<minhash::Signature>,
    duplicates: Vec<(f32, Addr)>,
}

/// The document of a passage, for `per_article`, in its index: its key in
/// a [`DocKeys`] table, or its id read from the stored passage.
#[derive(PartialEq, Eq, Hash)]
enum DocKey {
    Key(usize, Option<u32>),
    Id(usize, String),
}

/// [`terms::doc_freq_over`], a failed lookup counting none.
fn doc_freq_all(searchers: &[Searcher], term: &Term) -> u64 {
    terms::doc_freq_over(searchers, term).unwrap_or(0)
}

/// How a query over `searcher` is scored: with its own statistics, or
/// with those of all the indexes searched.
fn scoring<'a>(searcher: &'a Searcher, stats: Option<&'a Statistics>) -> EnableScoring<'a> {
    match stats {
        Some(stats) => EnableScoring::enabled_from_statistics_provider(stats, searcher),
        None => EnableScoring::enabled_from_searcher(searcher),
    }
}

/// Runs `collector` over `searcher`, scoring with `stats` when given.
fn run<C: Collector>(
    searcher: &Searcher,
    stats: Option<&Statistics>,
    query: &dyn Query,
    collector: &C,
) -> Result<C::Fruit> {
    Ok(match stats {
        Some(stats) => searcher.search_with_statistics_provider(query, collector, stats)?,
        None => searcher.search(query, collector)?,
    })
}

/// Ranked candidates, the total of matches, and whether the ranking is
/// complete.
type Candidates = (Vec<(f32, Addr)>, usize, bool);

/// The best `limit` passages of each index, merged into one ranking
/// ([`multi::by_rank`]) and cut where it stops being certain: after the
/// earliest last candidate of an index that has more. Also the total
/// number of matches, and whether every index gave all its matches (the
/// ranking is then complete).
fn candidates(
    searchers: &[Searcher],
    stats: Option<&Statistics>,
    query: &dyn Query,
    limit: usize,
) -> Result<Candidates> {
    let mut all = Vec::new();
    let mut total = 0;
    let mut cut: Option<(f32, Addr)> = None;
    for (part, searcher) in searchers.iter().enumerate() {
        let collector = (TopDocs::with_limit(limit).order_by_score(), Count);
        let (top, count) = run(searcher, stats, query, &collector)?;
        total += count;
        let more = top.len() == limit && count > limit;
        if more && let Some(&(score, doc)) = top.last() {
            let last = (score, Addr { part, doc });
            if cut.is_none_or(|c| multi::by_rank(&last, &c).is_lt()) {
                cut = Some(last);
            }
        }
        all.extend(top.into_iter().map(|(s, doc)| (s, Addr { part, doc })));
    }
    all.sort_by(multi::by_rank);
    if let Some(c) = cut {
        all.retain(|x| multi::by_rank(x, &c).is_le());
    }
    Ok((all, total, cut.is_none()))
}

/// The document id of the passage at `addr`, from its stored fields (the
/// store caches decompressed blocks: cheap for a few dozen candidates).
fn doc_id_of(searcher: &Searcher, addr: DocAddress) -> Result<String> {
    let doc: TantivyDocument = searcher.doc(addr)?;
    let id_field = searcher.schema().get_field("doc_id")?;
    Ok(str_of(&doc, id_field).unwrap_or_default())
}

/// Which document each passage belongs to, as small integers: per segment,
/// the `doc_id` fast field's ordinal mapped to one key shared by all
/// segments (a document's passages may sit in several). Built once per
/// searcher from the id dictionaries, streamed in order.
struct DocKeys {
    columns: Vec<tantivy::columnar::StrColumn>,
    keys: Vec<Vec<u32>>,
}

impl DocKeys {
    fn new(searcher: &Searcher) -> Result<DocKeys> {
        let mut columns = Vec::new();
        let mut keys = Vec::new();
        let mut by_id: HashMap<Vec<u8>, u32> = HashMap::new();
        for segment in searcher.segment_readers() {
            let column = segment
                .fast_fields()
                .str("doc_id")?
                .ok_or_else(|| Error::Invalid("index lacks doc_id fast field".into()))?;
            let mut ords = Vec::with_capacity(column.num_terms());
            let mut stream = column.dictionary().stream()?;
            while stream.advance() {
                let next = by_id.len() as u32;
                ords.push(*by_id.entry(stream.key().to_vec()).or_insert(next));
            }
            columns.push(column);
            keys.push(ords);
        }
        Ok(DocKeys { columns, keys })
    }

    /// The document key of the passage at `addr`.
    fn get(&self, addr: DocAddress) -> Option<u32> {
        let ord = self.columns[addr.segment_ord as usize]
            .term_ords(addr.doc_id)
            .next()?;
        self.keys[addr.segment_ord as usize]
            .get(ord as usize)
            .copied()
    }
}

/// A passage folded into a hit, named from the fast fields (`doc_id`,
/// `position`: the passage id is `doc_id#position`) without reading the
/// stored passage.
fn duplicate(searcher: &Searcher, addr: DocAddress, score: f32) -> Result<Duplicate> {
    let fast = searcher.segment_reader(addr.segment_ord).fast_fields();
    let ids = fast
        .str("doc_id")?
        .ok_or_else(|| Error::Invalid("index lacks doc_id fast field".into()))?;
    let mut doc_id = String::new();
    if let Some(ord) = ids.term_ords(addr.doc_id).next() {
        ids.ord_to_str(ord, &mut doc_id)?;
    }
    let position = fast.u64("position")?.first(addr.doc_id).unwrap_or(0);
    Ok(Duplicate {
        passage_id: format!("{doc_id}#{position}"),
        doc_id,
        score,
        index: None,
    })
}

fn str_of(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// The language codes that live (not deleted) passages of the index are
/// in, each with its passages.
fn indexed_langs(index: &GazetteIndex, searcher: &Searcher) -> Result<BTreeMap<String, u64>> {
    // The codes of all segments first, each looked up once (an index of
    // news in many languages has a hundred codes in every segment), with
    // their passages (deleted ones too, until their segment merges).
    let mut codes: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(index.fields.lang)?;
        let alive = segment.alive_bitset();
        let mut terms = inverted.terms().stream()?;
        while terms.advance() {
            let passages = u64::from(terms.value().doc_freq);
            if let Some(n) = codes.get_mut(terms.key()) {
                *n += passages;
                continue;
            }
            if let Some(alive) = alive {
                // A segment keeps a deleted passage's terms until it
                // merges: a code counts if one of its passages is alive
                // (mostly the first looked at).
                let mut postings = inverted
                    .read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
                let mut doc = postings.doc();
                while doc != tantivy::TERMINATED && !alive.is_alive(doc) {
                    doc = postings.advance();
                }
                if doc == tantivy::TERMINATED {
                    continue;
                }
            }
            codes.insert(terms.key().to_vec(), passages);
        }
    }
    Ok(codes
        .into_iter()
        .filter_map(|(code, n)| Some((String::from_utf8(code).ok()?, n)))
        .collect())
}
