//! Which segments to merge: levels of similar size, each merge bounded by
//! the bytes it maps.
//!
//! A merge maps every byte of its input segments, so what it maps, not how
//! many passages it joins, is what it adds to the peak memory. tantivy's
//! log merge policy bounds the size of each input segment but not their
//! number (a level of eight segments just under its cap maps eight times
//! the cap). [`plan`] keeps tantivy's levels (segments within a factor of
//! four of each other; a level of [`MIN_SEGMENTS`] or more is merged, so
//! each passage is rewritten about once per level; a level of small
//! segments from [`SMALL_MIN_SEGMENTS`] on) but cuts each level into
//! merges of at most `max_bytes` of input, and leaves segments of half of
//! that or more alone (`gazette optimize` merges everything when asked).

use std::cmp::Reverse;
use std::path::Path;

use tantivy::index::{SegmentId, SegmentMeta};

/// Most bytes of segment files one merge reads while indexing: its inputs
/// are mapped whole, so this bounds what a merge adds to the peak memory.
/// A merged segment is about as large as its inputs, so an index settles at
/// segments of 128–256 MB (measured: docs/SCALING.md).
pub const MERGE_MAX_BYTES: u64 = 256 << 20;

/// Fewest segments of one level that are merged.
pub const MIN_SEGMENTS: usize = 8;

/// A level whose segments are all smaller than this is merged from
/// [`SMALL_MIN_SEGMENTS`] segments on, not [`MIN_SEGMENTS`]: a query pays
/// per segment (dictionary lookups, scorers, unions), small segments cost
/// little to merge, and a run leaves a few behind (its last flushes). The
/// news + tweets mix: 12 segments (six under 12 MB) → 8 or 9, one-shot
/// query CPU p50 −11% (same hits; ties in another order), indexing CPU
/// +4–6% (CHANGELOG).
pub const SMALL_BYTES: u64 = 16 << 20;

/// Fewest segments of a level of small segments that are merged.
pub const SMALL_MIN_SEGMENTS: usize = 3;

/// Segments smaller than this count as this large (the small ones make one
/// level).
const FLOOR_BYTES: u64 = 1 << 20;

/// A level holds segments within this factor (as a power of two) of its
/// largest.
const LEVEL_LOG2: f64 = 2.0;

/// The merges to run among `segments` (anything, with its size in bytes):
/// groups of two or more, each of at most `max_bytes` in all.
pub fn plan<T: Clone>(segments: &[(T, u64)], max_bytes: u64) -> Vec<Vec<T>> {
    let mut small: Vec<&(T, u64)> = segments
        .iter()
        .filter(|(_, bytes)| *bytes < max_bytes / 2)
        .collect();
    small.sort_by_key(|(_, bytes)| Reverse(*bytes));
    let mut levels: Vec<Vec<&(T, u64)>> = Vec::new();
    let mut top = f64::MAX;
    for s in small {
        let log = (s.1.max(FLOOR_BYTES) as f64).log2();
        if log < top - LEVEL_LOG2 || levels.is_empty() {
            top = log;
            levels.push(Vec::new());
        }
        levels.last_mut().expect("pushed").push(s);
    }
    let mut merges = Vec::new();
    // A level is sorted largest first.
    let due = |l: &&Vec<&(T, u64)>| {
        l.len() >= MIN_SEGMENTS || (l.len() >= SMALL_MIN_SEGMENTS && l[0].1 < SMALL_BYTES)
    };
    for level in levels.iter().filter(due) {
        // Smallest first, so the groups are filled evenly.
        let mut group: Vec<T> = Vec::new();
        let mut bytes = 0u64;
        for (item, size) in level.iter().rev() {
            if !group.is_empty() && bytes + size > max_bytes {
                if group.len() > 1 {
                    merges.push(std::mem::take(&mut group));
                } else {
                    group.clear();
                }
                bytes = 0;
            }
            group.push(item.clone());
            bytes += size;
        }
        if group.len() > 1 {
            merges.push(group);
        }
    }
    merges
}

/// The bytes of a segment's files in the index folder `dir` (files that
/// cannot be read count nothing).
pub fn segment_bytes(dir: &Path, meta: &SegmentMeta) -> u64 {
    use tantivy::index::SegmentComponent as C;
    [
        C::Postings,
        C::Positions,
        C::FastFields,
        C::FieldNorms,
        C::Terms,
        C::Store,
    ]
    .into_iter()
    .filter_map(|c| std::fs::metadata(dir.join(meta.relative_path(c))).ok())
    .map(|m| m.len())
    .sum()
}

