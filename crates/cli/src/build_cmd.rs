//! `designdoc build`: check every doc and write the static site.

use crate::files::{self, Content};
use crate::{CommonArgs, Outcome, settings};
use anyhow::{Context, Result};
use designdoc_render::site::{PageInput, build_site};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

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

pub fn run(args: BuildArgs) -> Result<Outcome> {
    let started = std::time::Instant::now();
    let settings = settings::load(&args.common)?;
    let checker = settings::checker(&args.common, &settings)?;
    let root = args
        .dir
        .clone()
        .or_else(|| settings.config.dir.as_ref().map(|d| settings.base.join(d)))
        .unwrap_or_else(|| PathBuf::from("."));
    let out_abs = std::fs::canonicalize(&args.output).ok();
    let template = settings::template_path(&args.common, &settings).and_then(|p| std::fs::canonicalize(p).ok());
    let mut paths = files::collect(std::slice::from_ref(&root), &settings.config.exclude, &settings.base)?;
    paths.retain(|p| {
        let abs = std::fs::canonicalize(p).ok();
        abs != template
            && !out_abs
                .as_ref()
                .is_some_and(|o| abs.as_ref().is_some_and(|a| a.starts_with(o)))
    });
    let checked: Vec<Checked> = paths
        .par_iter()
        .filter_map(|path| {
            let Ok(Content::Text(source)) = files::read(path) else {
                eprintln!("warning: skipping `{}`: not a UTF-8 text file", path.display());
                return None;
            };
            let result = checker.check(&source);
            Some(Checked {
                rel: rel_path(&root, path),
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
    let site = build_site(&pages);
    for (rel, content) in &site {
        let path = args.output.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        // Unchanged pages are not rewritten, so file watchers and rsync see only real changes.
        if std::fs::read(&path).ok().as_deref() == Some(content.as_bytes()) {
            continue;
        }
        std::fs::write(&path, content).with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    println!(
        "built {} pages from {} docs into {} in {} ms",
        site.iter().filter(|(r, _)| r.ends_with(".html")).count(),
        pages.len(),
        args.output.display(),
        started.elapsed().as_millis()
    );
    Ok(Outcome::Clean)
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
    Some(crate::new_cmd::civil_date(secs))
}
