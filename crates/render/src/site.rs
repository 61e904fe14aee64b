//! The static site: one page per doc (sanitized HTML, inline SVG diagrams, table of
//! contents, metadata, findings), an index with filters, and cross-doc registers of risks,
//! components and entities. Pure: pages in, files out.

use crate::diagram::{DiagramLimits, render_svg_with};
use designdoc_check::Diagnostic;
use designdoc_model::{BlockKind, Document, slug};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

pub const CSS: &str = include_str!("../assets/site.css");
pub const JS: &str = include_str!("../assets/site.js");

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

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    crate::diagram::escape_into(&mut out, s);
    out
}

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

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn layout(url: &str, title: &str, body: &str) -> String {
    let up = depth_prefix(url);
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n<title>{title} · designdoc</title>\n<link rel=\"stylesheet\" href=\"{up}assets/site.css\">\n</head>\n<body>\n\
<header class=\"site\" role=\"banner\"><a class=\"brand\" href=\"{up}index.html\">designdoc</a>\n<nav aria-label=\"Site\"><a href=\"{up}index.html\">Documents</a><a href=\"{up}risks.html\">Risks</a><a href=\"{up}components.html\">Components</a><a href=\"{up}entities.html\">Entities</a></nav></header>\n\
<main id=\"main\">\n{body}\n</main>\n<script src=\"{up}assets/search-index.js\"></script>\n<script src=\"{up}assets/site.js\"></script>\n</body>\n</html>\n",
        title = escape(title)
    )
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
    let mut b = String::from("<nav class=\"panel toc\" aria-label=\"Table of contents\"><h2>Contents</h2><ul>");
    for s in doc.sections.iter().filter(|s| s.level >= 2 && s.level <= 3) {
        let _ = write!(
            b,
            "<li class=\"l{}\"><a href=\"#{}\">{}</a></li>",
            s.level,
            escape(&s.anchor),
            escape(&s.title)
        );
    }
    b.push_str("</ul></nav>\n");
    b
}

/// A status badge (unknown statuses get a neutral style).
pub fn badge(status: &str) -> String {
    let known = designdoc_check::lifecycle::STATUSES.contains(&status);
    let class = if known { status } else { "unknown" };
    let label = if status.is_empty() { "no status" } else { status };
    format!("<span class=\"badge {class}\">{}</span>", escape(label))
}

fn info(p: &PageInput) -> DocInfo {
    let doc = p.doc;
    let values = |k: &str| doc.meta(k).map(|f| f.values.clone()).unwrap_or_default();
    let title = doc.title().unwrap_or_else(|| p.rel_path.clone());
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
        title,
        status: doc.status().unwrap_or_default(),
        authors: values("authors"),
        tags: values("tags"),
        id: doc.meta("id").map(|f| f.first().to_string()).unwrap_or_default(),
        updated: doc
            .meta("updated")
            .or_else(|| doc.meta("created"))
            .map(|f| f.first().to_string())
            .or_else(|| p.modified.clone())
            .unwrap_or_default(),
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
}

/// The HTML of doc page `i`.
pub fn render_page(pages: &[PageInput], index: &SiteIndex, i: usize) -> SiteFile {
    let info = &index.docs[i];
    (info.url.clone(), doc_page(&pages[i], info, &index.docs))
}

