//! The handlers of the HTTP API (see `docs/HTTP.md`).

use std::io::{self, Write};
use std::sync::Arc;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorDetail};
use super::params::SearchParams;
use crate::index::writer::{self, IndexOptions, Summary};
use crate::search::batch::{self, BatchOptions, InputFormat, OutputFormat, Unit};
use crate::search::{Request, Response as SearchResponse};

type AppResult<T> = Result<T, ApiError>;

fn query_error(e: QueryRejection) -> ApiError {
    ApiError::bad_param(e.body_text())
}

fn body_error(e: BytesRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "the request body is larger than the server accepts (--max-body-mb)",
        )
    } else {
        ApiError::new(e.status(), "invalid_body", e.body_text())
    }
}

/// `GET /search`: `gazette query --format json`, with facets if asked.
pub async fn search(
    State(state): State<Arc<AppState>>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> AppResult<Json<SearchResponse>> {
    let (req, facets) = params.map_err(query_error)?.0.into_request()?;
    let engine = state.engine();
    let resp = state
        .blocking(move || engine.search_with_facets(&req, &facets))
        .await??;
    Ok(Json(resp))
}

/// `GET /stats`: `gazette stats --format json`.
pub async fn stats(
    State(state): State<Arc<AppState>>,
) -> AppResult<Json<crate::index::stats::Stats>> {
    state.single_index()?;
    let engine = state.engine();
    let stats = state
        .blocking(move || crate::index::stats::compute(engine.index()))
        .await??;
    Ok(Json(stats))
}

/// `GET /health`.
pub async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

/// `POST /batch`: the input of `gazette batch`; its answer lines streamed
/// back as NDJSON in input order, each as soon as it and those before it
/// are ready.
pub async fn batch(
    State(state): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Response> {
    let body = body.map_err(body_error)?;
    let engine = state.engine();
    // Admission (or 503) is decided before the answer starts; then the
    // batch runs on a worker while its lines stream out.
    let admitted = state.admit()?;
    let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<Vec<u8>>>(64);
    let work = move || {
        let opts = BatchOptions {
            defaults: Request::default(),
            input: InputFormat::Lines,
            output: OutputFormat::Jsonl,
            unit: Unit::Doc,
        };
        let mut out = ChannelWriter(tx.clone());
        let input = Box::new(io::Cursor::new(body));
        if let Err(e) = batch::run(engine, input, &mut out, &opts)
            && e.kind() != io::ErrorKind::BrokenPipe
        {
            let _ = tx.blocking_send(Err(e));
        }
    };
    let s = state.clone();
    tokio::spawn(async move {
        if let Err(e) = s.run_admitted(admitted, work).await {
            eprintln!("gazette: batch failed: {}", e.body.error.message);
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Sends each write as one chunk of a streamed body; a client that went
/// away shows as a broken pipe, which ends the batch.
struct ChannelWriter(tokio::sync::mpsc::Sender<io::Result<Vec<u8>>>);

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .blocking_send(Ok(buf.to_vec()))
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Proof that a request carries the server's API key (write endpoints).
pub struct WriteKey;

impl FromRequestParts<Arc<AppState>> for WriteKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> AppResult<WriteKey> {
        let Some(key) = &state.config.api_key else {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "this server takes no writes: start it with $GAZETTE_API_KEY or --api-key-file",
            ));
        };
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match given {
            Some(g) if same_secret(g.trim().as_bytes(), key.as_bytes()) => {
                state.single_index()?;
                Ok(WriteKey)
            }
            Some(_) => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "wrong API key",
            )),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "missing API key: send Authorization: Bearer KEY",
            )),
        }
    }
}

/// Compares two secrets in time independent of where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `POST /documents` parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddParams {
    /// The body's file name: its extension picks the format as in
    /// `gazette index FILE`, and a text article's id is this name.
    name: Option<String>,
}

