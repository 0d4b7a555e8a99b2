//! Document-level fields (the title) are indexed once per document, on its
//! first passage; [`DocLevelQuery`] gives each passage what its document's
//! first passage scores.
//!
//! A document's passages are consecutive tantivy documents of one segment,
//! in order (the writer hands them to tantivy as one batch; deletes and
//! merges remove or keep all of them together), and each stores its
//! `position` in a fast field. So passage `d` belongs to the document whose
//! first passage is `d - position(d)`, and the passages of the document
//! starting at `d0` are `d0, d0 + 1, …` for as long as `position(d) = d - d0`.
//!
//! BM25 inside a [`DocLevelQuery`] counts documents, not passages: N is the
//! number of first passages (documents), so a title word's IDF and the
//! average title length do not depend on how many passages a document has.

use std::fmt;
use std::sync::Arc;

use tantivy::columnar::Column;
use tantivy::query::{
    Bm25StatisticsProvider, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use crate::search::layout::Layout;
use crate::search::terms;

/// Passages whose document's first passage matches `inner`, each scored
/// as that first passage.
pub struct DocLevelQuery {
    inner: Box<dyn Query>,
    position: Field,
}

impl Clone for DocLevelQuery {
    fn clone(&self) -> Self {
        DocLevelQuery {
            inner: self.inner.box_clone(),
            position: self.position,
        }
    }
}

impl fmt::Debug for DocLevelQuery {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "DocLevel({:?})", self.inner)
    }
}

impl DocLevelQuery {
    /// `inner` searches fields indexed on first passages only; `position`
    /// is the passages' position field (indexed and fast).
    pub fn new(inner: Box<dyn Query>, position: Field) -> DocLevelQuery {
        DocLevelQuery { inner, position }
    }

    /// The query of the first passages.
    pub fn inner(&self) -> &dyn Query {
        &*self.inner
    }

    /// The same query over another query of the first passages.
    pub fn with_inner(&self, inner: Box<dyn Query>) -> DocLevelQuery {
        DocLevelQuery::new(inner, self.position)
    }
}

/// A searcher's statistics with N = the number of documents.
struct DocumentStatistics<'a> {
    passages: &'a dyn Bm25StatisticsProvider,
    searcher: &'a tantivy::Searcher,
    documents: u64,
}

impl Bm25StatisticsProvider for DocumentStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        terms::stats_total_num_tokens(self.passages, self.searcher, field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.documents.max(1))
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        terms::stats_doc_freq(self.passages, self.searcher, term)
    }
}

impl Query for DocLevelQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = match enable_scoring {
            EnableScoring::Enabled {
                searcher,
                statistics_provider,
            } => {
                // First passages, deleted ones included (as doc_freq counts).
                let first = Term::from_field_u64(self.position, 0);
                let stats = DocumentStatistics {
                    passages: statistics_provider,
                    searcher,
                    documents: terms::stats_doc_freq(statistics_provider, searcher, &first)?,
                };
                self.inner
                    .weight(EnableScoring::enabled_from_statistics_provider(
                        &stats, searcher,
                    ))?
            }
            disabled => self.inner.weight(disabled)?,
        };
        let name = enable_scoring
            .schema()
            .get_field_name(self.position)
            .to_string();
        Ok(Box::new(DocLevelWeight {
            inner,
            position: name,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct DocLevelWeight {
    inner: Box<dyn Weight>,
    /// Name of the position fast field.
    position: String,
}

impl DocLevelWeight {
    fn positions(&self, reader: &SegmentReader) -> tantivy::Result<Column<u64>> {
        reader.fast_fields().u64(&self.position)
    }
}

impl Weight for DocLevelWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut inner = self.inner.scorer(reader, boost)?;
        let mut doc = inner.doc();
        if doc == TERMINATED {
            // No title matches here: nothing to join (and an empty scorer
            // is left out of the query's unions).
            return Ok(Box::new(EmptyScorer));
        }
        let layout = Layout::of(reader, &self.position)?;
        let mut firsts = Vec::new();
        while doc != TERMINATED {
            if layout.first(doc) == doc {
                firsts.push((doc, inner.score()));
            }
            doc = inner.advance();
        }
        if firsts.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        Ok(Box::new(DocLevelScorer::new(
            Arc::new(firsts),
            1.0,
            layout,
            reader.max_doc(),
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let positions = self.positions(reader)?;
        let first = positions
            .first(doc)
            .and_then(|p| doc.checked_sub(u32::try_from(p).ok()?));
        let Some(first) = first else {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "passage {doc} has no position"
            )));
        };
        let inner = self.inner.explain(reader, first)?;
        let mut explanation = Explanation::new_with_string(
            format!(
                "title: indexed once per document, scored at its first passage \
                 (doc {first}; n and N count documents), result of:"
            ),
            inner.value(),
        );
        explanation.add_detail(inner);
        Ok(explanation)
    }
}

/// A passage's position in its document, by doc id.
pub(crate) trait Positions: Send + Sync + 'static {
    fn get(&self, doc: DocId) -> Option<u64>;

    /// The number of passages of the document starting at `first` (of a
    /// segment of `max_doc` passages): those that follow it with the
    /// positions 1, 2, ….
    fn doc_passages(&self, first: DocId, max_doc: DocId) -> u32 {
        let mut n = 1;
        while first + n < max_doc && self.get(first + n) == Some(u64::from(n)) {
            n += 1;
        }
        n
    }
}

