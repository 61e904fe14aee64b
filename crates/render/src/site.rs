//! The static site: one page per doc (sanitized HTML, inline SVG diagrams, table of
//! contents, metadata, findings), an index with filters, and cross-doc registers of risks,
//! components and entities, all made of the page parts the hub shares. Pure: pages in,
//! files out.

use crate::parts::{self, DocColumns, DocLink, DocRow, Filters, Frame, Heading, Markup, html};
use designdoc_check::Diagnostic;
use designdoc_model::{BlockKind, Document};

pub use crate::body::{MAX_MARKUP_DEPTH, RenderBudget, body_html, body_html_checked, body_html_with};

/// The site's stylesheet: the pages, then the diagrams' colours (`assets/diagram.css`).
pub const CSS: &str = concat!(
    include_str!("../assets/site.css"),
    include_str!("../assets/diagram.css")
);
pub const JS: &str = include_str!("../assets/site.js");

/// Changes when the pages' markup changes, so incremental builds render every page again.
const PAGES_VERSION: &str = "maud parts 1";

/// One checked document to publish.
pub struct PageInput<'a> {
    /// Path relative to the docs root, with `/` separators (`adr/0001-x.md`).
    pub rel_path: String,
    pub source: &'a str,
    pub doc: &'a Document,
    pub diagnostics: &'a [Diagnostic],
    /// Last-modified date (YYYY-MM-DD) when front matter has no `updated`.
    pub modified: Option<String>,
}

/// A site file: path relative to the output folder and its content.
pub type SiteFile = (String, String);

/// `adr/0001-x.md` -> `docs/adr/0001-x.html`.
pub fn page_url(rel_path: &str) -> String {
    let base = rel_path
        .strip_suffix(".md")
        .or_else(|| rel_path.strip_suffix(".markdown"))
        .unwrap_or(rel_path);
    format!("docs/{base}.html")
}