/// The index, the registers and the assets (everything but the doc pages).
pub fn shared_files(pages: &[PageInput], index: &SiteIndex, live_reload: bool) -> Vec<SiteFile> {
    let infos = &index.docs;
    let mut files: Vec<SiteFile> = vec![
        ("index.html".to_string(), index_page(infos)),
        ("risks.html".to_string(), risks_page(pages, infos)),
        ("components.html".to_string(), components_page(pages, infos)),
        ("entities.html".to_string(), entities_page(pages, infos)),
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
const LIVE_RELOAD: &str = "(function () {\n  var seen = null;\n  function poll() {\n    fetch('/__designdoc/version?seen=' + (seen === null ? '' : seen), { cache: 'no-store' })\n      .then(function (r) { return r.text(); })\n      .then(function (v) { if (seen !== null && v !== seen) { location.reload(); return; } seen = v; poll(); })\n      .catch(function () { setTimeout(poll, 1000); });\n  }\n  poll();\n})();\n";

/// Builds every file of the site (no caching; see `render_page` for incremental builds).
pub fn build_site(pages: &[PageInput]) -> Vec<SiteFile> {
    let index = SiteIndex::new(pages);
    let mut files: Vec<SiteFile> = (0..pages.len()).map(|i| render_page(pages, &index, i)).collect();
    files.extend(shared_files(pages, &index, false));
    files
}

fn index_page(infos: &[DocInfo]) -> String {
    let mut statuses: Vec<&str> = infos
        .iter()
        .map(|i| i.status.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    statuses.sort_unstable();
    statuses.dedup();
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>Design documents</h1>\n<p><span id=\"shown-count\">{}</span> of {} documents.</p>\n",
        infos.len(),
        infos.len()
    );
    b.push_str("<form class=\"filters\" role=\"search\" aria-label=\"Filter documents\">\n<label>Status<select id=\"filter-status\"><option value=\"\">any</option>");
    for s in statuses {
        let _ = write!(b, "<option value=\"{0}\">{0}</option>", escape(s));
    }
    b.push_str("</select></label>\n<label>Author<input id=\"filter-author\" type=\"search\"></label>\n<label>Tag<input id=\"filter-tag\" type=\"search\"></label>\n<label>Search<input id=\"filter-q\" type=\"search\" placeholder=\"title or text\"></label>\n</form>\n");
    b.push_str("<table id=\"docs\" class=\"sortable\">\n<caption class=\"sr-only\">All design documents</caption>\n<thead><tr><th scope=\"col\"><button>Id</button></th><th scope=\"col\"><button>Title</button></th><th scope=\"col\"><button>Status</button></th><th scope=\"col\"><button>Authors</button></th><th scope=\"col\"><button>Updated</button></th><th scope=\"col\">Tags</th><th scope=\"col\"><button>Findings</button></th></tr></thead>\n<tbody>\n");
    for i in infos {
        let _ = writeln!(
            b,
            "<tr data-url=\"{url}\" data-status=\"{status}\" data-authors=\"{authors_l}\" data-tags=\"{tags_l}\" data-title=\"{title_l}\"><td>{id}</td><td><a href=\"{url}\">{title}</a></td><td>{badge}</td><td>{authors}</td><td>{updated}</td><td>{tags}</td><td class=\"counts\" data-sort=\"{sort:06}\">{errors} errors, {warnings} warnings</td></tr>",
            url = escape(&i.url),
            status = escape(&i.status),
            authors_l = escape(&i.authors.join(", ").to_lowercase()),
            tags_l = escape(&i.tags.iter().map(|t| t.to_lowercase()).collect::<Vec<_>>().join(",")),
            title_l = escape(&i.title.to_lowercase()),
            id = escape(&i.id),
            title = escape(&i.title),
            badge = badge(&i.status),
            authors = escape(&i.authors.join(", ")),
            updated = escape(&i.updated),
            tags = escape(&i.tags.join(", ")),
            sort = i.errors * 1000 + i.warnings,
            errors = i.errors,
            warnings = i.warnings,
        );
    }
    b.push_str("</tbody>\n</table>\n");
    layout("index.html", "Design documents", &b)
}

/// What rendering one document may cost.
#[derive(Clone, Debug)]
pub struct RenderBudget {
    /// Bounds for each diagram.
    pub diagram: DiagramLimits,
    /// Wall time for all diagrams of one document together; diagrams left when it is spent
    /// are shown as source.
    pub document_time: std::time::Duration,
}

impl Default for RenderBudget {
    fn default() -> Self {
        RenderBudget {
            diagram: DiagramLimits::default(),
            document_time: std::time::Duration::from_secs(2),
        }
    }
}

/// Markup nesting kept in a page. Deeper lists, quotes and emphasis keep their text but
/// lose their markup: browsers and HTML parsers (ammonia's included) slow down
/// superlinearly with depth, and nobody reads a 33rd level as structure.
pub const MAX_MARKUP_DEPTH: usize = 32;

/// Drops start and end tags nested deeper than [`MAX_MARKUP_DEPTH`], keeping their text
/// (a line break where a block ended, so words do not run together).
struct DepthLimited<'a, I: Iterator<Item = Event<'a>>> {
    inner: I,
    /// For each open tag: whether it was passed on.
    open: Vec<bool>,
    /// Elements opened and not closed by raw HTML so far.
    raw_open: usize,
    /// Every piece of raw HTML is shown as text.
    raw_as_text: bool,
    /// Whether any raw HTML was passed on (without it, nesting is already bounded here
    /// and the page need not be measured again).
    saw_raw_html: bool,
}

/// The deepest element nesting a page may reach as a browser parses it (Markdown nesting is
/// capped at [`MAX_MARKUP_DEPTH`] first; this catches raw HTML the cap cannot see).
const MAX_HTML_DEPTH: usize = 2 * MAX_MARKUP_DEPTH;

/// HTML elements that have no end tag.
const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
];

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for DepthLimited<'a, I> {
    type Item = Event<'a>;
    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let event = self.inner.next()?;
            match event {
                Event::Start(_) => {
                    let keep = self.open.len() < MAX_MARKUP_DEPTH;
                    self.open.push(keep);
                    if keep {
                        return Some(event);
                    }
                }
                Event::End(_) => {
                    if self.open.pop().unwrap_or(true) {
                        return Some(event);
                    }
                    return Some(Event::SoftBreak);
                }
                // Raw HTML that would nest deeper than the limit is shown as text.
                Event::Html(h) | Event::InlineHtml(h) if self.raw_as_text => return Some(Event::Text(h)),
                Event::Html(ref h) | Event::InlineHtml(ref h) => {
                    let mut depth = self.raw_open;
                    let mut deepest = depth;
                    for piece in crate::diagram::pieces(h) {
                        match piece {
                            crate::diagram::Piece::Start {
                                name,
                                self_closing: false,
                                ..
                            } if !VOID_ELEMENTS.iter().any(|v| v.eq_ignore_ascii_case(name)) => {
                                depth += 1;
                                deepest = deepest.max(depth);
                            }
                            crate::diagram::Piece::End(_) => depth = depth.saturating_sub(1),
                            _ => {}
                        }
                    }
                    if self.open.len() + deepest >= MAX_MARKUP_DEPTH {
                        return Some(Event::Text(h.clone()));
                    }
                    self.raw_open = depth;
                    // Only markup that could open an element can nest (a comment cannot;
                    // `<!--> <div>` holds a `<d` and counts).
                    self.saw_raw_html |= h
                        .as_bytes()
                        .windows(2)
                        .any(|w| w[0] == b'<' && w[1].is_ascii_alphabetic());
                    return Some(event);
                }
                other => return Some(other),
            }
        }
    }
}

