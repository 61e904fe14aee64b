//! The hub's HTML pages: index with filters, doc page (stored rendered body with its
//! diagrams, contents, details, findings), history, diff, search and the registers. All
//! text is escaped; doc bodies were sanitized when rendered. No script at all: filters and
//! search are plain GET forms.

use super::api::{ApiError, DiffQuery, ListQuery, diff_pair};
use super::auth::Caller;
use super::{Hub, RENDERER, check_and_render};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use designdoc_render::site::{CSS, badge, escape};
use designdoc_store::Role;
use designdoc_store::{DiffLine, DocFilter, DocumentRow};
use std::fmt::Write;
use std::sync::Arc;

type Shared = State<Arc<Hub>>;
type Page = Result<Html<String>, ApiError>;

/// Styles the hub adds to the site's.
const HUB_CSS: &str = ".pager{display:flex;gap:1rem;margin:1rem 0}.diff{font-family:ui-monospace,monospace;font-size:.85rem;white-space:pre-wrap;border:1px solid #8884;padding:.5rem}\
.diff .add{background:#2a28;display:block}.diff .del{background:#c334;display:block}.diff .gap{color:#888;display:block}.history-form{display:flex;gap:.5rem;align-items:end;margin:1rem 0}\
form.inline,form.signout{display:inline-block;margin:0 .5rem .5rem 0}.thread{border-left:3px solid #8886;padding-left:.75rem;margin:1rem 0}.thread.resolved{opacity:.65}\
.comment .meta,p.meta{color:#777;font-size:.85rem;margin:.25rem 0}#review,#comments{margin-top:1.5rem}textarea{width:100%;min-height:4rem}";

pub async fn css() -> Response {
    let mut r = format!("{CSS}\n{HUB_CSS}\n").into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    r
}

/// The page frame: header navigation with the caller's account links (sign out is a form
/// post carrying the CSRF token), then the body.
pub fn layout(caller: &Caller, title: &str, body: &str) -> Html<String> {
    let account = match (&caller.user, caller.csrf()) {
        (Some(u), Some(csrf)) => format!(
            "{}<a href=\"/account\" id=\"signed-in\">{}</a><form class=\"signout\" method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\">Sign out</button></form>",
            if u.role == Role::Admin {
                "<a href=\"/admin\">Admin</a>"
            } else {
                ""
            },
            escape(&u.username),
            escape(csrf)
        ),
        (Some(u), None) => format!("<span id=\"signed-in\">{}</span>", escape(&u.username)),
        (None, _) => "<a href=\"/login\">Sign in</a>".to_string(),
    };
    Html(format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title} · designdoc hub</title>\n<link rel=\"stylesheet\" href=\"/assets/site.css\">\n</head>\n<body>\n\
<header class=\"site\" role=\"banner\"><a class=\"brand\" href=\"/\">designdoc hub</a>\n<nav aria-label=\"Site\"><a href=\"/\">Documents</a><a href=\"/search\">Search</a><a href=\"/risks\">Risks</a><a href=\"/components\">Components</a><a href=\"/entities\">Entities</a><a href=\"/api/v1/openapi.json\">API</a>{account}</nav></header>\n\
<main id=\"main\">\n{body}\n</main>\n</body>\n</html>\n",
        title = escape(title)
    ))
}

/// `/doc/...` URL of a document, each path segment percent-encoded.
pub fn doc_url(prefix: &str, space: &str, path: &str) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!("/{prefix}/{}/{}", enc(space), enc(path))
}

/// A query string value, percent-encoded.
pub fn q(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn millis_to_date(ms: i64) -> String {
    let secs = u64::try_from(ms / 1000).unwrap_or(0);
    let day = secs % 86_400;
    format!(
        "{} {:02}:{:02} UTC",
        designdoc_model::civil_date(secs),
        day / 3600,
        day / 60 % 60
    )
}

fn doc_rows(docs: &[DocumentRow]) -> String {
    let mut b = String::from(
        "<table id=\"docs\"><thead><tr><th scope=\"col\">Space</th><th scope=\"col\">Id</th><th scope=\"col\">Title</th><th scope=\"col\">Status</th><th scope=\"col\">Authors</th><th scope=\"col\">Tags</th><th scope=\"col\">Updated</th><th scope=\"col\">Revision</th></tr></thead><tbody>\n",
    );
    for d in docs {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&d.space),
            escape(&d.doc_key),
            escape(&doc_url("doc", &d.space, &d.path)),
            escape(&d.title),
            badge(&d.status),
            escape(&d.authors.join(", ")),
            escape(&d.tags.join(", ")),
            millis_to_date(d.updated_at),
            d.current_revision
        );
    }
    b.push_str("</tbody></table>\n");
    b
}

