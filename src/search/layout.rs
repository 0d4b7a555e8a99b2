//! Where each document's passages are in a segment.
//!
//! A document's passages are consecutive tantivy documents of one segment,
//! and each stores its `position` in a fast field (see
//! [`crate::search::doclevel`]): passage `d`'s document starts at
//! `d - position(d)`. Reading the fast field is a columnar lookup (a
//! block's linear function and its bit-packed residue); the block joins of
//! the title and the document evidence ask it for every passage of every
//! matching document, query after query. A segment never changes, so a
//! segment searched again gets its full [`Layout`] (each passage's first
//! passage, each document's number of passages and, when asked for, its
//! length per field), computed once and kept for the segments searched
//! recently.
//!
//! Computing it reads every passage of the segment, which a process that
//! runs one query (`gazette query`) would pay for nothing: on a large
//! index that was most of a one-shot query's time. So the first queries of
//! a segment use a lazy layout: the documents' first passages only (the
//! postings of `position = 0`, a few bit-packed blocks per thousand
//! documents), each passage's document found among them, the lengths read
//! from the field norms when asked; and the full one is built when the
//! segment keeps being searched (batch, serve).

use std::sync::{Arc, Mutex};

use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, SegmentReader, Term};

use crate::search::doclevel::Positions;
use crate::search::terms;

/// A segment's documents.
pub(crate) enum Layout {
    /// Computed for every passage.
    Full(Full),
    /// The documents' first passages (ascending), each passage's document
    /// found among them when asked.
    Lazy { starts: Vec<DocId>, max_doc: DocId },
}

/// Each passage's first passage, each document's number of passages, and
/// its length per field, computed when first asked for.
pub(crate) struct Full {
    /// Per passage: its document's first passage.
    first: Vec<DocId>,
    /// Per first passage: the document's number of passages (0 elsewhere).
    passages: Vec<u32>,
    /// Per field: per first passage, the sum of its passages' fieldnorms.
    lengths: Mutex<Vec<(Field, Arc<Vec<u32>>)>>,
}

/// A document's length in one field.
pub(crate) enum Lengths<'a> {
    /// Per first passage.
    Dense(Arc<Vec<u32>>),
    /// Added up from the field norms when asked.
    Lazy {
        norms: FieldNormReader,
        layout: &'a Layout,
    },
}

impl Lengths<'_> {
    /// The length of the document starting at `first`.
    #[inline]
    pub(crate) fn get(&self, first: DocId) -> u32 {
        match self {
            Lengths::Dense(l) => l[first as usize],
            Lengths::Lazy { norms, layout } => (first..first + layout.passages(first))
                .fold(0u32, |sum, d| sum.saturating_add(norms.fieldnorm(d))),
        }
    }
}

/// Layouts of recently searched segments, and how often segments without
/// one were asked for.
static LAYOUTS: Mutex<Vec<(SegmentId, Arc<Layout>)>> = Mutex::new(Vec::new());
static ASKED: Mutex<Vec<(SegmentId, u32)>> = Mutex::new(Vec::new());
/// Lazy layouts of segments asked for fewer than [`FULL_AFTER`] times.
static LAZY: Mutex<Vec<(SegmentId, Arc<Layout>)>> = Mutex::new(Vec::new());
/// Segments whose layouts are kept (a few MB each at most).
const MAX_LAYOUTS: usize = 64;
/// A segment gets its full layout when asked this many times (a query asks
/// once or twice per segment: the evidence, the title, an explanation).
const FULL_AFTER: u32 = 4;

/// Passage `d`'s document, whose position is `position`: its first
/// passage, or `d` itself when the position is missing or impossible.
pub(crate) fn first_of(d: DocId, position: Option<u64>) -> DocId {
    let p = u32::try_from(position.unwrap_or(0)).unwrap_or(u32::MAX);
    d.checked_sub(p).unwrap_or(d)
}

