//! Dictionary lookups, shared by the parts of a query and by the queries
//! of a process.
//!
//! One query looks each of its terms up several times per segment: the
//! passage query (for its statistics and its scorer), the title
//! ([`crate::search::doclevel`], counting documents) and the document
//! evidence ([`crate::search::docevidence`]) each ask the same segment for
//! the same term, and a batch asks again for the words many queries share.
//! A segment never changes, so what its dictionary answers for a term can
//! be kept: [`term_info`] remembers it (per thread, bounded).
//!
//! A field that no passage of a segment has (a collection without titles,
//! the trigram field of a segment without German, Arabic or Turkish) is
//! worse: tantivy's `SegmentReader::inverted_index` builds a new empty
//! dictionary for it on every call. [`inverted`] remembers that the field
//! is empty and answers `None` at once.

use std::cell::RefCell;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::index::{InvertedIndexReader, SegmentId};
use tantivy::postings::{SegmentPostings, TermInfo};
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, SegmentReader, Term};

/// Terms whose lookups are kept per thread; past this, the table starts
/// over (a batch's common words come back at once).
const MAX_TERMS: usize = 1 << 16;

/// A term's entry in each segment where it was looked up.
type Entries = Vec<(SegmentId, Option<TermInfo>)>;

thread_local! {
    /// Per term: its entry in each segment looked up so far.
    static INFOS: RefCell<FxHashMap<Term, Entries>> = RefCell::new(FxHashMap::default());
    /// Fields that no passage of the segment has.
    static EMPTY: RefCell<FxHashSet<(SegmentId, Field)>> = RefCell::new(FxHashSet::default());
    /// Segments whose absent fields are noted in `EMPTY`
    /// ([`note_absent_fields`]).
    static CHECKED: RefCell<FxHashSet<SegmentId>> = RefCell::new(FxHashSet::default());
    /// Tokens of a field in a segment (BM25's average length, asked by
    /// every term of every query).
    static TOKENS: RefCell<FxHashMap<(SegmentId, Field), u64>> = RefCell::new(FxHashMap::default());
}

/// The number of tokens of `field` in `reader`, looked up once per thread
/// (a segment never changes).
fn segment_tokens(reader: &SegmentReader, field: Field) -> tantivy::Result<u64> {
    let key = (reader.segment_id(), field);
    if let Some(n) = TOKENS.with(|t| t.borrow().get(&key).copied()) {
        return Ok(n);
    }
    let n = inverted(reader, field)?.map_or(0, |i| i.total_num_tokens());
    TOKENS.with(|t| {
        let mut t = t.borrow_mut();
        if t.len() >= MAX_TERMS {
            t.clear();
        }
        t.insert(key, n);
    });
    Ok(n)
}

/// Notes in [`EMPTY`] the indexed fields that no passage of `reader`
/// has, from the sizes of its files' parts (no term dictionary): asking
/// tantivy for such a field's inverted index builds an empty dictionary,
/// whose first build in a process zeroes a megabyte (an FST builder's
/// registry: a sixth of a one-shot query's page faults). Whether any was
/// noted (none when the sizes cannot be read: tantivy is asked then).
fn note_absent_fields(reader: &SegmentReader) -> bool {
    let schema = reader.schema();
    let Ok(fields) = reader.fields_metadata() else {
        return false;
    };
    let absent: Vec<Field> = fields
        .into_iter()
        .filter(|m| m.term_dictionary_size.is_some_and(|n| n.get_bytes() == 0))
        .filter_map(|m| schema.get_field(&m.field_name).ok())
        .collect();
    EMPTY.with(|e| {
        let mut e = e.borrow_mut();
        if e.len() + absent.len() >= MAX_TERMS {
            e.clear();
        }
        e.extend(absent.iter().map(|&f| (reader.segment_id(), f)));
    });
    !absent.is_empty()
}

