//! Finding the Markdown files to check, and reading them without losing anything.

use crate::error::{Result, WorkspaceError};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// Expands files and folders into `.md` files (folders recursively, honouring
/// `.gitignore` and skipping hidden entries), minus `exclude` globs, sorted. Use
/// [`crate::Settings::docs`], which also leaves out the template.
/// `exclude` patterns are relative to `base` (the config file's folder).
pub(crate) fn collect(paths: &[PathBuf], exclude: &[String], base: &Path) -> Result<Vec<PathBuf>> {
    let excluded = globs(exclude)?;
    let mut out = Vec::new();
    for p in paths {
        if p.is_file() {
            out.push(p.clone());
            continue;
        }
        if !p.is_dir() {
            return Err(WorkspaceError::NotFound(p.clone()));
        }
        for entry in ignore::WalkBuilder::new(p).sort_by_file_name(|a, b| a.cmp(b)).build() {
            let entry = entry.map_err(|e| WorkspaceError::Read {
                what: "folder",
                path: p.clone(),
                source: std::io::Error::other(e.to_string()),
            })?;
            let path = entry.path();
            let is_md = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
            if is_md && entry.file_type().is_some_and(|t| t.is_file()) && !is_excluded(&excluded, path, base) {
                out.push(path.to_path_buf());
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn globs(patterns: &[String]) -> Result<GlobSet> {
    let bad = |pattern: &str, e: globset::Error| WorkspaceError::Glob {
        pattern: pattern.to_string(),
        message: e.to_string(),
    };
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p).map_err(|e| bad(p, e))?);
    }
    b.build().map_err(|e| bad(&patterns.join(", "), e))
}

/// The path as the file system resolves it (itself when it does not exist), so the
/// same file named two ways compares equal.
pub fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

fn is_excluded(set: &GlobSet, path: &Path, base: &Path) -> bool {
    if set.is_empty() {
        return false;
    }
    let rel = path.strip_prefix(base).unwrap_or(path);
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    set.is_match(rel) || set.is_match(path)
}

/// A file's content, or why it cannot be checked as text.
pub enum Content {
    Text(String),
    /// Not checkable: lossy text for display, the offset of the first bad byte, why, and
    /// what to do about it.
    Invalid {
        shown: String,
        offset: usize,
        reason: String,
        label: &'static str,
        help: &'static str,
    },
}

const NOT_TEXT_HELP: &str = "save the file as UTF-8 Markdown, or exclude it in designdoc.toml";

pub fn read(path: &Path) -> std::io::Result<Content> {
    let len = std::fs::metadata(path)?.len();
    if let Some(reason) = designdoc_model::too_large(usize::try_from(len).unwrap_or(usize::MAX)) {
        // Only the start is read, for the report.
        use std::io::Read;
        let mut head = Vec::with_capacity(256);
        std::fs::File::open(path)?.take(256).read_to_end(&mut head)?;
        return Ok(too_large(&head, reason));
    }
    Ok(classify(std::fs::read(path)?))
}

/// Reads a whole stream (standard input) as [`read`] reads a file.
pub fn read_stream(mut input: impl std::io::Read) -> std::io::Result<Content> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    Ok(classify(bytes))
}

fn too_large(head: &[u8], reason: String) -> Content {
    Content::Invalid {
        shown: String::from_utf8_lossy(&head[..head.len().min(256)]).into_owned(),
        offset: 0,
        reason,
        label: "the document starts here",
        help: "split the document, or move large inline images into files and link them",
    }
}

/// Whether bytes are a checkable document: within the size bound, no NUL, UTF-8.
fn classify(bytes: Vec<u8>) -> Content {
    if let Some(reason) = designdoc_model::too_large(bytes.len()) {
        return too_large(&bytes, reason);
    }
    if let Some(nul) = bytes.iter().take(64 * 1024).position(|&b| b == 0) {
        let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(nul + 1)]).into_owned();
        let offset = shown.len().saturating_sub(1);
        return Content::Invalid {
            shown,
            offset,
            reason: "binary file (NUL byte), not a Markdown document".to_string(),
            label: "first byte that is not text",
            help: NOT_TEXT_HELP,
        };
    }
    match String::from_utf8(bytes) {
        Ok(text) => Content::Text(text),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let shown = String::from_utf8_lossy(&bytes).into_owned();
            // The lossy text keeps the valid prefix byte for byte.
            Content::Invalid {
                shown,
                offset: valid,
                reason: "file is not valid UTF-8".to_string(),
                label: "first byte that is not text",
                help: NOT_TEXT_HELP,
            }
        }
    }
}

/// Replaces a file's content atomically: write a sibling temp file, then rename, so a
/// crash leaves either the old or the new content, never half of one.
pub fn write_atomic(path: &Path, content: &str) -> Result<()> {
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WorkspaceError::Write { path, source }
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.designdoc-tmp-{}", std::process::id()));
    std::fs::write(&tmp, content).map_err(failed(&tmp))?;
    // The new file keeps the old one's permissions; if they cannot be copied the write
    // fails rather than silently widening or narrowing who may read the file.
    if let Ok(meta) = std::fs::metadata(path)
        && let Err(e) = std::fs::set_permissions(&tmp, meta.permissions())
    {
        // Best effort to leave nothing behind; the error that matters is the one returned.
        std::fs::remove_file(&tmp).ok();
        return Err(failed(path)(e));
    }
    if let Err(e) = std::fs::rename(&tmp, path) {
        std::fs::remove_file(&tmp).ok();
        return Err(failed(path)(e));
    }
    Ok(())
}

/// What the watchers compare between polls: each file with its modification time and size.
/// Polling sees editors that save by rename, which event-based watching can miss.
pub type Stamps = Vec<(PathBuf, Option<std::time::SystemTime>, u64)>;

pub fn stamps(paths: &[PathBuf]) -> Stamps {
    paths
        .iter()
        .map(|p| {
            let meta = std::fs::metadata(p).ok();
            (
                p.clone(),
                meta.as_ref().and_then(|m| m.modified().ok()),
                meta.map_or(0, |m| m.len()),
            )
        })
        .collect()
}
