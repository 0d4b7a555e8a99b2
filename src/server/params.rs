//! `GET /search` parameters → the library's [`Request`] and facet list.

use serde::Deserialize;

use super::error::ApiError;
use crate::model::{Day, Kind};
use crate::search::{Facet, Request};

/// Longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 2048;
/// Largest `limit`.
pub const MAX_LIMIT: usize = 1000;
/// Largest `offset`.
pub const MAX_OFFSET: usize = 10_000;

/// The parameters of `GET /search`: the options of `gazette query`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    q: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    lang: Option<String>,
    kind: Option<String>,
    since: Option<String>,
    until: Option<String>,
    author: Option<String>,
    per_article: Option<usize>,
    highlights: Option<bool>,
    facets: Option<String>,
    /// Fold near-duplicate passages into the best one (as `--collapse`).
    collapse: Option<bool>,
    /// Estimated Jaccard from which passages are near-duplicates.
    collapse_threshold: Option<f32>,
    /// Each hit's score as a tree (as `--explain`).
    explain: Option<bool>,
}

/// Empty parameters (`lang=`, as an HTML form sends them) mean "not set".
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl SearchParams {
    /// The checked request and facets.
    pub fn into_request(self) -> Result<(Request, Vec<Facet>), ApiError> {
        let query = self.q.as_deref().unwrap_or("").trim().to_string();
        if query.is_empty() {
            return Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "empty_query",
                "the query (q) is empty",
            ));
        }
        if query.len() > MAX_QUERY_BYTES {
            return Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "query_too_long",
                format!(
                    "the query is {} bytes; at most {MAX_QUERY_BYTES} are accepted",
                    query.len()
                ),
            ));
        }
        let limit = self.limit.unwrap_or(10);
        if limit > MAX_LIMIT {
            return Err(ApiError::bad_param(format!(
                "limit {limit} is over {MAX_LIMIT}"
            )));
        }
        let offset = self.offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(ApiError::bad_param(format!(
                "offset {offset} is over {MAX_OFFSET}"
            )));
        }
        let day = |name: &str, v: &Option<String>| -> Result<Option<Day>, ApiError> {
            given(v)
                .map(|s| {
                    Day::parse(s).ok_or_else(|| {
                        ApiError::bad_param(format!("{name}: invalid date {s:?} (want YYYY-MM-DD)"))
                    })
                })
                .transpose()
        };
        let kind = given(&self.kind)
            .map(|k| {
                Kind::parse(k).ok_or_else(|| {
                    ApiError::bad_param(format!("kind is article or tweet, not {k:?}"))
                })
            })
            .transpose()?;
        let facets = Facet::parse_list(self.facets.as_deref().unwrap_or(""))
            .map_err(|e| ApiError::bad_param(format!("facets: {e}")))?;
        let threshold = self.collapse_threshold.unwrap_or(0.8);
        if !(0.0..=1.0).contains(&threshold) {
            return Err(ApiError::bad_param(format!(
                "collapse_threshold {threshold} is not between 0 and 1"
            )));
        }
        let req = Request {
            query,
            limit,
            offset,
            lang: given(&self.lang).map(str::to_string),
            kind,
            since: day("since", &self.since)?,
            until: day("until", &self.until)?,
            author: given(&self.author).map(str::to_string),
            per_article: self.per_article,
            highlights: self.highlights.unwrap_or(true),
            explain: self.explain.unwrap_or(false),
            collapse: (self.collapse.unwrap_or(false) || self.collapse_threshold.is_some())
                .then_some(threshold),
        };
        Ok((req, facets))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<(Request, Vec<Facet>), String> {
        let p: SearchParams = serde_urlencoded_from(query)?;
        p.into_request().map_err(|e| e.body.error.kind)
    }

    fn serde_urlencoded_from(query: &str) -> Result<SearchParams, String> {
        axum::extract::Query::<SearchParams>::try_from_uri(
            &format!("/search?{query}").parse().expect("uri"),
        )
        .map(|q| q.0)
        .map_err(|_| "rejected".to_string())
    }

    #[test]
    fn parameters_become_the_request_of_gazette_query() {
        let (req, facets) = parse(
            "q=Guaido&limit=3&offset=2&lang=es&kind=tweet&since=2020-01-01&until=2020-01-31\
             &author=%40jguaido&per_article=1&highlights=false&facets=lang,date",
        )
        .expect("valid");
        assert_eq!(req.query, "Guaido");
        assert_eq!((req.limit, req.offset), (3, 2));
        assert_eq!(req.lang.as_deref(), Some("es"));
        assert_eq!(req.kind, Some(Kind::Tweet));
        assert_eq!(req.since, Day::parse("2020-01-01"));
        assert_eq!(req.until, Day::parse("2020-01-31"));
        assert_eq!(req.author.as_deref(), Some("@jguaido"));
        assert_eq!(req.per_article, Some(1));
        assert!(!req.highlights);
        assert_eq!(facets, vec![Facet::Lang, Facet::Date]);
    }

    #[test]
    fn empty_form_fields_are_unset_and_bad_values_are_named() {
        let (req, _) = parse("q=x&lang=&kind=&since=").expect("valid");
        assert_eq!((req.lang, req.kind, req.since), (None, None, None));
        assert_eq!(parse("q=%20").unwrap_err(), "empty_query");
        assert_eq!(parse("").unwrap_err(), "empty_query");
        assert_eq!(parse("q=x&kind=video").unwrap_err(), "invalid_parameter");
        assert_eq!(parse("q=x&since=soon").unwrap_err(), "invalid_parameter");
        assert_eq!(parse("q=x&limit=5000").unwrap_err(), "invalid_parameter");
        assert_eq!(parse("q=x&facets=source").unwrap_err(), "invalid_parameter");
        let long = "a".repeat(MAX_QUERY_BYTES + 1);
        assert_eq!(parse(&format!("q={long}")).unwrap_err(), "query_too_long");
        assert_eq!(
            serde_urlencoded_from("q=x&bogus=1").unwrap_err(),
            "rejected"
        );
        assert_eq!(
            serde_urlencoded_from("q=x&limit=ten").unwrap_err(),
            "rejected"
        );
    }
}
