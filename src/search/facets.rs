//! Facet counts: how many of the passages matching a request are in each
//! language, of each kind, by each author, on each day — counted by
//! tantivy's aggregations over fast fields (`lang`, `kind`,
//! `author_facet`, `date`), over every match, not just the page.
//!
//! A facet's counts ignore that facet's own filter (the lang counts of a
//! `--lang es` request are those of the same request without `--lang`), so
//! a page that filters by one value still shows the others. Facets whose
//! own filter is not set share one aggregation run.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::{AggregationResult, BucketResult};
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard, Key};

use super::{Engine, QueryLang, Request, Response};
use crate::error::{Error, Result};
use crate::model::Day;

/// Authors listed in the `author` facet, most passages first.
pub const AUTHOR_FACET_SIZE: usize = 20;
/// Authors each index counts when several are searched as one.
pub const AUTHORS_PER_INDEX: usize = 10_000;

/// A facet that can be counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Facet {
    /// Passage language.
    Lang,
    /// Passage kind (`article`, `tweet`).
    Kind,
    /// Tweet `@handle`, else the author's name (top [`AUTHOR_FACET_SIZE`]).
    Author,
    /// Passage date, one count per day (`YYYY-MM-DD`).
    Date,
}

impl Facet {
    /// Every facet, in the order they are listed.
    pub const ALL: [Facet; 4] = [Facet::Lang, Facet::Kind, Facet::Author, Facet::Date];

    /// The facet's name in requests and in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Facet::Lang => "lang",
            Facet::Kind => "kind",
            Facet::Author => "author",
            Facet::Date => "date",
        }
    }

    /// Parses a comma-separated list (`lang,kind,author,date`); repeated
    /// names count once, blank items are ignored.
    pub fn parse_list(s: &str) -> std::result::Result<Vec<Facet>, String> {
        let mut out = Vec::new();
        for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let facet = Facet::ALL
                .into_iter()
                .find(|f| f.name() == name)
                .ok_or_else(|| {
                    format!("unknown facet {name:?} (want lang, kind, author or date)")
                })?;
            if !out.contains(&facet) {
                out.push(facet);
            }
        }
        Ok(out)
    }

    /// The request without this facet's own filter.
    pub fn without_own_filter(self, req: &Request) -> Request {
        let mut r = req.clone();
        match self {
            Facet::Lang => r.lang = None,
            Facet::Kind => r.kind = None,
            Facet::Author => r.author = None,
            Facet::Date => (r.since, r.until) = (None, None),
        }
        r
    }

    /// The tantivy aggregation that counts this facet; `several`: one of
    /// several indexes, whose top authors are added up before the top
    /// [`AUTHOR_FACET_SIZE`] of all are kept (each gives its top
    /// [`AUTHORS_PER_INDEX`]).
    fn aggregation(self, several: bool) -> serde_json::Value {
        let terms = |field: &str, size: usize| {
            serde_json::json!({"terms": {"field": field, "size": size,
                "segment_size": size.max(10_000), "min_doc_count": 1}})
        };
        match self {
            Facet::Lang => terms("lang", 1000),
            Facet::Kind => terms("kind", 10),
            Facet::Author if several => terms("author_facet", AUTHORS_PER_INDEX),
            Facet::Author => terms("author_facet", AUTHOR_FACET_SIZE),
            Facet::Date => serde_json::json!({"histogram":
                {"field": "date", "interval": 1.0, "min_doc_count": 1}}),
        }
    }
}

/// Passages per facet value.
pub type Counts = BTreeMap<String, u64>;

/// The counts of the facets asked for; a facet not asked for is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// Passages per language code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Counts>,
    /// Passages per kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Counts>,
    /// Passages per author (`@handle` or name), the top [`AUTHOR_FACET_SIZE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Counts>,
    /// Passages per day (`YYYY-MM-DD`); undated passages are not counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Counts>,
}

impl Facets {
    /// The counts of one facet, if it was asked for.
    pub fn get(&self, facet: Facet) -> Option<&Counts> {
        match facet {
            Facet::Lang => self.lang.as_ref(),
            Facet::Kind => self.kind.as_ref(),
            Facet::Author => self.author.as_ref(),
            Facet::Date => self.date.as_ref(),
        }
    }

    fn set(&mut self, facet: Facet, counts: Counts) {
        let slot = match facet {
            Facet::Lang => &mut self.lang,
            Facet::Kind => &mut self.kind,
            Facet::Author => &mut self.author,
            Facet::Date => &mut self.date,
        };
        *slot = Some(counts);
    }
}

impl Engine {
    /// Runs a request and, when `facets` is not empty, counts them over all
    /// its matches (`took_ms` covers both).
    pub fn search_with_facets(&self, req: &Request, facets: &[Facet]) -> Result<Response> {
        let started = Instant::now();
        let (mut resp, phrases_as_words) = self.search_phrases(req)?;
        if !facets.is_empty() {
            let searched = (resp.query_lang.clone(), phrases_as_words);
            resp.facets = Some(self.facets_of(req, facets, Some(searched))?);
            resp.took_ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1000.0;
        }
        Ok(resp)
    }