const PAGE_SIZE: i64 = 100;

pub async fn index(State(hub): Shared, caller: Caller, Query(query): Query<ListQuery>) -> Page {
    let mut filter = query.filter();
    filter.limit = Some(PAGE_SIZE);
    let offset = filter.offset.unwrap_or(0).max(0);
    let err = |e| ApiError::store(&hub, e);
    let docs = hub.store.documents(&filter, &caller.visibility).await.map_err(err)?;
    let total = hub
        .store
        .count_documents(&filter, &caller.visibility)
        .await
        .map_err(err)?;
    let spaces = hub.store.spaces(&caller.visibility).await.map_err(err)?;
    let mut b = String::from("<h1>Design documents</h1>\n");
    b.push_str("<form class=\"filters\" method=\"get\" action=\"/\" role=\"search\" aria-label=\"Filter documents\">\n<label>Space<select name=\"space\"><option value=\"\">any</option>");
    for s in &spaces {
        let sel = if filter.space.as_deref() == Some(s.name.as_str()) {
            " selected"
        } else {
            ""
        };
        let _ = write!(b, "<option{sel}>{}</option>", escape(&s.name));
    }
    b.push_str("</select></label>\n<label>Status<select name=\"status\"><option value=\"\">any</option>");
    for s in designdoc_check::lifecycle::STATUSES {
        let sel = if filter.status.as_deref() == Some(*s) {
            " selected"
        } else {
            ""
        };
        let _ = write!(b, "<option{sel}>{s}</option>");
    }
    let value = |v: &Option<String>| escape(v.as_deref().unwrap_or(""));
    let _ = write!(
        b,
        "</select></label>\n<label>Author<input name=\"author\" type=\"search\" value=\"{}\"></label>\n<label>Tag<input name=\"tag\" type=\"search\" value=\"{}\"></label>\n<button type=\"submit\">Filter</button>\n</form>\n",
        value(&filter.author),
        value(&filter.tag)
    );
    let shown_to = offset + docs.len() as i64;
    let _ = writeln!(
        b,
        "<p id=\"shown-count\">{} of {total} documents{}.</p>",
        docs.len(),
        if total > 0 {
            format!(" (from {} to {shown_to})", offset + 1)
        } else {
            String::new()
        }
    );
    b.push_str(&doc_rows(&docs));
    let link = |off: i64| {
        let mut s = format!("/?offset={off}");
        for (k, v) in [
            ("space", &filter.space),
            ("status", &filter.status),
            ("author", &filter.author),
            ("tag", &filter.tag),
        ] {
            if let Some(v) = v {
                let _ = write!(s, "&{k}={}", q(v));
            }
        }
        escape(&s)
    };
    b.push_str("<nav class=\"pager\" aria-label=\"Pages\">");
    if offset > 0 {
        let _ = write!(
            b,
            "<a rel=\"prev\" href=\"{}\">Previous</a>",
            link((offset - PAGE_SIZE).max(0))
        );
    }
    if shown_to < total {
        let _ = write!(b, "<a rel=\"next\" href=\"{}\">Next</a>", link(shown_to));
    }
    b.push_str("</nav>\n");
    Ok(layout(&caller, "Design documents", &b))
}

