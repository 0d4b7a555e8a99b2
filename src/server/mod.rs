//! `gazette serve`: the search engine over HTTP (tokio + axum + tower-http).
//!
//! Requests are parsed on the async threads; searches, stats, batches and
//! writes run on tokio's blocking threads, at most [`Config::workers`] at
//! once and [`Config::queue`] more waiting — a request beyond that is
//! answered 503 with `Retry-After` at once, never queued without bound.
//! The server holds one [`Engine`] at a time and replaces it when the index
//! has a new commit: at once after its own writes, within a second after
//! another process's. The endpoints are documented in `docs/HTTP.md`.

pub mod error;
mod page;
pub mod params;
mod routes;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::Result;
use crate::search::Engine;
use error::ApiError;

/// Passages kept analyzed for highlighting across requests.
const PASSAGE_CACHE: usize = 8192;
/// How often the server looks for commits made by other processes.
const REFRESH_EVERY: Duration = Duration::from_secs(1);

/// Settings of a server.
#[derive(Debug, Clone)]
pub struct Config {
    /// The index folders: one, or several searched as one (a server of
    /// several takes no writes and no `/stats`).
    pub indexes: Vec<PathBuf>,
    /// The key that write requests must present (`Authorization: Bearer`);
    /// `None` refuses every write.
    pub api_key: Option<String>,
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// Searches (and other index work) running at once.
    pub workers: usize,
    /// Requests waiting for a worker, beyond which the server answers 503.
    pub queue: usize,
    /// Log one line per request on stderr.
    pub log: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            indexes: vec![PathBuf::from("index")],
            api_key: None,
            max_body: 32 << 20,
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            queue: 64,
            log: true,
        }
    }
}

/// The engine in use and the commit it reads of each index.
struct Slot {
    engine: Arc<Engine>,
    opstamps: Vec<u64>,
}

/// What every request handler shares.
pub struct AppState {
    config: Config,
    slot: RwLock<Slot>,
    /// Requests admitted to the blocking pool (running or waiting).
    admitted: Arc<Semaphore>,
    /// Requests running on the blocking pool.
    running: Arc<Semaphore>,
    /// One write at a time (tantivy's writer lock is per index).
    writes: tokio::sync::Mutex<()>,
}

impl AppState {
    /// Opens the index of `config` for serving.
    pub fn new(config: Config) -> Result<Arc<AppState>> {
        let slot = open_slot(&config.indexes)?;
        Ok(Arc::new(AppState {
            admitted: Arc::new(Semaphore::new(config.workers.max(1) + config.queue)),
            running: Arc::new(Semaphore::new(config.workers.max(1))),
            writes: tokio::sync::Mutex::new(()),
            slot: RwLock::new(slot),
            config,
        }))
    }

    /// The engine of the last commit seen.
    fn engine(&self) -> Arc<Engine> {
        self.slot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .engine
            .clone()
    }

    /// Opens a new engine if an index has a commit the current one does
    /// not read (blocking: call from a blocking thread).
    fn refresh(&self) -> Result<()> {
        let current = self
            .slot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .opstamps
            .clone();
        if opstamps(&self.engine())? != current {
            let slot = open_slot(&self.config.indexes)?;
            *self.slot.write().unwrap_or_else(|e| e.into_inner()) = slot;
        }
        Ok(())
    }

    /// The one index of the server, for writes and `/stats`; an error when
    /// it searches several.
    pub(crate) fn single_index(&self) -> std::result::Result<&std::path::Path, ApiError> {
        match self.config.indexes.as_slice() {
            [one] => Ok(one),
            several => Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "several_indexes",
                format!(
                    "this server searches {} indexes as one; writes and /stats need a \
                     server of one index",
                    several.len()
                ),
            )),
        }
    }

    /// A place among the requests running or waiting for the blocking
    /// pool, or 503 when they are as many as allowed.
    fn admit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::busy())
    }

    /// Runs `work` on the blocking pool, or answers 503 when as many
    /// requests as allowed are already running or waiting.
    async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let admitted = self.admit()?;
        self.run_admitted(admitted, work).await
    }

    /// Runs admitted `work` once a worker is free.
    async fn run_admitted<T, F>(
        &self,
        admitted: OwnedSemaphorePermit,
        work: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::busy())?;
        // The permits travel with the work: a client that goes away does
        // not free a worker that is still busy with its request.
        tokio::task::spawn_blocking(move || {
            let _permits = (admitted, running);
            work()
        })
        .await
        .map_err(|e| ApiError::internal(format!("the request failed: {e}")))
    }
}

fn open_slot(dirs: &[PathBuf]) -> Result<Slot> {
    // The commits read before the engine opens them (a commit in between
    // only makes the next refresh reopen).
    let opstamps = dirs
        .iter()
        .map(|d| Ok(crate::index::open(d)?.index.load_metas()?.opstamp))
        .collect::<Result<Vec<u64>>>()?;
    let engine = Engine::open_all(dirs)?.with_passage_cache(PASSAGE_CACHE);
    Ok(Slot {
        engine: Arc::new(engine),
        opstamps,
    })
}

/// The last commit of each of the engine's indexes.
fn opstamps(engine: &Engine) -> Result<Vec<u64>> {
    engine
        .indexes()
        .map(|i| Ok(i.index.load_metas()?.opstamp))
        .collect()
}

/// The routes, with their limits, headers and logging.
pub fn router(state: Arc<AppState>) -> Router {
    let max_body = state.config.max_body;
    let log = state.config.log;
    let mut app = Router::new()
        .route("/", get(page::page))
        .route("/app.js", get(page::script))
        .route("/app.css", get(page::style))
        .route("/search", get(routes::search))
        .route("/batch", post(routes::batch))
        .route("/stats", get(routes::stats))
        .route("/health", get(routes::health))
        .route("/documents", post(routes::add_documents))
        .route("/documents/{*id}", delete(routes::delete_document))
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("the request failed inside the server").into_response()
        }))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(state);
    if log {
        app = app.layer(middleware::from_fn(log_request));
    }
    app
}

/// Logs `peer METHOD URI STATUS TIME` once the response starts.
async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string())
        .unwrap_or_else(|| "-".into());
    let line = format!("{peer} {} {}", req.method(), req.uri());
    let resp = next.run(req).await;
    eprintln!(
        "{line} {} {:.1} ms",
        resp.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    resp
}

/// Serves on `listener` until `shutdown` completes; then stops accepting,
/// lets the requests in flight finish (a write commits) and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let refresher = tokio::spawn(refresh_loop(state.clone()));
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    refresher.abort();
    result
}

/// Picks up commits of other processes (`gazette index` beside the server).
async fn refresh_loop(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(REFRESH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let s = state.clone();
        let outcome = tokio::task::spawn_blocking(move || s.refresh()).await;
        if let Ok(Err(e)) = outcome {
            eprintln!("gazette: warning: reopening the index: {e}");
        }
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
