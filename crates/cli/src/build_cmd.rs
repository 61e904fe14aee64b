//! `designdoc build`: check every doc and write the static site, incrementally (pages
//! whose inputs did not change are not rendered again). `designdoc preview` builds with it.

use crate::{CommonArgs, Outcome, settings};
use anyhow::{Context, Result};
use designdoc_check::{Checker, Schema};
use designdoc_render::site::{PageInput, SiteIndex, page_hash, render_page, shared_files};
use designdoc_workspace::{Content, Settings, files};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
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

struct Checked {
    rel: String,
    source: String,
    doc: designdoc_model::Document,
    diagnostics: Vec<designdoc_check::Diagnostic>,
    modified: Option<String>,
}

/// What one build did.
pub(crate) struct Stats {
    pub docs: usize,
    pub rendered: usize,
    pub written: usize,
}

const CACHE_FILE: &str = ".designdoc-build-cache.json";

pub(crate) fn docs_root(dir: &Option<PathBuf>, settings: &Settings) -> PathBuf {
    dir.clone().unwrap_or_else(|| settings.docs_dir())
}

/// The docs of the folder given (default: as `check` finds them with no paths), minus the
/// output folder (it may sit inside the docs).
pub(crate) fn doc_paths(
    given: &Option<PathBuf>,
    out: &Path,
    settings: &Settings,
    schema: &Schema,
) -> Result<Vec<PathBuf>> {
    let out_abs = std::fs::canonicalize(out).ok();
    let mut paths = settings.docs_or_default(given.as_slice(), schema)?;
    paths.retain(|p| !out_abs.as_ref().is_some_and(|o| files::absolute(p).starts_with(o)));
    Ok(paths)
}

/// Checks every doc and writes the site. Pages whose inputs did not change since the last
/// build into `out` are neither rendered nor written (a hash per page in `CACHE_FILE`).
pub(crate) fn build_once(
    checker: &Checker,
    root: &Path,
    paths: &[PathBuf],
    out: &Path,
    live_reload: bool,
) -> Result<Stats> {
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
    let paths = doc_paths(&args.dir, &args.output, &settings, &checker.schema)?;
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