/// The doc page. A `.html` path (a relative link rewritten by the renderer) falls back to
/// the `.md` document of the same name.
pub async fn doc(State(hub): Shared, caller: Caller, Path((space, path)): Path<(String, String)>) -> Page {
    let err = |e| ApiError::store(&hub, e);
    let mut id = format!("{space}:{path}");
    let mut found = hub.store.current(&id, &caller.visibility).await.map_err(err)?;
    if let (None, Some(stem)) = (&found, path.strip_suffix(".html")) {
        id = format!("{space}:{stem}.md");
        found = hub.store.current(&id, &caller.visibility).await.map_err(err)?;
    }
    let (d, rev) = found.ok_or_else(|| ApiError::not_found("document"))?;
    let (body, aside) = if rev.renderer == RENDERER {
        (rev.html, rev.aside)
    } else {
        // Rendered by another version (or never): render now and keep it.
        // Off the async threads: rendering may take up to the render budget.
        let job = Arc::clone(&hub);
        let (doc_path, content) = (d.path.clone(), rev.content.clone());
        let r = tokio::task::spawn_blocking(move || {
            check_and_render(&job.checker, &job.render_budget, &doc_path, &content)
        })
        .await
        .map_err(|e| {
            ApiError(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                format!("rendering failed: {e}"),
            )
        })?;
        let renderer = if r.complete { RENDERER } else { super::PARTIAL_RENDERER };
        if let Err(e) = hub.store.set_html(&id, rev.number, &r.body, &r.aside, renderer).await {
            tracing::warn!(error = %e, "cannot store a re-rendered page");
        }
        (r.body, r.aside)
    };
    let mut b = String::with_capacity(body.len() + aside.len() + 2048);
    // The document's own `#` heading is the title; the renderer keeps it in the body.
    let has_title = body.trim_start().starts_with("<h1");
    let _ = writeln!(
        b,
        "<div class=\"layout\">\n<article{}>",
        if has_title {
            ""
        } else {
            " aria-labelledby=\"doc-title\""
        }
    );
    if !has_title {
        let _ = writeln!(b, "<h1 id=\"doc-title\">{}</h1>", escape(&d.title));
    }
    b.push_str(&body);
    b.push_str("</article>\n<aside aria-label=\"Document details\">\n<section class=\"panel\"><h2>Details</h2><dl class=\"meta\">");
    let _ = write!(b, "<dt>Status</dt><dd>{}</dd>", badge(&d.status));
    let row = |b: &mut String, k: &str, v: &str| {
        if !v.is_empty() {
            let _ = write!(b, "<dt>{k}</dt><dd>{}</dd>", escape(v));
        }
    };
    row(&mut b, "Id", &d.doc_key);
    row(&mut b, "Space", &d.space);
    row(&mut b, "Authors", &d.authors.join(", "));
    row(&mut b, "Tags", &d.tags.join(", "));
    let _ = write!(
        b,
        "<dt>Revision</dt><dd>{} · {} by {} · <a href=\"{}\">history</a></dd>",
        rev.number,
        millis_to_date(rev.published_at),
        escape(&rev.published_by),
        escape(&doc_url("history", &d.space, &d.path))
    );
    row(&mut b, "Source", &d.path);
    b.push_str("</dl></section>\n");
    b.push_str(&aside);
    b.push_str("</aside>\n</div>\n");
    // Reviews and comments are for signed-in people; anonymous readers get the page
    // from one query.
    if caller.user.is_some() {
        let (parsed, _) = designdoc_model::parse(&rev.content);
        let sections: Vec<(String, String)> = parsed
            .sections
            .iter()
            .filter(|s| s.level >= 2)
            .map(|s| (s.anchor.clone(), s.title.clone()))
            .collect();
        b.push_str(&super::review::panel(&hub, &caller, &id, &sections).await?);
    }
    Ok(layout(&caller, &d.title, &b))
}

/// The findings panel of a doc page, with line numbers.
pub fn findings_panel(content: &str, findings: &[designdoc_check::Diagnostic]) -> String {
    let mut b = format!(
        "<section class=\"panel findings\"><h2>Findings ({})</h2><ul>",
        findings.len()
    );
    let index = designdoc_model::LineIndex::new(content);
    for f in findings.iter().take(200) {
        let line = index.line_col(content, f.span.start.min(content.len())).line;
        let _ = write!(
            b,
            "<li class=\"finding {}\"><strong>{}</strong> line {line}: {}</li>",
            f.level.as_str(),
            f.code,
            escape(&f.message)
        );
    }
    b.push_str("</ul></section>\n");
    b
}

