//! Cross-document rules: ids, supersession and relative links across a docs folder.
//! File existence comes through [`FileLookup`] so the core stays free of IO.

use crate::diagnostic::{Diagnostic, Level};
use crate::rule_config::RuleConfig;
use crate::rules::{BrokenRelativeLink, DuplicateDocId, RuleMeta, SupersedesNotFound};
use designdoc_model::{Document, Span};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// Answers whether a path exists. The CLI asks the file system; tests use a set.
pub trait FileLookup: Sync {
    fn exists(&self, path: &Path) -> bool;

    /// The repository root that root-relative links (`/docs/x.md`) start from, as GitHub
    /// resolves them: the git root or the configuration's folder. `None` when unknown;
    /// such links are then not checked.
    fn root(&self) -> Option<PathBuf> {
        None
    }
}

/// What the project rules need of one document: small, so a large folder can be
/// checked without keeping every parsed document alive.
#[derive(Debug, Clone)]
pub struct DocSummary {
    /// Path as given to the checker (joined with link targets to resolve them).
    pub path: PathBuf,
    pub id: Option<(String, Span)>,
    /// `(key, values, value span)` of `supersedes` / `superseded_by`.
    pub supersession: Vec<(&'static str, Vec<String>, Span)>,
    /// Link destinations and spans.
    pub links: Vec<(String, Span)>,
    pub anchors: HashSet<String>,
}

impl DocSummary {
    pub fn new(path: &Path, doc: &Document) -> DocSummary {
        let supersession = ["supersedes", "superseded_by"]
            .into_iter()
            .filter_map(|key| doc.meta(key).map(|f| (key, f.values.clone(), f.value_span)))
            .collect();
        DocSummary {
            path: path.to_path_buf(),
            id: doc_id(path, doc),
            supersession,
            links: doc.links.iter().map(|l| (l.dest.clone(), l.span)).collect(),
            anchors: doc.sections.iter().map(|s| s.anchor.clone()).collect(),
        }
    }
}

/// The id a document is known by: front matter `id`, else the number its file name
/// starts with. Returns the comparable id and where it is written.
pub fn doc_id(path: &Path, doc: &Document) -> Option<(String, Span)> {
    let id = crate::facts::doc_id(&path.to_string_lossy(), doc)?;
    let span = doc
        .meta("id")
        .filter(|f| !f.first().trim().is_empty())
        .map_or(Span::point(0), |f| f.value_span);
    Some((normalize_id(&id), span))
}

/// `0007` and `7` are the same id; other ids compare case-insensitively.
pub fn normalize_id(id: &str) -> String {
    let id = id.trim();
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) {
        let t = id.trim_start_matches('0');
        if t.is_empty() { "0".to_string() } else { t.to_string() }
    } else {
        id.to_lowercase()
    }
}

/// The cross-document findings grouped by document (index into `docs`), each list sorted
/// and capped per rule like a document's own findings. What `check` and the editor show.
pub fn findings_by_doc(
    docs: &[DocSummary],
    files: &dyn FileLookup,
    config: &RuleConfig,
) -> std::collections::BTreeMap<usize, Vec<Diagnostic>> {
    let mut by_doc: std::collections::BTreeMap<usize, Vec<Diagnostic>> = std::collections::BTreeMap::new();
    for (k, d) in check_project(docs, files, config) {
        by_doc.entry(k).or_default().push(d);
    }
    for found in by_doc.values_mut() {
        crate::sort(found);
        crate::cap_findings(found);
    }
    by_doc
}