/// The inverted index of `field` in `reader`, `None` when no passage of
/// the segment has the field (tantivy would build an empty one each time).
pub(crate) fn inverted(
    reader: &SegmentReader,
    field: Field,
) -> tantivy::Result<Option<Arc<InvertedIndexReader>>> {
    let key = (reader.segment_id(), field);
    if EMPTY.with(|e| e.borrow().contains(&key)) {
        return Ok(None);
    }
    let first_time = CHECKED.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MAX_TERMS {
            c.clear();
        }
        c.insert(key.0)
    });
    if first_time && note_absent_fields(reader) && EMPTY.with(|e| e.borrow().contains(&key)) {
        return Ok(None);
    }
    let inverted = reader.inverted_index(field)?;
    if inverted.terms().num_terms() == 0 {
        EMPTY.with(|e| {
            let mut e = e.borrow_mut();
            if e.len() >= MAX_TERMS {
                e.clear();
            }
            e.insert(key);
        });
        return Ok(None);
    }
    Ok(Some(inverted))
}

/// The entry of `term` in `reader`'s dictionary (`None`: not in the
/// segment), looked up once per thread.
pub(crate) fn term_info(reader: &SegmentReader, term: &Term) -> tantivy::Result<Option<TermInfo>> {
    let segment = reader.segment_id();
    let known = INFOS.with(|infos| {
        infos.borrow().get(term).and_then(|segments| {
            segments
                .iter()
                .find(|(s, _)| *s == segment)
                .map(|(_, info)| info.clone())
        })
    });
    if let Some(info) = known {
        return Ok(info);
    }
    let info = match inverted(reader, term.field())? {
        Some(inverted) => inverted.get_term_info(term)?,
        None => None,
    };
    INFOS.with(|infos| {
        let mut infos = infos.borrow_mut();
        if infos.len() >= MAX_TERMS && !infos.contains_key(term) {
            infos.clear();
        }
        infos
            .entry(term.clone())
            .or_default()
            .push((segment, info.clone()));
    });
    Ok(info)
}

/// Passages holding `term` in all of `searchers` (deleted ones included,
/// as the statistics of several indexes searched as one count them).
pub(crate) fn doc_freq_over(searchers: &[Searcher], term: &Term) -> tantivy::Result<u64> {
    let mut n = 0;
    for s in searchers {
        n += doc_freq(s, term)?;
    }
    Ok(n)
}

thread_local! {
    /// Per (segment, term, other term): the passages holding both.
    static BOTH: RefCell<FxHashMap<(SegmentId, Term, Term), u64>> =
        RefCell::new(FxHashMap::default());
}

/// Passages of `searcher` holding both `a` and `b` (deleted ones
/// included, as [`doc_freq`] counts), by tantivy's intersection of the
/// two terms. Kept per thread and segment, as [`term_info`] keeps entries
/// (a batch asks again for the words its queries share).
pub(crate) fn doc_freq_both(searcher: &Searcher, a: &Term, b: &Term) -> tantivy::Result<u64> {
    use tantivy::query::{BooleanQuery, EnableScoring, Query, TermQuery};
    let mut weight = None;
    let mut n = 0;
    for reader in searcher.segment_readers() {
        let key = (reader.segment_id(), a.clone(), b.clone());
        if let Some(k) = BOTH.with(|both| both.borrow().get(&key).copied()) {
            n += k;
            continue;
        }
        if weight.is_none() {
            let term = |t: &Term| -> Box<dyn Query> {
                Box::new(TermQuery::new(t.clone(), IndexRecordOption::Basic))
            };
            let both = BooleanQuery::intersection(vec![term(a), term(b)]);
            weight = Some(both.weight(EnableScoring::disabled_from_searcher(searcher))?);
        }
        let weight = weight.as_ref().expect("built above");
        let k = u64::from(weight.scorer(reader, 1.0)?.count_including_deleted());
        BOTH.with(|both| {
            let mut both = both.borrow_mut();
            if both.len() >= MAX_TERMS {
                both.clear();
            }
            both.insert(key, k);
        });
        n += k;
    }
    Ok(n)
}

