//! Several indexes searched as one: their statistics added up, their hits
//! merged by score.
//!
//! An archive split by month or by source is still one collection to its
//! reader. [`Statistics`] gives every BM25 part of a query (the passage
//! terms, the title, the document evidence's N and average length) the
//! numbers of all the indexes together, exactly as one index holding all
//! of them would count them (`doc_freq` and N include deleted passages in
//! both, as tantivy's own searcher counts them); the document evidence's
//! document frequencies, which tantivy's statistics do not cover, are
//! counted in each index and added up first
//! ([`crate::search::docevidence::EvidenceStats`]). So a passage scores the
//! same in the split archive as in one index of everything, and the ranked
//! lists of the indexes merge by score into the ranking of the whole.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{DocAddress, Searcher, Term};

use crate::error::{Error, Result};

/// The statistics of several searchers taken together.
pub struct Statistics<'a> {
    searchers: &'a [Searcher],
}

impl<'a> Statistics<'a> {
    /// The statistics of `searchers` as one.
    pub fn new(searchers: &'a [Searcher]) -> Statistics<'a> {
        Statistics { searchers }
    }

    fn sum(&self, f: impl Fn(&Searcher) -> tantivy::Result<u64>) -> tantivy::Result<u64> {
        self.searchers.iter().map(f).sum()
    }
}

impl Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.sum(|s| Bm25StatisticsProvider::total_num_tokens(s, field))
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.sum(Bm25StatisticsProvider::total_num_docs)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.sum(|s| s.doc_freq(term))
    }
}

/// A passage of one of the indexes: the index's place in the list, and
/// the passage's address in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Addr {
    /// Which index (its place among those searched).
    pub part: usize,
    /// The passage in it.
    pub doc: DocAddress,
}

/// The order of merged hits: higher scores first; equal scores by index,
/// then by address (tantivy's own order of ties within an index), so the
/// merge is deterministic and each index's list stays in its order.
pub fn by_rank(a: &(f32, Addr), b: &(f32, Addr)) -> Ordering {
    b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1))
}

/// The index folders that `paths` name: each path that holds an index,
/// and for a folder that holds none, the index folders inside it (sorted
/// by name). A path that is neither stays as given (opening it then says
/// what is wrong).
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        if crate::index::exists(path) || !path.is_dir() {
            out.push(path.clone());
            continue;
        }
        let inside = indexes_in(path)?;
        if inside.is_empty() {
            // Not an index and holds none: let opening say so.
            out.push(path.clone());
        }
        out.extend(inside);
    }
    Ok(out)
}

/// The index folders directly inside `dir`, by name.
fn indexes_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Io {
        path: dir.to_path_buf(),
        source: e,
    })?;
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| crate::index::exists(p))
        .collect();
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(part: usize, seg: u32, doc: u32) -> Addr {
        Addr {
            part,
            doc: DocAddress::new(seg, doc),
        }
    }

    #[test]
    fn merged_hits_rank_by_score_then_index_then_address() {
        let mut hits = [
            (1.0, addr(1, 0, 3)),
            (2.0, addr(1, 0, 9)),
            (1.0, addr(0, 2, 1)),
            (1.0, addr(1, 0, 2)),
            (3.0, addr(0, 0, 0)),
        ];
        hits.sort_by(by_rank);
        let order: Vec<_> = hits.iter().map(|h| h.1).collect();
        assert_eq!(
            order,
            vec![
                addr(0, 0, 0),
                addr(1, 0, 9),
                addr(0, 2, 1),
                addr(1, 0, 2),
                addr(1, 0, 3)
            ]
        );
    }

    #[test]
    fn a_folder_of_indexes_expands_to_them_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["2020-02", "2020-01", "notes"] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
        }
        for name in ["2020-02", "2020-01"] {
            std::fs::write(dir.path().join(name).join("meta.json"), "{}").unwrap();
        }
        let got = expand(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(
            got,
            vec![dir.path().join("2020-01"), dir.path().join("2020-02")]
        );
        // An index itself, or a missing path, stays as given.
        let one = dir.path().join("2020-01");
        let missing = dir.path().join("missing");
        assert_eq!(
            expand(&[one.clone(), missing.clone()]).unwrap(),
            vec![one, missing]
        );
    }
}