/// Runs the cross-document rules. Returns `(index into docs, diagnostic)` pairs.
pub fn check_project(docs: &[DocSummary], files: &dyn FileLookup, config: &RuleConfig) -> Vec<(usize, Diagnostic)> {
    let mut out = Vec::new();
    let diag = |meta: &RuleMeta, span: Span, message: String| Diagnostic {
        code: meta.code,
        name: meta.name,
        level: config.level(meta),
        message,
        span,
        label: None,
        help: None,
        fix: None,
    };
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let by_path: HashMap<PathBuf, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (lexical_normalize(&d.path), i))
        .collect();
    let report_duplicates = config.level(&DuplicateDocId::META) != Level::Off;
    for (i, d) in docs.iter().enumerate() {
        let Some((id, span)) = &d.id else { continue };
        match by_id.get(id.as_str()) {
            Some(&first) if report_duplicates => {
                let mut d = diag(
                    &DuplicateDocId::META,
                    *span,
                    format!("document id `{id}` is also used by {}", docs[first].path.display()),
                );
                d.help = Some("give this document a new id; `designdoc new` picks the next free number".to_string());
                out.push((i, d));
            }
            Some(_) => {}
            None => {
                by_id.insert(id.as_str(), i);
            }
        }
    }
    if config.level(&SupersedesNotFound::META) != Level::Off {
        for (i, d) in docs.iter().enumerate() {
            let dir = d.path.parent().unwrap_or(Path::new(""));
            for (key, values, span) in &d.supersession {
                // `0001, 0002` on one line is two names.
                for v in values.iter().flat_map(|v| split_names(v)) {
                    if names_no_document(v)
                        || candidate_names(v)
                            .iter()
                            .any(|n| resolves(n, dir, &by_id, &by_path, docs))
                    {
                        continue;
                    }
                    let mut diag = diag(
                        &SupersedesNotFound::META,
                        *span,
                        format!("`{key}` names `{v}`, which is not a known document"),
                    );
                    diag.help = Some("use the id or file name of a document in the checked folders".to_string());
                    out.push((i, diag));
                }
            }
        }
    }
    if config.level(&BrokenRelativeLink::META) != Level::Off {
        let root = files.root();
        for (i, d) in docs.iter().enumerate() {
            let dir = d.path.parent().unwrap_or(Path::new(""));
            for (dest, span) in &d.links {
                let Some((target, anchor)) = relative_target(dest) else {
                    continue;
                };
                let path = match target.strip_prefix('/') {
                    Some(in_root) => match &root {
                        Some(root) => lexical_normalize(&root.join(in_root)),
                        None => continue,
                    },
                    None => lexical_normalize(&dir.join(&target)),
                };
                if let Some(&j) = by_path.get(&path) {
                    if let Some(anchor) = anchor
                        && !docs[j].anchors.contains(&anchor)
                        && !docs[j].anchors.contains(&anchor.to_lowercase())
                    {
                        out.push((
                            i,
                            diag(
                                &BrokenRelativeLink::META,
                                *span,
                                format!("`{target}` has no heading for anchor `#{anchor}`"),
                            ),
                        ));
                    }
                    continue;
                }
                if !files.exists(&path) {
                    let mut diag = diag(
                        &BrokenRelativeLink::META,
                        *span,
                        format!("link target `{target}` does not exist"),
                    );
                    diag.label = Some(format!("resolved to {}", path.display()));
                    out.push((i, diag));
                }
            }
        }
    }
    out
}

