//! `designdoc preview`: the static site on 127.0.0.1, rebuilt when a doc changes, with open
//! pages reloading themselves. The files are served by tower-http's `ServeDir` (percent-
//! decoded paths, HEAD, MIME types by extension) on the hub's HTTP listener (connection
//! limits, header timeouts, a bound on request heads); the pages' reload script long-polls
//! `/__designdoc/version`, which answers when the build generation moves on.

use crate::build_cmd::{build_once, doc_paths, docs_root};
use crate::{CommonArgs, Outcome, settings};
use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use designdoc_hub::watch::{FolderWatcher, Watching};
use designdoc_workspace::files;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::sync::watch;

#[derive(clap::Args, Debug)]
pub struct PreviewArgs {
    /// Folder of design docs (default: `dir` from designdoc.toml, else the current folder).
    pub dir: Option<PathBuf>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 4000)]
    pub port: u16,
    /// Where the preview site is written.
    #[arg(short, long, default_value = ".designdoc/preview")]
    pub output: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Where the pages' reload script asks for the build generation.
const VERSION_PATH: &str = "/__designdoc/version";
/// How long a page's `?seen=N` request waits for a new build before it is answered anyway
/// (the page then asks again); well inside the listener's request timeout.
const LONG_POLL: Duration = Duration::from_secs(25);
/// How often the docs are scanned where file system events cannot be used.
const POLL_EVERY: Duration = Duration::from_millis(500);

/// A browser opens a handful of connections; the bound keeps a runaway script from taking
/// every file descriptor.
fn limits() -> designdoc_hub::Limits {
    designdoc_hub::Limits {
        max_connections: 64,
        max_connections_per_client: 64,
        header_timeout: Duration::from_secs(10),
        request_timeout: LONG_POLL + Duration::from_secs(30),
    }
}

pub fn run(args: PreviewArgs) -> Result<Outcome> {
    let settings = settings::load(&args.common)?;
    let checker = settings::checker(&settings)?;
    let root = docs_root(&args.dir, &settings);
    let out = args.output.clone();
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create `{}`", out.display()))?;
    // Listed first, so a missing folder is reported as `build` reports it.
    let given = args.dir.clone();
    let paths = doc_paths(&given, &out, &settings, &checker.schema)?;
    // Watching starts before the first build, so an edit made while it runs is not missed;
    // the site's own writes into `out` (it may sit inside the docs) wake no one.
    let watcher = FolderWatcher::new(std::slice::from_ref(&root), std::slice::from_ref(&out), POLL_EVERY)?;
    if let Watching::Polling { why } = watcher.watching() {
        eprintln!("note: watching by polling every {} ms: {why}", POLL_EVERY.as_millis());
    }
    // Taken before the build reads the docs: a doc saved during the build differs from it.
    let built = files::stamps(&paths);
    build_once(&checker, &root, &paths, &out, true)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
            .await
            .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
        let addr = listener.local_addr()?;
        println!(
            "previewing {} at http://{addr}/ (rebuilds on change; Ctrl-C stops)",
            root.display()
        );
        let (generation, seen_by_pages) = watch::channel(1u64);
        let (stopped, rebuilds_ended) = tokio::sync::oneshot::channel();
        let app = router(out.clone(), seen_by_pages);
        // Building is CPU work for rayon's threads, and the watcher blocks while it waits:
        // both stay off the runtime that answers the pages.
        std::thread::spawn(move || {
            let why = rebuild_on_change(
                &watcher,
                built,
                &generation,
                &|paths| build_once(&checker, &root, paths, &out, true),
                &|| doc_paths(&given, &out, &settings, &checker.schema),
            );
            stopped.send(why).ok();
        });
        let serve = designdoc_hub::serve_http(
            listener,
            app,
            limits(),
            std::sync::Arc::new(designdoc_hub::TrustedProxies::default()),
            // Ctrl-C ends the process as it always did: there is nothing to finish.
            std::future::pending::<()>(),
            || {},
        );
        tokio::select! {
            () = serve => Ok(Outcome::Clean),
            why = rebuilds_ended => Err(why.unwrap_or_else(|_| anyhow::anyhow!("the rebuild thread failed"))),
        }
    })
}

/// Rebuilds whenever the docs' modification times change, bumping `generation` after each
/// build. Returns only when no change can be seen any more.
fn rebuild_on_change(
    watcher: &FolderWatcher,
    mut last: files::Stamps,
    generation: &watch::Sender<u64>,
    build: &dyn Fn(&[PathBuf]) -> Result<crate::build_cmd::Stats>,
    list: &dyn Fn() -> Result<Vec<PathBuf>>,
) -> anyhow::Error {
    while watcher.next_change() {
        let paths = match list() {
            Ok(p) => p,
            Err(e) => {
                eprintln!("warning: {e:#}");
                continue;
            }
        };
        let now = files::stamps(&paths);
        if now == last {
            continue;
        }
        last = now;
        let started = Instant::now();
        match build(&paths) {
            Ok(stats) => {
                // A closed stdout (`preview | head`) must not stop the preview.
                writeln!(
                    std::io::stdout(),
                    "rebuilt in {} ms ({} pages rendered)",
                    started.elapsed().as_millis(),
                    stats.rendered
                )
                .ok();
                generation.send_modify(|g| *g += 1);
            }
            Err(e) => eprintln!("error: rebuild failed: {e:#}"),
        }
    }
    anyhow::anyhow!("the file watcher stopped; restart the preview")
}

/// The site's files under `out`, the build generation, and the headers every answer gets.
fn router(out: PathBuf, generation: watch::Receiver<u64>) -> Router {
    Router::new()
        .route(VERSION_PATH, axum::routing::get(version))
        .with_state(generation)
        .fallback_service(tower_http::services::ServeDir::new(out))
        .layer(axum::middleware::from_fn(hide_dot_files))
        .layer(axum::middleware::map_response(preview_headers))
}

/// `GET /__designdoc/version[?seen=N]`: the build generation; with `seen`, waits until it
/// differs from `N` (or `LONG_POLL` passed).
async fn version(State(mut generation): State<watch::Receiver<u64>>, RawQuery(query): RawQuery) -> Response {
    // The script sends `seen=` empty on its first request: that asks without waiting.
    let seen = query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("seen="))
        .and_then(|n| n.parse::<u64>().ok());
    if let Some(seen) = seen {
        // A timeout is an answer too (the same generation), and so is a closed channel.
        let _woken_or_timed_out = tokio::time::timeout(LONG_POLL, generation.wait_for(|g| *g != seen)).await;
    }
    let current = *generation.borrow();
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        current.to_string(),
    )
        .into_response()
}

/// Files and folders whose names start with a dot (the build cache, an editor's swap
/// files) are not part of the site; `..` is refused here too, percent-encoded or not.
async fn hide_dot_files(request: Request, next: Next) -> Response {
    let path = percent_encoding::percent_decode_str(request.uri().path()).decode_utf8_lossy();
    if path.split('/').any(|segment| segment.starts_with('.')) {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    next.run(request).await
}

/// Pages change under the browser with every build, so nothing is cached; and types are
/// taken as sent.
async fn preview_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
