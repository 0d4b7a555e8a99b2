//! Typesense: the collection gazette exports to (`gazette export --to
//! typesense`) and the searches it answers (`--engine typesense://…`).
//!
//! Typesense normalizes the text of a `string` field itself (it drops
//! symbols and transliterates to ASCII: `vi:má` and `vi:ma` would be one
//! token), so the `terms` field holds each of gazette's terms as a token
//! that survives it unchanged: `t` and the term's 64-bit hash in hex
//! ([`token`]). A query is analyzed by gazette into the same tokens, and
//! Typesense matches them exactly (`num_typos=0`, `prefix=false`).

use std::collections::HashMap;
use std::time::Instant;

use serde::Serialize;
use serde_json::{Value, json};

use super::PassageDoc;
use super::client::{Client, encode, parse_nodes, query_string};
use crate::analysis::{Analyzer, WordKind, fold, lang, stem, stop, tokenizer};
use crate::error::{Error, Result};
use crate::search::facets::{AUTHOR_FACET_SIZE, Counts};
use crate::search::query::{Compiler, HighlightSpec};
use crate::search::{
    Engine, Facet, Facets, QueryLang, QueryLangBy, Request, Response, Search, highlight,
};

/// Passages per import request.
pub const DEFAULT_BATCH: usize = 1000;
/// Most hits Typesense returns for one request (`per_page`).
pub const MAX_HITS: usize = 250;
/// Searches in one multi-search request (Typesense's default limit).
const MULTI_SEARCH_MAX: usize = 50;

/// The Typesense token of one of gazette's terms: `t` and the hex of its
/// xxh3 64-bit hash (collisions: about one in 2^64 per pair of terms).
pub fn token(term: &str) -> String {
    format!("t{:016x}", xxhash_rust::xxh3::xxh3_64(term.as_bytes()))
}

/// A passage's terms as Typesense tokens, separated by spaces.
pub fn tokens(terms: &str) -> String {
    terms
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(token)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The collection's schema: the fields searched, filtered and counted.
/// Every other field of a passage is stored (and returned), not indexed.
pub fn schema(name: &str) -> Value {
    let facet = |name: &str, optional: bool| json!({"name": name, "type": "string", "facet": true, "optional": optional});
    json!({
        "name": name,
        "fields": [
            {"name": "terms", "type": "string"},
            facet("doc_id", false),
            facet("lang", false),
            facet("kind", false),
            facet("date", true),
            {"name": "day", "type": "int64", "optional": true},
            facet("author", true),
            {"name": "author_words", "type": "string[]", "facet": true, "optional": true},
            facet("handle", true),
        ]
    })
}

/// The JSON document Typesense stores for a passage: its fields without
/// nulls, the terms as tokens, and the content hash.
pub fn document(doc: &PassageDoc) -> Value {
    let hash = doc.content_hash();
    let mut v = serde_json::to_value(doc).expect("serializable");
    let map = v.as_object_mut().expect("an object");
    map.retain(|_, v| !v.is_null());
    map.insert("terms".into(), Value::String(tokens(&doc.terms)));
    map.insert("hash".into(), Value::String(hash));
    v
}

/// What `gazette export --to typesense` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ExportSummary {
    /// The collection.
    pub collection: String,
    /// Whether the collection was created by this run.
    pub created: bool,
    /// Passages in the local index.
    pub passages: u64,
    /// Passages sent (new or changed).
    pub sent: u64,
    /// Passages the collection already held unchanged.
    pub unchanged: u64,
    /// Passages deleted from the collection (no longer in the index).
    pub deleted: u64,
    /// Passages Typesense refused.
    pub failed: u64,
    /// The first refusals, `id: reason`.
    pub errors: Vec<String>,
    /// Wall time, milliseconds.
    pub elapsed_ms: u64,
}

/// Progress of an export: passages read from the index, sent, deleted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Passages read from the local index.
    pub read: u64,
    /// Passages sent.
    pub sent: u64,
    /// Passages deleted.
    pub deleted: u64,
}

