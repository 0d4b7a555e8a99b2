//! Opening and creating gazette indexes.

pub mod build;
pub mod dedup;
pub mod merge;
pub mod stats;
pub mod watch;
pub mod writer;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::Index;
use tantivy::directory::MmapDirectory;

use crate::error::{Error, Result};
use crate::schema::{self, Fields, SCHEMA_VERSION};

/// gazette's own marker beside tantivy's files.
const MARKER: &str = "gazette.json";

#[derive(Serialize, Deserialize)]
struct Marker {
    schema_version: u32,
}

/// An open index with gazette's analyzers registered.
#[derive(Clone)]
pub struct GazetteIndex {
    /// The tantivy index.
    pub index: Index,
    /// Its fields.
    pub fields: Fields,
    /// Its folder.
    pub path: PathBuf,
}

/// Does `dir` hold an index (of any version)?
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").is_file()
}

fn check_version(dir: &Path) -> Result<()> {
    let marker = dir.join(MARKER);
    let found = match std::fs::read_to_string(&marker) {
        Ok(text) => serde_json::from_str::<Marker>(&text)
            .map(|m| m.schema_version.to_string())
            .unwrap_or_else(|_| "unreadable".into()),
        Err(_) => "none (not written by gazette)".into(),
    };
    if found != SCHEMA_VERSION.to_string() {
        return Err(Error::SchemaVersion {
            path: dir.to_path_buf(),
            found,
            expected: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Opens an existing index for reading or writing.
pub fn open(dir: &Path) -> Result<GazetteIndex> {
    if !exists(dir) {
        return Err(Error::NoIndex(dir.to_path_buf()));
    }
    check_version(dir)?;
    let directory =
        MmapDirectory::open(dir).map_err(|e| Error::Invalid(format!("{}: {e}", dir.display())))?;
    let index = Index::open(directory)?;
    crate::analysis::register(&index);
    let fields = Fields::from_schema(&index.schema())?;
    Ok(GazetteIndex {
        index,
        fields,
        path: dir.to_path_buf(),
    })
}

/// Opens the index in `dir`, creating an empty one if there is none.
pub fn open_or_create(dir: &Path) -> Result<GazetteIndex> {
    if exists(dir) {
        return open(dir);
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let (schema, fields) = schema::build();
    let directory =
        MmapDirectory::open(dir).map_err(|e| Error::Invalid(format!("{}: {e}", dir.display())))?;
    // The marker goes first: an index without it is never mistaken for ours.
    let marker = serde_json::to_string(&Marker {
        schema_version: SCHEMA_VERSION,
    })
    .expect("serializable");
    write_atomic(&dir.join(MARKER), marker.as_bytes())?;
    let index = Index::create(directory, schema, store_settings())?;
    crate::analysis::register(&index);
    Ok(GazetteIndex {
        index,
        fields,
        path: dir.to_path_buf(),
    })
}

/// The stored passages' compression: zstd (level 3) in 32 KiB blocks.
/// Measured on the news + tweets mix (673,038 passages, one run each,
/// `examples/index_space.rs` and `du` after `optimize`): lz4 in tantivy's
/// 16 KiB blocks 266 MB, zstd 16 KiB 221 MB, zstd 64 KiB 214 MB, zstd
/// level 9 in 64 KiB 209 MB (and the slowest to index). A hit decompresses
/// one block, or two (its document's first passage): with 64 KiB blocks a
/// one-shot query spent a fifth of its instructions in zstd (callgrind,
/// `Guaido` on the mix: 4.3 of 21 M). The whole index of the mix (`du`,
/// not optimized): 64 KiB 281 MB, 32 KiB 280 MB, 16 KiB 284 MB; 32 KiB
/// took 7% off the instructions of the 51 one-shot queries of
/// `scripts/bench_oneshot.sh` (1,224 → 1,137 M, `scripts/instructions.py`).
/// 16 KiB, tried (2026-12-05): 4.2% fewer instructions again (985.5 →
/// 943.8 M), but no CPU time measurably saved (0.98–1.00x in four
/// comparisons of freshly copied indexes, two of them with one segment
/// layout for both) for 4–6% more indexing CPU (a zstd context per
/// block) and 4 MB more: not kept.
fn store_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(3),
        }),
        docstore_blocksize: 32 << 10,
        ..tantivy::IndexSettings::default()
    }
}

/// Opens the index in `dir` for a rebuild: like [`open_or_create`], but an
/// index of another gazette schema version is removed and created anew (its
/// content could not be used anyway). A folder that holds no gazette index
/// marker is never touched.
pub fn open_for_rebuild(dir: &Path) -> Result<GazetteIndex> {
    match open_or_create(dir) {
        Err(Error::SchemaVersion { found, .. }) if found.parse::<u32>().is_ok() => {
            remove_index_files(dir)?;
            open_or_create(dir)
        }
        other => other,
    }
}

/// Removes tantivy's and gazette's files from an index folder (nothing else).
fn remove_index_files(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().to_string();
        let ours = name == MARKER
            || name == "meta.json"
            || name == ".managed.json"
            || name.starts_with(".tantivy")
            || [
                ".idx",
                ".pos",
                ".term",
                ".store",
                ".fast",
                ".fieldnorm",
                ".del",
            ]
            .iter()
            .any(|ext| name.ends_with(ext));
        if ours && entry.path().is_file() {
            std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        }
    }
    Ok(())
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}
