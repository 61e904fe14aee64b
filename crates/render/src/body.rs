//! A document's Markdown body as sanitized HTML: heading anchors, `.md` links pointing at
//! pages, highlighted code, and mermaid blocks drawn as inline SVG within a time budget.
//! Nesting is capped so no page makes a browser's parser slow.

use crate::diagram::{DiagramLimits, render_svg_with};
use crate::site::{PageInput, fnv};
use designdoc_model::slug;
use maud::{Markup, PreEscaped, html};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;

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
        let mut headings_met = 0;
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
                            events.push(Event::Html(CowStr::from(slot(&nonce, k).into_string())));
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
                        diagrams.push(diagram(k + 1, &src, drawn).into_string());
                        events.push(Event::Html(CowStr::from(slot(&nonce, k).into_string())));
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
                        let html = html! {
                            pre { code class=[(!lang.is_empty()).then(|| format!("language-{lang}"))] {
                                (crate::highlight::highlighted(&lang, &code))
                            } }
                            "\n"
                        }
                        .into_string();
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
                        let counted = if *n == 0 { base.clone() } else { format!("{base}-{n}") };
                        *n += 1;
                        // The model's anchor for the n-th heading (the one anchor rule, which
                        // the contents, the store and review comments use); our own count
                        // only if the two readings ever disagree on which heading this is.
                        let anchor = p
                            .doc
                            .heading_anchors
                            .get(headings_met)
                            .filter(|a| {
                                *a == &base || a.strip_prefix(base.as_str()).is_some_and(|rest| rest.starts_with('-'))
                            })
                            .cloned()
                            .unwrap_or(counted);
                        headings_met += 1;
                        // The heading as pulldown-cmark writes it (it escapes the id), with a
                        // link to itself before its end.
                        events.push(Event::Start(Tag::Heading {
                            level,
                            id: Some(CowStr::from(anchor.clone())),
                            classes: Vec::new(),
                            attrs: Vec::new(),
                        }));
                        events.extend(inner);
                        let link = html! {
                            a.anchor href={ "#" (anchor) } aria-label="Link to this section" { "#" }
                        };
                        events.push(Event::InlineHtml(CowStr::from(link.into_string())));
                        events.push(Event::End(TagEnd::Heading(level)));
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
    (
        fill_slots(&clean, &slot(&nonce, usize::MAX).into_string(), &diagrams),
        complete,
    )
}

/// Replaces each slot (made by [`slot`], like `any_slot`) by `diagrams[k]` in one pass (a slot the
/// document could not have forged, since it cannot know the prefix's nonce).
fn fill_slots(html: &str, any_slot: &str, diagrams: &[String]) -> String {
    // A slot is `{prefix}{k}{suffix}`; the nonce is hex, so the last `N` ends the prefix.
    let prefix = any_slot.rfind('N').map_or(any_slot, |at| &any_slot[..=at]);
    let suffix = any_slot[prefix.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
    let mut out = String::with_capacity(html.len() + diagrams.iter().map(String::len).sum::<usize>());
    let mut rest = html;
    while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at]);
        let after = &rest[at + prefix.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let slot = after[..digits].parse::<usize>().ok().and_then(|k| diagrams.get(k));
        match (slot, after[digits..].strip_prefix(suffix)) {
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

/// The placeholder standing for diagram `k` until the sanitized page gets it back: a
/// paragraph the sanitizer keeps as it is, whose nonce the document cannot know.
fn slot(nonce: &str, k: usize) -> Markup {
    html! { p { "DDSLOT" (nonce) "N" (k) "E" } }
}

/// Diagram number `n`: its SVG, or why it is not drawn and its source.
fn diagram(n: usize, src: &str, drawn: Result<String, String>) -> Markup {
    match drawn {
        Ok(svg) => html! {
            figure.diagram role="img" aria-label={ "Diagram " (n) } {
                // Safe unescaped: `render_svg_with` returns only what the SVG sanitizer
                // let through (and re-read for active content).
                (PreEscaped(svg))
            }
        },
        Err(why) => html! {
            div.diagram-error role="note" { "Diagram " (n) ": " (why) }
            pre { code { (src) } }
        },
    }
}

/// A review comment's Markdown as sanitized HTML: GitHub's flavour (tables, task lists,
/// strikethrough, autolinks), raw HTML shown as text, headings drawn as bold paragraphs
/// (a comment's `#` must not compete with the document's outline), links marked
/// `rel="nofollow noopener noreferrer"`, no images (a comment cannot make readers' browsers
/// fetch anything), nesting capped like a page's. Mermaid blocks stay code.
pub fn comment_html(markdown: &str) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_GFM;
    let events = DepthLimited {
        inner: Parser::new_ext(markdown, opts),
        open: Vec::new(),
        raw_open: 0,
        raw_as_text: true,
        saw_raw_html: false,
    }
    .map(|event| match event {
        Event::Start(Tag::Heading { .. }) => Event::Html(CowStr::Borrowed("<p><strong>")),
        Event::End(TagEnd::Heading(_)) => Event::Html(CowStr::Borrowed("</strong></p>")),
        // The image's description stays as text.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => Event::Text(CowStr::Borrowed("")),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events);
    let mut clean = ammonia::Builder::default();
    clean
        .rm_tags(&["img"])
        .add_tags(&["input"])
        .add_tag_attributes("input", &["type", "checked", "disabled"])
        .link_rel(Some("nofollow noopener noreferrer"))
        .id_prefix(None);
    clean.clean(&html).to_string()
}

#[cfg(test)]
mod comment_tests {
    use super::comment_html;

    fn check(markdown: &str, expect: &str) {
        assert_eq!(comment_html(markdown).trim(), expect, "for {markdown:?}");
    }

    #[test]
    fn comments_are_markdown_without_anything_active() {
        check(
            "Use **bold** and `code`",
            "<p>Use <strong>bold</strong> and <code>code</code></p>",
        );
        check(
            "<script>alert(1)</script> hi",
            "&lt;script&gt;alert(1)&lt;/script&gt; hi",
        );
        check(
            "[x](javascript:alert(1)) [y](https://example.com)",
            "<p><a rel=\"nofollow noopener noreferrer\">x</a> <a href=\"https://example.com\" rel=\"nofollow noopener noreferrer\">y</a></p>",
        );
        check("![tracker](https://evil.example/p.gif)", "<p>tracker</p>");
        check("# Shouting", "<p><strong>Shouting</strong></p>");
        check(
            "- [x] done",
            "<ul>\n<li><input disabled=\"\" type=\"checkbox\" checked=\"\">\ndone</li>\n</ul>",
        );
    }

    #[test]
    fn deep_nesting_keeps_its_text_but_not_its_depth() {
        let deep = format!("{}deep", "> ".repeat(5_000));
        let html = comment_html(&deep);
        assert!(html.contains("deep"));
        assert!(html.matches("<blockquote>").count() <= super::MAX_MARKUP_DEPTH);
    }
}