/// Exports every passage of `engine`'s index to `collection`: creates it
/// if needed, sends what is new or changed (by content hash) in batches of
/// `batch` with `action=upsert`, and deletes what the index no longer has.
pub fn export(
    engine: &Engine,
    client: &Client,
    collection: &str,
    batch: usize,
    mut progress: impl FnMut(Progress),
) -> Result<ExportSummary> {
    let started = Instant::now();
    let mut summary = ExportSummary {
        collection: collection.to_string(),
        ..Default::default()
    };
    let base = format!("/collections/{}", encode(collection));
    let existing = client.get(&base)?;
    match existing.status {
        200 => {}
        404 => {
            let body = serde_json::to_vec(&schema(collection)).expect("serializable");
            client
                .post("/collections", &body)?
                .json("creating the collection")?;
            summary.created = true;
        }
        _ => {
            existing.json("reading the collection")?;
        }
    }
    let mut stored: HashMap<String, String> = HashMap::new();
    client.get_lines(
        &format!("{base}/documents/export?include_fields=id,hash"),
        |line| {
            let v: Value = serde_json::from_str(line)
                .map_err(|e| Error::Remote(format!("export of {collection}: {e}")))?;
            if let Some(id) = v.get("id").and_then(Value::as_str) {
                let hash = v.get("hash").and_then(Value::as_str).unwrap_or_default();
                stored.insert(id.to_string(), hash.to_string());
            }
            Ok(())
        },
    )?;
    let import = format!("{base}/documents/import?action=upsert");
    let mut pending: Vec<u8> = Vec::new();
    let mut pending_ids: Vec<String> = Vec::new();
    let mut state = Progress::default();
    let flush = |pending: &mut Vec<u8>,
                 ids: &mut Vec<String>,
                 summary: &mut ExportSummary,
                 state: &mut Progress|
     -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let answer = client.post(&import, pending)?;
        if answer.status != 200 {
            return answer.json("importing passages").map(|_| ());
        }
        for (line, id) in answer.body.lines().zip(ids.iter()) {
            let v: Value = serde_json::from_str(line).unwrap_or(Value::Null);
            if v.get("success").and_then(Value::as_bool) == Some(true) {
                summary.sent += 1;
            } else {
                summary.failed += 1;
                if summary.errors.len() < 10 {
                    let why = v.get("error").and_then(Value::as_str).unwrap_or(line);
                    summary.errors.push(format!("{id}: {why}"));
                }
            }
        }
        state.sent = summary.sent;
        pending.clear();
        ids.clear();
        Ok(())
    };
    engine.for_each_passage(|hit, author| {
        let doc = PassageDoc::from_hit(hit, author);
        summary.passages += 1;
        state.read += 1;
        let hash = doc.content_hash();
        match stored.remove(&doc.id) {
            Some(h) if h == hash => summary.unchanged += 1,
            _ => {
                serde_json::to_writer(&mut pending, &document(&doc)).expect("serializable");
                pending.push(b'\n');
                pending_ids.push(doc.id);
                if pending_ids.len() >= batch.max(1) {
                    flush(&mut pending, &mut pending_ids, &mut summary, &mut state)?;
                }
            }
        }
        if state.read % 1000 == 0 {
            progress(state);
        }
        Ok(())
    })?;
    flush(&mut pending, &mut pending_ids, &mut summary, &mut state)?;
    let mut gone: Vec<String> = stored.into_keys().collect();
    gone.sort_unstable();
    for id in gone {
        let answer = client.delete(&format!("{base}/documents/{}", encode(&id)))?;
        if answer.status != 404 {
            answer.json(&format!("deleting passage {id}"))?;
        }
        summary.deleted += 1;
        state.deleted = summary.deleted;
        progress(state);
    }
    progress(state);
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

