//! A web backend on spindle, built from the crates of the tokio ecosystem:
//! an axum router behind tower-http's `TimeoutLayer`, an sqlx SQLite pool,
//! and a reqwest client calling an upstream service, all on one thread.
//!
//! spindle runs with [`spindle::Builder::tokio`] (`#[spindle::main(tokio)]`
//! in `main.rs`): tokio's runtime is hosted on spindle's thread, so
//! `axum::serve`, sqlx's pool, reqwest and tower-http's timer find the
//! tokio context they need, and every request's handler runs next to
//! spindle's own tasks with no second thread and no cross-thread wake.
//!
//! | route | what it does |
//! | --- | --- |
//! | `GET /notes` | every note in the database, one per line |
//! | `POST /notes` | stores the request body as a note; `201` with its id |
//! | `GET /upstream` | the upstream's answer to `GET /`, fetched with reqwest |
//! | `GET /slow?ms=N` | waits N ms (a slow handler); past the timeout, `408` |
//!
//! # Dependencies, and why each is here
//!
//! - `spindle` (features `tokio`, `hyper`): the runtime, hosting tokio.
//! - `axum`: the router and `axum::serve` (over a `tokio::net::TcpListener`).
//! - `tower-http`: `TimeoutLayer`, which answers `408` for a slow handler.
//! - `tower` (tests only): its own `TimeoutLayer`, tested on spindle.
//! - `sqlx` (SQLite, the tokio runtime): the connection pool.
//! - `reqwest` (no default features: plain HTTP, no TLS stack to build):
//!   the HTTP client for the upstream call.
//! - `tokio`: the listener `axum::serve` takes, `tokio::time` in the slow
//!   handler, and the stop signals (axum wants a `Send` shutdown future).
//! - `clap`: the command line; `futures`: `select` over the two stop
//!   signals.

use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use sqlx::sqlite::{SqlitePool, SqlitePoolOptions};
use tower_http::timeout::TimeoutLayer;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct App {
    /// The notes database.
    pub pool: SqlitePool,
    /// The client for the upstream call.
    pub client: reqwest::Client,
    /// The upstream's base URL (`http://127.0.0.1:PORT`).
    pub upstream: String,
}

/// Opens the SQLite database at `url` (`sqlite::memory:` or
/// `sqlite://path?mode=rwc`) with a pool of `connections` and creates the
/// notes table.
///
/// # Errors
///
/// Whatever sqlx reports: the file cannot be opened or created, the schema
/// cannot be written.
pub async fn open_database(url: &str, connections: u32) -> Result<SqlitePool, sqlx::Error> {
    let pool = SqlitePoolOptions::new()
        .max_connections(connections)
        .connect(url)
        .await?;
    sqlx::query("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .execute(&pool)
        .await?;
    Ok(pool)
}

/// The router: the routes of the module doc behind a `TimeoutLayer` of
/// `timeout`.
pub fn router(app: App, timeout: Duration) -> Router {
    Router::new()
        .route("/notes", get(list_notes).post(add_note))
        .route("/upstream", get(upstream))
        .route("/slow", get(slow))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(app)
}

/// `GET /notes`.
async fn list_notes(State(app): State<App>) -> Result<String, (StatusCode, String)> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, body FROM notes ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .map_err(internal)?;
    Ok(rows
        .into_iter()
        .map(|(id, body)| format!("{id}: {body}\n"))
        .collect())
}

/// `POST /notes`.
async fn add_note(
    State(app): State<App>,
    body: String,
) -> Result<(StatusCode, String), (StatusCode, String)> {
    if body.is_empty() {
        return Err((StatusCode::BAD_REQUEST, "a note needs a body\n".into()));
    }
    let done = sqlx::query("INSERT INTO notes (body) VALUES (?)")
        .bind(body)
        .execute(&app.pool)
        .await
        .map_err(internal)?;
    Ok((
        StatusCode::CREATED,
        format!("{}\n", done.last_insert_rowid()),
    ))
}

/// `GET /upstream`.
async fn upstream(State(app): State<App>) -> Result<String, (StatusCode, String)> {
    let answer = app
        .client
        .get(format!("{}/", app.upstream))
        .send()
        .await
        .and_then(|response| response.error_for_status())
        .map_err(|err| (StatusCode::BAD_GATEWAY, format!("upstream: {err}\n")))?;
    answer
        .text()
        .await
        .map_err(|err| (StatusCode::BAD_GATEWAY, format!("upstream: {err}\n")))
}

/// `GET /slow?ms=N`.
async fn slow(
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Result<String, (StatusCode, String)> {
    let ms: u64 = query
        .get("ms")
        .and_then(|ms| ms.parse().ok())
        .ok_or((StatusCode::BAD_REQUEST, "expected ?ms=N\n".into()))?;
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(format!("waited {ms} ms\n"))
}

/// A database error as a `500`.
fn internal(err: sqlx::Error) -> (StatusCode, String) {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("database: {err}\n"),
    )
}
