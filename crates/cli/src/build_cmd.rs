//! `designdoc build` (check every doc and write the static site) and `designdoc preview`
//! (the same site on 127.0.0.1, rebuilt when a doc changes, pages reloading themselves).

use crate::{CommonArgs, Outcome, settings};
use anyhow::{Context, Result};
use designdoc_check::Checker;
use designdoc_render::site::{PageInput, SiteIndex, page_hash, render_page, shared_files};
use designdoc_workspace::{Content, Settings, files};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct BuildArgs {
    /// Folder of design docs (default: `dir` from designdoc.toml, else the current folder).
    pub dir: Option<PathBuf>,
    /// Output folder.
    #[arg(short, long, default_value = "site")]
    pub output: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
}

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

struct Checked {
    rel: String,
    source: String,
    doc: designdoc_model::Document,
    diagnostics: Vec<designdoc_check::Diagnostic>,
    modified: Option<String>,
}

/// What one build did.
struct Stats {
    docs: usize,
    rendered: usize,
    written: usize,
}

const CACHE_FILE: &str = ".designdoc-build-cache.json";

fn docs_root(dir: &Option<PathBuf>, settings: &Settings) -> PathBuf {
    dir.clone().unwrap_or_else(|| settings.docs_dir())
}

/// The docs under `root`, minus the output folder (it may sit inside the docs).
fn doc_paths(root: &Path, out: &Path, settings: &Settings) -> Result<Vec<PathBuf>> {
    let out_abs = std::fs::canonicalize(out).ok();
    let mut paths = settings.docs(&[root.to_path_buf()])?;
    paths.retain(|p| !out_abs.as_ref().is_some_and(|o| files::absolute(p).starts_with(o)));
    Ok(paths)
}

/// Checks every doc and writes the site. Pages whose inputs did not change since the last
/// build into `out` are neither rendered nor written (a hash per page in `CACHE_FILE`).
fn build_once(checker: &Checker, root: &Path, paths: &[PathBuf], out: &Path, live_reload: bool) -> Result<Stats> {
    let progress = Progress::start(paths.len());
    let checked: Vec<Checked> = paths
        .par_iter()
        .filter_map(|path| {
            progress.tick();
            let source = match files::read(path) {
                Ok(Content::Text(source)) => source,
                Ok(Content::Invalid { reason, .. }) => {
                    eprintln!("warning: skipping `{}`: {reason}", path.display());
                    return None;
                }
                Err(e) => {
                    eprintln!("warning: skipping `{}`: {e}", path.display());
                    return None;
                }
            };
            let result = checker.check(&source);
            Some(Checked {
                rel: rel_path(root, path),
                modified: modified_date(path),
                doc: result.doc,
                diagnostics: result.diagnostics,
                source,
            })
        })
        .collect();
    let pages: Vec<PageInput> = checked
        .iter()
        .map(|c| PageInput {
            rel_path: c.rel.clone(),
            source: &c.source,
            doc: &c.doc,
            diagnostics: &c.diagnostics,
            modified: c.modified.clone(),
        })
        .collect();
    let index = SiteIndex::new(&pages);
    let cache_path = out.join(CACHE_FILE);
    let previous: HashMap<String, u64> = std::fs::read_to_string(&cache_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let hashes: Vec<u64> = pages.iter().map(|p| page_hash(p, &index)).collect();
    let rendered: Vec<(String, String)> = (0..pages.len())
        .into_par_iter()
        .filter(|&i| {
            let url = index.url(i);
            previous.get(url) != Some(&hashes[i]) || !out.join(url).is_file()
        })
        .map(|i| render_page(&pages, &index, i))
        .collect();
    let mut files = rendered;
    let rendered_count = files.len();
    files.extend(shared_files(&pages, &index, live_reload));
    let mut written = 0;
    for (rel, content) in &files {
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        if std::fs::read(&path).ok().as_deref() == Some(content.as_bytes()) {
            continue;
        }
        files::write_atomic(&path, content)?;
        written += 1;
    }
    progress.finish();
    let cache: HashMap<&str, u64> = (0..pages.len()).map(|i| (index.url(i), hashes[i])).collect();
    files::write_atomic(&cache_path, &serde_json::to_string(&cache)?)?;
    Ok(Stats {
        docs: pages.len(),
        rendered: rendered_count,
        written,
    })
}

pub fn run(args: BuildArgs) -> Result<Outcome> {
    let started = Instant::now();
    let settings = settings::load(&args.common)?;
    let checker = settings::checker(&settings)?;
    let root = docs_root(&args.dir, &settings);
    let paths = doc_paths(&root, &args.output, &settings)?;
    let stats = build_once(&checker, &root, &paths, &args.output, false)?;
    println!(
        "built {} docs into {} in {} ms ({} pages rendered, {} files written)",
        stats.docs,
        args.output.display(),
        started.elapsed().as_millis(),
        stats.rendered,
        stats.written
    );
    Ok(Outcome::Clean)
}

/// A progress line on a terminal for builds of many docs (silent in CI logs and pipes).
struct Progress {
    done: Arc<std::sync::atomic::AtomicUsize>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    printer: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(total: usize) -> Progress {
        use std::io::IsTerminal;
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let done = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let printer = (total >= 200 && std::io::stderr().is_terminal()).then(|| {
            let (done, stop) = (Arc::clone(&done), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let n = done.load(Ordering::Relaxed);
                    let width = 30 * n / total.max(1);
                    eprint!(
                        "\r[{}{}] {n}/{total} docs checked",
                        "#".repeat(width),
                        " ".repeat(30 - width)
                    );
                    std::thread::sleep(Duration::from_millis(100));
                }
                eprint!("\r{}\r", " ".repeat(60));
            })
        });
        Progress { done, stop, printer }
    }

    fn tick(&self) {
        self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn finish(self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(p) = self.printer {
            let _ = p.join();
        }
    }
}

