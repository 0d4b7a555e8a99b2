//! Why a hit scores what it does: the explanation tree of its score, in the
//! shape Lucene and Elasticsearch print (`{"value", "description",
//! "details"}`), the root's value being the hit's score.
//!
//! The tree is tantivy's `Weight::explain` of the very query that ranked
//! the hits (one weight built per request), so it follows the scoring path
//! rather than re-deriving it: each clause explains itself
//! ([`crate::search::bm25`], [`crate::search::doclevel`],
//! [`crate::search::docevidence`]). This module only turns tantivy's tree
//! into gazette's serde type and names tantivy's own nodes the way the rest
//! of the tree reads: a node whose description ends in `sum of:` is the sum
//! of its details, `product of:` their product, `result of:` its one
//! detail's value; any other node's details are the inputs of the formula
//! its description gives.

use serde::{Deserialize, Serialize};
use tantivy::query::{BooleanQuery, EnableScoring, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

use crate::search::doclevel::DocLevelQuery;

/// One node of a score's explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The node's value.
    pub value: f32,
    /// What the value is, and how its details combine into it.
    pub description: String,
    /// The parts or inputs of the value (empty for a leaf).
    #[serde(default)]
    pub details: Vec<Explanation>,
}

/// How a node's details make its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// The sum of the details.
    Sum,
    /// The product of the details.
    Product,
    /// The one detail's value.
    Result,
    /// A formula of its inputs (or a leaf).
    Formula,
}

impl Explanation {
    /// How this node's details combine, read from its description.
    pub fn combine(&self) -> Combine {
        let d = self.description.as_str();
        if d.ends_with("sum of:") {
            Combine::Sum
        } else if d.ends_with("product of:") {
            Combine::Product
        } else if d.ends_with("result of:") {
            Combine::Result
        } else {
            Combine::Formula
        }
    }

    /// What the details combine to, for a sum, product or result node.
    pub fn combined(&self) -> Option<f32> {
        let values = self.details.iter().map(|d| d.value);
        match self.combine() {
            Combine::Sum => Some(values.sum()),
            Combine::Product => Some(values.product()),
            Combine::Result => (self.details.len() == 1).then(|| self.details[0].value),
            Combine::Formula => None,
        }
    }

    /// The first node (in depth-first order) whose details do not combine
    /// to its value within `tolerance` (relative to the larger magnitude,
    /// at least 1): `None` when the whole tree adds up.
    pub fn inconsistency(&self, tolerance: f32) -> Option<&Explanation> {
        if let Some(c) = self.combined() {
            let scale = c.abs().max(self.value.abs()).max(1.0);
            if (c - self.value).abs() > tolerance * scale {
                return Some(self);
            }
        }
        self.details.iter().find_map(|d| d.inconsistency(tolerance))
    }

    /// The tree as indented lines, `value  description`, two spaces a level.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.push_lines(0, &mut out);
        out
    }

    fn push_lines(&self, depth: usize, out: &mut Vec<String>) {
        out.push(format!(
            "{:indent$}{:.4}  {}",
            "",
            self.value,
            self.description,
            indent = depth * 2
        ));
        for d in &self.details {
            d.push_lines(depth + 1, out);
        }
    }
}

/// tantivy's serialized explanation (its fields are private).
#[derive(Deserialize)]
struct Raw {
    value: f32,
    description: String,
    #[serde(default)]
    details: Vec<Raw>,
    #[serde(default)]
    context: Vec<String>,
}

impl From<&tantivy::query::Explanation> for Explanation {
    fn from(e: &tantivy::query::Explanation) -> Self {
        let raw: Raw = serde_json::to_value(e)
            .and_then(serde_json::from_value)
            .expect("tantivy's explanation serializes to its own shape");
        convert(raw)
    }
}

/// gazette's node for a tantivy node: tantivy's own descriptions renamed
/// to say how they combine; a boost becomes a product with the boost as a
/// detail; context joins the description.
fn convert(raw: Raw) -> Explanation {
    let mut details: Vec<Explanation> = raw.details.into_iter().map(convert).collect();
    let d = raw.description.as_str();
    let mut description = if d == "BooleanClause. sum of ..." {
        "sum of:".to_string()
    } else if let Some(boost) = d
        .strip_prefix("Boost x")
        .and_then(|r| r.strip_suffix(" of ..."))
    {
        let boost = boost.parse::<f32>().unwrap_or(raw.value);
        details.insert(0, leaf("boost", boost));
        "weighted, product of:".to_string()
    } else if d == "Const" {
        "filter (adds nothing)".to_string()
    } else if d == "Phrase Scorer" {
        "phrase (tantivy's BM25, k1 1.2, b 0.75), result of:".to_string()
    } else if let Some(head) = d.strip_suffix(", product of...") {
        format!("{head}, product of:")
    } else {
        raw.description
    };
    if !raw.context.is_empty() {
        description = format!("{description} [{}]", raw.context.join("; "));
    }
    Explanation {
        value: raw.value,
        description,
        details,
    }
}

