//! A term query scored by BM25 with chosen `k1` and `b`.
//!
//! tantivy 0.27 scores every `TermQuery` with BM25 at k1 = 1.2, b = 0.75,
//! fixed in `src/query/bm25.rs` (`const K1`, `const B`). [`Bm25TermQuery`]
//! is the same query with the two parameters as fields: the same postings,
//! the same statistics (IDF and average field length over the whole
//! searcher, from [`EnableScoring`]), the same 256-entry cache of the length
//! component per fieldnorm id, so at k1 1.2 / b 0.75 it scores exactly as
//! `TermQuery` does (see the tests). Its structure follows tantivy's
//! `src/query/term_query/{term_query,term_weight,term_scorer}.rs` and
//! `src/query/bm25.rs`.
//!
//! What it does not do: block-max WAND. tantivy's `BooleanQuery` takes that
//! fast path only when every clause is its own `TermScorer`; unions of
//! `Bm25TermQuery` are scored exhaustively, like any custom scorer. gazette
//! loses nothing by it: its searches count the hits (`Count` beside
//! `TopDocs`), which visits every match anyway (13,090 XQuAD-R questions:
//! 3.0 s with either query).

use std::fmt;
use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::{
    Bm25StatisticsProvider, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term};

use crate::search::terms::{self, is_searcher};

/// BM25 parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bm25Params {
    /// Term-frequency saturation (tantivy: 1.2; Lucene/Anserini: 0.9).
    pub k1: Score,
    /// Length normalization, 0 (none) to 1 (full) (tantivy: 0.75; Lucene/Anserini: 0.4).
    pub b: Score,
}

impl Bm25Params {
    /// tantivy's fixed parameters.
    pub const TANTIVY: Bm25Params = Bm25Params { k1: 1.2, b: 0.75 };
}

/// Fewest documents a scoped idf counts as its N ([`Bm25TermQuery::within`]).
pub const SCOPE_FLOOR: u64 = 1000;

/// A scoped idf's N: the `scope`'s documents, at least the term's own
/// (`doc_freq`) and [`SCOPE_FLOOR`] (or `all`, when fewer), at most `all`.
/// A scope of few documents estimates rarity poorly (in three French
/// tweets every name looks common).
pub fn scoped_count(scope: u64, doc_freq: u64, all: u64) -> u64 {
    scope.max(doc_freq).max(SCOPE_FLOOR.min(all)).min(all)
}

/// Whether a term in `doc_freq` of a scope's `all` documents is in more
/// than `share` of them, counting at least [`SCOPE_FLOOR`] documents
/// ([`crate::search::query::Compiler::leaving_out`]): in a small index
/// (the seed corpus, a language of few passages) nothing is common, as
/// every word of three passages would otherwise be. A share of 1 or more:
/// nothing is.
pub fn is_common(doc_freq: u64, all: u64, share: f64) -> bool {
    share < 1.0 && doc_freq as f64 > share * all.max(SCOPE_FLOOR) as f64
}

/// Documents containing `term`, scored by BM25 with `params`.
#[derive(Clone)]
pub struct Bm25TermQuery {
    term: Term,
    params: Bm25Params,
    /// The term whose documents are the term's N, when not all of them:
    /// a stem's language (see [`Bm25TermQuery::within`]).
    scope: Option<Term>,
}

impl fmt::Debug for Bm25TermQuery {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "Bm25TermQuery({:?}, k1={}, b={})",
            self.term, self.params.k1, self.params.b
        )
    }
}

impl Bm25TermQuery {
    /// A query for `term` (of an indexed text field with frequencies).
    pub fn new(term: Term, params: Bm25Params) -> Bm25TermQuery {
        Bm25TermQuery {
            term,
            params,
            scope: None,
        }
    }

    /// The same query with the documents containing `scope` as its N: a
    /// stem's rarity is among the passages of its language (as in an index
    /// of that language alone), not among all passages, where a common
    /// word of a language with few passages would look rare.
    pub fn within(mut self, scope: Term) -> Bm25TermQuery {
        self.scope = Some(scope);
        self
    }

    /// The term searched.
    pub fn term(&self) -> &Term {
        &self.term
    }
}