/// Splits a supersession value into names at commas and semicolons, outside a Markdown
/// link's brackets (a link text may hold a comma).
fn split_names(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in value.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth = depth.saturating_sub(1),
            ',' | ';' if depth == 0 => {
                out.push(value[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(value[start..].trim());
    out.retain(|v| !v.is_empty());
    out
}

/// Values that say "nothing is superseded" or are still the template's blank: `N/A`,
/// `none`, `—`, `<ADR number>`, `ADR-NNNN`, `0000`, and URLs (documents outside the
/// checked folders, which cannot be looked up).
fn names_no_document(value: &str) -> bool {
    let v = value.trim().trim_matches(['*', '_', '`', '"', '\'', '.']).trim();
    let lower = v.to_lowercase();
    if crate::rules::is_filler(v)
        || matches!(
            lower.as_str(),
            "n/a"
                | "na"
                | "n.a"
                | "none"
                | "null"
                | "nil"
                | "no"
                | "nothing"
                | "-"
                | "—"
                | "–"
                | "~"
                | "not applicable"
        )
    {
        return true;
    }
    let wrapped = |open: char, close: char| v.starts_with(open) && v.ends_with(close);
    if wrapped('<', '>') || wrapped('{', '}') || (wrapped('[', ']') && !v.contains("](")) {
        return true;
    }
    let url = lower.contains("://") && !lower.contains("](");
    if lower.contains("nnn") || lower.contains("xxx") || url {
        return true;
    }
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    !digits.is_empty() && digits.chars().all(|c| c == '0') && !v.chars().any(char::is_alphabetic)
}

/// The names a value offers, most specific first: a Markdown link `[ADR-0003](0003-x.md)`
/// offers its target, then its text; `ADR-0003` also offers its number (docs known by the
/// number their file name starts with).
fn candidate_names(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let v = value.trim();
    if let Some(rest) = v.strip_prefix('[')
        && let Some((text, after)) = rest.split_once("](")
        && let Some(target) = after.strip_suffix(')')
    {
        // `<0003-x.md>` and a title after the target: `(0003-x.md "ADR 3")`.
        let target = target.split_whitespace().next().unwrap_or("").trim_matches(['<', '>']);
        if let Some((path, _)) = relative_target(target) {
            out.push(path);
        }
        out.push(text.trim().to_string());
    } else {
        out.push(v.to_string());
    }
    let numbered: Vec<String> = out.iter().filter_map(|n| trailing_number(n)).collect();
    out.extend(numbered);
    out
}

/// `ADR-0003`, `RFC 7`, `#12`, `KEP-1234` -> the number; `None` for anything else.
fn trailing_number(name: &str) -> Option<String> {
    let digits_start = name.find(|c: char| c.is_ascii_digit())?;
    let (prefix, digits) = name.split_at(digits_start);
    let prefix_ok = prefix
        .trim_end_matches(['-', '_', ' ', '#', ':'])
        .chars()
        .all(char::is_alphabetic);
    (prefix_ok && !prefix.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then(|| digits.to_string())
}

fn resolves(
    value: &str,
    dir: &Path,
    by_id: &HashMap<&str, usize>,
    by_path: &HashMap<PathBuf, usize>,
    docs: &[DocSummary],
) -> bool {
    if by_id.contains_key(normalize_id(value).as_str()) {
        return true;
    }
    if by_path.contains_key(&lexical_normalize(&dir.join(value))) {
        return true;
    }
    let v = value.trim_start_matches("./");
    docs.iter().any(|d| {
        let p = d.path.to_string_lossy();
        p.ends_with(v)
            || d.path
                .file_stem()
                .is_some_and(|s| s.to_string_lossy() == v.trim_end_matches(".md"))
    })
}

/// A link destination that names a local file: no scheme, not only an anchor; relative
/// to the document or, starting with one `/`, to the repository root. Returns the decoded
/// path (keeping that `/`) and the anchor.
pub fn relative_target(dest: &str) -> Option<(String, Option<String>)> {
    let dest = dest.trim();
    if dest.is_empty() || dest.starts_with('#') || dest.starts_with('\\') || dest.starts_with("//") {
        return None;
    }
    let scheme_end = dest.find(':');
    let path_end = dest.find(['/', '?', '#']).unwrap_or(dest.len());
    if scheme_end.is_some_and(|c| c < path_end) {
        return None; // http:, mailto:, data:, C: ...
    }
    let (before_anchor, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(percent_decode(a)).filter(|a| !a.is_empty())),
        None => (dest, None),
    };
    let path = before_anchor.split('?').next().unwrap_or("");
    if path.is_empty() {
        return None;
    }
    Some((percent_decode(path), anchor))
}

pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(&h), Some(&l)) = (bytes.get(i + 1), bytes.get(i + 2))
            && let (Some(h), Some(l)) = (hex(h), hex(l))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Removes `.` and resolves `..` without touching the file system.
pub fn lexical_normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(relative_target("a.md"), Some(("a.md".into(), None)));
        assert_eq!(
            relative_target("../x/a%20b.md#Sec"),
            Some(("../x/a b.md".into(), Some("Sec".into())))
        );
        assert_eq!(relative_target("https://x.y/a.md"), None);
        assert_eq!(relative_target("mailto:a@b"), None);
        assert_eq!(relative_target("#local"), None);
        assert_eq!(
            relative_target("/docs/a.md#x"),
            Some(("/docs/a.md".into(), Some("x".into())))
        );
        assert_eq!(relative_target("//host/a.md"), None);
    }

    struct Files {
        present: Vec<PathBuf>,
        root: Option<PathBuf>,
    }

    impl FileLookup for Files {
        fn exists(&self, path: &Path) -> bool {
            self.present.iter().any(|p| p == path)
        }
        fn root(&self) -> Option<PathBuf> {
            self.root.clone()
        }
    }

    #[test]
    fn root_relative_links() {
        let src = "# A\n\n[ok](/docs/b.md) [gone](/docs/missing.md) [rel](b.md)\n";
        let (doc, _) = designdoc_model::parse(src);
        let docs = vec![DocSummary::new(Path::new("repo/docs/a.md"), &doc)];
        let check = |root: Option<&str>| {
            let files = Files {
                present: vec![PathBuf::from("repo/docs/b.md")],
                root: root.map(PathBuf::from),
            };
            check_project(&docs, &files, &RuleConfig::default())
                .into_iter()
                .map(|(_, d)| d.message)
                .collect::<Vec<_>>()
        };
        assert_eq!(check(Some("repo")), ["link target `/docs/missing.md` does not exist"]);
        // Without a known root, root-relative links are not judged.
        assert!(check(None).is_empty());
    }

    #[test]
    fn ids() {
        assert_eq!(normalize_id("0007"), "7");
        assert_eq!(normalize_id("000"), "0");
        assert_eq!(normalize_id("ADR-7"), "adr-7");
        let (doc, _) = designdoc_model::parse("# x\n");
        assert_eq!(
            doc_id(Path::new("docs/0042-cache.md"), &doc).map(|x| x.0),
            Some("42".into())
        );
        assert_eq!(doc_id(Path::new("docs/design.md"), &doc), None);
        assert_eq!(
            doc_id(Path::new("docs/2024.md"), &doc).map(|x| x.0),
            Some("2024".into())
        );
    }

    #[test]
    fn supersession_values() {
        for filler in [
            "N/A",
            "none",
            "—",
            "-",
            "TBD",
            "<ADR number>",
            "ADR-NNNN",
            "0000",
            "https://x.y/adr/3",
        ] {
            assert!(names_no_document(filler), "{filler}");
        }
        assert!(!names_no_document("ADR-0003"));
        assert!(!names_no_document("0007"));
        assert_eq!(
            candidate_names("[ADR-0003](0003-x.md)"),
            ["0003-x.md", "ADR-0003", "0003"]
        );
        assert_eq!(candidate_names("RFC 7"), ["RFC 7", "7"]);
        assert_eq!(candidate_names("0007-cache.md"), ["0007-cache.md"]);
        assert_eq!(split_names("0001, [A, B](b.md); 3"), ["0001", "[A, B](b.md)", "3"]);
    }

    fn summary(path: &str, source: &str) -> DocSummary {
        DocSummary::new(Path::new(path), &designdoc_model::parse(source).0)
    }

    struct NoFiles;
    impl FileLookup for NoFiles {
        fn exists(&self, _: &Path) -> bool {
            false
        }
    }

    #[test]
    fn supersedes_fillers_and_links() {
        let docs = [
            summary("adr/0003-old.md", "# Old\n"),
            summary(
                "adr/0004-new.md",
                "# New\n\n**Supersedes:** [ADR-0003](0003-old.md)\n\n## A\n",
            ),
            summary(
                "adr/0005-other.md",
                "---\nsupersedes: N/A\nsuperseded_by: \"—\"\n---\n# Other\n",
            ),
            summary(
                "adr/0006-next.md",
                "# Next\n\n- Supersedes: ADR-0004, ADR-0005\n\n## A\n",
            ),
            summary(
                "adr/0007-bad.md",
                "# Bad\n\n- Supersedes: [ADR-0042](0042-gone.md)\n\n## A\n",
            ),
            // Unquoted numbers in YAML, which it reads as 3 and 4.0: named as written.
            summary(
                "adr/0008-yaml.md",
                "---\nsupersedes: 0003\nsuperseded_by: [0004.0, 0009]\n---\n# Y\n",
            ),
            summary(
                "adr/0009-yaml.md",
                "---\nsupersedes:\n  - 0008\n  - 0077 # gone\n---\n# Z\n",
            ),
        ];
        let found: Vec<String> = check_project(&docs, &NoFiles, &RuleConfig::default())
            .into_iter()
            .map(|(i, d)| format!("{}: {}", docs[i].path.display(), d.message))
            .collect();
        // The dangling link is also a broken link; the supersession chain is broken too.
        assert_eq!(
            found,
            [
                "adr/0007-bad.md: `supersedes` names `[ADR-0042](0042-gone.md)`, which is not a known document",
                "adr/0008-yaml.md: `superseded_by` names `0004.0`, which is not a known document",
                "adr/0009-yaml.md: `supersedes` names `0077`, which is not a known document",
                "adr/0007-bad.md: link target `0042-gone.md` does not exist",
            ]
        );
    }

    #[test]
    fn normalize() {
        assert_eq!(lexical_normalize(Path::new("a/./b/../c.md")), PathBuf::from("a/c.md"));
        assert_eq!(lexical_normalize(Path::new("../c.md")), PathBuf::from("../c.md"));
    }
}