pub async fn history(State(hub): Shared, caller: Caller, Path((space, path)): Path<(String, String)>) -> Page {
    let id = format!("{space}:{path}");
    let err = |e| ApiError::store(&hub, e);
    let d = hub
        .store
        .document(&id, &caller.visibility)
        .await
        .map_err(err)?
        .ok_or_else(|| ApiError::not_found("document"))?;
    let revs = hub.store.revisions(&id, &caller.visibility).await.map_err(err)?;
    let diff_url = doc_url("diff", &space, &path);
    let mut b = format!(
        "<h1>History of <a href=\"{}\">{}</a></h1>\n",
        escape(&doc_url("doc", &space, &path)),
        escape(&d.title)
    );
    let options = |selected: i64| {
        revs.iter()
            .map(|r| {
                let sel = if r.number == selected { " selected" } else { "" };
                format!("<option{sel}>{}</option>", r.number)
            })
            .collect::<String>()
    };
    let current = d.current_revision;
    let _ = writeln!(
        b,
        "<form class=\"history-form\" method=\"get\" action=\"{}\"><label>From<select name=\"from\">{}</select></label><label>To<select name=\"to\">{}</select></label><button type=\"submit\">Compare</button></form>",
        escape(&diff_url),
        options((current - 1).max(1)),
        options(current)
    );
    b.push_str("<table id=\"revisions\"><thead><tr><th scope=\"col\">Revision</th><th scope=\"col\">Published</th><th scope=\"col\">By</th><th scope=\"col\">Content hash</th><th scope=\"col\">Changes</th></tr></thead><tbody>\n");
    for r in &revs {
        let changes = if r.number > 1 {
            format!(
                "<a href=\"{}\">diff with {}</a>",
                escape(&format!("{diff_url}?from={}&to={}", r.number - 1, r.number)),
                r.number - 1
            )
        } else {
            "first".to_string()
        };
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{changes}</td></tr>",
            r.number,
            millis_to_date(r.published_at),
            escape(&r.published_by),
            escape(r.hash.get(..12).unwrap_or(&r.hash))
        );
    }
    b.push_str("</tbody></table>\n");
    Ok(layout(&caller, &format!("History of {}", d.title), &b))
}

/// Lines of context kept around each change.
const CONTEXT: usize = 3;

pub async fn diff(
    State(hub): Shared,
    caller: Caller,
    Path((space, path)): Path<(String, String)>,
    Query(query): Query<DiffQuery>,
) -> Page {
    let id = format!("{space}:{path}");
    let (a, c) = diff_pair(&hub, &id, &query, &caller.visibility).await?;
    let lines = super::api::diff_off_thread(a.content.clone(), c.content.clone()).await;
    let changed: Vec<bool> = lines.iter().map(|l| !matches!(l, DiffLine::Same(_))).collect();
    let near = |i: usize| {
        let lo = i.saturating_sub(CONTEXT);
        let hi = (i + CONTEXT + 1).min(changed.len());
        changed[lo..hi].iter().any(|&c| c)
    };
    let (mut added, mut removed) = (0, 0);
    let mut body = String::new();
    let mut skipped = 0;
    for (i, l) in lines.iter().enumerate() {
        let (class, sign, text) = match l {
            DiffLine::Same(t) => ("same", ' ', t),
            DiffLine::Added(t) => {
                added += 1;
                ("add", '+', t)
            }
            DiffLine::Removed(t) => {
                removed += 1;
                ("del", '-', t)
            }
        };
        if class == "same" && !near(i) {
            skipped += 1;
            continue;
        }
        if skipped > 0 {
            let _ = writeln!(body, "<span class=\"gap\">… {skipped} unchanged lines</span>");
            skipped = 0;
        }
        let _ = writeln!(body, "<span class=\"{class}\">{sign} {}</span>", escape(text));
    }
    if skipped > 0 {
        let _ = writeln!(body, "<span class=\"gap\">… {skipped} unchanged lines</span>");
    }
    let b = format!(
        "<h1>Revision {} → {} of <a href=\"{}\">{}</a></h1>\n<p id=\"diff-summary\">{added} lines added, {removed} removed. <a href=\"{}\">All revisions</a></p>\n<pre class=\"diff\">{body}</pre>\n",
        a.number,
        c.number,
        escape(&doc_url("doc", &space, &path)),
        escape(&path),
        escape(&doc_url("history", &space, &path)),
    );
    Ok(layout(&caller, &format!("Diff of {path}"), &b))
}