impl Query for Bm25TermQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // As tantivy's `TermQuery::specialized_weight`.
        let field_entry = enable_scoring.schema().get_field_entry(self.term.field());
        if !field_entry.is_indexed() {
            return Err(TantivyError::SchemaError(format!(
                "Field {:?} is not indexed.",
                field_entry.name()
            )));
        }
        let mut term_infos = None;
        let similarity = match enable_scoring {
            EnableScoring::Enabled {
                searcher,
                statistics_provider,
            } => {
                // The term is looked up once per segment here (through
                // `terms`, which the other parts of the query share), and
                // the scorers reuse what was found (tantivy's `TermQuery`
                // looks it up again in each scorer). With the searcher's
                // own statistics the entries give the document frequency.
                let infos = SegmentTermInfos::of(searcher, &self.term)?;
                let own = is_searcher(statistics_provider, searcher);
                let doc_freq = if own {
                    infos.doc_freq()
                } else {
                    statistics_provider.doc_freq(&self.term)?
                };
                term_infos = Some(infos);
                let tokens = terms::stats_total_num_tokens(
                    statistics_provider,
                    searcher,
                    self.term.field(),
                )?;
                let scope = match &self.scope {
                    Some(scope) if own => Some(SegmentTermInfos::of(searcher, scope)?.doc_freq()),
                    Some(scope) => Some(statistics_provider.doc_freq(scope)?),
                    None => None,
                };
                Bm25Similarity::for_term(statistics_provider, tokens, self.params, doc_freq, scope)?
            }
            EnableScoring::Disabled { .. } => Bm25Similarity::unscored(self.params),
        };
        Ok(Box::new(Bm25TermWeight {
            term: self.term.clone(),
            similarity,
            scoring_enabled: enable_scoring.is_scoring_enabled(),
            term_infos,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

/// A term's entry in each segment's dictionary, looked up once per query.
struct SegmentTermInfos(Vec<(SegmentId, Option<TermInfo>)>);

impl SegmentTermInfos {
    fn of(searcher: &tantivy::Searcher, term: &Term) -> tantivy::Result<SegmentTermInfos> {
        let mut infos = Vec::with_capacity(searcher.segment_readers().len());
        for reader in searcher.segment_readers() {
            infos.push((reader.segment_id(), terms::term_info(reader, term)?));
        }
        Ok(SegmentTermInfos(infos))
    }

    /// Documents containing the term, over all segments (as
    /// `Searcher::doc_freq` counts them: deleted ones included).
    fn doc_freq(&self) -> u64 {
        self.0
            .iter()
            .filter_map(|(_, info)| info.as_ref())
            .map(|info| u64::from(info.doc_freq))
            .sum()
    }

    /// The term's entry in `segment`: `Some(None)` when the term is not in
    /// it, `None` when the segment was not seen (another searcher's).
    fn get(&self, segment: SegmentId) -> Option<Option<&TermInfo>> {
        self.0
            .iter()
            .find(|(id, _)| *id == segment)
            .map(|(_, info)| info.as_ref())
    }
}

/// The length component per fieldnorm id.
type LengthCache = Arc<[Score; 256]>;

thread_local! {
    /// Length caches already computed, by (k1, b, average length): every
    /// term of a field shares one, and a batch of queries reuses them.
    static LENGTH_CACHES: std::cell::RefCell<Vec<([u32; 3], LengthCache)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// k1 · (1 − b + b · dl / avgdl) for each fieldnorm id, shared.
fn length_cache(params: Bm25Params, average_fieldnorm: Score) -> LengthCache {
    let key = [
        params.k1.to_bits(),
        params.b.to_bits(),
        average_fieldnorm.to_bits(),
    ];
    LENGTH_CACHES.with(|caches| {
        let mut caches = caches.borrow_mut();
        if let Some((_, cache)) = caches.iter().find(|(k, _)| *k == key) {
            return cache.clone();
        }
        let mut cache = [0.0; 256];
        for (id, slot) in cache.iter_mut().enumerate() {
            let dl = FieldNormReader::id_to_fieldnorm(id as u8) as Score;
            *slot = params.k1 * (1.0 - params.b + params.b * dl / average_fieldnorm);
        }
        let cache = Arc::new(cache);
        if caches.len() >= 16 {
            caches.remove(0);
        }
        caches.push((key, cache.clone()));
        cache
    })
}

/// tantivy's `idf` (`src/query/bm25.rs`), which is not public.
pub(crate) fn idf(doc_freq: u64, doc_count: u64) -> Score {
    let x = ((doc_count.saturating_sub(doc_freq)) as Score + 0.5) / (doc_freq as Score + 0.5);
    (1.0 + x).ln()
}

/// The BM25 weight of one term: tantivy's `Bm25Weight` with `k1` and `b`
/// as parameters.
#[derive(Clone)]
struct Bm25Similarity {
    params: Bm25Params,
    /// idf · (k1 + 1) · boost.
    weight: Score,
    /// The idf and, when scoring, the n and N it came from (the explanation
    /// is built only when asked for: queries create many weights).
    idf: Score,
    doc_freq_and_count: Option<(u64, u64)>,
    average_fieldnorm: Score,
    /// k1 · (1 − b + b · dl / avgdl) for each fieldnorm id.
    cache: Arc<[Score; 256]>,
}

impl Bm25Similarity {
    /// As tantivy's `Bm25Weight::for_terms` with one term: N and the
    /// average field length over the whole searcher, n for the term.
    /// `total_num_tokens`: of the term's field.
    /// `scope`: the documents that are N for the idf, when not all (the
    /// average length stays the field's over all of them).
    fn for_term(
        stats: &dyn Bm25StatisticsProvider,
        total_num_tokens: u64,
        params: Bm25Params,
        doc_freq: u64,
        scope: Option<u64>,
    ) -> tantivy::Result<Bm25Similarity> {
        let total_num_docs = stats.total_num_docs()?;
        let average_fieldnorm = total_num_tokens as Score / total_num_docs as Score;
        let n = scope.map_or(total_num_docs, |s| {
            scoped_count(s, doc_freq, total_num_docs)
        });
        let idf_value = idf(doc_freq, n);
        Ok(Bm25Similarity::new(
            params,
            idf_value,
            Some((doc_freq, n)),
            average_fieldnorm,
        ))
    }

    /// Scoring disabled: as tantivy, a constant weight.
    fn unscored(params: Bm25Params) -> Bm25Similarity {
        Bm25Similarity::new(params, 1.0, None, 1.0)
    }

    fn new(
        params: Bm25Params,
        idf: Score,
        doc_freq_and_count: Option<(u64, u64)>,
        average_fieldnorm: Score,
    ) -> Self {
        Bm25Similarity {
            params,
            weight: idf * (1.0 + params.k1),
            idf,
            doc_freq_and_count,
            average_fieldnorm,
            cache: length_cache(params, average_fieldnorm),
        }
    }

    fn idf_explain(&self) -> Explanation {
        let Some((doc_freq, total_num_docs)) = self.doc_freq_and_count else {
            return Explanation::new("<no score>", 1.0);
        };
        idf_explanation(self.idf, doc_freq, total_num_docs)
    }

    fn boost_by(&self, boost: Score) -> Bm25Similarity {
        Bm25Similarity {
            weight: self.weight * boost,
            ..self.clone()
        }
    }

    #[inline]
    fn score(&self, fieldnorm_id: u8, term_freq: u32) -> Score {
        let tf = term_freq as Score;
        self.weight * (tf / (tf + self.cache[fieldnorm_id as usize]))
    }

    /// As tantivy's `Bm25Weight::explain`, in Lucene's format: the
    /// product of (k1 + 1), the idf and the length-normalized term
    /// frequency, each with what it was computed from.
    fn explain(&self, what: String, fieldnorm_id: u8, term_freq: u32) -> Explanation {
        let score = self.score(fieldnorm_id, term_freq);
        let dl = FieldNormReader::id_to_fieldnorm(fieldnorm_id) as Score;
        let tf = tf_explanation(
            term_freq as Score,
            self.cache[fieldnorm_id as usize],
            self.params,
            dl,
            self.average_fieldnorm,
        );
        // Weight::explain scores with boost 1; BoostQuery explains the boost.
        let mut explanation = Explanation::new_with_string(format!("{what}, product of:"), score);
        explanation.add_detail(Explanation::new("(k1 + 1)", self.params.k1 + 1.0));
        explanation.add_detail(self.idf_explain());
        explanation.add_detail(tf);
        explanation
    }
}

/// Lucene's explanation of an idf: its value from n and N.
pub(crate) fn idf_explanation(idf: Score, doc_freq: u64, doc_count: u64) -> Explanation {
    let mut e = Explanation::new(
        "idf, computed as log(1 + (N - n + 0.5) / (n + 0.5)) from:",
        idf,
    );
    e.add_const("n, number of docs containing the term", doc_freq as Score);
    e.add_const("N, total number of docs", doc_count as Score);
    e
}

/// Lucene's explanation of BM25's term-frequency part; `norm` is
/// k1 · (1 − b + b · dl / avgdl) as the scorer computed it.
pub(crate) fn tf_explanation(
    tf: Score,
    norm: Score,
    params: Bm25Params,
    dl: Score,
    avgdl: Score,
) -> Explanation {
    let mut e = Explanation::new(
        "tf, computed as freq / (freq + k1 * (1 - b + b * dl / avgdl)) from:",
        tf / (tf + norm),
    );
    e.add_const("freq, occurrences of the term", tf);
    e.add_const("k1, term saturation parameter", params.k1);
    e.add_const("b, length normalization parameter", params.b);
    e.add_const("dl, length of the field", dl);
    e.add_const("avgdl, average length of the field", avgdl);
    e
}

/// `field:"text"` of a term, for explanations (made only when explaining:
/// formatting it for every term of every query was 7% of a batch).
pub(crate) fn describe_term(schema: &tantivy::schema::Schema, term: &Term) -> String {
    let field = schema.get_field_name(term.field());
    match term.value().as_str() {
        Some(text) => format!("{field}:{text:?}"),
        None => format!("{term:?}"),
    }
}

struct Bm25TermWeight {
    term: Term,
    similarity: Bm25Similarity,
    scoring_enabled: bool,
    /// The term's dictionary entry per segment, when the weight was built
    /// from the searcher's own statistics.
    term_infos: Option<SegmentTermInfos>,
}

impl Bm25TermWeight {
    /// As tantivy's `TermWeight::specialized_scorer`: `None` when the term
    /// is not in this segment.
    fn term_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<Bm25TermScorer>> {
        let field = self.term.field();
        let option = if self.scoring_enabled {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::Basic
        };
        let postings = match self
            .term_infos
            .as_ref()
            .and_then(|t| t.get(reader.segment_id()))
        {
            Some(None) => return Ok(None),
            Some(Some(info)) => reader
                .inverted_index(field)?
                .read_postings_from_terminfo(info, option)?,
            None => match terms::postings(reader, &self.term, option)? {
                Some(postings) => postings,
                None => return Ok(None),
            },
        };
        // As tantivy's `TermWeight::fieldnorm_reader`: a field without norms
        // (or no scoring) counts every document as one token long.
        let fieldnorms = match self.scoring_enabled {
            true => reader.fieldnorms_readers().get_field(field)?,
            false => None,
        }
        .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1));
        Ok(Some(Bm25TermScorer {
            postings,
            fieldnorms,
            similarity: self.similarity.boost_by(boost),
        }))
    }
}

impl Weight for Bm25TermWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.term_scorer(reader, boost)? {
            Some(scorer) => Box::new(scorer),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let does_not_match =
            || TantivyError::InvalidArgument(format!("Document #({doc}) does not match"));
        let Some(mut scorer) = self.term_scorer(reader, 1.0)? else {
            return Err(does_not_match());
        };
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(does_not_match());
        }
        let described = describe_term(reader.schema(), &self.term);
        Ok(scorer.explain(format!("weight({described})")))
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        // As tantivy's `TermWeight::count`: the document frequency, unless
        // some documents are deleted.
        if let Some(alive) = reader.alive_bitset() {
            return Ok(self.scorer(reader, 1.0)?.count(alive));
        }
        Ok(terms::term_info(reader, &self.term)?.map_or(0, |i| i.doc_freq))
    }
}

