//! Document evidence: BM25 of the query's words over whole documents,
//! given to each of the document's passages.
//!
//! A news article is relevant as a whole; its best paragraph is found
//! inside it. gazette indexes one tantivy document per passage, with a
//! document's passages consecutive in one segment (see
//! [`crate::search::doclevel`]), so a document's statistics are those of
//! its passages added up: a term's frequency in the document is the sum of
//! its frequencies in the passages, the document's length the sum of the
//! passages' lengths (their fieldnorms), a term's document frequency the
//! number of distinct documents among its postings, N the number of first
//! passages. [`DocEvidenceQuery`] computes that block join when its weight
//! is built (one pass over each term's postings per segment, as the passage
//! query makes), then scores every passage of a matching document with its
//! document's BM25, with parameters of its own ([`doc_params`]): k1 and b
//! suited to documents are not those suited to passages.
//!
//! Nothing is indexed twice: the index stays one set of postings, and the
//! document statistics cost one more walk over the query terms' postings.

use std::fmt;

use std::sync::{Arc, Mutex, OnceLock};

use tantivy::index::SegmentId;
use tantivy::postings::Postings;
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use crate::search::bm25::{Bm25Params, describe_term, idf, idf_explanation, tf_explanation};
use crate::search::doclevel::DocLevelScorer;

/// The passages of the documents containing any of the terms, each scored
/// with its document's BM25 over the terms.
#[derive(Clone)]
pub struct DocEvidenceQuery {
    /// Terms (of the passage text or its trigram field) with their weights
    /// and groups: a document's evidence is the sum over groups of the best
    /// of each group's terms (the forms of one query word: its stems in
    /// several languages and its exact form are alternatives, not several
    /// words).
    terms: Vec<(Term, Score, u32)>,
    /// The passages' position field (indexed and fast).
    position: Field,
    params: Bm25Params,
    /// The parameters of a document of one passage (a tweet, a sentence):
    /// the passage's own, so that its evidence is its passage score again,
    /// in proportion, and one-passage documents rank among themselves as
    /// the passage query alone ranks them.
    single: Bm25Params,
    /// Each term's document frequency over every index searched together,
    /// when set ([`EvidenceStats`]); else counted in the searcher.
    shared: Arc<OnceLock<Vec<u64>>>,
}

impl fmt::Debug for DocEvidenceQuery {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "DocEvidence({:?}, k1={}, b={})",
            self.terms, self.params.k1, self.params.b
        )
    }
}

impl DocEvidenceQuery {
    /// A query over `terms`, each with its weight; `position` is the
    /// passages' position field; `params` score documents of several
    /// passages, `single` documents of one.
    pub fn new(
        terms: Vec<(Term, Score, u32)>,
        position: Field,
        params: Bm25Params,
        single: Bm25Params,
    ) -> Self {
        DocEvidenceQuery {
            terms,
            position,
            params,
            single,
            shared: Arc::default(),
        }
    }

    /// The handle that sets this query's document frequencies when several
    /// indexes are searched as one.
    pub fn stats(&self) -> EvidenceStats {
        EvidenceStats {
            terms: self.terms.iter().map(|(t, _, _)| t.clone()).collect(),
            position: self.position,
            shared: self.shared.clone(),
        }
    }
}

/// The document frequencies of a [`DocEvidenceQuery`]'s terms: counted in
/// each index ([`EvidenceStats::local`]), added up and set
/// ([`EvidenceStats::set`]) before the query's weights are built, so that
/// every index scores with the statistics of all of them (the other parts
/// of the evidence, N and the average length, come from the statistics
/// provider as for any BM25 query).
#[derive(Clone)]
pub struct EvidenceStats {
    terms: Vec<Term>,
    position: Field,
    shared: Arc<OnceLock<Vec<u64>>>,
}

impl EvidenceStats {
    /// Each term's number of documents (live ones, as the weight counts
    /// them) in `searcher`.
    pub fn local(&self, searcher: &tantivy::Searcher) -> tantivy::Result<Vec<u64>> {
        let name = searcher.schema().get_field_name(self.position).to_string();
        let terms: Vec<(Term, Score, u32)> =
            self.terms.iter().map(|t| (t.clone(), 1.0, 0)).collect();
        let mut out = vec![0u64; terms.len()];
        for reader in searcher.segment_readers() {
            let layout = Layout::of(reader, &name)?;
            for (n, list) in out
                .iter_mut()
                .zip(segment_doc_freqs(reader, &terms, &layout)?)
            {
                *n += list.len() as u64;
            }
        }
        Ok(out)
    }

