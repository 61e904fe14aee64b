//! The hub's HTML pages: index with filters, doc page (stored rendered body with its
//! diagrams, contents, details, findings), history, diff, search and the registers. Built
//! from the page parts the static site shares (`designdoc_render::parts`), which escape
//! all text; doc bodies were sanitized when rendered. No script at all: filters and
//! search are plain GET forms.

use super::api::{ApiError, DiffQuery, ListQuery, diff_pair};
use super::auth::Caller;
use super::forms::csrf_field;
use super::{Hub, RENDERER, check_and_render};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use designdoc_render::parts::{
    self, DocColumns, DocLink, DocRow, Filters, Frame, HUB_CSS, Heading, Markup, PreEscaped, html,
};
use designdoc_render::site::CSS;
use designdoc_store::Role;
use designdoc_store::{DiffLine, DocFilter, DocumentRow};
use std::sync::Arc;

type Shared = State<Arc<Hub>>;
type Page = Result<Html<String>, ApiError>;

pub async fn css() -> Response {
    let mut r = [CSS, "\n", HUB_CSS, "\n"].concat().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    r
}

/// The caller's account links: sign out is a form post carrying the CSRF token.
fn account(caller: &Caller) -> Markup {
    html! {
        @match (&caller.user, caller.csrf()) {
            (Some(u), Some(csrf)) => {
                a href="/reviews" #awaiting-link {
                    "Awaiting my review"
                    @if caller.awaiting > 0 { " " span.count #awaiting-count { (caller.awaiting) } }
                }
                a href="/mine" { "My docs" }
                @if u.role == Role::Admin { a href="/admin" { "Admin" } }
                a href="/account" #signed-in { (u.username) }
                form.signout method="post" action="/logout" {
                    (csrf_field(csrf))
                    button type="submit" { "Sign out" }
                }
            },
            (Some(u), None) => span #signed-in { (u.username) },
            (None, _) => a href="/login" { "Sign in" },
        }
    }
}

/// A page in the hub's frame (absolute links, the caller's account links, no script; the
/// CSP comes as a response header).
pub fn page(caller: &Caller, title: &str, body: Markup) -> Html<String> {
    Html(frame_page(account(caller), title, body).into_string())
}

/// A page in the hub's frame with `account` in its header.
pub fn frame_page(account: Markup, title: &str, body: Markup) -> Markup {
    let mut nav = vec![("Documents", "/".to_string()), ("Search", "/search".to_string())];
    nav.extend(
        parts::REGISTERS
            .iter()
            .map(|(label, name)| (*label, format!("/{name}"))),
    );
    nav.push(("API", "/api/v1/openapi.json".to_string()));
    let frame = Frame {
        brand: "designdoc hub",
        home: "/",
        assets: "/",
        nav: &nav,
        account,
        csp: None,
        scripts: &[],
    };
    parts::page(&frame, title, body)
}

pub use designdoc_store::doc_url;

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

