//! `designdoc serve`: the hub. Publishes the docs of the given folders into the store
//! (SQLite by default), republishes them when they change, and serves a JSON API and HTML
//! pages. First slice of the hub: read-only API, no accounts yet.

use crate::files::{self, Content};
use crate::{CommonArgs, Outcome, settings};
use anyhow::{Context, Result};
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use designdoc_check::Checker;
use designdoc_render::site::escape;
use designdoc_store::{DocFilter, Publish, Store};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Folders of design docs to publish and watch (each folder is a space named after it).
    pub dirs: Vec<PathBuf>,
    /// Database: `sqlite://PATH` (default `.designdoc/hub.db`) or `postgres://...`.
    #[arg(long, env = "DESIGNDOC_DATABASE_URL")]
    pub database: Option<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "DESIGNDOC_ADDR")]
    pub addr: String,
    #[command(flatten)]
    pub common: CommonArgs,
}

struct Hub {
    store: Store,
}

type Shared = State<Arc<Hub>>;

pub fn run(args: ServeArgs) -> Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(serve(args))
}

fn space_name(dir: &Path) -> String {
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    abs.file_name()
        .map_or_else(|| "docs".to_string(), |n| n.to_string_lossy().into_owned())
}

/// Publishes every doc of `dir`; returns how many got a new revision.
async fn publish_dir(store: &Store, checker: &Checker, dir: &Path, exclude: &[String], base: &Path) -> Result<usize> {
    let space = space_name(dir);
    let mut created = 0;
    for path in files::collect(&[dir.to_path_buf()], exclude, base)? {
        let Ok(Content::Text(source)) = files::read(&path) else {
            continue;
        };
        let findings = checker.check(&source).diagnostics;
        let rel = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let published = store
            .publish(&Publish {
                space: &space,
                path: &rel,
                content: &source,
                by: "watcher",
                findings: &findings,
            })
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        created += usize::from(published.created);
    }
    Ok(created)
}

fn stamp(dirs: &[PathBuf]) -> files::Stamps {
    let paths: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| files::collect(std::slice::from_ref(d), &[], Path::new(".")).unwrap_or_default())
        .collect();
    files::stamps(&paths)
}

async fn serve(args: ServeArgs) -> Result<Outcome> {
    let settings = settings::load(&args.common)?;
    let checker = settings::checker(&args.common, &settings)?;
    let url = match &args.database {
        Some(u) => u.clone(),
        None => {
            std::fs::create_dir_all(".designdoc").context("cannot create .designdoc/")?;
            "sqlite://.designdoc/hub.db".to_string()
        }
    };
    let store = Store::open(&url, None)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    for dir in &args.dirs {
        let n = publish_dir(&store, &checker, dir, &settings.config.exclude, &settings.base).await?;
        eprintln!("published {n} new revision(s) from {}", dir.display());
    }
    let hub = Arc::new(Hub { store: store.clone() });
    let app = Router::new()
        .route("/", get(index))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/api/v1/docs", get(api_docs))
        .route("/api/v1/docs/{space}/{*path}", get(api_doc))
        .route("/api/v1/search", get(api_search))
        .route("/api/v1/risks", get(api_risks))
        .with_state(hub);
    let listener = tokio::net::TcpListener::bind(&args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    println!(
        "designdoc hub at http://{}/ (database {})",
        listener.local_addr()?,
        redact(&url)
    );
    // Republish changed docs by polling modification times.
    let dirs = args.dirs.clone();
    let (exclude, base) = (settings.config.exclude.clone(), settings.base.clone());
    tokio::spawn(async move {
        let mut last = stamp(&dirs);
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let now = stamp(&dirs);
            if now == last {
                continue;
            }
            last = now;
            for dir in &dirs {
                if let Err(e) = publish_dir(&store, &checker, dir, &exclude, &base).await {
                    eprintln!("error: {e:#}");
                }
            }
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("server failed")?;
    Ok(Outcome::Clean)
}

/// The database URL without its password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({"error": message}))).into_response()
}

async fn readyz(State(hub): Shared) -> Response {
    if hub.store.ping().await {
        "ready".into_response()
    } else {
        error(StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    space: Option<String>,
    status: Option<String>,
}

async fn api_docs(State(hub): Shared, Query(q): Query<ListQuery>) -> Response {
    match hub
        .store
        .documents(&DocFilter {
            space: q.space,
            status: q.status,
        })
        .await
    {
        Ok(docs) => Json(docs).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

async fn api_doc(State(hub): Shared, UrlPath((space, path)): UrlPath<(String, String)>) -> Response {
    let id = format!("{space}:{path}");
    let doc = match hub.store.document(&id).await {
        Ok(Some(d)) => d,
        Ok(None) => return error(StatusCode::NOT_FOUND, "no such document"),
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    match hub.store.revision(&id, doc.current_revision).await {
        Ok(rev) => Json(serde_json::json!({"document": doc, "revision": rev})).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct SearchQuery {
    q: String,
}

async fn api_search(State(hub): Shared, Query(q): Query<SearchQuery>) -> Response {
    match hub.store.search(&q.q, &DocFilter::default()).await {
        Ok(docs) => Json(docs).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

async fn api_risks(State(hub): Shared) -> Response {
    match hub.store.risks().await {
        Ok(r) => Json(r).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

async fn index(State(hub): Shared) -> Response {
    let docs = match hub.store.documents(&DocFilter::default()).await {
        Ok(d) => d,
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let mut rows = String::new();
    for d in &docs {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&d.space),
            escape(&d.title),
            escape(&d.status),
            escape(&d.authors.join(", ")),
            d.current_revision
        ));
    }
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>designdoc hub</title></head><body><main><h1>Design documents</h1>\
<table><thead><tr><th>Space</th><th>Title</th><th>Status</th><th>Authors</th><th>Revision</th></tr></thead><tbody>\n{rows}</tbody></table></main></body></html>\n"
    );
    let mut response = Html(body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'self'; frame-ancestors 'none'"),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn database_password_is_redacted() {
        assert_eq!(
            redact("postgres://hub:s3cret@db:5432/hub"),
            "postgres://hub:***@db:5432/hub"
        );
        assert_eq!(redact("sqlite://.designdoc/hub.db"), "sqlite://.designdoc/hub.db");
    }
}