/// Whether some passage of `searchers` holds `a` right before `b` (two
/// terms of one field with positions), deleted passages included.
pub(crate) fn adjacent_anywhere(
    searchers: &[Searcher],
    a: &Term,
    b: &Term,
) -> tantivy::Result<bool> {
    use tantivy::query::{EnableScoring, PhraseQuery, Query};
    let phrase = PhraseQuery::new(vec![a.clone(), b.clone()]);
    for searcher in searchers {
        let weight = phrase.weight(EnableScoring::disabled_from_searcher(searcher))?;
        for reader in searcher.segment_readers() {
            if weight.scorer(reader, 1.0)?.doc() != tantivy::TERMINATED {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The postings of `term` in `reader`, `None` when the segment lacks it.
pub(crate) fn postings(
    reader: &SegmentReader,
    term: &Term,
    option: IndexRecordOption,
) -> tantivy::Result<Option<SegmentPostings>> {
    let Some(info) = term_info(reader, term)? else {
        return Ok(None);
    };
    let inverted = reader.inverted_index(term.field())?;
    Ok(Some(inverted.read_postings_from_terminfo(&info, option)?))
}

/// Passages containing `term` in `searcher`, deleted ones included: what
/// `Searcher::doc_freq` counts.
pub(crate) fn doc_freq(searcher: &Searcher, term: &Term) -> tantivy::Result<u64> {
    let mut n = 0;
    for reader in searcher.segment_readers() {
        n += term_info(reader, term)?.map_or(0, |i| u64::from(i.doc_freq));
    }
    Ok(n)
}

/// Whether the statistics come from the searcher itself (what
/// `Searcher::search` passes), so its segments' dictionaries give them.
pub(crate) fn is_searcher(stats: &dyn Bm25StatisticsProvider, searcher: &Searcher) -> bool {
    std::ptr::addr_eq(
        stats as *const dyn Bm25StatisticsProvider,
        searcher as *const _,
    )
}

/// `term`'s document frequency from `stats`, through [`doc_freq`] when
/// `stats` is `searcher` itself.
pub(crate) fn stats_doc_freq(
    stats: &dyn Bm25StatisticsProvider,
    searcher: &Searcher,
    term: &Term,
) -> tantivy::Result<u64> {
    if is_searcher(stats, searcher) {
        doc_freq(searcher, term)
    } else {
        stats.doc_freq(term)
    }
}

/// The number of tokens of `field` from `stats`: added up over the
/// segments through [`inverted`] when `stats` is `searcher` itself (what
/// tantivy's searcher counts, without building an empty dictionary for a
/// segment that lacks the field).
pub(crate) fn stats_total_num_tokens(
    stats: &dyn Bm25StatisticsProvider,
    searcher: &Searcher,
    field: Field,
) -> tantivy::Result<u64> {
    if !is_searcher(stats, searcher) {
        return stats.total_num_tokens(field);
    }
    let mut n = 0;
    for reader in searcher.segment_readers() {
        n += segment_tokens(reader, field)?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{STRING, Schema, TEXT};
    use tantivy::{Index, doc};

    use super::*;

    /// An index of a text body and a string title, and its writer.
    fn body_and_title() -> (Index, Field, Field, tantivy::IndexWriter) {
        let mut b = Schema::builder();
        let body = b.add_text_field("body", TEXT);
        let title = b.add_text_field("title", STRING);
        let index = Index::create_in_ram(b.build());
        let w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        (index, body, title, w)
    }

    proptest::proptest! {
        /// The passages holding both terms, counted by tantivy's
        /// intersection, are those a plain walk of both finds, in every
        /// segment (lists long enough to have skip blocks, and empty ones).
        #[test]
        fn both_counts_the_passages_holding_both(
            docs in proptest::collection::vec((proptest::bool::ANY, 0u8..4), 1..600),
            split in 0usize..600,
        ) {
            let mut b = Schema::builder();
            let body = b.add_text_field("body", TEXT);
            let index = Index::create_in_ram(b.build());
            let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
            for (i, (cat, dogs)) in docs.iter().enumerate() {
                let mut text = String::from("x");
                if *cat {
                    text.push_str(" cat");
                }
                if *dogs > 0 {
                    text.push_str(" dog");
                }
                w.add_document(doc!(body => text)).unwrap();
                if i == split {
                    w.commit().unwrap();
                }
            }
            w.commit().unwrap();
            let searcher = index.reader().unwrap().searcher();
            let (cat, dog) = (Term::from_field_text(body, "cat"), Term::from_field_text(body, "dog"));
            let want = docs.iter().filter(|(c, d)| *c && *d > 0).count() as u64;
            proptest::prop_assert_eq!(doc_freq_both(&searcher, &cat, &dog).unwrap(), want);
            // Again, from the per-thread table, and the other way round.
            proptest::prop_assert_eq!(doc_freq_both(&searcher, &cat, &dog).unwrap(), want);
            proptest::prop_assert_eq!(doc_freq_both(&searcher, &dog, &cat).unwrap(), want);
        }
    }

    #[test]
    fn a_segments_absent_fields_are_noted_at_its_first_lookup() {
        // Asking for the body notes the title absent, without asking
        // tantivy for the title (which builds an empty dictionary).
        let (index, body, title, mut w) = body_and_title();
        w.add_document(doc!(body => "cat dog")).unwrap();
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let reader = &searcher.segment_readers()[0];
        let key = |f| (reader.segment_id(), f);
        assert!(!EMPTY.with(|e| e.borrow().contains(&key(title))));
        assert!(inverted(reader, body).unwrap().is_some());
        assert!(EMPTY.with(|e| e.borrow().contains(&key(title))));
        assert!(!EMPTY.with(|e| e.borrow().contains(&key(body))));
        assert!(inverted(reader, title).unwrap().is_none());
    }

    #[test]
    fn lookups_answer_as_tantivy_and_an_absent_field_is_none() {
        let (index, body, title, mut w) = body_and_title();
        w.add_document(doc!(body => "cat dog")).unwrap();
        w.add_document(doc!(body => "cat")).unwrap();
        w.commit().unwrap();
        w.add_document(doc!(body => "bird", title => "Birds"))
            .unwrap();
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |f, t| Term::from_field_text(f, t);
        for _ in 0..2 {
            // Twice: the second time from the table.
            for t in [
                term(body, "cat"),
                term(body, "bird"),
                term(body, "unicorn"),
                term(title, "Birds"),
            ] {
                assert_eq!(
                    doc_freq(&searcher, &t).unwrap(),
                    searcher.doc_freq(&t).unwrap()
                );
                for reader in searcher.segment_readers() {
                    let theirs = reader.inverted_index(t.field()).unwrap().get_term_info(&t);
                    assert_eq!(term_info(reader, &t).unwrap(), theirs.unwrap(), "{t:?}");
                }
            }
        }
        let first = &searcher.segment_readers()[0];
        assert!(inverted(first, title).unwrap().is_none());
        assert!(inverted(first, body).unwrap().is_some());
        assert!(
            inverted(&searcher.segment_readers()[1], title)
                .unwrap()
                .is_some()
        );
        let mut p = postings(first, &term(body, "cat"), IndexRecordOption::WithFreqs)
            .unwrap()
            .unwrap();
        use tantivy::DocSet;
        assert_eq!(
            (p.doc(), p.advance(), p.advance()),
            (0, 1, tantivy::TERMINATED)
        );
        assert!(
            postings(first, &term(title, "Birds"), IndexRecordOption::Basic)
                .unwrap()
                .is_none()
        );
    }
}