fn depth_prefix(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

/// Static pages carry their policy in a `<meta>`: a file has no response headers.
// `connect-src 'self'`: the preview's live reload asks its own server for the next build.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Page `url` (relative to the site root) in the site's frame; its links are relative so
/// the site works opened from disk.
fn layout(url: &str, title: &str, body: Markup) -> Markup {
    let up = depth_prefix(url);
    let mut nav = vec![("Documents", format!("{up}index.html"))];
    nav.extend(
        parts::REGISTERS
            .iter()
            .map(|(label, name)| (*label, format!("{up}{name}.html"))),
    );
    let frame = Frame {
        brand: "designdoc",
        home: &format!("{up}index.html"),
        assets: &up,
        nav: &nav,
        account: html! {},
        csp: Some(CSP),
        scripts: &["search-index.js", "site.js"],
    };
    parts::page(&frame, title, body)
}

struct DocInfo {
    url: String,
    title: String,
    status: String,
    authors: Vec<String>,
    tags: Vec<String>,
    id: String,
    updated: String,
    errors: usize,
    warnings: usize,
    text: String,
}

/// The table of contents panel: sections of levels 2 and 3.
pub fn toc_html(doc: &Document) -> String {
    parts::toc(doc).into_string()
}

fn info(p: &PageInput) -> DocInfo {
    let doc = p.doc;
    // The same title, status and id rule as `check`, the store and the hub.
    let header = designdoc_check::facts::DocHeader::of(&p.rel_path, doc);
    let mut text = String::new();
    for b in &doc.blocks {
        if let BlockKind::Paragraph(t) = &b.kind {
            text.push_str(&t.text);
            text.push(' ');
            if text.len() > 4000 {
                break;
            }
        }
    }
    DocInfo {
        url: page_url(&p.rel_path),
        status: header.status_key(),
        title: header.title,
        authors: header.authors,
        tags: header.tags,
        id: header.id.unwrap_or_default(),
        updated: header.updated.or_else(|| p.modified.clone()).unwrap_or_default(),
        errors: p
            .diagnostics
            .iter()
            .filter(|d| d.level == designdoc_check::Level::Error)
            .count(),
        warnings: p
            .diagnostics
            .iter()
            .filter(|d| d.level == designdoc_check::Level::Warning)
            .count(),
        text,
    }
}

/// Everything the pages need to know about every doc (links, titles, index rows).
pub struct SiteIndex {
    docs: Vec<DocInfo>,
    /// Changes when any title, id, url or status changes: pages that link to other docs
    /// must then be rendered again.
    pub fingerprint: u64,
}

impl SiteIndex {
    pub fn new(pages: &[PageInput]) -> SiteIndex {
        let docs: Vec<DocInfo> = pages.iter().map(info).collect();
        let fingerprint = docs.iter().fold(0u64, |h, d| {
            h.rotate_left(7)
                ^ fnv(&d.url)
                ^ fnv(&d.title).rotate_left(13)
                ^ fnv(&d.id).rotate_left(29)
                ^ fnv(&d.status).rotate_left(41)
        });
        SiteIndex { docs, fingerprint }
    }

    /// Url of page `i` (same order as the pages given to `new`).
    pub fn url(&self, i: usize) -> &str {
        &self.docs[i].url
    }
}

/// A content hash of what page `i` renders from: its source, its findings and the index.
pub fn page_hash(page: &PageInput, index: &SiteIndex) -> u64 {
    let findings: String = page
        .diagnostics
        .iter()
        .map(|d| format!("{}{}{}{:?}", d.code, d.span.start, d.message, d.level))
        .collect();
    fnv(page.source)
        ^ fnv(&findings).rotate_left(17)
        ^ index.fingerprint.rotate_left(31)
        ^ fnv(env!("CARGO_PKG_VERSION"))
        ^ fnv(PAGES_VERSION).rotate_left(47)
}

/// The HTML of doc page `i`.
pub fn render_page(pages: &[PageInput], index: &SiteIndex, i: usize) -> SiteFile {
    let info = &index.docs[i];
    (info.url.clone(), doc_page(&pages[i], info, &index.docs).into_string())
}

/// The index, the registers and the assets (everything but the doc pages).
pub fn shared_files(pages: &[PageInput], index: &SiteIndex, live_reload: bool) -> Vec<SiteFile> {
    let infos = &index.docs;
    let mut files: Vec<SiteFile> = vec![
        ("index.html".to_string(), index_page(infos).into_string()),
        ("risks.html".to_string(), risks_page(pages, infos).into_string()),
        (
            "components.html".to_string(),
            components_page(pages, infos).into_string(),
        ),
        ("entities.html".to_string(), entities_page(pages, infos).into_string()),
        ("assets/site.css".to_string(), CSS.to_string()),
        (
            "assets/site.js".to_string(),
            if live_reload {
                format!("{JS}\n{LIVE_RELOAD}")
            } else {
                JS.to_string()
            },
        ),
    ];
    let entries: Vec<serde_json::Value> = infos
        .iter()
        .map(|i| serde_json::json!({"url": i.url, "title": i.title, "status": i.status, "authors": i.authors, "tags": i.tags, "text": i.text}))
        .collect();
    let json = serde_json::to_string(&entries)
        .unwrap_or_else(|_| "[]".to_string())
        .replace("</", "<\\/");
    files.push((
        "assets/search-index.js".to_string(),
        format!("window.DESIGNDOC_INDEX = {json};\n"),
    ));
    files
}

/// Live reload for `designdoc preview`: long-polls the server for a new build and reloads.
const LIVE_RELOAD: &str = include_str!("../assets/live-reload.js");

/// Builds every file of the site (no caching; see `render_page` for incremental builds).
pub fn build_site(pages: &[PageInput]) -> Vec<SiteFile> {
    let index = SiteIndex::new(pages);
    let mut files: Vec<SiteFile> = (0..pages.len()).map(|i| render_page(pages, &index, i)).collect();
    files.extend(shared_files(pages, &index, false));
    files
}

fn index_page(infos: &[DocInfo]) -> Markup {
    let mut statuses: Vec<&str> = infos
        .iter()
        .map(|i| i.status.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    statuses.sort_unstable();
    statuses.dedup();
    let filters = Filters {
        action: None,
        spaces: None,
        statuses: &statuses,
        status: None,
        author: "",
        tag: "",
        text: Some(""),
    };
    let rows: Vec<DocRow> = infos
        .iter()
        .map(|i| DocRow {
            href: i.url.clone(),
            space: "",
            id: &i.id,
            title: &i.title,
            status: &i.status,
            authors: &i.authors,
            tags: &i.tags,
            updated: i.updated.clone(),
            findings: (i.errors, i.warnings),
            revision: 0,
        })
        .collect();
    let columns = DocColumns {
        space: false,
        findings: true,
        revision: false,
        scripted: true,
    };
    let body = parts::doc_index(
        &filters,
        parts::shown_count(infos.len(), infos.len() as i64, None),
        parts::doc_table(&rows, &columns),
        html! {},
    );
    layout("index.html", "Design documents", body)
}

fn doc_page(p: &PageInput, i: &DocInfo, infos: &[DocInfo]) -> Markup {
    let doc = p.doc;
    let up = depth_prefix(&i.url);
    // The document's own `#` heading is the page title; without one the view adds it.
    let title_anchor = doc.sections.first().filter(|s| s.level == 1).map(|s| s.anchor.as_str());
    let heading = match title_anchor {
        Some(anchor) => Heading::InBody(Some(anchor)),
        None => Heading::Add(&i.title),
    };
    let lineage = [("supersedes", "Supersedes"), ("superseded_by", "Superseded by")].map(|(key, label)| {
        let values = &doc.meta(key)?.values;
        let links = html! {
            @for (n, v) in values.iter().enumerate() {
                @if n > 0 { ", " }
                @match find_doc(infos, v) {
                    Some(target) => a href={ (up) (target.url) } { (target.title) },
                    None => (v),
                }
            }
        };
        Some((label, links))
    });
    let details = parts::details(
        &i.status,
        [
            parts::text_detail("Id", &i.id),
            parts::text_detail("Authors", &i.authors.join(", ")),
            parts::text_detail("Updated", &i.updated),
            parts::text_detail("Tags", &i.tags.join(", ")),
        ]
        .into_iter()
        .chain(lineage)
        .chain([parts::text_detail("Source", &p.rel_path)]),
    );
    let aside = html! {
        (details)
        (parts::toc(doc))
        (parts::findings(p.source, Some(doc), p.diagnostics))
    };
    layout(&i.url, &i.title, parts::doc_view(heading, &body_html(p), aside))
}

fn find_doc<'a>(infos: &'a [DocInfo], value: &str) -> Option<&'a DocInfo> {
    let v = designdoc_check::project::normalize_id(value);
    infos
        .iter()
        .find(|i| designdoc_check::project::normalize_id(&i.id) == v && !i.id.is_empty())
        .or_else(|| {
            let stem = value.trim_end_matches(".md");
            infos.iter().find(|i| i.url.trim_end_matches(".html").ends_with(stem))
        })
}

