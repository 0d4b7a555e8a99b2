//! TREC relevance judgments (qrels).

use std::collections::HashMap;
use std::io::BufRead;

use crate::error::{Error, Result};

/// The judgments of one query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Judgments {
    grades: HashMap<String, i64>,
    /// Documents with a positive grade.
    pub relevant: usize,
    /// Positive grades, highest first (the ideal ranking's gains).
    pub(super) ideal: Vec<i64>,
}

impl Judgments {
    /// The grade of `doc` (0 when unjudged).
    pub fn grade(&self, doc: &str) -> i64 {
        self.grades.get(doc).copied().unwrap_or(0)
    }

    /// Whether `doc` is judged relevant (grade > 0).
    pub fn is_relevant(&self, doc: &str) -> bool {
        self.grade(doc) > 0
    }

    fn finish(&mut self) {
        self.ideal = self.grades.values().copied().filter(|g| *g > 0).collect();
        self.ideal.sort_unstable_by(|a, b| b.cmp(a));
        self.relevant = self.ideal.len();
    }
}

/// Relevance judgments of many queries, from a TREC qrels file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Qrels {
    queries: HashMap<String, Judgments>,
}

impl Qrels {
    /// Reads `qid iteration docid grade` lines (white-space separated; blank
    /// lines skipped). The grade is an integer; a document judged twice for
    /// the same query keeps its last grade. `name` labels errors.
    pub fn parse(input: impl BufRead, name: &str) -> Result<Qrels> {
        let mut queries: HashMap<String, Judgments> = HashMap::new();
        for (n, line) in input.lines().enumerate() {
            let line = line.map_err(|e| Error::Record {
                file: name.to_string(),
                line: n as u64 + 1,
                message: e.to_string(),
            })?;
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.is_empty() {
                continue;
            }
            let bad = |message: String| Error::Record {
                file: name.to_string(),
                line: n as u64 + 1,
                message,
            };
            let [qid, _iter, doc, grade] = fields[..] else {
                return Err(bad(format!(
                    "expected `qid 0 docid grade`, found {} fields",
                    fields.len()
                )));
            };
            let grade: i64 = grade
                .parse()
                .map_err(|_| bad(format!("grade {grade:?} is not an integer")))?;
            queries
                .entry(qid.to_string())
                .or_default()
                .grades
                .insert(doc.to_string(), grade);
        }
        for j in queries.values_mut() {
            j.finish();
        }
        Ok(Qrels { queries })
    }

    /// The judgments of query `qid`.
    pub fn get(&self, qid: &str) -> Option<&Judgments> {
        self.queries.get(qid)
    }

    /// Queries judged.
    pub fn len(&self) -> usize {
        self.queries.len()
    }

    /// Whether no query is judged.
    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
    }
}