impl Layout {
    /// The layout of `reader`'s segment, whose position fast field is
    /// named `position`: the full one kept for it, a lazy one for its
    /// first few asks.
    pub(crate) fn of(reader: &SegmentReader, position: &str) -> tantivy::Result<Arc<Layout>> {
        let id = reader.segment_id();
        if let Some((_, l)) = lock(&LAYOUTS).iter().find(|(s, _)| *s == id) {
            return Ok(l.clone());
        }
        let asked = {
            let mut asked = lock(&ASKED);
            match asked.iter_mut().find(|(s, _)| *s == id) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    if asked.len() >= 4 * MAX_LAYOUTS {
                        asked.remove(0);
                    }
                    asked.push((id, 1));
                    1
                }
            }
        };
        let max_doc = reader.max_doc();
        if asked < FULL_AFTER {
            // A query asks for a segment's layout once per block join (the
            // title, the evidence): the starts are read once.
            if let Some((_, l)) = lock(&LAZY).iter().find(|(s, _)| *s == id) {
                return Ok(l.clone());
            }
            let layout = Arc::new(Layout::Lazy {
                starts: starts(reader, position)?,
                max_doc,
            });
            let mut lazy = lock(&LAZY);
            if lazy.len() >= MAX_LAYOUTS {
                lazy.remove(0);
            }
            lazy.push((id, layout.clone()));
            return Ok(layout);
        }
        lock(&LAZY).retain(|(s, _)| *s != id);
        let positions = reader.fast_fields().u64(position)?;
        let layout = Arc::new(Layout::full((0..max_doc).map(|d| positions.first(d))));
        let mut all = lock(&LAYOUTS);
        if all.len() >= MAX_LAYOUTS {
            all.remove(0);
        }
        all.push((id, layout.clone()));
        Ok(layout)
    }

    /// The full layout of passages whose positions are `positions`, in order.
    fn full(positions: impl ExactSizeIterator<Item = Option<u64>>) -> Layout {
        let mut first = Vec::with_capacity(positions.len());
        let mut passages = vec![0u32; positions.len()];
        for (d, p) in positions.enumerate() {
            let f = first_of(d as DocId, p);
            first.push(f);
            passages[f as usize] += 1;
        }
        Layout::Full(Full {
            first,
            passages,
            lengths: Mutex::new(Vec::new()),
        })
    }

    /// Passage `d`'s document: its first passage.
    #[inline]
    pub(crate) fn first(&self, d: DocId) -> DocId {
        match self {
            Layout::Full(f) => f.first[d as usize],
            Layout::Lazy { starts, .. } => match starts.partition_point(|&s| s <= d) {
                0 => d,
                i => starts[i - 1],
            },
        }
    }

    /// [`Layout::first`] for passages asked in ascending order: `at` keeps
    /// where the last one was found (start it at 0), so that a walk over a
    /// term's postings does not search the documents from the start each
    /// time.
    #[inline]
    pub(crate) fn first_from(&self, d: DocId, at: &mut usize) -> DocId {
        let Layout::Lazy { starts, .. } = self else {
            return self.first(d);
        };
        if starts.get(*at).is_none_or(|&s| s > d) {
            return self.first(d);
        }
        // Gallop forward to the last start at or before `d`.
        let mut step = 1;
        while starts.get(*at + step).is_some_and(|&s| s <= d) {
            *at += step;
            step *= 2;
        }
        let rest = &starts[*at..(*at + step).min(starts.len())];
        *at += rest.partition_point(|&s| s <= d) - 1;
        starts[*at]
    }

    /// Per first passage, the document's number of passages (0 at other
    /// passages), when the layout is full.
    pub(crate) fn passage_counts(&self) -> Option<&[u32]> {
        match self {
            Layout::Full(f) => Some(&f.passages),
            Layout::Lazy { .. } => None,
        }
    }

    /// The number of passages of the document starting at `first`.
    pub(crate) fn passages(&self, first: DocId) -> u32 {
        match self {
            Layout::Full(f) => f.passages[first as usize],
            Layout::Lazy { starts, max_doc } => {
                let next = starts.partition_point(|&s| s <= first);
                starts
                    .get(next)
                    .copied()
                    .unwrap_or(*max_doc)
                    .saturating_sub(first)
                    .max(1)
            }
        }
    }

    /// The documents' lengths in `field`.
    pub(crate) fn lengths(
        &self,
        reader: &SegmentReader,
        field: Field,
    ) -> tantivy::Result<Lengths<'_>> {
        let full = match self {
            Layout::Full(full) => full,
            Layout::Lazy { .. } => {
                return Ok(Lengths::Lazy {
                    norms: reader.get_fieldnorms_reader(field)?,
                    layout: self,
                });
            }
        };
        if let Some((_, l)) = lock(&full.lengths).iter().find(|(f, _)| *f == field) {
            return Ok(Lengths::Dense(l.clone()));
        }
        let norms = reader.get_fieldnorms_reader(field)?;
        let mut lengths = vec![0u32; full.first.len()];
        for (d, &f) in full.first.iter().enumerate() {
            lengths[f as usize] = lengths[f as usize].saturating_add(norms.fieldnorm(d as DocId));
        }
        let lengths = Arc::new(lengths);
        lock(&full.lengths).push((field, lengths.clone()));
        Ok(Lengths::Dense(lengths))
    }
}