/// The doc list of the index and of search.
fn doc_rows(docs: &[DocumentRow]) -> Markup {
    let rows: Vec<DocRow> = docs
        .iter()
        .map(|d| DocRow {
            href: doc_url("doc", &d.space, &d.path),
            space: &d.space,
            id: &d.doc_key,
            title: &d.title,
            status: &d.status,
            authors: &d.authors,
            tags: &d.tags,
            updated: millis_to_date(d.updated_at),
            findings: (0, 0),
            revision: d.current_revision,
        })
        .collect();
    let columns = DocColumns {
        space: true,
        findings: false,
        revision: true,
        scripted: false,
    };
    parts::doc_table(&rows, &columns)
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
    let space_names: Vec<&str> = spaces.iter().map(|s| s.name.as_str()).collect();
    let filters = Filters {
        action: Some("/"),
        spaces: Some((&space_names, filter.space.as_deref())),
        statuses: designdoc_check::lifecycle::STATUSES,
        status: filter.status.as_deref(),
        author: filter.author.as_deref().unwrap_or(""),
        tag: filter.tag.as_deref().unwrap_or(""),
        text: None,
    };
    let shown_to = offset + docs.len() as i64;
    let range = (total > 0).then_some((offset + 1, shown_to));
    let link = |off: i64| {
        let mut s = format!("/?offset={off}");
        for (k, v) in [
            ("space", &filter.space),
            ("status", &filter.status),
            ("author", &filter.author),
            ("tag", &filter.tag),
        ] {
            if let Some(v) = v {
                s.push_str(&format!("&{k}={}", q(v)));
            }
        }
        s
    };
    let pager = html! {
        nav.pager aria-label="Pages" {
            @if offset > 0 { a rel="prev" href=(link((offset - PAGE_SIZE).max(0))) { "Previous" } }
            @if shown_to < total { a rel="next" href=(link(shown_to)) { "Next" } }
        }
        "\n"
    };
    let body = parts::doc_index(
        &filters,
        parts::shown_count(docs.len(), total, range),
        doc_rows(&docs),
        pager,
    );
    Ok(page(&caller, "Design documents", body))
}

/// `/reviews`: the documents in review waiting for the caller's verdict, longest
/// waiting first.
pub async fn awaiting(State(hub): Shared, caller: Caller) -> Result<Response, ApiError> {
    let Some(user) = &caller.user else {
        return Ok(super::auth::Denied::SignIn.page("/reviews"));
    };
    let docs = hub
        .store
        .awaiting_review(&user.id, &caller.visibility)
        .await
        .map_err(|e| ApiError::store(&hub, e))?;
    let body = html! {
        h1 { "Awaiting my review" } "\n"
        @if docs.is_empty() {
            p #queue-empty { "Nothing waits for your review." } "\n"
        } @else {
            p { (docs.len()) " document" @if docs.len() != 1 { "s" } " in review asked for your verdict on the current revision." } "\n"
            div #queue { (doc_rows(&docs)) }
        }
    };
    Ok(page(&caller, "Awaiting my review", body).into_response())
}

/// `/mine`: the documents the caller wrote (published, or named in `authors`).
pub async fn mine(State(hub): Shared, caller: Caller) -> Result<Response, ApiError> {
    let Some(user) = &caller.user else {
        return Ok(super::auth::Denied::SignIn.page("/mine"));
    };
    let err = |e| ApiError::store(&hub, e);
    let mut names = vec![user.username.clone()];
    names.extend(
        hub.authors
            .iter()
            .filter(|(_, to)| to.eq_ignore_ascii_case(&user.username))
            .map(|(name, _)| name.clone()),
    );
    let candidates = hub
        .store
        .documents_by(&user.username, &names, &caller.visibility)
        .await
        .map_err(err)?;
    let mut docs = Vec::with_capacity(candidates.len());
    for d in candidates {
        let authors = super::workflow::Authorship::of(&hub, &d.id, &d, &caller.visibility)
            .await
            .map_err(err)?;
        if authors.includes(user, &hub.authors, super::workflow::Trust::Grants) {
            docs.push(d);
        }
    }
    let body = html! {
        h1 { "My docs" } "\n"
        @if docs.is_empty() {
            p #mine-empty { "No document names you among its authors yet." } "\n"
        } @else {
            div #mine { (doc_rows(&docs)) }
        }
    };
    Ok(page(&caller, "My docs", body).into_response())
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
    // The document's own `#` heading is the title; the renderer keeps it in the body.
    let heading = if body.trim_start().starts_with("<h1") {
        Heading::InBody(None)
    } else {
        Heading::Add(&d.title)
    };
    let revision = html! {
        (rev.number) " · " (millis_to_date(rev.published_at)) " by " (rev.published_by) " · "
        a href=(doc_url("history", &d.space, &d.path)) { "history" }
    };
    let details = parts::details(
        &d.status,
        [
            parts::text_detail("Id", &d.doc_key),
            parts::text_detail("Space", &d.space),
            parts::text_detail("Authors", &d.authors.join(", ")),
            parts::text_detail("Tags", &d.tags.join(", ")),
            Some(("Revision", revision)),
            parts::text_detail("Source", &d.path),
        ],
    );
    // Reviews and comments are for signed-in people; anonymous readers get the page
    // from one query.
    let review = if caller.user.is_some() {
        // The sections stored at publish: the page never parses the Markdown again.
        let sections: Vec<(String, String)> = hub
            .store
            .sections(&id, rev.number)
            .await
            .map_err(err)?
            .into_iter()
            // A heading whose anchor is empty (all emoji, say) is not a place for threads:
            // the empty anchor means the whole document.
            .filter(|s| s.level >= 2 && !s.anchor.is_empty())
            .map(|s| (s.anchor, s.title))
            .collect();
        super::review::panel(&hub, &caller, &id, &d, &sections).await?
    } else {
        None
    };
    // Each thread goes at the end of its section in the body; the review panel above it.
    let (body, review_top, after) = match review {
        Some(p) => {
            let (placed, left) = super::review::place_threads(&body, p.threads);
            (placed, p.review, html! { @for t in left { (t) } (p.after) })
        }
        None => (body, html! {}, html! {}),
    };
    // Unescaped: the stored aside is the contents and findings parts, made (and escaped)
    // by `check_and_render` when the revision was published or re-rendered. The stored
    // body goes in unescaped too (inside `doc_view`): it was sanitized when rendered, and
    // the threads placed in it are escaped markup.
    let view = parts::doc_view(heading, &body, html! { (details) (PreEscaped(aside)) });
    Ok(page(&caller, &d.title, html! { (review_top) (view) (after) }))
}