    /// Sets the document frequencies (in the order [`Self::local`] gives
    /// them) that the query's weights use from now on.
    pub fn set(&self, doc_freqs: Vec<u64>) {
        let _ = self.shared.set(doc_freqs);
    }
}

impl DocEvidenceQuery {
    /// The BM25 parameters of the document starting at `first`.
    fn params_of(&self, layout: &Layout, first: DocId) -> Bm25Params {
        if layout.passages[first as usize] == 1 {
            self.single
        } else {
            self.params
        }
    }
}

/// A term of the evidence with its statistics over documents.
struct TermWeight {
    term: Term,
    /// `field:"text"`, for explanations.
    described: String,
    boost: Score,
    /// The query word it is a form of (see [`DocEvidenceQuery`]).
    group: u32,
    /// Documents containing the term.
    doc_freq: u64,
    idf: Score,
    /// The field's average document length.
    avgdl: Score,
}

impl TermWeight {
    /// k1 · (1 − b + b · dl / avgdl).
    fn norm(&self, p: Bm25Params, dl: Score) -> Score {
        p.k1 * (1.0 - p.b + p.b * dl / self.avgdl)
    }

    /// The term's BM25 in a document where it occurs `tf` times, of
    /// length `dl`: what the scorer adds up and the explanation shows.
    fn score(&self, p: Bm25Params, tf: Score, dl: Score) -> Score {
        self.idf * self.boost * (p.k1 + 1.0) * tf / (tf + self.norm(p, dl))
    }

    fn explain(&self, p: Bm25Params, tf: Score, dl: Score, documents: u64) -> Explanation {
        let mut e = Explanation::new_with_string(
            format!(
                "weight({} in the whole document), product of:",
                self.described
            ),
            self.score(p, tf, dl),
        );
        e.add_const("boost", self.boost);
        e.add_const("(k1 + 1)", p.k1 + 1.0);
        e.add_detail(idf_explanation(self.idf, self.doc_freq, documents));
        e.add_detail(tf_explanation(tf, self.norm(p, dl), p, dl, self.avgdl));
        e
    }
}

/// One term's frequency in each document of a segment that contains it:
/// `(first passage, summed frequency)`, ascending.
type DocFreqs = Vec<(DocId, u32)>;

/// Passage `d`'s document: its first passage.
fn first_of(positions: &tantivy::columnar::Column<u64>, d: DocId) -> DocId {
    let p = positions.first(d).unwrap_or(0);
    d.saturating_sub(u32::try_from(p).unwrap_or(u32::MAX))
}

/// A segment's documents, laid out once and shared by every query (a
/// segment never changes): each passage's first passage, each document's
/// number of passages, and its length per field, computed when first
/// asked for.
struct Layout {
    /// Per passage: its document's first passage.
    first: Vec<DocId>,
    /// Per first passage: the document's number of passages (0 elsewhere).
    passages: Vec<u32>,
    /// Per field: per first passage, the sum of its passages' fieldnorms.
    lengths: Mutex<Vec<(Field, Arc<Vec<u32>>)>>,
}

/// Layouts of recently searched segments.
static LAYOUTS: Mutex<Vec<(SegmentId, Arc<Layout>)>> = Mutex::new(Vec::new());
/// Segments whose layouts are kept (a few MB each at most).
const MAX_LAYOUTS: usize = 64;

impl Layout {
    fn of(reader: &SegmentReader, position: &str) -> tantivy::Result<Arc<Layout>> {
        let id = reader.segment_id();
        if let Some((_, l)) = lock(&LAYOUTS).iter().find(|(s, _)| *s == id) {
            return Ok(l.clone());
        }
        let positions = reader.fast_fields().u64(position)?;
        let max_doc = reader.max_doc();
        let mut first = Vec::with_capacity(max_doc as usize);
        let mut passages = vec![0u32; max_doc as usize];
        for d in 0..max_doc {
            let f = first_of(&positions, d).min(d);
            first.push(f);
            passages[f as usize] += 1;
        }
        let layout = Arc::new(Layout {
            first,
            passages,
            lengths: Mutex::new(Vec::new()),
        });
        let mut all = lock(&LAYOUTS);
        if all.len() >= MAX_LAYOUTS {
            all.remove(0);
        }
        all.push((id, layout.clone()));
        Ok(layout)
    }