/// A register page's link to a doc (register pages are at the site root).
fn doc_link(i: &DocInfo) -> DocLink<'_> {
    DocLink {
        href: i.url.clone(),
        title: &i.title,
    }
}

/// Every register entry `of` each doc finds, with the doc it is from.
fn gather<'a, T>(pages: &[PageInput], infos: &'a [DocInfo], of: fn(&Document) -> Vec<T>) -> Vec<(T, &'a DocInfo)> {
    let found = pages.iter().zip(infos);
    found
        .flat_map(|(p, i)| of(p.doc).into_iter().map(move |e| (e, i)))
        .collect()
}

fn risks_page(pages: &[PageInput], infos: &[DocInfo]) -> Markup {
    let found = gather(pages, infos, designdoc_check::registers::risks);
    let rows = found
        .iter()
        .map(|(r, i)| parts::Risk {
            risk: &r.risk,
            impact: &r.impact,
            likelihood: &r.likelihood,
            mitigation: &r.mitigation,
            doc: doc_link(i),
        })
        .collect();
    layout("risks.html", "Risk register", parts::risks(rows, true))
}

fn components_page(pages: &[PageInput], infos: &[DocInfo]) -> Markup {
    let found = gather(pages, infos, designdoc_check::registers::components);
    let rows = found
        .iter()
        .map(|(c, i)| parts::Component {
            name: &c.name,
            purpose: &c.purpose,
            anchor: &c.anchor,
            doc: doc_link(i),
        })
        .collect();
    layout("components.html", "Components", parts::components(rows, true))
}

fn entities_page(pages: &[PageInput], infos: &[DocInfo]) -> Markup {
    let found = gather(pages, infos, designdoc_check::registers::entities);
    let rows = found
        .iter()
        .map(|(e, i)| parts::Entity {
            name: &e.name,
            defined: e.defined,
            doc: doc_link(i),
        })
        .collect();
    layout("entities.html", "Entities", parts::entities(rows, true))
}

/// FNV-1a: a stable hash for the build cache (the same across runs and versions of Rust).
pub(crate) fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
