//! `gazette stats`: counts over the live passages of an index.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tantivy::Term;
use tantivy::collector::Count;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::space_usage::PerFieldSpaceUsage;

use super::GazetteIndex;
use crate::error::Result;
use crate::model::Day;
use crate::schema::SCHEMA_VERSION;

/// What an index holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Documents (articles and standalone tweets).
    pub documents: u64,
    /// Passages.
    pub passages: u64,
    /// Tweet passages (quoted or standalone).
    pub tweets: u64,
    /// Passages per language.
    pub languages: BTreeMap<String, u64>,
    /// Earliest passage date.
    pub date_min: Option<String>,
    /// Latest passage date.
    pub date_max: Option<String>,
    /// Index segments.
    pub segments: u64,
    /// Bytes on disk.
    pub bytes: u64,
    /// gazette schema version.
    pub schema_version: u32,
    /// Documents with a near-duplicate: another document whose text has an
    /// estimated Jaccard similarity of word triples of at least 0.8.
    #[serde(default)]
    pub near_duplicates: u64,
    /// What takes the bytes (`gazette stats --space`): absent unless asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space: Option<Space>,
}

/// The bytes of the index's segments by field and by kind of data, as
/// tantivy accounts them (live and deleted passages alike).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Space {
    /// All the bytes below: the segments' files (not `meta.json` or the
    /// lock, so a little less than `bytes`).
    pub total: u64,
    /// The document store: every stored field together, compressed in
    /// blocks (tantivy does not split it by field), and its block index.
    pub store: u64,
    /// The deleted-passages bitsets.
    pub deletes: u64,
    /// Per field, largest first.
    pub fields: Vec<FieldSpace>,
}

/// The bytes of one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpace {
    /// The schema field's name.
    pub field: String,
    /// The term dictionary (FST and term infos).
    pub terms: u64,
    /// Document lists and term frequencies.
    pub postings: u64,
    /// Term positions (phrase queries and highlights' proximity).
    pub positions: u64,
    /// Columnar (fast) values: filters, facets, signatures.
    pub fast: u64,
    /// Length norms (BM25's length normalization).
    pub norms: u64,
    /// The sum of the above.
    pub total: u64,
}

/// Which count of a [`FieldSpace`] a kind of data adds to.
type Slot = fn(&mut FieldSpace) -> &mut u64;

/// The index's bytes by field and kind ([`Space`]).
pub fn space(idx: &GazetteIndex) -> Result<Space> {
    let reader = idx.index.reader()?;
    let usage = reader.searcher().space_usage()?;
    let mut fields: BTreeMap<String, FieldSpace> = BTreeMap::new();
    let mut store = 0;
    let mut deletes = 0;
    for seg in usage.segments() {
        store += seg.store().total().get_bytes();
        deletes += seg.deletes().get_bytes();
        let parts: [(&PerFieldSpaceUsage, Slot); 5] = [
            (seg.termdict(), |f| &mut f.terms),
            (seg.postings(), |f| &mut f.postings),
            (seg.positions(), |f| &mut f.positions),
            (seg.fast_fields(), |f| &mut f.fast),
            (seg.fieldnorms(), |f| &mut f.norms),
        ];
        for (per_field, slot) in parts {
            for usage in per_field.fields() {
                let name = usage.field_name();
                let entry = fields
                    .entry(name.to_string())
                    .or_insert_with(|| FieldSpace {
                        field: name.to_string(),
                        terms: 0,
                        postings: 0,
                        positions: 0,
                        fast: 0,
                        norms: 0,
                        total: 0,
                    });
                let bytes = usage.total().get_bytes();
                *slot(entry) += bytes;
                entry.total += bytes;
            }
        }
    }
    let mut fields: Vec<FieldSpace> = fields.into_values().filter(|f| f.total > 0).collect();
    fields.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.field.cmp(&b.field)));
    Ok(Space {
        total: usage.total().get_bytes(),
        store,
        deletes,
        fields,
    })
}

/// Computes the stats of the last commit.
pub fn compute(idx: &GazetteIndex) -> Result<Stats> {
    let reader = idx.index.reader()?;
    let searcher = reader.searcher();
    let f = &idx.fields;
    let count = |field, text: &str| -> Result<u64> {
        let q = TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic);
        Ok(searcher.search(&q, &Count)? as u64)
    };
    let first = TermQuery::new(
        Term::from_field_u64(f.position, 0),
        IndexRecordOption::Basic,
    );
    let documents = searcher.search(&first, &Count)? as u64;
    let mut languages = BTreeMap::new();
    let mut min = i64::MAX;
    let mut max = i64::MIN;
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(f.lang)?;
        let mut terms = inverted.terms().stream()?;
        while terms.advance() {
            let lang = String::from_utf8_lossy(terms.key()).to_string();
            languages.entry(lang).or_insert(0);
        }
        let dates = segment.fast_fields().i64("date")?;
        for doc in segment.doc_ids_alive() {
            if let Some(d) = dates.first(doc) {
                min = min.min(d);
                max = max.max(d);
            }
        }
    }
    for (lang, n) in languages.iter_mut() {
        *n = count(f.lang, lang)?;
    }
    languages.retain(|_, n| *n > 0);
    let bytes = std::fs::read_dir(&idx.path)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    let day = |d: i64| Day::from_days(d).map(|d| d.to_string());
    Ok(Stats {
        documents,
        passages: searcher.num_docs(),
        tweets: count(f.kind, "tweet")?,
        languages,
        date_min: (min != i64::MAX).then(|| day(min)).flatten(),
        date_max: (max != i64::MIN).then(|| day(max)).flatten(),
        segments: searcher.segment_readers().len() as u64,
        bytes,
        schema_version: SCHEMA_VERSION,
        near_duplicates: super::dedup::documents_with_near_duplicate(
            idx,
            super::dedup::DEFAULT_THRESHOLD,
        )?,
        space: None,
    })
}