/// A collection on a Typesense cluster, searched as gazette searches its
/// index (`--engine typesense://HOST:PORT[,HOST:PORT…]/NAME`).
pub struct Remote {
    client: Client,
    collection: String,
    fields: crate::schema::Fields,
    /// The stemmed languages the collection holds, asked once.
    stem_langs: std::sync::OnceLock<Vec<&'static str>>,
}

/// Splits `typesense://HOST:PORT[,HOST:PORT…]/NAME` into nodes and name.
pub fn parse_engine(url: &str) -> Result<(Vec<String>, String)> {
    let bad = || {
        Error::Invalid(format!(
            "invalid --engine {url:?} (want typesense://HOST:PORT[,HOST:PORT…]/COLLECTION)"
        ))
    };
    let rest = url.strip_prefix("typesense://").ok_or_else(bad)?;
    let (hosts, name) = rest.split_once('/').ok_or_else(bad)?;
    if name.is_empty() || name.contains('/') {
        return Err(bad());
    }
    Ok((parse_nodes(hosts)?, name.to_string()))
}

/// One search's plan: Typesense's `q`, what gazette highlights, warnings.
struct Plan {
    /// None: a word of the query is in no passage, and it has no other.
    q: Option<String>,
    spec: HighlightSpec,
    warnings: Vec<String>,
    /// The one language the words were analyzed in, and how it was chosen.
    query_lang: Option<QueryLang>,
    /// The words left out as stop words (by the stop list: the Typesense
    /// collection has no counts per language to find common words by).
    stop_words: Vec<String>,
}

impl Remote {
    /// The collection `name` on the cluster of `nodes`.
    pub fn new(nodes: Vec<String>, key: String, name: String) -> Remote {
        Remote {
            client: Client::new(nodes, key),
            collection: name,
            fields: crate::schema::build().1,
            stem_langs: std::sync::OnceLock::new(),
        }
    }

    fn search_path(&self) -> String {
        format!("/collections/{}/documents/search", encode(&self.collection))
    }