/// Markdown body -> sanitized HTML with heading anchors, `.md` links pointing at pages, and
/// mermaid blocks replaced by inline SVG (inserted after sanitizing; the SVG has its own
/// sanitizer). Default budget.
pub fn body_html(p: &PageInput) -> String {
    body_html_with(p, &RenderBudget::default())
}

/// [`body_html`] under an explicit budget.
pub fn body_html_with(p: &PageInput, budget: &RenderBudget) -> String {
    body_html_checked(p, budget).0
}

/// [`body_html_with`], and whether every diagram got its final form: `false` when one was
/// not drawn for lack of time (its budget or the document's), so the page is worth
/// rendering again later.
pub fn body_html_checked(p: &PageInput, budget: &RenderBudget) -> (String, bool) {
    let mut complete = true;
    let deadline = std::time::Instant::now() + budget.document_time;
    let body = &p.source[p.doc.body_start.min(p.source.len())..];
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM;
    // A token the document cannot know, so a doc cannot forge a diagram slot.
    let nonce = format!(
        "{:016x}",
        fnv(p.source) ^ 0x5bd1_e995_u64.wrapping_mul(std::process::id() as u64 + 1)
    );
    // Raw HTML can nest without end (`<div>` x 50,000, hidden behind `<!-->`): when the
    // page would nest deeper than a browser's parser handles in linear time, it is made
    // again with raw HTML shown as text (diagrams drawn the first time are kept).
    let mut raw_as_text = false;
    let mut drawn_before: Vec<String> = Vec::new();
    let read_as = designdoc_model::github_compatible(body);
    let (html, diagrams) = loop {
        let mut diagrams: Vec<String> = Vec::new();
        let mut events: Vec<Event> = Vec::new();
        let mut in_mermaid: Option<String> = None;
        let mut in_code: Option<(String, String)> = None;
        let mut heading: Option<(pulldown_cmark::HeadingLevel, Vec<Event>)> = None;
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut events_in = DepthLimited {
            inner: Parser::new_ext(&read_as, opts),
            open: Vec::new(),
            raw_open: 0,
            raw_as_text,
            saw_raw_html: false,
        };
        for event in events_in.by_ref() {
            if let Some(code) = &mut in_mermaid {
                match event {
                    Event::Text(t) => code.push_str(&t),
                    Event::End(TagEnd::CodeBlock) => {
                        let src = in_mermaid.take().unwrap_or_default();
                        let k = diagrams.len();
                        if let Some(figure) = drawn_before.get(k) {
                            diagrams.push(figure.clone());
                            events.push(Event::Html(CowStr::from(format!("<p>DDSLOT{nonce}N{k}E</p>"))));
                            continue;
                        }
                        let left = deadline.saturating_duration_since(std::time::Instant::now());
                        let drawn = if left.is_zero() {
                            complete = false;
                            Err(format!(
                                "not drawn: the document's drawing budget of {} ms is spent",
                                budget.document_time.as_millis()
                            ))
                        } else {
                            let limits = DiagramLimits {
                                time: budget.diagram.time.min(left),
                                ..budget.diagram.clone()
                            };
                            render_svg_with(&src, &limits).map_err(|e| {
                                if matches!(e, crate::diagram::DiagramError::Overrun(_)) {
                                    complete = false;
                                }
                                e.to_string()
                            })
                        };
                        diagrams.push(match drawn {
                        Ok(svg) => format!("<figure class=\"diagram\" role=\"img\" aria-label=\"Diagram {}\">{svg}</figure>", k + 1),
                        Err(e) => format!("<div class=\"diagram-error\" role=\"note\">Diagram {} cannot be drawn: {}</div><pre><code>{}</code></pre>", k + 1, escape(&e), escape(&src)),
                    });
                        events.push(Event::Html(CowStr::from(format!("<p>DDSLOT{nonce}N{k}E</p>"))));
                    }
                    _ => {}
                }
                continue;
            }
            if let Some((_, code)) = &mut in_code {
                match event {
                    Event::Text(t) => code.push_str(&t),
                    Event::End(TagEnd::CodeBlock) => {
                        let (lang, code) = in_code.take().unwrap_or_default();
                        let class = if lang.is_empty() {
                            String::new()
                        } else {
                            format!(" class=\"language-{}\"", escape(&lang))
                        };
                        let html = format!(
                            "<pre><code{class}>{}</code></pre>\n",
                            crate::highlight::highlight(&lang, &code)
                        );
                        push(&mut heading, &mut events, Event::Html(CowStr::from(html)));
                    }
                    _ => {}
                }
                continue;
            }
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                    if info.split_whitespace().next() == Some("mermaid") =>
                {
                    in_mermaid = Some(String::new());
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => info
                            .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                            .next()
                            .unwrap_or("")
                            .to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    in_code = Some((lang, String::new()));
                }
                Event::Start(Tag::Heading { level, .. }) => heading = Some((level, Vec::new())),
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((level, inner)) = heading.take() {
                        let text: String = inner
                            .iter()
                            .filter_map(|e| match e {
                                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                                _ => None,
                            })
                            .collect();
                        let base = slug(text.trim());
                        let n = seen.entry(base.clone()).or_insert(0);
                        let anchor = if *n == 0 { base } else { format!("{base}-{n}") };
                        *n += 1;
                        let mut inner_html = String::new();
                        pulldown_cmark::html::push_html(&mut inner_html, inner.into_iter());
                        events.push(Event::Html(CowStr::from(format!(
                        "<{level} id=\"{a}\">{inner_html}<a class=\"anchor\" href=\"#{a}\" aria-label=\"Link to this section\">#</a></{level}>\n",
                        a = escape(&anchor)
                    ))));
                    }
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let dest = rewrite_md_link(&dest_url);
                    let e = Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from(dest),
                        title,
                        id,
                    });
                    push(&mut heading, &mut events, e);
                }
                other => push(&mut heading, &mut events, other),
            }
        }
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        if !raw_as_text && events_in.saw_raw_html && crate::diagram::max_open_depth(&html) > MAX_HTML_DEPTH {
            raw_as_text = true;
            drawn_before = diagrams;
            continue;
        }
        break (html, diagrams);
    };
    let clean = sanitizer().clean(&html).to_string();
    (fill_slots(&clean, &format!("<p>DDSLOT{nonce}N"), &diagrams), complete)
}