    /// Counts `which` facets over every passage matching `req` (its limit,
    /// offset and `per_article` play no part), each without its own filter.
    pub fn facets(&self, req: &Request, which: &[Facet]) -> Result<Facets> {
        self.facets_of(req, which, None)
    }

    /// [`Engine::facets`] after the search of `req`: `searched` is the
    /// language its words were read in (not identified again for a group
    /// that keeps the request's language) and whether its phrases were
    /// searched as words (nothing had them).
    fn facets_of(
        &self,
        req: &Request,
        which: &[Facet],
        searched: Option<(Option<QueryLang>, bool)>,
    ) -> Result<Facets> {
        let phrases_as_words = searched.as_ref().is_some_and(|s| s.1);
        let mut groups: Vec<(Request, Vec<Facet>)> = Vec::new();
        for &facet in which {
            let r = facet.without_own_filter(req);
            match groups.iter_mut().find(|(g, _)| *g == r) {
                Some((_, fs)) => fs.push(facet),
                None => groups.push((r, vec![facet])),
            }
        }
        let searchers = self.searchers();
        let mut out = Facets::default();
        for (r, group) in groups {
            let query_lang = match &searched {
                Some((q, _)) if r.lang == req.lang => q.clone(),
                _ => self.query_lang(&r)?,
            };
            let compiled = self.compile(&r, &query_lang, phrases_as_words);
            let query = self.with_filters(compiled.query, &r)?;
            let request: serde_json::Map<String, serde_json::Value> = group
                .iter()
                .map(|f| (f.name().to_string(), f.aggregation(searchers.len() > 1)))
                .collect();
            let aggs: Aggregations = serde_json::from_value(request.into())
                .map_err(|e| Error::Invalid(format!("facet request: {e}")))?;
            // Several indexes: each counts its matches, the counts add up.
            let mut sums: Vec<Counts> = vec![Counts::new(); group.len()];
            for (searcher, index) in searchers.iter().zip(self.indexes()) {
                let context = AggContextParams::new(
                    AggregationLimitsGuard::default(),
                    index.index.tokenizers().clone(),
                );
                let collector = AggregationCollector::from_aggs(aggs.clone(), context);
                let results = searcher.search(&*query, &collector)?;
                for (facet, sum) in group.iter().zip(&mut sums) {
                    for (value, n) in counts(*facet, results.0.get(facet.name())) {
                        *sum.entry(value).or_default() += n;
                    }
                }
            }
            for (facet, sum) in group.into_iter().zip(sums) {
                out.set(facet, top_authors(facet, sum));
            }
        }
        Ok(out)
    }
}

/// The author counts cut to the top [`AUTHOR_FACET_SIZE`] (most passages
/// first, ties by name), as one index's aggregation cuts them; other
/// facets as they are.
fn top_authors(facet: Facet, counts: Counts) -> Counts {
    if facet != Facet::Author || counts.len() <= AUTHOR_FACET_SIZE {
        return counts;
    }
    let mut all: Vec<(String, u64)> = counts.into_iter().collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    all.into_iter().take(AUTHOR_FACET_SIZE).collect()
}

/// The buckets of one aggregation result as counts by facet value.
fn counts(facet: Facet, result: Option<&AggregationResult>) -> Counts {
    let mut out = Counts::new();
    let buckets: Vec<(&Key, u64)> = match result {
        Some(AggregationResult::BucketResult(BucketResult::Terms { buckets, .. })) => {
            buckets.iter().map(|b| (&b.key, b.doc_count)).collect()
        }
        Some(AggregationResult::BucketResult(BucketResult::Histogram { buckets })) => {
            buckets.iter().map(|b| (&b.key, b.doc_count)).collect()
        }
        _ => Vec::new(),
    };
    for (key, n) in buckets {
        let value = match (facet, key) {
            (Facet::Date, Key::F64(days)) => Day::from_days(*days as i64).map(|d| d.to_string()),
            (Facet::Date, Key::I64(days)) => Day::from_days(*days).map(|d| d.to_string()),
            (_, Key::Str(s)) => Some(s.clone()),
            _ => None,
        };
        if let Some(v) = value.filter(|_| n > 0) {
            *out.entry(v).or_default() += n;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facet_lists_parse_dedupe_and_reject_unknown_names() {
        assert_eq!(
            Facet::parse_list("lang, date,lang,,kind"),
            Ok(vec![Facet::Lang, Facet::Date, Facet::Kind])
        );
        assert_eq!(Facet::parse_list(""), Ok(vec![]));
        assert!(
            Facet::parse_list("lang,source")
                .unwrap_err()
                .contains("source")
        );
    }

    #[test]
    fn a_facet_drops_only_its_own_filter() {
        let req = Request {
            lang: Some("es".into()),
            kind: Some(crate::model::Kind::Tweet),
            since: Day::parse("2020-01-01"),
            until: Day::parse("2020-01-31"),
            author: Some("@x".into()),
            ..Request::default()
        };
        let date = Facet::Date.without_own_filter(&req);
        assert_eq!((date.since, date.until), (None, None));
        assert_eq!(date.lang.as_deref(), Some("es"));
        let lang = Facet::Lang.without_own_filter(&req);
        assert_eq!(lang.lang, None);
        assert_eq!(lang.kind, req.kind);
        assert_eq!(lang.since, req.since);
    }
}
