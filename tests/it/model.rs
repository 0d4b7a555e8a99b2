//! Model-based property test: random sequences of writes, deletes, commits
//! and crashes applied to the real binary, checked after each step against
//! an in-memory model (id → current version).

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::Duration;

use proptest::prelude::*;

use crate::indexing::{Ix, article};

#[derive(Debug, Clone)]
enum Op {
    /// Index a one-line file holding the next version of id `n` (a new
    /// document, or a change of an existing one).
    Write(u8),
    /// Change the `k`-th existing document (modulo their number), if any.
    Change(u8),
    /// `gazette delete` id `n` (known or not).
    Delete(u8),
    /// `gazette optimize`: a commit that merges segments, no content change.
    Commit,
    /// Index the next version of id `n`, then SIGKILL the run after
    /// `delay` ms: the write may or may not land, but never in part.
    Crash(u8, u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..5u8).prop_map(Op::Write),
        2 => any::<u8>().prop_map(Op::Change),
        2 => (0..5u8).prop_map(Op::Delete),
        1 => Just(Op::Commit),
        2 => (0..5u8, 0..150u8).prop_map(|(n, d)| Op::Crash(n, d)),
    ]
}

fn doc_id(n: u8) -> String {
    format!("doc{n}")
}

/// The word unique to version `v` of document `n`.
fn token(n: u8, v: u32) -> String {
    format!("zq{n}v{v}x")
}

struct World {
    ix: Ix,
    /// id → current version.
    model: BTreeMap<u8, u32>,
    /// Every version ever written (or attempted) per id.
    issued: BTreeMap<u8, u32>,
    step: usize,
}

impl World {
    fn new() -> World {
        World {
            ix: Ix::new(),
            model: BTreeMap::new(),
            issued: BTreeMap::new(),
            step: 0,
        }
    }

    /// Writes a one-line file with a fresh version of `n`; returns it.
    fn next_version(&mut self, n: u8) -> (std::path::PathBuf, u32) {
        let v = self.issued.get(&n).copied().unwrap_or(0) + 1;
        self.issued.insert(n, v);
        self.step += 1;
        let body = format!("Dispatch {} from the desk.", token(n, v));
        let path = self.ix.write_jsonl(
            &format!("op{}.jsonl", self.step),
            &[article(&doc_id(n), &body)],
        );
        (path, v)
    }

    fn write(&mut self, n: u8) {
        let (path, v) = self.next_version(n);
        let s = self.ix.index_ok(&[&path]);
        let existed = self.model.insert(n, v).is_some();
        assert_eq!(
            (s.added, s.updated),
            if existed { (0, 1) } else { (1, 0) },
            "{s:?}"
        );
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Write(n) => self.write(n),
            Op::Change(k) => {
                if !self.model.is_empty() {
                    let n = *self
                        .model
                        .keys()
                        .nth(k as usize % self.model.len())
                        .unwrap();
                    self.write(n);
                }
            }
            Op::Delete(n) => {
                self.ix.run(&[&"delete", &doc_id(n)]).expect_code(0);
                self.model.remove(&n);
            }
            Op::Commit => {
                self.ix.run(&[&"optimize"]).expect_code(0);
            }
            Op::Crash(n, delay) => {
                let (path, v) = self.next_version(n);
                let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
                    .env_remove("GAZETTE_INDEX")
                    .arg("--index")
                    .arg(self.ix.dir())
                    .arg("index")
                    .arg(&path)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap();
                std::thread::sleep(Duration::from_millis(delay.into()));
                let _ = child.kill();
                let status = child.wait().unwrap();
                assert!(
                    status.code().is_none_or(|c| c == 0),
                    "crashed run ended with {status}"
                );
                // Either outcome is allowed; adopt the one that happened
                // (the check then verifies it is whole and alone).
                if self.ix.query(&token(n, v)).total > 0 {
                    self.model.insert(n, v);
                }
            }
        }
    }

    /// The index matches the model exactly.
    fn check(&self, history: &[Op]) {
        let st = self.ix.stats();
        assert_eq!(
            (st.documents, st.passages),
            (self.model.len() as u64, self.model.len() as u64),
            "after {history:?}: model {:?}",
            self.model
        );
        // One query for every token ever issued; sort the hits by token.
        let tokens: Vec<(u8, u32, String)> = self
            .issued
            .iter()
            .flat_map(|(&n, &last)| (1..=last).map(move |v| (n, v, token(n, v))))
            .collect();
        let q = tokens
            .iter()
            .map(|t| t.2.as_str())
            .collect::<Vec<_>>()
            .join(" OR ");
        let resp = self.ix.query(&q);
        let mut found: BTreeMap<(u8, u32), Vec<String>> = BTreeMap::new();
        for h in &resp.hits {
            let words: BTreeSet<&str> = h
                .passage
                .text
                .split(|c: char| !c.is_alphanumeric())
                .collect();
            let mut any = false;
            for (n, v, t) in &tokens {
                if words.contains(t.as_str()) {
                    found.entry((*n, *v)).or_default().push(h.doc.id.clone());
                    any = true;
                }
            }
            assert!(any, "hit without a token: {:?}", h.passage.text);
        }
        for (n, v, t) in &tokens {
            let got = found.get(&(*n, *v)).cloned().unwrap_or_default();
            if self.model.get(n) == Some(v) {
                assert_eq!(
                    got,
                    [doc_id(*n)],
                    "after {history:?}: current token {t} must be found once; model {:?}",
                    self.model
                );
            } else {
                assert!(
                    got.is_empty(),
                    "after {history:?}: stale or deleted token {t} found in {got:?}; model {:?}",
                    self.model
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn index_matches_a_model_through_writes_deletes_and_crashes(
        ops in proptest::collection::vec(op(), 1..=8)
    ) {
        let mut world = World::new();
        // The index exists from the start, so `delete` and `optimize` have
        // something to open.
        world.write(9);
        world.check(&[]);
        for (i, op) in ops.iter().enumerate() {
            world.apply(op);
            world.check(&ops[..=i]);
        }
    }
}