/// A layout answers a passage's position (its distance from its first
/// passage), as the fast field does for every well-formed passage.
impl Positions for Arc<Layout> {
    #[inline]
    fn get(&self, doc: DocId) -> Option<u64> {
        match &**self {
            Layout::Full(f) => f.first.get(doc as usize).map(|&f| u64::from(doc - f)),
            Layout::Lazy { max_doc, .. } => {
                (doc < *max_doc).then(|| u64::from(doc - self.first(doc)))
            }
        }
    }

    #[inline]
    fn doc_passages(&self, first: DocId, _max_doc: DocId) -> u32 {
        self.passages(first)
    }
}

/// The first passages of `reader`'s documents, ascending: the passages
/// whose `position` (the field named so) is 0, deleted ones included.
fn starts(reader: &SegmentReader, position: &str) -> tantivy::Result<Vec<DocId>> {
    let field = reader.schema().get_field(position)?;
    let first = Term::from_field_u64(field, 0);
    let (Some(info), Some(inverted)) = (
        terms::term_info(reader, &first)?,
        terms::inverted(reader, field)?,
    ) else {
        return Ok(Vec::new());
    };
    // Block by block (128 documents decoded at once), not document by
    // document: a one-shot query reads every segment's starts.
    let mut block = inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
    let mut out = Vec::with_capacity(info.doc_freq as usize);
    loop {
        let docs = block.docs();
        if docs.is_empty() {
            return Ok(out);
        }
        out.extend_from_slice(docs);
        block.advance();
    }
}