/// The findings panel of a doc page, with line numbers.
pub fn findings_panel(content: &str, findings: &[designdoc_check::Diagnostic]) -> String {
    parts::findings(content, None, findings).into_string()
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
    let changes = hub.store.status_changes(&id, &caller.visibility).await.map_err(err)?;
    let diff_url = doc_url("diff", &space, &path);
    let options = |name: &str, selected: i64| {
        html! {
            select name=(name) {
                @for r in &revs { option selected[r.number == selected] { (r.number) } }
            }
        }
    };
    let current = d.current_revision;
    let body = html! {
        h1 { "History of " a href=(doc_url("doc", &space, &path)) { (d.title) } } "\n"
        form.history-form method="get" action=(diff_url) {
            label { "From" (options("from", (current - 1).max(1))) }
            label { "To" (options("to", current)) }
            button type="submit" { "Compare" }
        }
        "\n"
        table #revisions {
            thead { tr {
                @for h in ["Revision", "Published", "By", "Content hash", "Changes"] { th scope="col" { (h) } }
            } }
            tbody {
                "\n"
                @for r in &revs {
                    tr {
                        td { (r.number) }
                        td { (millis_to_date(r.published_at)) }
                        td { (r.published_by) }
                        td { code { (r.hash.get(..12).unwrap_or(&r.hash)) } }
                        td {
                            @if r.number > 1 {
                                a href={ (diff_url) "?from=" (r.number - 1) "&to=" (r.number) } {
                                    "diff with " (r.number - 1)
                                }
                            } @else { "first" }
                        }
                    }
                    "\n"
                }
            }
        }
        "\n"
        h2 { "Status" } "\n"
        p { "Now " (parts::badge(&d.status)) } "\n"
        (super::review::status_history(&changes))
    };
    Ok(page(&caller, &format!("History of {}", d.title), body))
}

/// Lines of context kept around each change.
const CONTEXT: usize = 3;

