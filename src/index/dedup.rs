//! Near-duplicate documents and passages, from the signatures indexed with
//! them ([`crate::analysis::minhash`]): which documents of the index nearly
//! copy another (`stats`, `index --skip-duplicates`), and the signature of
//! a passage (`query --collapse`).

use tantivy::columnar::BytesColumn;
use tantivy::{DocId, Searcher, SegmentReader};

use super::GazetteIndex;
use crate::analysis::minhash::{NearIndex, SIG_BYTES, Signature};
use crate::error::{Error, Result};

/// Estimated Jaccard similarity of word triples at and above which two
/// texts are near-duplicates, unless asked otherwise.
pub const DEFAULT_THRESHOLD: f32 = 0.8;

/// A byte column's values in ord order, read with one pass over its
/// dictionary.
fn values(column: &BytesColumn) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::with_capacity(column.num_terms());
    let mut stream = column.dictionary().stream()?;
    while stream.advance() {
        out.push(stream.key().to_vec());
    }
    Ok(out)
}

fn column(segment: &SegmentReader, name: &str) -> Result<BytesColumn> {
    segment
        .fast_fields()
        .bytes(name)?
        .ok_or_else(|| Error::Invalid(format!("index lacks the {name} fast field")))
}

/// The signature of every live document, with its id.
pub fn document_signatures(index: &GazetteIndex) -> Result<Vec<(String, Signature)>> {
    let reader = index.index.reader()?;
    let searcher = reader.searcher();
    let mut out = Vec::new();
    for segment in searcher.segment_readers() {
        let sigs = column(segment, "doc_sig")?;
        let ids = segment
            .fast_fields()
            .str("doc_id")?
            .ok_or_else(|| Error::Invalid("index lacks doc_id fast field".into()))?;
        let sig_values = values(&sigs)?;
        let mut id = String::new();
        for doc in segment.doc_ids_alive() {
            let Some(ord) = sigs.term_ords(doc).next() else {
                continue;
            };
            let Ok(sig) = Signature::try_from(sig_values[ord as usize].as_slice()) else {
                continue;
            };
            let Some(id_ord) = ids.term_ords(doc).next() else {
                continue;
            };
            id.clear();
            ids.ord_to_str(id_ord, &mut id)?;
            out.push((id.clone(), sig));
        }
    }
    Ok(out)
}

/// The live documents of the index in a [`NearIndex`], with their ids by
/// number.
pub fn near_index(index: &GazetteIndex) -> Result<(NearIndex, Vec<String>)> {
    let mut near = NearIndex::default();
    let mut ids = Vec::new();
    for (id, sig) in document_signatures(index)? {
        near.insert(sig);
        ids.push(id);
    }
    Ok((near, ids))
}

/// How many live documents have a near-duplicate (another document at
/// `threshold` or above).
pub fn documents_with_near_duplicate(index: &GazetteIndex, threshold: f32) -> Result<u64> {
    let (near, _) = near_index(index)?;
    Ok(near.with_near_copy(threshold).len() as u64)
}

/// Passage signatures of a searcher's segments, read on demand.
pub struct PassageSignatures {
    columns: Vec<BytesColumn>,
}

impl PassageSignatures {
    /// The signature columns of `searcher`'s segments.
    pub fn new(searcher: &Searcher) -> Result<PassageSignatures> {
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|s| column(s, "sig"))
            .collect::<Result<_>>()?;
        Ok(PassageSignatures { columns })
    }

    /// The signature of passage `doc` of segment `segment`, if it has one.
    pub fn get(&self, segment: u32, doc: DocId) -> Option<Signature> {
        let column = &self.columns[segment as usize];
        let ord = column.term_ords(doc).next()?;
        let mut bytes = Vec::with_capacity(SIG_BYTES);
        column.ord_to_bytes(ord, &mut bytes).ok()?;
        Signature::try_from(bytes.as_slice()).ok()
    }
}