    /// The stemmed languages of the collection's passages (a `lang` facet
    /// over everything, asked once).
    fn stem_langs(&self) -> Result<Vec<&'static str>> {
        if let Some(l) = self.stem_langs.get() {
            return Ok(l.clone());
        }
        let params = [
            ("q", "*".to_string()),
            ("query_by", "terms".to_string()),
            ("facet_by", "lang".to_string()),
            ("max_facet_values", "1000".to_string()),
            ("per_page", "0".to_string()),
        ];
        let v = self.run(&params)?;
        let mut langs: Vec<&'static str> = facet_counts(&v, "lang")
            .keys()
            .filter_map(|l| stem::STEMMED_LANGUAGES.iter().copied().find(|s| s == l))
            .collect();
        langs.sort_unstable();
        Ok(self.stem_langs.get_or_init(|| langs).clone())
    }

    /// The stemmed languages a request's words expand to, as
    /// [`Engine`] chooses them.
    fn langs_for(&self, req: &Request) -> Result<(Vec<&'static str>, Option<QueryLang>)> {
        let all = self.stem_langs()?;
        if let Some(l) = &req.lang {
            let code = lang::normalize(l)
                .ok_or_else(|| Error::Invalid(format!("invalid language {l:?}")))?;
            let langs = stem::STEMMED_LANGUAGES
                .iter()
                .copied()
                .filter(|s| *s == code)
                .collect();
            let given = QueryLang {
                lang: code,
                by: QueryLangBy::Given,
            };
            return Ok((langs, Some(given)));
        }
        if all.len() > 1
            && let Some(d) = lang::detect(&req.query).filter(|d| d.reliable)
            && let Some(l) = all.iter().find(|l| **l == d.lang)
        {
            let detected = QueryLang {
                lang: l.to_string(),
                by: QueryLangBy::Detected,
            };
            return Ok((vec![*l], Some(detected)));
        }
        Ok((all, None))
    }

    fn plan(&self, req: &Request) -> Result<Plan> {
        let (langs, query_lang) = self.langs_for(req)?;
        let qlang = match langs.as_slice() {
            [one] => Some(*one),
            _ => None,
        };
        let compiled = Compiler::new(&self.fields, langs).compile(&req.query);
        let mut warnings = compiled.warnings;
        let (q, plain) = query_tokens(&req.query, qlang);
        if !plain {
            warnings.push(
                "--engine searches the query's words: phrases, AND/OR and field:value are gazette's own syntax (-word still excludes)"
                    .into(),
            );
        }
        let (mut include, exclude): (Vec<String>, Vec<String>) =
            q.into_iter().partition(|t| !t.starts_with('-'));
        if !include.is_empty() {
            // Rarest first: Typesense drops words from the end of the query
            // until enough passages match, so the common words go first,
            // as BM25 weighs them least. A word no passage holds would
            // match nothing: it goes at once.
            let counts = self.passage_counts(&include)?;
            let mut counted: Vec<(u64, String)> = counts.into_iter().zip(include).collect();
            counted.sort_by_key(|(n, _)| *n);
            include = counted
                .into_iter()
                .filter(|(n, _)| *n > 0)
                .map(|(_, t)| t)
                .collect();
            if include.is_empty() {
                return Ok(Plan {
                    q: None,
                    spec: compiled.highlight,
                    warnings,
                    query_lang,
                    stop_words: compiled.stop_words,
                });
            }
        }
        include.extend(exclude);
        Ok(Plan {
            q: Some(if include.is_empty() {
                "*".into()
            } else {
                include.join(" ")
            }),
            spec: compiled.highlight,
            warnings,
            query_lang,
            stop_words: compiled.stop_words,
        })
    }

    /// How many passages hold each token (one multi-search).
    fn passage_counts(&self, tokens: &[String]) -> Result<Vec<u64>> {
        let mut out = Vec::with_capacity(tokens.len());
        for chunk in tokens.chunks(MULTI_SEARCH_MAX) {
            let searches: Vec<Value> = chunk
                .iter()
                .map(|t| {
                    json!({"collection": self.collection, "q": t, "query_by": "terms",
                           "num_typos": 0, "prefix": false, "drop_tokens_threshold": 0,
                           "typo_tokens_threshold": 0, "per_page": 0})
                })
                .collect();
            let body = serde_json::to_vec(&json!({"searches": searches})).expect("serializable");
            let v = self
                .client
                .post("/multi_search", &body)?
                .json(&format!("counting words in {}", self.collection))?;
            let results = v.get("results").and_then(Value::as_array);
            for i in 0..chunk.len() {
                let r = results.and_then(|r| r.get(i));
                if let Some(msg) = r.and_then(|r| r.get("error")).and_then(Value::as_str) {
                    return Err(Error::Remote(format!(
                        "searching {}: {msg}",
                        self.collection
                    )));
                }
                out.push(
                    r.and_then(|r| r.get("found"))
                        .and_then(Value::as_u64)
                        .unwrap_or(0),
                );
            }
        }
        Ok(out)
    }

    fn run(&self, params: &[(&str, String)]) -> Result<Value> {
        let path = format!("{}?{}", self.search_path(), query_string(params));
        self.client
            .get(&path)?
            .json(&format!("searching {}", self.collection))
    }

    /// The request's search parameters, without paging and facets.
    fn params(
        &self,
        plan: &Plan,
        req: &Request,
        want: usize,
    ) -> Result<Vec<(&'static str, String)>> {
        let mut p = vec![
            ("q", plan.q.clone().unwrap_or_default()),
            ("query_by", "terms".to_string()),
            ("num_typos", "0".to_string()),
            ("typo_tokens_threshold", "0".to_string()),
            ("prefix", "false".to_string()),
            ("drop_tokens_threshold", want.to_string()),
            ("exclude_fields", "terms,hash".to_string()),
            ("highlight_fields", "none".to_string()),
        ];
        if let Some(f) = filter_by(req)? {
            p.push(("filter_by", f));
        }
        Ok(p)
    }

    fn facets(&self, plan: &Plan, req: &Request, which: &[Facet]) -> Result<Facets> {
        let mut out = Facets::default();
        for &facet in which {
            let r = facet.without_own_filter(req);
            let mut p = self.params(plan, &r, 1)?;
            let size = match facet {
                Facet::Lang => 1000,
                Facet::Kind => 10,
                Facet::Author => AUTHOR_FACET_SIZE,
                Facet::Date => 100_000,
            };
            p.push(("facet_by", facet.name().to_string()));
            p.push(("max_facet_values", size.to_string()));
            p.push(("per_page", "0".to_string()));
            let v = self.run(&p)?;
            let counts = facet_counts(&v, facet.name());
            match facet {
                Facet::Lang => out.lang = Some(counts),
                Facet::Kind => out.kind = Some(counts),
                Facet::Author => out.author = Some(counts),
                Facet::Date => out.date = Some(counts),
            }
        }
        Ok(out)
    }
}