    /// Per first passage, the document's length in `field`.
    fn lengths(&self, reader: &SegmentReader, field: Field) -> tantivy::Result<Arc<Vec<u32>>> {
        if let Some((_, l)) = lock(&self.lengths).iter().find(|(f, _)| *f == field) {
            return Ok(l.clone());
        }
        let norms = reader.get_fieldnorms_reader(field)?;
        let mut lengths = vec![0u32; self.first.len()];
        for (d, &f) in self.first.iter().enumerate() {
            lengths[f as usize] = lengths[f as usize].saturating_add(norms.fieldnorm(d as DocId));
        }
        let lengths = Arc::new(lengths);
        lock(&self.lengths).push((field, lengths.clone()));
        Ok(lengths)
    }
}

/// A lock, whatever a panicking holder left (the data are caches).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Each term's documents in one segment.
fn segment_doc_freqs(
    reader: &SegmentReader,
    terms: &[(Term, Score, u32)],
    layout: &Layout,
) -> tantivy::Result<Vec<DocFreqs>> {
    let alive = reader.alive_bitset();
    let mut out = Vec::with_capacity(terms.len());
    for (term, _, _) in terms {
        let mut list: DocFreqs = Vec::new();
        let inverted = reader.inverted_index(term.field())?;
        if let Some(mut postings) = inverted.read_postings(term, IndexRecordOption::WithFreqs)? {
            let mut d = postings.doc();
            while d != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(d)) {
                    let first = layout.first[d as usize];
                    let tf = postings.term_freq();
                    match list.last_mut() {
                        Some((f, t)) if *f == first => *t += tf,
                        _ => list.push((first, tf)),
                    }
                }
                d = postings.advance();
            }
        }
        out.push(list);
    }
    Ok(out)
}

impl Query for DocEvidenceQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let EnableScoring::Enabled {
            searcher,
            statistics_provider,
        } = enable_scoring
        else {
            // Only ever a scoring clause beside the passage query.
            return Ok(Box::new(DocEvidenceWeight {
                segments: Vec::new(),
                position: String::new(),
                terms: Vec::new(),
                documents: 0,
                query: self.clone(),
            }));
        };
        let schema = enable_scoring.schema();
        let position = schema.get_field_name(self.position).to_string();
        let documents = statistics_provider
            .doc_freq(&Term::from_field_u64(self.position, 0))?
            .max(1);
        let mut per_segment = Vec::with_capacity(searcher.segment_readers().len());
        let mut doc_freq = vec![0u64; self.terms.len()];
        let mut layouts = Vec::with_capacity(searcher.segment_readers().len());
        for reader in searcher.segment_readers() {
            let layout = Layout::of(reader, &position)?;
            let lists = segment_doc_freqs(reader, &self.terms, &layout)?;
            layouts.push(layout);
            for (n, list) in doc_freq.iter_mut().zip(&lists) {
                *n += list.len() as u64;
            }
            per_segment.push(lists);
        }
        if let Some(shared) = self.shared.get().filter(|s| s.len() == doc_freq.len()) {
            doc_freq.clone_from(shared);
        }
        // Per term: its idf over documents and its field's average
        // document length.
        let mut term_weights = Vec::with_capacity(self.terms.len());
        for ((term, boost, group), n) in self.terms.iter().zip(&doc_freq) {
            let tokens = statistics_provider.total_num_tokens(term.field())?;
            term_weights.push(TermWeight {
                term: term.clone(),
                described: describe_term(schema, term),
                boost: *boost,
                group: *group,
                doc_freq: *n,
                idf: idf(*n, documents),
                avgdl: (tokens as Score / documents as Score).max(1.0),
            });
        }
        let mut segments = Vec::with_capacity(per_segment.len());
        let readers = searcher.segment_readers().iter().zip(&layouts);
        for ((reader, layout), lists) in readers.zip(per_segment) {
            if lists.iter().all(Vec::is_empty) {
                continue;
            }
            let mut scores: Vec<(DocId, u32, Score)> = Vec::new();
            for (list, tw) in lists.iter().zip(&term_weights) {
                if list.is_empty() {
                    continue;
                }
                let lengths = layout.lengths(reader, tw.term.field())?;
                for &(first, tf) in list {
                    let dl = lengths[first as usize] as Score;
                    let params = self.params_of(layout, first);
                    scores.push((first, tw.group, tw.score(params, tf as Score, dl)));
                }
            }
            scores.sort_unstable_by_key(|f| (f.0, f.1));
            let mut firsts: Vec<(DocId, Score)> = Vec::with_capacity(scores.len());
            // Per (document, word): the best of the word's forms.
            let mut best: Option<(DocId, u32, Score)> = None;
            let add =
                |firsts: &mut Vec<(DocId, Score)>, (d, _, sc): (DocId, u32, Score)| match firsts
                    .last_mut()
                {
                    Some((f, total)) if *f == d => *total += sc,
                    _ => firsts.push((d, sc)),
                };
            for (d, group, sc) in scores {
                match &mut best {
                    Some((bd, bg, bs)) if *bd == d && *bg == group => *bs = bs.max(sc),
                    _ => {
                        if let Some(b) = best.take() {
                            add(&mut firsts, b);
                        }
                        best = Some((d, group, sc));
                    }
                }
            }
            if let Some(b) = best {
                add(&mut firsts, b);
            }
            segments.push((reader.segment_id(), firsts));
        }
        Ok(Box::new(DocEvidenceWeight {
            segments,
            position,
            terms: term_weights,
            documents,
            query: self.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _, _) in &self.terms {
            visitor(term, false);
        }
    }
}