fn upload_name(name: Option<String>) -> AppResult<String> {
    let name = name.unwrap_or_else(|| "upload.jsonl".into());
    let ok = !name.is_empty()
        && name.len() <= 255
        && !name.contains(['/', '\\', '\0'])
        && name != "."
        && name != "..";
    if ok {
        Ok(name)
    } else {
        Err(ApiError::bad_param(format!(
            "name {name:?} is not a file name"
        )))
    }
}

/// `POST /documents`: index the body (JSON Lines, or any format `gazette
/// index` reads, chosen by `?name=`), commit, answer the summary of
/// `gazette index --format json`; 422 if records were rejected (the good
/// ones are indexed).
pub async fn add_documents(
    key: Result<WriteKey, ApiError>,
    State(state): State<Arc<AppState>>,
    params: Result<Query<AddParams>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<Summary>> {
    // The key is checked once the (bounded) body is read: answering before
    // would close the connection under a client still sending it, which
    // then sees a reset instead of the 401/403.
    let body = body.map_err(body_error)?;
    key?;
    let name = upload_name(params.map_err(query_error)?.0.name)?;
    if body.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "the body is empty: send documents to index",
        ));
    }
    let _write = state.writes.lock().await;
    let s = state.clone();
    let summary = state
        .blocking(move || -> crate::Result<Summary> {
            let dir = tempfile::tempdir().map_err(crate::Error::Stream)?;
            let path = dir.path().join(&name);
            std::fs::write(&path, &body).map_err(|e| crate::Error::io(&path, e))?;
            let idx = crate::index::open(&s.config.indexes[0])?;
            let opts = IndexOptions {
                paths: vec![path.clone()],
                memory: 64 << 20,
                ..IndexOptions::default()
            };
            let mut summary = writer::run(&idx, &opts, |_| {})?;
            for e in &mut summary.errors {
                e.source = name.clone();
            }
            s.refresh()?;
            Ok(summary)
        })
        .await??;
    if summary.rejected > 0 {
        return Err(rejected(summary));
    }
    Ok(Json(summary))
}

/// 422 with each bad record as `line: reason` and what the good ones did.
fn rejected(summary: Summary) -> ApiError {
    ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        body: Box::new(ErrorBody {
            error: ErrorDetail {
                kind: "rejected".into(),
                message: format!(
                    "{} record(s) rejected; the others were indexed",
                    summary.rejected
                ),
                errors: summary
                    .errors
                    .iter()
                    .map(|e| format!("{}: {}", e.line, e.message))
                    .collect(),
            },
            summary: Some(summary),
        }),
    }
}

/// `DELETE /documents/{id}`: remove one document, commit, answer the
/// summary (`deleted: 1`); 404 if no document has that id.
pub async fn delete_document(
    _key: WriteKey,
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> AppResult<Json<Summary>> {
    let _write = state.writes.lock().await;
    let s = state.clone();
    let started = std::time::Instant::now();
    let target = id.clone();
    let deleted = state
        .blocking(move || -> crate::Result<u64> {
            let idx = crate::index::open(&s.config.indexes[0])?;
            let n = writer::delete(&idx, &[target], false)?;
            s.refresh()?;
            Ok(n)
        })
        .await??;
    if deleted == 0 {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no document with id {id:?}"),
        ));
    }
    Ok(Json(Summary {
        deleted,
        elapsed_ms: started.elapsed().as_millis() as u64,
        ..Summary::default()
    }))
}

/// Any other path.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

/// A known path with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"s3cret", b"s3cret"));
        assert!(!same_secret(b"s3cret", b"s3creT"));
        assert!(!same_secret(b"s3cret", b"s3cre"));
        assert!(!same_secret(b"", b"x"));
    }

    #[test]
    fn upload_names_are_plain_file_names() {
        assert_eq!(upload_name(None).unwrap(), "upload.jsonl");
        assert_eq!(upload_name(Some("a.txt".into())).unwrap(), "a.txt");
        for bad in ["", "..", "a/b.txt", "..\\x", "a\0b"] {
            assert!(upload_name(Some(bad.into())).is_err(), "{bad:?}");
        }
    }
}