impl Search for Remote {
    fn search(&self, req: &Request) -> Result<Response> {
        self.search_with_facets(req, &[])
    }

    fn search_with_facets(&self, req: &Request, facets: &[Facet]) -> Result<Response> {
        let started = Instant::now();
        if req.explain {
            return Err(Error::Invalid(
                "--explain needs gazette's own index: Typesense's scores are not BM25".into(),
            ));
        }
        let want = req.offset + req.limit;
        if want > MAX_HITS {
            return Err(Error::Invalid(format!(
                "--engine returns at most {MAX_HITS} hits per query (--offset + --limit is {want})"
            )));
        }
        let plan = self.plan(req)?;
        if plan.q.is_none() {
            let facets = (!facets.is_empty()).then(|| empty_facets(facets));
            return Ok(Response {
                query: req.query.clone(),
                total: 0,
                took_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1000.0,
                warnings: plan.warnings,
                hits: Vec::new(),
                facets,
                query_lang: plan.query_lang,
                stop_words: plan.stop_words,
            });
        }
        let mut p = self.params(&plan, req, want.max(1))?;
        p.push(("per_page", want.to_string()));
        p.push(("page", "1".to_string()));
        if let Some(n) = req.per_article {
            p.push(("group_by", "doc_id".to_string()));
            p.push(("group_limit", n.clamp(1, 99).to_string()));
        }
        let v = self.run(&p)?;
        let mut found: Vec<&Value> = Vec::new();
        match v.get("grouped_hits").and_then(Value::as_array) {
            Some(groups) => {
                for g in groups {
                    found.extend(
                        g.get("hits")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten(),
                    );
                }
            }
            None => found.extend(
                v.get("hits")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            ),
        }
        let mut hits = Vec::new();
        for (i, h) in found
            .into_iter()
            .skip(req.offset)
            .take(req.limit)
            .enumerate()
        {
            let doc: PassageDoc =
                serde_json::from_value(h.get("document").cloned().unwrap_or_default())
                    .map_err(|e| Error::Remote(format!("a hit of {}: {e}", self.collection)))?;
            let score = h.get("text_match").and_then(Value::as_u64).unwrap_or(0) as f32;
            let mut hit = doc.into_hit(req.offset + i + 1, score);
            if req.highlights {
                hit.passage.highlights =
                    highlight::highlight(&hit.passage.text, &hit.passage.lang, &plan.spec);
            }
            hits.push(hit);
        }
        let total = v.get("found").and_then(Value::as_u64).unwrap_or(0) as usize;
        let facets = match facets.is_empty() {
            true => None,
            false => Some(self.facets(&plan, req, facets)?),
        };
        Ok(Response {
            query: req.query.clone(),
            total,
            took_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1000.0,
            warnings: plan.warnings,
            hits,
            facets,
            query_lang: plan.query_lang,
            stop_words: plan.stop_words,
        })
    }
}

