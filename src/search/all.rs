//! Every passage of the index, as the hits that would show it: what
//! `gazette export` sends to another engine.

use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument};

use super::{Engine, Hit};
use crate::error::Result;

impl Engine {
    /// Calls `f` with every live passage of the index, in index order, as a
    /// [`Hit`] (rank 0, score 0, no highlights) and its `author` facet
    /// value (`@handle` of a tweet, else the author's name, if any).
    pub fn for_each_passage(
        &self,
        mut f: impl FnMut(Hit, Option<String>) -> Result<()>,
    ) -> Result<()> {
        let searcher = self.searcher();
        let position = self.index().fields.position;
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let ord = ord as u32;
            let authors = segment.fast_fields().str("author_facet")?;
            let mut first: Option<(u32, TantivyDocument)> = None;
            for doc_id in segment.doc_ids_alive() {
                let doc: TantivyDocument = searcher.doc(DocAddress::new(ord, doc_id))?;
                let p = doc
                    .get_first(position)
                    .and_then(|v| v.as_u64())
                    .and_then(|p| u32::try_from(p).ok())
                    .filter(|&p| p <= doc_id)
                    .unwrap_or(0);
                let first_id = doc_id - p;
                if first.as_ref().is_none_or(|(id, _)| *id != first_id) {
                    let d = match p {
                        0 => doc.clone(),
                        _ => searcher.doc(DocAddress::new(ord, first_id))?,
                    };
                    first = Some((first_id, d));
                }
                let first_doc = &first.as_ref().expect("set above").1;
                let hit = self.hit(
                    &doc,
                    first_doc,
                    (segment.segment_id(), doc_id),
                    0,
                    0.0,
                    None,
                );
                let mut author = None;
                if let Some(column) = &authors
                    && let Some(term) = column.term_ords(doc_id).next()
                {
                    let mut s = String::new();
                    column.ord_to_str(term, &mut s)?;
                    author = Some(s);
                }
                f(hit, author)?;
            }
        }
        Ok(())
    }
}