/// A line of a diff page: a line with its class and sign, or how many unchanged lines
/// are left out.
enum Shown<'a> {
    Line(&'static str, char, &'a str),
    Gap(usize),
}

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
    // What is shown: each changed line with its context, and the size of each gap.
    let mut shown: Vec<Shown> = Vec::new();
    let (mut added, mut removed, mut skipped) = (0, 0, 0);
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
            shown.push(Shown::Gap(skipped));
            skipped = 0;
        }
        shown.push(Shown::Line(class, sign, text));
    }
    if skipped > 0 {
        shown.push(Shown::Gap(skipped));
    }
    let body = html! {
        h1 { "Revision " (a.number) " → " (c.number) " of " a href=(doc_url("doc", &space, &path)) { (path) } } "\n"
        p #diff-summary {
            (added) " lines added, " (removed) " removed. "
            a href=(doc_url("history", &space, &path)) { "All revisions" }
        }
        "\n"
        pre.diff {
            @for line in &shown {
                @match line {
                    Shown::Line(class, sign, text) => span class=(class) { (sign) " " (text) },
                    Shown::Gap(n) => span.gap { "… " (n) " unchanged lines" },
                }
                "\n"
            }
        }
        "\n"
    };
    Ok(page(&caller, &format!("Diff of {path}"), body))
}

pub async fn search(State(hub): Shared, caller: Caller, Query(query): Query<ListQuery>) -> Page {
    let text = query.q.clone().unwrap_or_default();
    let hits = if text.trim().is_empty() {
        None
    } else {
        let filter = DocFilter {
            limit: Some(PAGE_SIZE),
            ..query.filter()
        };
        let hits = hub
            .store
            .search(&text, &filter, &caller.visibility)
            .await
            .map_err(|e| ApiError::store(&hub, e))?;
        Some(hits)
    };
    let body = html! {
        h1 { "Search" } "\n"
        form.filters method="get" action="/search" role="search" {
            label { "Words" input name="q" type="search" value=(text) autofocus; }
            button type="submit" { "Search" }
        }
        "\n"
        @if let Some(hits) = &hits {
            p #shown-count { (hits.len()) " documents match." } "\n"
            (doc_rows(hits))
        }
    };
    Ok(page(&caller, "Search", body))
}

/// A link to a document by its id (`space:path`).
fn id_link<'a>(id: &str, title: &'a str) -> DocLink<'a> {
    let (space, path) = id.split_once(':').unwrap_or(("", id));
    DocLink {
        href: doc_url("doc", space, path),
        title,
    }
}

pub async fn risks(State(hub): Shared, caller: Caller) -> Page {
    let rows = hub
        .store
        .risks(&caller.visibility)
        .await
        .map_err(|e| ApiError::store(&hub, e))?;
    let rows = rows
        .iter()
        .map(|r| parts::Risk {
            risk: &r.risk,
            impact: &r.impact,
            likelihood: &r.likelihood,
            mitigation: &r.mitigation,
            doc: id_link(&r.document_id, &r.title),
        })
        .collect();
    Ok(page(&caller, "Risk register", parts::risks(rows, false)))
}

pub async fn components(State(hub): Shared, caller: Caller) -> Page {
    let rows = hub
        .store
        .components(&caller.visibility)
        .await
        .map_err(|e| ApiError::store(&hub, e))?;
    let rows = rows
        .iter()
        .map(|c| parts::Component {
            name: &c.name,
            purpose: &c.purpose,
            anchor: &c.anchor,
            doc: id_link(&c.document_id, &c.title),
        })
        .collect();
    Ok(page(&caller, "Components", parts::components(rows, false)))
}

pub async fn entities(State(hub): Shared, caller: Caller) -> Page {
    let rows = hub
        .store
        .entities(&caller.visibility)
        .await
        .map_err(|e| ApiError::store(&hub, e))?;
    let rows = rows
        .iter()
        .map(|e| parts::Entity {
            name: &e.name,
            defined: e.defined,
            doc: id_link(&e.document_id, &e.title),
        })
        .collect();
    Ok(page(&caller, "Entities", parts::entities(rows, false)))
}