/// The facets asked for, each with no value.
fn empty_facets(which: &[Facet]) -> Facets {
    let mut out = Facets::default();
    for f in which {
        match f {
            Facet::Lang => out.lang = Some(Counts::new()),
            Facet::Kind => out.kind = Some(Counts::new()),
            Facet::Author => out.author = Some(Counts::new()),
            Facet::Date => out.date = Some(Counts::new()),
        }
    }
    out
}

/// The counts of facet `name` in a search answer.
fn facet_counts(v: &Value, name: &str) -> Counts {
    let mut out = Counts::new();
    let facets = v.get("facet_counts").and_then(Value::as_array);
    for f in facets.into_iter().flatten() {
        if f.get("field_name").and_then(Value::as_str) != Some(name) {
            continue;
        }
        for c in f
            .get("counts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(value), Some(count)) = (
                c.get("value").and_then(Value::as_str),
                c.get("count").and_then(Value::as_u64),
            ) {
                out.insert(value.to_string(), count);
            }
        }
    }
    out
}

/// A string value in a Typesense filter: in backticks, which it may not
/// hold itself.
fn quoted(value: &str) -> Result<String> {
    if value.contains('`') {
        return Err(Error::Invalid(format!(
            "{value:?}: a filter value with a backtick cannot be sent to Typesense"
        )));
    }
    Ok(format!("`{value}`"))
}

/// The request's filters as Typesense's `filter_by`.
pub fn filter_by(req: &Request) -> Result<Option<String>> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(l) = &req.lang {
        let code =
            lang::normalize(l).ok_or_else(|| Error::Invalid(format!("invalid language {l:?}")))?;
        parts.push(format!("lang:={}", quoted(&code)?));
    }
    if let Some(k) = req.kind {
        parts.push(format!("kind:={}", k.as_str()));
    }
    if let (Some(s), Some(u)) = (req.since, req.until)
        && s > u
    {
        return Err(Error::Invalid(format!("--since {s} is after --until {u}")));
    }
    if let Some(s) = req.since {
        parts.push(format!("day:>={}", s.days()));
    }
    if let Some(u) = req.until {
        parts.push(format!("day:<={}", u.days()));
    }
    if let Some(a) = &req.author {
        let a = a.trim();
        match a.strip_prefix('@') {
            Some(h) => parts.push(format!("handle:={}", quoted(&h.to_lowercase())?)),
            None => {
                let words = super::author_words(a);
                let mut name: Vec<String> = Vec::new();
                for w in &words {
                    name.push(format!("author_words:={}", quoted(w)?));
                }
                let handle = format!("handle:={}", quoted(&a.to_lowercase())?);
                parts.push(match name.is_empty() {
                    true => handle,
                    false => format!("(({}) || {handle})", name.join(" && ")),
                });
            }
        }
    }
    Ok((!parts.is_empty()).then(|| parts.join(" && ")))
}