/// A lock, whatever a panicking holder left (the data are caches).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A one-segment index of documents, each a list of passages (a `body`
/// text field and the `position` of each passage in its document), as
/// gazette lays passages out: for the tests of the document evidence and
/// the layouts.
#[cfg(test)]
pub(crate) fn passages_index(
    docs: &[&[&str]],
) -> (
    tantivy::Index,
    tantivy::schema::Field,
    tantivy::schema::Field,
) {
    use tantivy::schema::{FAST, INDEXED, Schema, TEXT};
    use tantivy::{Index, TantivyDocument};
    let mut b = Schema::builder();
    let body = b.add_text_field("body", TEXT);
    let position = b.add_u64_field("position", INDEXED | FAST);
    let index = Index::create_in_ram(b.build());
    let mut w: tantivy::IndexWriter<TantivyDocument> =
        index.writer_with_num_threads(1, 15_000_000).unwrap();
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
    (index, body, position)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_find_their_documents() {
        // Documents of 3, 1 and 2 passages; then a passage without a
        // position and one whose position points before the segment.
        let positions = vec![
            Some(0),
            Some(1),
            Some(2),
            Some(0),
            Some(0),
            Some(1),
            None,
            Some(9),
        ];
        let layout = Arc::new(Layout::full(positions.into_iter()));
        let firsts: Vec<DocId> = (0..8).map(|d| layout.first(d)).collect();
        assert_eq!(firsts, [0, 0, 0, 3, 4, 4, 6, 7]);
        let counts: Vec<u32> = [0, 3, 4, 6, 7].map(|d| layout.passages(d)).to_vec();
        assert_eq!(counts, [3, 1, 2, 1, 1]);
        assert_eq!(layout.get(2), Some(2));
        assert_eq!(layout.get(5), Some(1));
        assert_eq!(layout.get(7), Some(0));
        assert_eq!(layout.get(8), None);
    }

    #[test]
    fn the_starts_span_many_postings_blocks() {
        // 400 documents of 1 to 4 passages: the starts fill several blocks
        // of 128 (bit-packed) and a remainder; read block by block, they
        // are exactly the passages of position 0.
        let texts: Vec<Vec<&str>> = (0..400).map(|i| vec!["w"; 1 + i % 4]).collect();
        let docs: Vec<&[&str]> = texts.iter().map(Vec::as_slice).collect();
        let (index, _, _) = passages_index(&docs);
        let searcher = index.reader().unwrap().searcher();
        let reader = &searcher.segment_readers()[0];
        let positions = reader.fast_fields().u64("position").unwrap();
        let want: Vec<DocId> = (0..reader.max_doc())
            .filter(|&d| positions.first(d) == Some(0))
            .collect();
        assert_eq!(want.len(), 400);
        assert_eq!(starts(reader, "position").unwrap(), want);
    }

    #[test]
    fn the_lazy_layout_answers_as_the_full_one() {
        let (index, body, _) = passages_index(&[
            &["a b c", "d", "e f"],
            &["g"],
            &["h i j k", "l m"],
            &["n", "o", "p q", "r"],
        ]);
        let searcher = index.reader().unwrap().searcher();
        let reader = &searcher.segment_readers()[0];
        let mut kinds = Vec::new();
        let mut last = None;
        for _ in 0..FULL_AFTER + 1 {
            let layout = Layout::of(reader, "position").unwrap();
            kinds.push(matches!(*layout, Layout::Full(_)));
            let lengths = layout.lengths(reader, body).unwrap();
            let seen: Vec<_> = (0..reader.max_doc())
                .map(|d| {
                    let f = layout.first(d);
                    (f, layout.passages(f), lengths.get(f), layout.get(d))
                })
                .collect();
            if let Some(last) = &last {
                assert_eq!(&seen, last);
            }
            last = Some(seen);
        }
        assert_eq!(kinds, [false, false, false, true, true]);
        // Passages asked in ascending order, from any start.
        let full_first: Vec<DocId> = last.as_ref().unwrap().iter().map(|s| s.0).collect();
        let lazy = Layout::Lazy {
            starts: starts(reader, "position").unwrap(),
            max_doc: reader.max_doc(),
        };
        for from in 0..reader.max_doc() {
            let mut at = 0;
            for d in from..reader.max_doc() {
                assert_eq!(lazy.first_from(d, &mut at), full_first[d as usize], "{d}");
            }
        }
        let seen = last.unwrap();
        assert_eq!(seen[1], (0, 3, 6, Some(1)));
        assert_eq!(seen[3], (3, 1, 1, Some(0)));
        assert_eq!(seen[5], (4, 2, 6, Some(1)));
        assert_eq!(seen[9], (6, 4, 5, Some(3)));
    }
}