/// Walks the passages of the matching documents in doc id order.
pub(crate) struct DocLevelScorer<P> {
    /// Matching first passages, ascending, with their scores.
    firsts: Arc<Vec<(DocId, Score)>>,
    /// What each score is multiplied by.
    boost: Score,
    /// Index in `firsts` of the current passage's document.
    at: usize,
    doc: DocId,
    /// The end (exclusive) of the current passage's document.
    end: DocId,
    positions: P,
    max_doc: DocId,
}

impl<P: Positions> DocLevelScorer<P> {
    /// A scorer of the passages of the documents starting at `firsts`,
    /// each scoring its document's score times `boost`.
    pub(crate) fn new(
        firsts: Arc<Vec<(DocId, Score)>>,
        boost: Score,
        positions: P,
        max_doc: DocId,
    ) -> Self {
        let mut scorer = DocLevelScorer {
            firsts,
            boost,
            at: 0,
            doc: TERMINATED,
            end: TERMINATED,
            positions,
            max_doc,
        };
        scorer.go_to(0);
        scorer
    }

    /// The end (exclusive) of the document starting at `first`: its
    /// passages are asked for once per document, not once per passage.
    #[inline]
    fn end_of(&self, first: DocId) -> DocId {
        first + self.positions.doc_passages(first, self.max_doc)
    }

    /// Moves to the first passage of `firsts[at]`, or past the end.
    fn go_to(&mut self, at: usize) -> DocId {
        self.at = at;
        match self.firsts.get(at) {
            Some(&(first, _)) => {
                self.doc = first;
                self.end = self.end_of(first);
            }
            None => {
                self.doc = TERMINATED;
                self.end = TERMINATED;
            }
        }
        self.doc
    }

    /// The first index at or after `at` of a document starting after
    /// `target`: galloping, since seeks mostly move a little way.
    fn after(&self, target: DocId) -> usize {
        let firsts = &self.firsts[..];
        let (mut lo, mut step) = (self.at, 1);
        let mut hi = lo;
        while hi < firsts.len() && firsts[hi].0 <= target {
            lo = hi + 1;
            hi = self.at + step;
            step *= 2;
        }
        let hi = hi.min(firsts.len());
        lo + firsts[lo..hi].partition_point(|f| f.0 <= target)
    }
}

