//! Tests that read `../shared/corpora` at run time. Without that folder they
//! say they were skipped and why, or fail with that message when
//! `GAZETTE_REQUIRE_SHARED` is set, as `.ci/run` does (see
//! `common::require_shared_in`).

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use serde_json::Value;

use crate::common::{REQUIRE, multilingual_fixture, require_shared_in, shared_corpora};

/// The records of a `.jsonl.gz` file whose id is in `ids`.
fn records_with_ids(file: &Path, ids: &[&str]) -> BTreeMap<String, Value> {
    let gz = std::fs::File::open(file).unwrap_or_else(|e| {
        panic!(
            "cannot open {} ({e}); this test reads ../shared/corpora",
            file.display()
        )
    });
    let mut reader = std::io::BufReader::new(flate2::read::GzDecoder::new(gz));
    let mut found = BTreeMap::new();
    let mut line = String::new();
    while found.len() < ids.len() {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        // Records start with their id; parse only the lines wanted.
        if leading_id(&line).is_some_and(|id| ids.contains(&id)) {
            let v: Value = serde_json::from_str(&line).unwrap();
            let id = v["id"].as_str().unwrap().to_string();
            found.insert(id, v);
        }
    }
    found
}

/// The id of a record line `{"id": "…", …}` (the corpora write it first).
fn leading_id(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix("{\"id\":")?
        .trim_start()
        .strip_prefix('"')?;
    rest.split_once('"').map(|(id, _)| id)
}

/// Every fixture record is a real record of a CC BY / CC BY-SA / Apache-2.0
/// corpus, with every field as in the source except a body cut at a line
/// boundary.
#[test]
fn shared_fixture_records_come_verbatim_from_the_corpora() {
    let Some(corpora) = shared_corpora("shared_fixture_records_come_verbatim_from_the_corpora")
    else {
        return;
    };
    let fixture: Vec<Value> = std::fs::read_to_string(multilingual_fixture())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(fixture.len(), 12);

    let file_for = |id: &str| match id.split('-').next().unwrap() {
        "ntrex" => "news-ntrex128/news.jsonl.gz",
        "esfake" => "news-spanish-fakenews/news.jsonl.gz",
        "xlmt" => "tweets-xlmt/tweets.jsonl.gz",
        other => panic!("{id}: {other} is not an allowed (CC BY / CC BY-SA / Apache) source"),
    };
    let mut by_file: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for rec in &fixture {
        let id = rec["id"].as_str().unwrap();
        by_file.entry(file_for(id)).or_default().push(id);
    }
    for (file, ids) in by_file {
        let source = records_with_ids(&corpora.join(file), &ids);
        for id in ids {
            let orig = source
                .get(id)
                .unwrap_or_else(|| panic!("{id} not found in ../shared/corpora/{file}"));
            let rec = fixture.iter().find(|r| r["id"] == id).unwrap();
            let (o, r) = (orig.as_object().unwrap(), rec.as_object().unwrap());
            assert_eq!(
                o.keys().collect::<Vec<_>>(),
                r.keys().collect::<Vec<_>>(),
                "{id}: fields"
            );
            for (k, v) in r {
                if k == "body" {
                    let full = o[k].as_str().unwrap();
                    let cut = v.as_str().unwrap();
                    assert!(
                        full == cut || full.starts_with(&format!("{cut}\n")),
                        "{id}: body is not the start of the original, cut at a line end"
                    );
                } else {
                    assert_eq!(&o[k], v, "{id}: field {k}");
                }
            }
        }
    }
}

#[test]
fn shared_missing_folder_fails_with_a_clear_message_when_required() {
    // The variable is read by the code under test; set it in a child
    // process rather than in this one, where other tests run in parallel.
    let empty = tempfile::tempdir().unwrap();
    if std::env::var_os("GAZETTE_PROBE_BASE").is_some() {
        let base = std::path::PathBuf::from(std::env::var_os("GAZETTE_PROBE_BASE").unwrap());
        let found = require_shared_in(&base, "probe");
        println!("PROBE found={found:?}");
        return;
    }
    let probe = |required: bool| {
        let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
        cmd.args([
            "shared::shared_missing_folder_fails_with_a_clear_message_when_required",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("GAZETTE_PROBE_BASE", empty.path())
        .env_remove(REQUIRE);
        if required {
            cmd.env(REQUIRE, "1");
        }
        let out = cmd.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let looked = empty.path().join("shared").join("corpora");

    // Not required: skipped, saying why and where it looked.
    let (ok, text) = probe(false);
    assert!(ok, "{text}");
    assert!(
        text.contains("SKIPPED probe: this test reads the shared corpora"),
        "{text}"
    );
    assert!(text.contains(&looked.display().to_string()), "{text}");
    assert!(text.contains("PROBE found=None"), "{text}");

    // Required: the same test fails, naming the path and the variable.
    let (ok, text) = probe(true);
    assert!(!ok, "{text}");
    assert!(text.contains("../shared/corpora"), "{text}");
    assert!(text.contains(&looked.display().to_string()), "{text}");
    assert!(text.contains(REQUIRE), "{text}");
    assert!(!text.contains("PROBE found"), "{text}");

    // And a present folder is found.
    std::fs::create_dir_all(&looked).unwrap();
    let (ok, text) = probe(true);
    assert!(ok, "{text}");
    assert!(
        text.contains(&format!("PROBE found=Some({looked:?})")),
        "{text}"
    );
}