pub async fn search(State(hub): Shared, caller: Caller, Query(query): Query<ListQuery>) -> Page {
    let text = query.q.clone().unwrap_or_default();
    let mut b = format!(
        "<h1>Search</h1>\n<form class=\"filters\" method=\"get\" action=\"/search\" role=\"search\"><label>Words<input name=\"q\" type=\"search\" value=\"{}\" autofocus></label><button type=\"submit\">Search</button></form>\n",
        escape(&text)
    );
    if !text.trim().is_empty() {
        let filter = DocFilter {
            limit: Some(PAGE_SIZE),
            ..query.filter()
        };
        let hits = hub
            .store
            .search(&text, &filter, &caller.visibility)
            .await
            .map_err(|e| ApiError::store(&hub, e))?;
        let _ = writeln!(b, "<p id=\"shown-count\">{} documents match.</p>", hits.len());
        b.push_str(&doc_rows(&hits));
    }
    Ok(layout(&caller, "Search", &b))
}

pub async fn risks(State(hub): Shared, caller: Caller) -> Page {
    let rows = hub
        .store
        .risks(&caller.visibility)
        .await
        .map_err(|e| ApiError::store(&hub, e))?;
    let mut b = format!(
        "<h1>Risks</h1>\n<p>{} risks across all current revisions, High impact first.</p>\n<table id=\"risks\"><thead><tr><th scope=\"col\">Risk</th><th scope=\"col\">Impact</th><th scope=\"col\">Likelihood</th><th scope=\"col\">Mitigation</th><th scope=\"col\">Document</th></tr></thead><tbody>\n",
        rows.len()
    );
    for r in &rows {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.risk),
            escape(&r.impact),
            escape(&r.likelihood),
            escape(&r.mitigation),
            id_link(&r.document_id, &r.title, "")
        );
    }
    b.push_str("</tbody></table>\n");
    Ok(layout(&caller, "Risks", &b))
}

/// A link to a document by its id (`space:path`), optionally to an anchor.
fn id_link(id: &str, title: &str, anchor: &str) -> String {
    let (space, path) = id.split_once(':').unwrap_or(("", id));
    let hash = if anchor.is_empty() {
        String::new()
    } else {
        format!("#{anchor}")
    };
    format!(
        "<a href=\"{}{}\">{}</a>",
        escape(&doc_url("doc", space, path)),
        escape(&hash),
        escape(title)
    )
}

pub async fn components(State(hub): Shared, caller: Caller) -> Page {
    let rows = hub
        .store
        .components(&caller.visibility)
        .await
        .map_err(|e| ApiError::store(&hub, e))?;
    let mut b = format!(
        "<h1>Components</h1>\n<p>{} components described across all documents.</p>\n<table id=\"components\"><thead><tr><th scope=\"col\">Component</th><th scope=\"col\">Purpose</th><th scope=\"col\">Document</th></tr></thead><tbody>\n",
        rows.len()
    );
    for c in &rows {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            id_link(&c.document_id, &c.name, &c.anchor),
            escape(&c.purpose),
            id_link(&c.document_id, &c.title, "")
        );
    }
    b.push_str("</tbody></table>\n");
    Ok(layout(&caller, "Components", &b))
}

pub async fn entities(State(hub): Shared, caller: Caller) -> Page {
    let rows = hub
        .store
        .entities(&caller.visibility)
        .await
        .map_err(|e| ApiError::store(&hub, e))?;
    let mut b = format!(
        "<h1>Entities</h1>\n<p>{} entity mentions in the ER diagrams of all documents.</p>\n<table id=\"entities\"><thead><tr><th scope=\"col\">Entity</th><th scope=\"col\">Document</th><th scope=\"col\">Role</th></tr></thead><tbody>\n",
        rows.len()
    );
    for e in &rows {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&e.name),
            id_link(&e.document_id, &e.title, ""),
            if e.defined { "defines it" } else { "uses it" }
        );
    }
    b.push_str("</tbody></table>\n");
    Ok(layout(&caller, "Entities", &b))
}