impl<P: Positions> DocSet for DocLevelScorer<P> {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let next = self.doc + 1;
        if next < self.end {
            self.doc = next;
            return next;
        }
        self.go_to(self.at + 1)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if target < self.end {
            // A later passage of the current document (the passage query
            // asks for each of its matching passages in turn).
            self.doc = target;
            return target;
        }
        // The last matching document starting at or before `target` (a
        // later one than the current, which ends before `target`).
        let after = self.after(target);
        let candidate = after - 1;
        if candidate != self.at {
            let end = self.end_of(self.firsts[candidate].0);
            if target < end {
                self.at = candidate;
                self.doc = target;
                self.end = end;
                return target;
            }
        }
        self.go_to(after)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.firsts.len() as u32
    }
}

impl<P: Positions> Scorer for DocLevelScorer<P> {
    #[inline]
    fn score(&mut self) -> Score {
        self.firsts[self.at].1 * self.boost
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    impl Positions for Vec<u64> {
        fn get(&self, doc: DocId) -> Option<u64> {
            self.as_slice().get(doc as usize).copied()
        }
    }

    /// Documents of `lens` passages laid end to end: each passage's position.
    fn layout(lens: &[u32]) -> Vec<u64> {
        lens.iter().flat_map(|&n| 0..u64::from(n)).collect()
    }

    /// The passages of the matching documents, by brute force: passage `d`
    /// is in iff the last first passage at or before it matches.
    fn expected(positions: &[u64], matching: &[DocId]) -> Vec<DocId> {
        (0..positions.len() as DocId)
            .filter(|&d| matching.contains(&(d - positions[d as usize] as DocId)))
            .collect()
    }

    fn scorer(positions: &[u64], matching: &[DocId]) -> DocLevelScorer<Vec<u64>> {
        let firsts = matching.iter().map(|&d| (d, d as Score)).collect();
        DocLevelScorer::new(
            Arc::new(firsts),
            1.0,
            positions.to_vec(),
            positions.len() as DocId,
        )
    }

    #[test]
    fn a_matching_document_brings_all_its_passages_with_its_score() {
        // Documents at 0 (3 passages), 3 (1), 4 (2), 6 (2); 0 and 4 match.
        let positions = layout(&[3, 1, 2, 2]);
        let mut s = scorer(&positions, &[0, 4]);
        let mut seen = Vec::new();
        while s.doc() != TERMINATED {
            seen.push((s.doc(), s.score()));
            s.advance();
        }
        assert_eq!(seen, [(0, 0.0), (1, 0.0), (2, 0.0), (4, 4.0), (5, 4.0)]);
        let mut s = scorer(&positions, &[0, 4]);
        assert_eq!(s.seek(3), 4);
        assert_eq!(s.seek(5), 5);
        assert_eq!(s.score(), 4.0);
        assert_eq!(s.seek(6), TERMINATED);
    }

    proptest! {
        /// Any mix of advance and seek visits exactly the passages of the
        /// matching documents, each with its document's score.
        #[test]
        fn advance_and_seek_agree_with_brute_force(
            lens in proptest::collection::vec(1u32..6, 1..40),
            pick in proptest::collection::vec(any::<bool>(), 40),
            steps in proptest::collection::vec((any::<bool>(), 0u32..64), 1..60),
        ) {
            let positions = layout(&lens);
            let starts: Vec<DocId> = (0..positions.len() as DocId)
                .filter(|&d| positions[d as usize] == 0)
                .collect();
            let matching: Vec<DocId> = starts
                .iter()
                .zip(&pick)
                .filter(|(_, p)| **p)
                .map(|(d, _)| *d)
                .collect();
            let want = expected(&positions, &matching);
            let mut s = scorer(&positions, &matching);
            prop_assert_eq!(s.doc(), want.first().copied().unwrap_or(TERMINATED));
            for (seek, jump) in steps {
                let doc = s.doc();
                if doc == TERMINATED {
                    break;
                }
                let got = if seek { s.seek(doc + jump) } else { s.advance() };
                let target = if seek { doc + jump } else { doc + 1 };
                let next = want.iter().copied().find(|&d| d >= target).unwrap_or(TERMINATED);
                prop_assert_eq!(got, next);
                if got != TERMINATED {
                    let first = got - positions[got as usize] as DocId;
                    prop_assert_eq!(s.score(), first as Score);
                }
            }
        }
    }
}