/// Build generation, bumped after every rebuild; long-polling pages wait on it.
struct Version {
    value: Mutex<u64>,
    changed: Condvar,
}

pub fn preview(args: PreviewArgs) -> Result<Outcome> {
    let settings = settings::load(&args.common)?;
    let checker = settings::checker(&settings)?;
    let root = docs_root(&args.dir, &settings);
    std::fs::create_dir_all(&args.output).with_context(|| format!("cannot create `{}`", args.output.display()))?;
    let paths = doc_paths(&root, &args.output, &settings)?;
    build_once(&checker, &root, &paths, &args.output, true)?;
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
    let addr = listener.local_addr()?;
    println!(
        "previewing {} at http://{addr}/ (rebuilds on change; Ctrl-C stops)",
        root.display()
    );
    let _ = std::io::stdout().flush();
    let version = Arc::new(Version {
        value: Mutex::new(1),
        changed: Condvar::new(),
    });
    let out = args.output.clone();
    let v = Arc::clone(&version);
    std::thread::spawn(move || {
        // One thread per connection, so the number of connections is bounded: a browser
        // opens a handful; more are closed at once.
        let open = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for stream in listener.incoming().flatten() {
            if open.load(std::sync::atomic::Ordering::SeqCst) >= MAX_PREVIEW_CONNECTIONS {
                drop(stream);
                continue;
            }
            open.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let out = out.clone();
            let v = Arc::clone(&v);
            let open = Arc::clone(&open);
            std::thread::spawn(move || {
                // A browser that went away mid-request is no error of the preview's.
                serve(stream, &out, &v).ok();
                open.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            });
        }
    });
    // Watch by polling modification times: editors that save by rename are seen too.
    let mut last = files::stamps(&paths);
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let paths = match doc_paths(&root, &args.output, &settings) {
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
        match build_once(&checker, &root, &paths, &args.output, true) {
            Ok(stats) => {
                // A closed stdout (`preview | head`) must not stop the preview.
                let _ = writeln!(
                    std::io::stdout(),
                    "rebuilt in {} ms ({} pages rendered)",
                    started.elapsed().as_millis(),
                    stats.rendered
                );
                let mut value = version
                    .value
                    .lock()
                    .map_err(|_| anyhow::anyhow!("preview state poisoned"))?;
                *value += 1;
                version.changed.notify_all();
            }
            Err(e) => eprintln!("error: rebuild failed: {e:#}"),
        }
    }
}

/// Connections the preview serves at once.
const MAX_PREVIEW_CONNECTIONS: usize = 64;
/// Longest request head the preview reads.
const MAX_PREVIEW_HEAD: u64 = 16 * 1024;

/// A minimal static file server for the preview: GET only, files under `out`, plus the
/// long-poll endpoint the pages use to reload.
fn serve(stream: TcpStream, out: &Path, version: &Version) -> Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    // The head is read through a bound: a client cannot make the preview buffer more.
    let mut reader = BufReader::new(std::io::Read::take(stream.try_clone()?, MAX_PREVIEW_HEAD));
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut complete = request_line.ends_with('\n');
    while complete {
        let mut header = String::new();
        let n = reader.read_line(&mut header)?;
        if n <= 2 && header.ends_with('\n') {
            break;
        }
        complete = header.ends_with('\n');
    }
    let mut stream = stream;
    if !complete {
        return respond(
            &mut stream,
            "431 Request Header Fields Too Large",
            "text/plain",
            b"request head too large",
        );
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    if method != "GET" {
        return respond(&mut stream, "405 Method Not Allowed", "text/plain", b"GET only");
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path == "/__designdoc/version" {
        let seen: Option<u64> = query.strip_prefix("seen=").and_then(|s| s.parse().ok());
        let guard = version.value.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        let (guard, _) = version
            .changed
            .wait_timeout_while(guard, Duration::from_secs(25), |v| seen == Some(*v))
            .map_err(|_| anyhow::anyhow!("poisoned"))?;
        let body = guard.to_string();
        drop(guard);
        return respond(&mut stream, "200 OK", "text/plain", body.as_bytes());
    }
    let rel = path.trim_start_matches('/');
    let rel = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    if rel.split('/').any(|c| c == ".." || c.starts_with('.')) {
        return respond(&mut stream, "404 Not Found", "text/plain", b"not found");
    }
    match std::fs::read(out.join(&rel)) {
        Ok(bytes) => {
            let ty = match rel.rsplit('.').next() {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("svg") => "image/svg+xml",
                Some("json") => "application/json",
                _ => "application/octet-stream",
            };
            respond(&mut stream, "200 OK", ty, &bytes)
        }
        Err(_) => respond(&mut stream, "404 Not Found", "text/plain", b"not found"),
    }
}

fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &[u8]) -> Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    Ok(())
}

fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The file's modification date as YYYY-MM-DD (UTC).
fn modified_date(path: &Path) -> Option<String> {
    let t = std::fs::metadata(path).ok()?.modified().ok()?;
    let secs = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(designdoc_model::civil_date(secs))
}