struct DocEvidenceWeight {
    /// Per segment: its matching documents' first passages, ascending, with
    /// the documents' scores.
    segments: Vec<(SegmentId, Vec<(DocId, Score)>)>,
    /// Name of the position fast field.
    position: String,
    /// The terms with their statistics (for explanations).
    terms: Vec<TermWeight>,
    /// N: documents in the searcher.
    documents: u64,
    query: DocEvidenceQuery,
}

impl DocEvidenceWeight {
    fn firsts(&self, reader: &SegmentReader) -> Option<&[(DocId, Score)]> {
        self.segments
            .iter()
            .find(|(id, _)| *id == reader.segment_id())
            .map(|(_, f)| f.as_slice())
    }
}

impl Weight for DocEvidenceWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let Some(firsts) = self.firsts(reader) else {
            return Ok(Box::new(EmptyScorer));
        };
        let positions = reader.fast_fields().u64(&self.position)?;
        let firsts = firsts.iter().map(|&(d, s)| (d, s * boost)).collect();
        Ok(Box::new(DocLevelScorer::new(
            firsts,
            positions,
            reader.max_doc(),
        )))
    }

    /// The document's score, and each term's part in it, recomputed from
    /// the term's occurrences in the document's passages with the same
    /// [`TermWeight::score`] the weight used.
    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let positions = reader.fast_fields().u64(&self.position)?;
        let first = first_of(&positions, doc);
        let Some(score) = self
            .firsts(reader)
            .and_then(|f| f.binary_search_by_key(&first, |x| x.0).ok().map(|i| f[i].1))
        else {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "Document #({doc}) does not match"
            )));
        };
        let layout = Layout::of(reader, &self.position)?;
        let params = self.query.params_of(&layout, first);
        let passages = layout.passages[first as usize];
        let mut e = Explanation::new_with_string(
            format!(
                "document evidence: BM25 of the query's words over the whole document \
                 ({passages} passage(s) from doc {first}, k1 {}, b {}; n and N count \
                 documents), sum of:",
                params.k1, params.b
            ),
            score,
        );
        let alive = reader.alive_bitset();
        // Per word (group), its forms' explanations: the best one counts.
        let mut words: Vec<(u32, Vec<Explanation>)> = Vec::new();
        for tw in &self.terms {
            let inverted = reader.inverted_index(tw.term.field())?;
            let Some(mut postings) =
                inverted.read_postings(&tw.term, IndexRecordOption::WithFreqs)?
            else {
                continue;
            };
            let mut tf = 0u32;
            let mut d = postings.doc();
            if d < first {
                d = postings.seek(first);
            }
            while d != TERMINATED && layout.first[d as usize] == first {
                if alive.is_none_or(|a| a.is_alive(d)) {
                    tf += postings.term_freq();
                }
                d = postings.advance();
            }
            if tf > 0 {
                let dl = layout.lengths(reader, tw.term.field())?[first as usize] as Score;
                let x = tw.explain(params, tf as Score, dl, self.documents);
                match words.iter_mut().find(|(g, _)| *g == tw.group) {
                    Some((_, forms)) => forms.push(x),
                    None => words.push((tw.group, vec![x])),
                }
            }
        }
        for (_, mut forms) in words {
            if forms.len() == 1 {
                e.add_detail(forms.remove(0));
                continue;
            }
            let best = forms.iter().map(|x| x.value()).fold(Score::MIN, Score::max);
            let mut word = Explanation::new("one word's forms, the best of:", best);
            for x in forms {
                word.add_detail(x);
            }
            e.add_detail(word);
        }
        Ok(e)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::schema::{FAST, INDEXED, Schema, TEXT};
    use tantivy::{Index, TantivyDocument};

    use super::*;

    /// BM25 of one term, written out.
    fn bm25(tf: f32, dl: f32, avgdl: f32, df: f32, n: f32, p: Bm25Params) -> f32 {
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        idf * (p.k1 + 1.0) * tf / (tf + p.k1 * (1.0 - p.b + p.b * dl / avgdl))
    }

    #[test]
    fn passages_score_with_their_whole_documents_statistics() {
        let mut b = Schema::builder();
        let body = b.add_text_field("body", TEXT);
        let position = b.add_u64_field("position", INDEXED | FAST);
        let index = Index::create_in_ram(b.build());
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // Documents of passages: A = 2 passages with "apple" twice in all
        // (4 words), B = 1 passage (1 word), C = no apple (2 words).
        let docs: [&[&str]; 3] = [&["apple pie", "apple tart"], &["apple"], &["pear jam"]];
        for passages in docs {
            let batch: Vec<_> = passages
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    let mut d = TantivyDocument::new();
                    d.add_text(body, text);
                    d.add_u64(position, i as u64);
                    tantivy::indexer::UserOperation::Add(d)
                })
                .collect();
            w.run(batch).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let params = Bm25Params { k1: 1.2, b: 0.75 };
        let q = DocEvidenceQuery::new(
            vec![(Term::from_field_text(body, "apple"), 1.0, 0)],
            position,
            params,
            Bm25Params { k1: 0.4, b: 0.75 },
        );
        let mut got = searcher
            .search(&q, &TopDocs::with_limit(10).order_by_score())
            .unwrap();
        got.sort_by_key(|(_, a)| a.doc_id);
        let got: Vec<(u32, f32)> = got.iter().map(|(s, a)| (a.doc_id, *s)).collect();
        // N = 3 documents, df = 2, avgdl = 7 words / 3 documents.
        let avgdl = 7.0 / 3.0;
        let a = bm25(2.0, 4.0, avgdl, 2.0, 3.0, params);
        // B has one passage: scored with the passage parameters.
        let b = bm25(1.0, 1.0, avgdl, 2.0, 3.0, Bm25Params { k1: 0.4, b: 0.75 });
        assert_eq!(got.len(), 3, "both passages of A and B's one: {got:?}");
        assert_eq!((got[0].0, got[1].0, got[2].0), (0, 1, 2));
        for ((_, s), want) in got.iter().zip([a, a, b]) {
            assert!((s - want).abs() < 1e-5, "{s} != {want}");
        }
    }

    #[test]
    fn the_forms_of_one_word_count_once_at_their_best() {
        let mut b = Schema::builder();
        let body = b.add_text_field("body", TEXT);
        let position = b.add_u64_field("position", INDEXED | FAST);
        let index = Index::create_in_ram(b.build());
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // One document of two passages: "apple" once, "apples" twice.
        let batch: Vec<_> = ["apple pie", "apples apples"]
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let mut d = TantivyDocument::new();
                d.add_text(body, text);
                d.add_u64(position, i as u64);
                tantivy::indexer::UserOperation::Add(d)
            })
            .collect();
        w.run(batch).unwrap();
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let params = Bm25Params { k1: 1.2, b: 0.75 };
        let score = |groups: [u32; 2]| {
            let q = DocEvidenceQuery::new(
                vec![
                    (Term::from_field_text(body, "apple"), 1.0, groups[0]),
                    (Term::from_field_text(body, "apples"), 0.5, groups[1]),
                ],
                position,
                params,
                params,
            );
            let got = searcher
                .search(&q, &TopDocs::with_limit(10).order_by_score())
                .unwrap();
            assert_eq!(got.len(), 2, "both passages: {got:?}");
            assert_eq!(got[0].0, got[1].0);
            got[0].0
        };
        // N = 1, df = 1 for both, one document of 4 words: avgdl = dl.
        let apple = bm25(1.0, 4.0, 4.0, 1.0, 1.0, params);
        let apples = 0.5 * bm25(2.0, 4.0, 4.0, 1.0, 1.0, params);
        assert!(apples < apple, "the lighter form is the weaker one");
        assert!((score([0, 1]) - (apple + apples)).abs() < 1e-5);
        assert!((score([3, 3]) - apple).abs() < 1e-5);
    }
}