fn leaf(description: &str, value: f32) -> Explanation {
    Explanation {
        value,
        description: description.to_string(),
        details: Vec::new(),
    }
}

/// `query` made safe to explain, scoring exactly as it does.
///
/// tantivy's `BooleanWeight::explain` asks each clause to explain the
/// document, and a clause seeks a fresh scorer to it without checking that
/// the scorer has not already passed it (tantivy asserts that it has not,
/// in debug builds). Here each clause of every boolean query (and the inner
/// query of a [`DocLevelQuery`]) is wrapped so that it first checks that it
/// matches the document; its scorer is the clause's own scorer, unwrapped,
/// so the query scores, and is explained, as the one searched.
pub fn guarded(query: &dyn Query) -> Box<dyn Query> {
    if let Some(b) = query.downcast_ref::<BooleanQuery>() {
        let clauses = b
            .clauses()
            .iter()
            .map(|(occur, q)| (*occur, Box::new(Guard(guarded(&**q))) as Box<dyn Query>))
            .collect();
        let mut rebuilt = BooleanQuery::new(clauses);
        rebuilt.set_minimum_number_should_match(b.get_minimum_number_should_match());
        return Box::new(rebuilt);
    }
    if let Some(d) = query.downcast_ref::<DocLevelQuery>() {
        return Box::new(d.with_inner(Box::new(Guard(guarded(d.inner())))));
    }
    query.box_clone()
}

/// A query whose explanation of a document it does not match is an error
/// rather than a seek backwards.
#[derive(Debug)]
struct Guard(Box<dyn Query>);

impl Clone for Guard {
    fn clone(&self) -> Self {
        Guard(self.0.box_clone())
    }
}

impl Query for Guard {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(GuardWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct GuardWeight(Box<dyn Weight>);

impl Weight for GuardWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.0.scorer(reader, boost)
    }

    fn explain(
        &self,
        reader: &SegmentReader,
        doc: DocId,
    ) -> tantivy::Result<tantivy::query::Explanation> {
        let mut scorer = self.0.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "Document #({doc}) does not match"
            )));
        }
        self.0.explain(reader, doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tantivy_nodes_are_renamed_to_say_how_they_combine() {
        let mut term = tantivy::query::Explanation::new("TermQuery, product of...", 6.0);
        term.add_const("(K1+1)", 2.0);
        term.add_const("idf", 3.0);
        let mut boost =
            tantivy::query::Explanation::new_with_string("Boost x0.5 of ...".into(), 3.0);
        boost.add_detail(term);
        let mut root = tantivy::query::Explanation::new("BooleanClause. sum of ...", 3.0);
        root.add_detail(boost);
        root.add_detail(tantivy::query::Explanation::new("Const", 0.0));
        let e = Explanation::from(&root);
        assert_eq!(e.description, "sum of:");
        assert_eq!(e.details[0].description, "weighted, product of:");
        assert_eq!(e.details[0].details[0], leaf("boost", 0.5));
        assert_eq!(
            e.details[0].details[1].description,
            "TermQuery, product of:"
        );
        assert_eq!(e.details[1].description, "filter (adds nothing)");
        assert_eq!(e.inconsistency(1e-6), None);
        assert_eq!(
            e.lines()[..2],
            ["3.0000  sum of:", "  3.0000  weighted, product of:"]
        );
    }

    #[test]
    fn a_part_that_does_not_add_up_is_found() {
        let mut e = leaf("sum of:", 5.0);
        e.details = vec![leaf("a", 2.0), leaf("b", 2.0)];
        assert_eq!(e.inconsistency(1e-4).map(|n| n.value), Some(5.0));
        e.details[1].value = 3.0;
        assert_eq!(e.inconsistency(1e-4), None);
        // Inputs of a formula are not summed.
        let mut f = leaf("idf, computed as log(…) from:", 0.7);
        f.details = vec![leaf("n", 3.0), leaf("N", 10.0)];
        assert_eq!(f.inconsistency(1e-4), None);
    }
}