struct Bm25TermScorer {
    postings: SegmentPostings,
    fieldnorms: FieldNormReader,
    similarity: Bm25Similarity,
}

impl Bm25TermScorer {
    fn explain(&self, what: String) -> Explanation {
        let id = self.fieldnorms.fieldnorm_id(self.doc());
        self.similarity.explain(what, id, self.postings.term_freq())
    }
}

impl DocSet for Bm25TermScorer {
    #[inline]
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    #[inline]
    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    #[inline]
    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for Bm25TermScorer {
    #[inline]
    fn score(&mut self) -> Score {
        let id = self.fieldnorms.fieldnorm_id(self.doc());
        self.similarity.score(id, self.postings.term_freq())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, TermQuery};
    use tantivy::schema::{Field, Schema, TEXT};
    use tantivy::{DocAddress, Index, IndexWriter, Searcher, doc};

    /// Passages of different lengths, "cat" in most of them; two segments.
    fn index() -> (Searcher, Field) {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
        for text in [
            "cat",
            "cat dog",
            "the cat sat on the mat with another cat",
            "dog dog dog",
            "a very long passage that mentions the cat only once among many other words here",
        ] {
            writer.add_document(doc!(body => text)).unwrap();
        }
        writer.commit().unwrap();
        for text in ["cat cat", "bird", "one cat and one dog and one bird"] {
            writer.add_document(doc!(body => text)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        (searcher, body)
    }

    fn scores(searcher: &Searcher, q: &dyn Query) -> Vec<(DocAddress, Score)> {
        let mut top: Vec<(DocAddress, Score)> = searcher
            .search(q, &TopDocs::with_limit(100).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(s, a)| (a, s))
            .collect();
        top.sort_by_key(|(a, _)| *a);
        top
    }

    fn term(field: Field, text: &str) -> Term {
        Term::from_field_text(field, text)
    }

    /// The (n, N) of the idf that a query's explanation of `doc` gives.
    fn idf_of(searcher: &Searcher, q: &Bm25TermQuery, doc: DocAddress) -> (f32, f32) {
        let e = q.explain(searcher, doc).unwrap();
        let json: serde_json::Value = serde_json::from_str(&e.to_pretty_json()).unwrap();
        let idf = &json["details"][1]["details"];
        (
            idf[0]["value"].as_f64().unwrap() as f32,
            idf[1]["value"].as_f64().unwrap() as f32,
        )
    }

    #[test]
    fn a_scoped_idf_counts_the_scopes_documents_at_least_the_floor() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let lang = schema.add_text_field("lang", tantivy::schema::STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
        // 3,000 English passages; 1,500 Hausa ones, each with the stem
        // `hada` (as `ha:da`); 200 Somali ones, 50 with `soda`.
        for i in 0..3000 {
            writer
                .add_document(doc!(body => format!("w{i}"), lang => "en"))
                .unwrap();
        }
        for i in 0..1500 {
            writer
                .add_document(doc!(body => format!("hada h{i}"), lang => "ha"))
                .unwrap();
        }
        for i in 0..200 {
            let text = if i % 4 == 0 {
                format!("soda s{i}")
            } else {
                format!("s{i}")
            };
            writer
                .add_document(doc!(body => text, lang => "so"))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let q = |word: &str| Bm25TermQuery::new(term(body, word), Bm25Params::TANTIVY);
        let (hausa, somali) = (DocAddress::new(0, 3000), DocAddress::new(0, 4500));
        // Unscoped: N is every passage, where a word in every Hausa
        // passage looks rare.
        assert_eq!(idf_of(&searcher, &q("hada"), hausa), (1500.0, 4700.0));
        // Among Hausa's 1,500 passages: in all of them.
        let scoped = q("hada").within(term(lang, "ha"));
        assert_eq!(idf_of(&searcher, &scoped, hausa), (1500.0, 1500.0));
        // Somali has 200 passages, fewer than the floor: N is the floor.
        let scoped = q("soda").within(term(lang, "so"));
        assert_eq!(
            idf_of(&searcher, &scoped, somali),
            (50.0, SCOPE_FLOOR as f32)
        );
    }

    #[test]
    fn common_means_more_than_the_share_of_at_least_the_floor() {
        // A fifth of 1,500 passages is 300: 301 is common, 300 not.
        assert!(is_common(301, 1500, 0.2));
        assert!(!is_common(300, 1500, 0.2));
        // A language of 100 passages counts the floor's 1,000: a word in
        // every one of them is not common (a fifth of the floor is 200).
        assert!(!is_common(100, 100, 0.2));
        assert!(is_common(201, 100, 0.2));
        // A share of 1 keeps everything, even a term counted in more
        // documents than its scope holds.
        assert!(!is_common(5000, 5000, 1.0));
        assert!(!is_common(5001, 5000, 1.0));
    }

    #[test]
    fn tantivy_parameters_score_as_term_query() {
        let (searcher, body) = index();
        for word in ["cat", "dog", "bird"] {
            let ours = Bm25TermQuery::new(term(body, word), Bm25Params::TANTIVY);
            let theirs = TermQuery::new(term(body, word), IndexRecordOption::WithFreqs);
            let (a, b) = (scores(&searcher, &ours), scores(&searcher, &theirs));
            assert!(!a.is_empty());
            assert_eq!(a.len(), b.len(), "{word}");
            for ((da, sa), (db, sb)) in a.iter().zip(&b) {
                assert_eq!(da, db);
                assert!((sa - sb).abs() < 1e-4, "{word} {da:?}: {sa} vs {sb}");
            }
        }
        // Boosted, and inside a union: still the same scores.
        let ours = BooleanQuery::union(vec![
            Box::new(BoostQuery::new(
                Box::new(Bm25TermQuery::new(term(body, "cat"), Bm25Params::TANTIVY)),
                0.3,
            )),
            Box::new(Bm25TermQuery::new(term(body, "dog"), Bm25Params::TANTIVY)),
        ]);
        let theirs = BooleanQuery::union(vec![
            Box::new(BoostQuery::new(
                Box::new(TermQuery::new(
                    term(body, "cat"),
                    IndexRecordOption::WithFreqs,
                )),
                0.3,
            )),
            Box::new(TermQuery::new(
                term(body, "dog"),
                IndexRecordOption::WithFreqs,
            )),
        ]);
        let (a, b) = (scores(&searcher, &ours), scores(&searcher, &theirs));
        assert_eq!(a.len(), b.len());
        for ((da, sa), (db, sb)) in a.iter().zip(&b) {
            assert_eq!(da, db);
            assert!((sa - sb).abs() < 1e-4, "{da:?}: {sa} vs {sb}");
        }
    }

    /// Score of the one-word passage "cat" over that of the long passage
    /// mentioning it once.
    fn short_over_long(searcher: &Searcher, body: Field, b: Score) -> Score {
        let q = Bm25TermQuery::new(term(body, "cat"), Bm25Params { k1: 1.2, b });
        let s = scores(searcher, &q);
        let short = s[0].1; // "cat"
        let long = s
            .iter()
            .find(|(a, _)| *a == DocAddress::new(0, 4))
            .unwrap()
            .1;
        assert_eq!(s[0].0, DocAddress::new(0, 0));
        short / long
    }

    #[test]
    fn lower_b_normalizes_length_less() {
        let (searcher, body) = index();
        let full = short_over_long(&searcher, body, 1.0);
        let tantivy = short_over_long(&searcher, body, 0.75);
        let lucene = short_over_long(&searcher, body, 0.4);
        let none = short_over_long(&searcher, body, 0.0);
        assert!(full > tantivy && tantivy > lucene && lucene > none);
        assert!(tantivy > 1.0);
        // b = 0: length does not matter at all.
        assert!((none - 1.0).abs() < 1e-6, "{none}");
    }

    #[test]
    fn higher_k1_rewards_repetition_more() {
        let (searcher, body) = index();
        // "cat" (doc 0 of segment 1) vs "cat cat" (doc 0 of segment 2): with
        // b = 0 only the term frequency differs.
        let ratio = |k1| {
            let q = Bm25TermQuery::new(term(body, "cat"), Bm25Params { k1, b: 0.0 });
            let s = scores(&searcher, &q);
            let one = s
                .iter()
                .find(|(a, _)| *a == DocAddress::new(0, 0))
                .unwrap()
                .1;
            let two = s
                .iter()
                .find(|(a, _)| *a == DocAddress::new(1, 0))
                .unwrap()
                .1;
            two / one
        };
        assert!(ratio(0.9) < ratio(1.2) && ratio(1.2) < ratio(2.0));
        assert!(ratio(0.9) > 1.0);
    }

    #[test]
    fn missing_term_matches_nothing() {
        let (searcher, body) = index();
        // "bird" is only in the second segment: the first gives an empty scorer.
        let bird = Bm25TermQuery::new(term(body, "bird"), Bm25Params::TANTIVY);
        let s = scores(&searcher, &bird);
        assert_eq!(s.len(), 2);
        assert!(s.iter().all(|(a, _)| a.segment_ord == 1));
        let none = Bm25TermQuery::new(term(body, "unicorn"), Bm25Params { k1: 0.9, b: 0.4 });
        assert!(scores(&searcher, &none).is_empty());
        assert_eq!(none.count(&searcher).unwrap(), 0);
        assert!(none.explain(&searcher, DocAddress::new(0, 0)).is_err());
    }

    #[test]
    fn count_is_the_number_of_matches() {
        let (searcher, body) = index();
        for (word, n) in [("cat", 6), ("dog", 3), ("bird", 2)] {
            let q = Bm25TermQuery::new(term(body, word), Bm25Params { k1: 0.9, b: 0.4 });
            assert_eq!(q.count(&searcher).unwrap(), n, "{word}");
            assert_eq!(searcher.search(&q, &Count).unwrap(), n, "{word}");
        }
    }

    #[test]
    fn explain_gives_the_score_and_the_parameters() {
        let (searcher, body) = index();
        let q = Bm25TermQuery::new(term(body, "cat"), Bm25Params { k1: 0.9, b: 0.4 });
        for (addr, score) in scores(&searcher, &q) {
            let e = q.explain(&searcher, addr).unwrap();
            assert!((e.value() - score).abs() < 1e-5, "{addr:?}");
            let json = e.to_pretty_json();
            assert!(json.contains("k1, term saturation parameter"), "{json}");
            assert!(json.contains("0.9") && json.contains("0.4"), "{json}");
            assert!(json.contains("weight(body:\\\"cat\\\")"), "{json}");
        }
        // Boosted: the explanation is still the score.
        let boosted = BoostQuery::new(Box::new(q.clone()), 0.3);
        let (addr, score) = scores(&searcher, &boosted)[0];
        let e = boosted.explain(&searcher, addr).unwrap();
        assert!((e.value() - score).abs() < 1e-5);
        // A passage without the term does not match.
        let dog_only = DocAddress::new(0, 3);
        assert!(q.explain(&searcher, dog_only).is_err());
    }

    /// Statistics that are not the searcher's: the weight cannot take its
    /// term infos from the searcher and must look the term up per segment.
    struct Doubled<'a>(&'a Searcher);

    impl Bm25StatisticsProvider for Doubled<'_> {
        fn total_num_tokens(&self, field: tantivy::schema::Field) -> tantivy::Result<u64> {
            Ok(2 * self.0.total_num_tokens(field)?)
        }
        fn total_num_docs(&self) -> tantivy::Result<u64> {
            Ok(2 * self.0.total_num_docs()?)
        }
        fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
            Ok(2 * self.0.doc_freq(term)?)
        }
    }

    #[test]
    fn other_statistics_are_used_and_segments_still_read() {
        let (searcher, body) = index();
        let q = Bm25TermQuery::new(term(body, "bird"), Bm25Params::TANTIVY);
        let theirs = TermQuery::new(term(body, "bird"), IndexRecordOption::WithFreqs);
        let top = |q: &dyn Query| {
            searcher
                .search_with_statistics_provider(
                    q,
                    &TopDocs::with_limit(10).order_by_score(),
                    &Doubled(&searcher),
                )
                .unwrap()
        };
        let (a, b) = (top(&q), top(&theirs));
        assert_eq!(a.len(), 2);
        assert_eq!(a.len(), b.len());
        for ((sa, da), (sb, db)) in a.iter().zip(&b) {
            assert_eq!(da, db);
            assert!((sa - sb).abs() < 1e-4, "{da:?}: {sa} vs {sb}");
        }
        // The doubled statistics change the score (so they were used).
        let own = scores(&searcher, &q);
        assert!((own[0].1 - a.iter().find(|(_, d)| *d == own[0].0).unwrap().0).abs() > 1e-3);
    }

    #[test]
    fn a_weight_scores_segments_of_another_searcher() {
        let (searcher, body) = index();
        let (other, other_body) = index();
        assert_eq!(body, other_body);
        let q = Bm25TermQuery::new(term(body, "cat"), Bm25Params::TANTIVY);
        let weight = q
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();
        // Segments the weight has not seen: it looks the term up itself.
        let mut n = 0;
        for reader in other.segment_readers() {
            let mut scorer = weight.scorer(reader, 1.0).unwrap();
            while scorer.doc() != tantivy::TERMINATED {
                n += 1;
                scorer.advance();
            }
        }
        assert_eq!(n, 6);
    }

    #[test]
    fn query_terms_reports_the_term() {
        let (_, body) = index();
        let q = Bm25TermQuery::new(term(body, "cat"), Bm25Params::TANTIVY);
        let mut seen = Vec::new();
        q.query_terms(&mut |t, positions| seen.push((t.clone(), positions)));
        assert_eq!(seen, vec![(term(body, "cat"), false)]);
    }
}