/// The Typesense tokens of query text, one per word (the stem in the
/// query's language when it has one, else the folded word; `-word`
/// excludes both forms), and whether the query was plain words.
pub fn query_tokens(text: &str, qlang: Option<&'static str>) -> (Vec<String>, bool) {
    let mut plain = true;
    let mut include = String::new();
    let mut exclude = String::new();
    for word in text.split_whitespace() {
        if matches!(word, "AND" | "OR" | "NOT") {
            plain = false;
            continue;
        }
        if word.contains(':') && !word.starts_with(['#', '@']) {
            // field:value — a clause of gazette's own syntax
            plain = false;
            continue;
        }
        let (target, w) = match word.strip_prefix('-') {
            Some(rest) if !rest.is_empty() => (&mut exclude, rest),
            _ => (&mut include, word.strip_prefix('+').unwrap_or(word)),
        };
        if word.starts_with('+')
            || w.contains(['"', '(', ')', '[', ']', '{', '}', '^', '~', '*', '\\', '!'])
        {
            plain = false;
        }
        let cleaned: String = w
            .chars()
            .map(|c| if "\"()[]{}^~*\\!".contains(c) { ' ' } else { c })
            .collect();
        target.push_str(&cleaned);
        target.push(' ');
    }
    let analyzer = Analyzer::for_lang(qlang);
    let words = |text: &str| -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        let mut last = usize::MAX;
        for t in tokenizer::tokenize_lang(text, qlang) {
            if t.position == last {
                continue; // the bare word of a #tag or @handle
            }
            last = t.position;
            let word = &text[t.start..t.end];
            let folded = fold::fold(word);
            if folded.is_empty() {
                continue;
            }
            let stem = (t.kind == WordKind::Word)
                .then(|| analyzer.stem_term(word))
                .flatten();
            out.push((folded, stem));
        }
        out
    };
    let mut kept = words(&include);
    if let Some(l) = qlang.filter(|l| stop::has_stop_words(l))
        && kept.iter().any(|(f, _)| !stop::is_stop_word(l, f))
    {
        kept.retain(|(f, _)| !stop::is_stop_word(l, f));
    }
    let mut out: Vec<String> = Vec::new();
    for (folded, stem) in kept {
        let t = token(stem.as_deref().unwrap_or(&folded));
        if !out.contains(&t) {
            out.push(t);
        }
    }
    for (folded, stem) in words(&exclude) {
        for term in std::iter::once(folded).chain(stem) {
            let t = format!("-{}", token(&term));
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    (out, plain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Day, Kind};

    #[test]
    fn tokens_survive_typesense_normalization() {
        // Terms Typesense would merge stay apart; each token is [t0-9a-f].
        assert_ne!(token("vi:má"), token("vi:ma"));
        let t = token("ar:كتب");
        assert_eq!(t.len(), 17);
        assert!(t.starts_with('t') && t[1..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(tokens("a  b"), format!("{} {}", token("a"), token("b")));
    }

    #[test]
    fn query_words_become_one_token_each() {
        let (q, plain) = query_tokens("Lawmakers met the lawmakers", Some("en"));
        // stems in the query's language, stop words out, repeats once
        assert_eq!(q, [token("en:lawmak"), token("en:met")]);
        assert!(plain);
        let (q, _) = query_tokens("Guaidó #7Ene", None);
        assert_eq!(q, [token("guaido"), token("#7ene")]);
        let (q, plain) = query_tokens("guard -national lang:en", None);
        assert_eq!(q, [token("guard"), format!("-{}", token("national"))]);
        assert!(!plain);
        assert!(query_tokens("\"National Guard\"", None).0.len() == 2);
    }

    #[test]
    fn filters_are_typesense_filter_by() {
        let req = Request {
            lang: Some("ES".into()),
            kind: Some(Kind::Tweet),
            since: Day::parse("1970-01-02"),
            author: Some("Crónica Uno".into()),
            ..Default::default()
        };
        assert_eq!(
            filter_by(&req).unwrap().unwrap(),
            "lang:=`es` && kind:=tweet && day:>=1 && ((author_words:=`cronica` && author_words:=`uno`) || handle:=`crónica uno`)"
        );
        let req = Request {
            author: Some("@EfectoCocuyo".into()),
            ..Default::default()
        };
        assert_eq!(filter_by(&req).unwrap().unwrap(), "handle:=`efectococuyo`");
        assert_eq!(filter_by(&Request::default()).unwrap(), None);
    }

    #[test]
    fn engine_urls_name_nodes_and_collection() {
        let (nodes, name) = parse_engine("typesense://a:1,b:2/news").unwrap();
        assert_eq!(nodes, ["http://a:1", "http://b:2"]);
        assert_eq!(name, "news");
        assert!(parse_engine("http://a:1/news").is_err());
        assert!(parse_engine("typesense://a:1").is_err());
        assert!(parse_engine("typesense://a:1/").is_err());
    }
}
