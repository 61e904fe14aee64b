//! Go to definition: a relative link to its file (and heading, for `#anchor`), an id
//! after `supersedes:` to the document that has it.

use crate::project::Project;
use designdoc_check::project::{lexical_normalize, normalize_id, relative_target};
use designdoc_model::Document;
use designdoc_model::Span;
use std::path::{Path, PathBuf};

/// Where the thing at byte `offset` is defined: a file (relative to the workspace) and,
/// when known, the span in it, with that file's text so the caller can make positions.
pub struct Target {
    pub path: PathBuf,
    pub span: Option<Span>,
    pub source: Option<String>,
}

/// `read` gives a doc's current text (the open buffer, else the disk).
pub fn definition(
    project: &Project,
    rel: &Path,
    source: &str,
    doc: &Document,
    offset: usize,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Option<Target> {
    if let Some(link) = doc.links.iter().find(|l| l.span.contains(offset)) {
        return link_target(project, rel, &link.dest, read);
    }
    for key in ["supersedes", "superseded_by"] {
        let Some(field) = doc.meta(key) else { continue };
        if !(field.value_span.contains(offset) || field.value_span.end == offset) {
            continue;
        }
        // The text as written: YAML reads `0001` as a number, and the id is the digits.
        let written = source.get(field.value_span.start..field.value_span.end).unwrap_or("");
        let names = written
            .split([',', ' ', '[', ']', '"', '\''])
            .map(str::trim)
            .filter(|n| !n.is_empty());
        for name in names {
            if let Some(target) = by_id(project, rel, name) {
                return Some(target);
            }
        }
    }
    None
}

fn link_target(project: &Project, rel: &Path, dest: &str, read: &dyn Fn(&Path) -> Option<String>) -> Option<Target> {
    let (target, anchor) = relative_target(dest)?;
    let path = match target.strip_prefix('/') {
        Some(in_root) => lexical_normalize(&project.link_root()?.join(in_root)),
        None => lexical_normalize(&rel.parent().unwrap_or(Path::new("")).join(&target)),
    };
    if !project.absolute(&path).exists() {
        return None;
    }
    let Some(anchor) = anchor else {
        return Some(Target {
            path,
            span: None,
            source: None,
        });
    };
    let source = read(&path);
    let span = source.as_deref().and_then(|s| {
        let (doc, _) = designdoc_model::parse(s);
        doc.section_by_anchor(&anchor).map(|i| doc.sections[i].heading_span)
    });
    Some(Target { path, span, source })
}

fn by_id(project: &Project, rel: &Path, name: &str) -> Option<Target> {
    let wanted = normalize_id(name);
    let (summary, _) = project
        .docs()
        .find(|(s, _)| s.path != rel && s.id.as_ref().is_some_and(|(id, _)| *id == wanted))?;
    Some(Target {
        path: summary.path.clone(),
        span: None,
        source: None,
    })
}