/// Replaces each `{prefix}{k}E</p>` slot by `diagrams[k]` in one pass (a slot the
/// document could not have forged, since it cannot know the prefix's nonce).
fn fill_slots(html: &str, prefix: &str, diagrams: &[String]) -> String {
    let mut out = String::with_capacity(html.len() + diagrams.iter().map(String::len).sum::<usize>());
    let mut rest = html;
    while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at]);
        let after = &rest[at + prefix.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let slot = after[..digits].parse::<usize>().ok().and_then(|k| diagrams.get(k));
        match (slot, after[digits..].strip_prefix("E</p>")) {
            (Some(diagram), Some(tail)) => {
                out.push_str(diagram);
                rest = tail;
            }
            _ => {
                out.push_str(prefix);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn push<'a>(
    heading: &mut Option<(pulldown_cmark::HeadingLevel, Vec<Event<'a>>)>,
    events: &mut Vec<Event<'a>>,
    e: Event<'a>,
) {
    match heading {
        Some((_, inner)) => inner.push(e),
        None => events.push(e),
    }
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `other.md#x` -> `other.html#x` for relative links; everything else unchanged.
fn rewrite_md_link(dest: &str) -> String {
    let is_relative =
        !dest.contains("://") && !dest.starts_with('#') && !dest.starts_with('/') && !dest.starts_with("mailto:");
    if !is_relative {
        return dest.to_string();
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, format!("#{a}")),
        None => (dest, String::new()),
    };
    match path.strip_suffix(".md") {
        Some(stem) => format!("{stem}.html{anchor}"),
        None => dest.to_string(),
    }
}

fn sanitizer() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.add_tag_attributes("h1", &["id"])
        .add_tag_attributes("h2", &["id"])
        .add_tag_attributes("h3", &["id"]);
    b.add_tag_attributes("h4", &["id"])
        .add_tag_attributes("h5", &["id"])
        .add_tag_attributes("h6", &["id"]);
    b.add_tag_attributes("a", &["class", "aria-label"]);
    b.add_tag_attributes("code", &["class"]);
    b.add_tag_attributes("span", &["class"]);
    b.add_tag_attributes("input", &["type", "checked", "disabled"]);
    b.add_tags(&["input"]);
    b.id_prefix(None);
    b
}

fn section_anchor(doc: &Document, offset: usize) -> Option<&str> {
    doc.sections
        .iter()
        .rev()
        .find(|s| s.heading_span.start <= offset)
        .map(|s| s.anchor.as_str())
}

fn doc_page(p: &PageInput, i: &DocInfo, infos: &[DocInfo]) -> String {
    let doc = p.doc;
    let mut b = String::new();
    // The document's own `#` heading is the page title; without one we add it.
    let title_anchor = doc.sections.first().filter(|s| s.level == 1).map(|s| s.anchor.clone());
    let labelled_by = title_anchor.clone().unwrap_or_else(|| "doc-title".to_string());
    let _ = writeln!(
        b,
        "<div class=\"layout\">\n<article aria-labelledby=\"{}\">",
        escape(&labelled_by)
    );
    if title_anchor.is_none() {
        let _ = writeln!(b, "<h1 id=\"doc-title\">{}</h1>", escape(&i.title));
    }
    b.push_str(&body_html(p));
    b.push_str("</article>\n<aside aria-label=\"Document details\">\n<section class=\"panel\"><h2>Details</h2><dl class=\"meta\">");
    let _ = write!(b, "<dt>Status</dt><dd>{}</dd>", badge(&i.status));
    let row = |b: &mut String, k: &str, v: &str| {
        if !v.is_empty() {
            let _ = write!(b, "<dt>{k}</dt><dd>{}</dd>", escape(v));
        }
    };
    row(&mut b, "Id", &i.id);
    row(&mut b, "Authors", &i.authors.join(", "));
    row(&mut b, "Updated", &i.updated);
    row(&mut b, "Tags", &i.tags.join(", "));
    for key in ["supersedes", "superseded_by"] {
        if let Some(f) = doc.meta(key) {
            let label = if key == "supersedes" {
                "Supersedes"
            } else {
                "Superseded by"
            };
            let links: Vec<String> = f
                .values
                .iter()
                .map(|v| match find_doc(infos, v) {
                    Some(target) => format!(
                        "<a href=\"{}{}\">{}</a>",
                        depth_prefix(&i.url),
                        escape(&target.url),
                        escape(&target.title)
                    ),
                    None => escape(v),
                })
                .collect();
            let _ = write!(b, "<dt>{label}</dt><dd>{}</dd>", links.join(", "));
        }
    }
    let _ = write!(b, "<dt>Source</dt><dd>{}</dd>", escape(&p.rel_path));
    b.push_str("</dl></section>\n");
    b.push_str(&toc_html(doc));
    let _ = write!(
        b,
        "<section class=\"panel findings\" aria-label=\"Findings\"><h2>Findings ({})</h2>",
        p.diagnostics.len()
    );
    if p.diagnostics.is_empty() {
        b.push_str("<p>None: the document matches its template.</p>");
    } else {
        b.push_str("<ul>");
        for d in p.diagnostics {
            let target = section_anchor(doc, d.span.start)
                .map(|a| format!(" <a href=\"#{}\">in section</a>", escape(a)))
                .unwrap_or_default();
            let _ = write!(
                b,
                "<li class=\"finding {}\"><strong>{}</strong> {}{target}</li>",
                d.level.as_str(),
                d.code,
                escape(&d.message)
            );
        }
        b.push_str("</ul>");
    }
    b.push_str("</section>\n</aside>\n</div>\n");
    layout(&i.url, &i.title, &b)
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

fn doc_link(i: &DocInfo) -> String {
    format!("<a href=\"{}\">{}</a>", escape(&i.url), escape(&i.title))
}

fn risks_page(pages: &[PageInput], infos: &[DocInfo]) -> String {
    use designdoc_check::registers::{rank, risks};
    let mut rows: Vec<(u8, u8, String)> = Vec::new();
    for (p, i) in pages.iter().zip(infos) {
        for r in risks(p.doc) {
            rows.push((
                rank(&r.impact),
                rank(&r.likelihood),
                format!(
                    "<tr><td>{}</td><td data-sort=\"{}\">{}</td><td data-sort=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&r.risk),
                    rank(&r.impact),
                    escape(&r.impact),
                    rank(&r.likelihood),
                    escape(&r.likelihood),
                    escape(&r.mitigation),
                    doc_link(i)
                ),
            ));
        }
    }
    rows.sort_by_key(|r| (r.0, r.1));
    let mut b = format!(
        "<h1>Risk register</h1>\n<p>{} risks across all documents, highest impact first.</p>\n",
        rows.len()
    );
    b.push_str("<table class=\"sortable\" id=\"risks\"><caption class=\"sr-only\">All risks</caption><thead><tr><th scope=\"col\"><button>Risk</button></th><th scope=\"col\"><button>Impact</button></th><th scope=\"col\"><button>Likelihood</button></th><th scope=\"col\">Mitigation</th><th scope=\"col\"><button>Document</button></th></tr></thead><tbody>\n");
    for (_, _, r) in rows {
        b.push_str(&r);
        b.push('\n');
    }
    b.push_str("</tbody></table>\n");
    layout("risks.html", "Risk register", &b)
}

fn components_page(pages: &[PageInput], infos: &[DocInfo]) -> String {
    let mut rows = Vec::new();
    for (p, i) in pages.iter().zip(infos) {
        for comp in designdoc_check::registers::components(p.doc) {
            rows.push((
                comp.name.to_lowercase(),
                format!(
                    "<tr><td><a href=\"{}#{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                    escape(&i.url),
                    escape(&comp.anchor),
                    escape(&comp.name),
                    escape(&comp.purpose),
                    doc_link(i)
                ),
            ));
        }
    }
    rows.sort();
    let mut b = format!(
        "<h1>Components</h1>\n<p>{} components described across all documents.</p>\n",
        rows.len()
    );
    b.push_str("<table class=\"sortable\"><caption class=\"sr-only\">All components</caption><thead><tr><th scope=\"col\"><button>Component</button></th><th scope=\"col\">Purpose</th><th scope=\"col\"><button>Document</button></th></tr></thead><tbody>\n");
    for (_, r) in rows {
        b.push_str(&r);
        b.push('\n');
    }
    b.push_str("</tbody></table>\n");
    layout("components.html", "Components", &b)
}

fn entities_page(pages: &[PageInput], infos: &[DocInfo]) -> String {
    // entity name -> (defined in, used in)
    let mut map: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for (p, i) in pages.iter().zip(infos) {
        for e in designdoc_check::registers::entities(p.doc) {
            let entry = map.entry(e.name).or_default();
            let list = if e.defined { &mut entry.0 } else { &mut entry.1 };
            let link = doc_link(i);
            if !list.contains(&link) {
                list.push(link);
            }
        }
    }
    let mut b = format!(
        "<h1>Entities</h1>\n<p>{} entities from the ER diagrams of all documents.</p>\n",
        map.len()
    );
    b.push_str("<table class=\"sortable\"><caption class=\"sr-only\">All entities</caption><thead><tr><th scope=\"col\"><button>Entity</button></th><th scope=\"col\">Defined in</th><th scope=\"col\">Used in</th></tr></thead><tbody>\n");
    for (name, (defined, used)) in &map {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            defined.join(", "),
            used.join(", ")
        );
    }
    b.push_str("</tbody></table>\n");
    layout("entities.html", "Entities", &b)
}
