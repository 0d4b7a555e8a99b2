//! What takes the bytes of an index: each component (term dictionary,
//! postings, positions, fast fields, fieldnorms, store) per field, and the
//! stored bytes per field before compression (over every live document).
//!
//! `cargo run --release --example index_space -- INDEX_DIR`

use std::collections::BTreeMap;
use std::path::PathBuf;

use tantivy::schema::{OwnedValue, Value};
use tantivy::{Document, TantivyDocument};

fn main() -> anyhow::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "index".into()));
    let g = gazette::index::open(&dir)?;
    let searcher = g.index.reader()?.searcher();
    let space = searcher.space_usage()?;
    let schema = g.index.schema();
    let mut rows: BTreeMap<String, [u64; 6]> = BTreeMap::new();
    let mut store = 0u64;
    for seg in space.segments() {
        let parts = [
            seg.termdict(),
            seg.postings(),
            seg.positions(),
            seg.fast_fields(),
            seg.fieldnorms(),
        ];
        for (i, part) in parts.iter().enumerate() {
            for usage in part.fields() {
                let name = usage.field_name().to_string();
                rows.entry(name).or_default()[i] += usage.total().get_bytes();
            }
        }
        store += seg.store().total().get_bytes();
    }
    // Stored bytes per field, uncompressed.
    let mut raw: BTreeMap<String, u64> = BTreeMap::new();
    for reader in searcher.segment_readers() {
        let store = reader.get_store_reader(64)?;
        for doc in store.iter::<TantivyDocument>(reader.alive_bitset()) {
            for (field, value) in doc?.iter_fields_and_values() {
                let bytes = match OwnedValue::from(value.as_value()) {
                    OwnedValue::Str(s) => s.len() as u64,
                    _ => 8,
                };
                *raw.entry(schema.get_field_name(field).to_string())
                    .or_default() += bytes;
            }
        }
    }
    for (name, r) in &raw {
        rows.entry(name.clone()).or_default()[5] = *r;
    }
    let mb = |b: u64| b as f64 / 1e6;
    println!(
        "| field | termdict MB | postings MB | positions MB | fast MB | fieldnorms MB | stored raw MB |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut sums = [0u64; 6];
    for (name, r) in &rows {
        for (s, v) in sums.iter_mut().zip(r) {
            *s += v;
        }
        println!(
            "| {name} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            mb(r[0]),
            mb(r[1]),
            mb(r[2]),
            mb(r[3]),
            mb(r[4]),
            mb(r[5])
        );
    }
    println!(
        "| all | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
        mb(sums[0]),
        mb(sums[1]),
        mb(sums[2]),
        mb(sums[3]),
        mb(sums[4]),
        mb(sums[5])
    );
    println!(
        "\nstore, compressed: {:.1} MB; index total: {:.1} MB; live documents: {}",
        mb(store),
        mb(space.total().get_bytes()),
        searcher.num_docs()
    );
    Ok(())
}