/// [`plan`] over the segments of the index in `dir`.
pub fn plan_segments(dir: &Path, metas: &[SegmentMeta], max_bytes: u64) -> Vec<Vec<SegmentId>> {
    let sized: Vec<(SegmentId, u64)> = metas
        .iter()
        .map(|m| (m.id(), segment_bytes(dir, m)))
        .collect();
    plan(&sized, max_bytes)
}

/// tantivy's merge policy of a writer that merges while it indexes
/// (`gazette index --watch`, `delete`): [`plan`] with [`MERGE_MAX_BYTES`].
#[derive(Debug)]
pub struct BoundedMerges {
    /// The index folder (segment sizes are read from its files).
    pub dir: std::path::PathBuf,
    /// Most bytes of input of one merge.
    pub max_bytes: u64,
}

impl tantivy::indexer::MergePolicy for BoundedMerges {
    fn compute_merge_candidates(
        &self,
        segments: &[SegmentMeta],
    ) -> Vec<tantivy::indexer::MergeCandidate> {
        plan_segments(&self.dir, segments, self.max_bytes)
            .into_iter()
            .map(tantivy::indexer::MergeCandidate)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1 << 20;

    fn sizes(merges: &[Vec<usize>], all: &[(usize, u64)]) -> Vec<u64> {
        merges
            .iter()
            .map(|g| g.iter().map(|i| all[*i].1).sum())
            .collect()
    }

    #[test]
    fn fewer_than_a_level_are_left_alone() {
        let segs: Vec<(usize, u64)> = (0..MIN_SEGMENTS - 1).map(|i| (i, 30 * MB)).collect();
        assert!(plan(&segs, 256 * MB).is_empty());
    }

    #[test]
    fn a_run_of_equal_segments_is_cut_into_bounded_merges() {
        // 92 segments of 27 MB (a fresh run of 2.5 GB without merges).
        let segs: Vec<(usize, u64)> = (0..92).map(|i| (i, 27 * MB)).collect();
        let merges = plan(&segs, 256 * MB);
        assert_eq!(merges.len(), 11, "{merges:?}");
        assert!(sizes(&merges, &segs).iter().all(|&b| b <= 256 * MB));
        let merged: usize = merges.iter().map(Vec::len).sum();
        // Nine a merge (243 MB); the last gets the two left over.
        assert_eq!(merged, 92);
        assert_eq!(merges.last().unwrap().len(), 2);
        // Each segment in one merge at most.
        let mut all: Vec<usize> = merges.concat();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), merged);
    }

    #[test]
    fn large_segments_are_not_merged_again() {
        let mut segs: Vec<(usize, u64)> = (0..10).map(|i| (i, 200 * MB)).collect();
        segs.extend((10..12).map(|i| (i, 5 * MB)));
        assert!(plan(&segs, 256 * MB).is_empty());
    }

    #[test]
    fn levels_keep_small_segments_out_of_large_merges() {
        // Eight of 100 MB and eight of 1 MB: two levels, each merged on its
        // own (the small ones are not rewritten into the large merges).
        let mut segs: Vec<(usize, u64)> = (0..8).map(|i| (i, 100 * MB)).collect();
        segs.extend((8..16).map(|i| (i, MB)));
        let merges = plan(&segs, 256 * MB);
        assert_eq!(
            sizes(&merges, &segs),
            [200 * MB, 200 * MB, 200 * MB, 200 * MB, 8 * MB]
        );
        // Two small segments and one of 100 MB: nothing to do.
        let mut segs: Vec<(usize, u64)> = (0..2).map(|i| (i, MB)).collect();
        segs.push((2, 100 * MB));
        assert!(plan(&segs, 256 * MB).is_empty());
    }

    #[test]
    fn small_segments_are_merged_three_at_a_time() {
        // A run's tail: three segments under 16 MB (one level) merge;
        // beside seven of 100 MB, which do not.
        let mut segs: Vec<(usize, u64)> = vec![(0, 4 * MB), (1, 5 * MB), (2, 9 * MB)];
        segs.extend((3..10).map(|i| (i, 100 * MB + i as u64)));
        let merges = plan(&segs, 256 * MB);
        assert_eq!(merges.len(), 1, "{merges:?}");
        let mut got = merges[0].clone();
        got.sort();
        assert_eq!(got, [0, 1, 2]);
        // Two are left alone, and so are three of a level at 16 MB.
        assert!(plan(&segs[1..], 256 * MB).is_empty());
        let big: Vec<(usize, u64)> = (0..3).map(|i| (i, SMALL_BYTES)).collect();
        assert!(plan(&big, 256 * MB).is_empty());
    }
}
