//! The review workflow over HTTP: the forms and the JSON API parse their input into a
//! [`ReviewAction`] and [`workflow::perform`] decides (the rules live there); this module
//! maps its [`ReviewError`]s to status codes and draws the review panel.

use super::Hub;
use super::api::ApiError;
use super::auth::{Caller, Denied};
use super::forms::{button_form, hidden_field, post_form};
use super::pages::{doc_url, millis_to_date};
use super::workflow::{self, ReviewAction, ReviewError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use designdoc_check::facts::Blocking;
use designdoc_render::parts::{Markup, PreEscaped, badge, html};
use designdoc_store::{Comment, ReviewState, Role, StatusChange, User};
use serde::{Deserialize, Deserializer};
use std::sync::Arc;

type Shared = State<Arc<Hub>>;

/// One review action, from a form or from JSON.
#[derive(Deserialize, Debug, Default)]
pub struct ReviewInput {
    pub action: String,
    /// request-review: user names (a list, or one string of comma-separated names).
    #[serde(default, deserialize_with = "names")]
    pub reviewers: Vec<String>,
    /// comment: the section's heading anchor (empty: the whole document).
    #[serde(default)]
    pub anchor: String,
    #[serde(default)]
    pub body: String,
    /// reply: the comment answered; resolve: the thread's first comment.
    pub comment: Option<i64>,
    /// The revision the person looked at; an action on a newer one is refused, so nobody
    /// approves (or rejects) content they have not seen.
    pub revision: Option<i64>,
    /// Why: required to request changes or reject; kept with verdicts and status changes.
    #[serde(default)]
    pub reason: String,
    /// Forms only.
    #[serde(default)]
    pub csrf: String,
}

/// `"a, b"` or `["a", "b"]`.
fn names<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Names {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Names::deserialize(d)? {
        Names::One(s) => vec![s],
        Names::Many(v) => v,
    })
}

impl ReviewInput {
    /// A form post (`application/x-www-form-urlencoded`): every field once, except
    /// `reviewers`, one per ticked box.
    pub fn from_form(body: &[u8]) -> Result<ReviewInput, ApiError> {
        let mut input = ReviewInput::default();
        let bad = |m: String| ApiError(StatusCode::BAD_REQUEST, m);
        for (key, value) in form_urlencoded::parse(body) {
            let value = value.into_owned();
            match key.as_ref() {
                "action" => input.action = value,
                "reviewers" => input.reviewers.push(value),
                "anchor" => input.anchor = value,
                "body" => input.body = value,
                "reason" => input.reason = value,
                "csrf" => input.csrf = value,
                "comment" => {
                    input.comment = Some(
                        value
                            .parse()
                            .map_err(|_| bad(format!("`comment` is not a number: {value}")))?,
                    )
                }
                "revision" => {
                    input.revision = Some(
                        value
                            .parse()
                            .map_err(|_| bad(format!("`revision` is not a number: {value}")))?,
                    )
                }
                _ => {}
            }
        }
        Ok(input)
    }
}

/// A refused review action: its status, what to say, and the findings that block it.
#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    pub message: String,
    pub blocking: Vec<Blocking>,
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Refusal {
        Refusal {
            status: e.0,
            message: e.1,
            blocking: Vec::new(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({"error": self.message});
        if !self.blocking.is_empty() {
            body["blocking"] = serde_json::to_value(&self.blocking).unwrap_or_default();
        }
        (self.status, Json(body)).into_response()
    }
}

fn store_err(hub: &Hub) -> impl Fn(designdoc_store::StoreError) -> ApiError + '_ {
    move |e| ApiError::store(hub, e)
}

/// A refused review action as an HTTP answer.
fn review_error(hub: &Hub, e: ReviewError) -> Refusal {
    let plain = |status: StatusCode, message: String| Refusal {
        status,
        message,
        blocking: Vec::new(),
    };
    match e {
        ReviewError::Denied(d) => d.api().into(),
        ReviewError::Stale { .. } | ReviewError::Conflict(_) => plain(StatusCode::CONFLICT, e.to_string()),
        ReviewError::Blocked { .. } => {
            let message = e.to_string();
            let ReviewError::Blocked { blocking, .. } = e else {
                return plain(StatusCode::CONFLICT, message);
            };
            Refusal {
                status: StatusCode::CONFLICT,
                message,
                blocking,
            }
        }
        ReviewError::OwnRevision => plain(StatusCode::FORBIDDEN, e.to_string()),
        ReviewError::BadInput(m) => plain(StatusCode::BAD_REQUEST, m),
        ReviewError::NoThread => ApiError::not_found("open thread").into(),
        ReviewError::Store(e) => ApiError::store(hub, e).into(),
    }
}

/// Performs `input` on document `id` for `caller`; the review state afterwards.
pub async fn perform(hub: &Hub, caller: &Caller, id: &str, input: &ReviewInput) -> Result<ReviewState, Refusal> {
    let action = ReviewAction::parse(
        &input.action,
        &input.reviewers,
        &input.anchor,
        &input.body,
        input.comment,
        &input.reason,
    )
    .map_err(|e| review_error(hub, e))?;
    workflow::perform(hub, caller, id, &action, &input.reason, input.revision)
        .await
        .map_err(|e| review_error(hub, e))
}

/// `POST /review/{space}/{*path}` (forms): back to the doc page.
pub async fn form_action(
    State(hub): Shared,
    caller: Caller,
    Path((space, path)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let page = doc_url("doc", &space, &path);
    let input = match ReviewInput::from_form(&body) {
        Ok(input) => input,
        Err(e) => return e.into_response(),
    };
    if let Err(d) = caller.check_form(&headers, &input.csrf) {
        return d.page(&page);
    }
    // Forms always say which revision they were made for, so a form made before a new
    // revision cannot act on it (the API may leave it out: a script acts on the latest).
    if input.revision.is_none() {
        let why = "the form does not say which revision it was made for (`revision`); reload the page";
        return ApiError(StatusCode::BAD_REQUEST, why.into()).into_response();
    }
    match perform(&hub, &caller, &format!("{space}:{path}"), &input).await {
        Ok(_) => Redirect::to(&format!("{page}#review")).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /api/v1/review/{space}/{*path}` (API tokens).
pub async fn api_action(
    State(hub): Shared,
    caller: Caller,
    Path((space, path)): Path<(String, String)>,
    Json(input): Json<ReviewInput>,
) -> Response {
    if !matches!(caller.via, super::auth::Via::Token { .. }) {
        return Denied::SignIn.api().into_response();
    }
    match perform(&hub, &caller, &format!("{space}:{path}"), &input).await {
        Ok(state) => Json(state).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /api/v1/review/{space}/{*path}`: the review state and the comments.
pub async fn api_state(State(hub): Shared, caller: Caller, Path((space, path)): Path<(String, String)>) -> Response {
    let id = format!("{space}:{path}");
    let err = store_err(&hub);
    let state = match workflow::review_state(&hub, &id, &caller.visibility)
        .await
        .map_err(&err)
    {
        Ok(Some(s)) => s,
        Ok(None) => return ApiError::not_found("document").into_response(),
        Err(e) => return e.into_response(),
    };
    match hub.store.comments(&id, &caller.visibility).await.map_err(&err) {
        Ok(comments) => {
            Json(serde_json::json!({"state": state, "blocked": state.blocked(), "comments": comments})).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// What a doc page shows of a review: the panel at the top, the threads to place under
/// their sections, and what goes after the body (threads on the whole document or on
/// sections this revision no longer has, and the new-comment form).
pub struct Panel {
    pub review: Markup,
    /// Per section anchor, its threads (in the order of the sections).
    pub threads: Vec<(String, Markup)>,
    pub after: Markup,
}

/// Everything the review parts of a doc page are drawn from.
pub(crate) struct PanelData<'a> {
    pub(crate) state: &'a ReviewState,
    pub(crate) comments: &'a [Comment],
    pub(crate) history: &'a [StatusChange],
    /// The current revision's sections (anchor, title), in document order.
    pub(crate) sections: &'a [(String, String)],
    /// The doc's diff page (`/diff/space/path`).
    pub(crate) diff_url: String,
}

/// The review parts of doc `id`'s page (`None` for a document without a review state,
/// which the caller cannot see).
pub async fn panel(
    hub: &Hub,
    caller: &Caller,
    id: &str,
    doc: &designdoc_store::DocumentRow,
    sections: &[(String, String)],
) -> Result<Option<Panel>, ApiError> {
    let err = store_err(hub);
    let Some(state) = workflow::review_state(hub, id, &caller.visibility)
        .await
        .map_err(&err)?
    else {
        return Ok(None);
    };
    let comments = hub.store.comments(id, &caller.visibility).await.map_err(&err)?;
    let history = hub.store.status_changes(id, &caller.visibility).await.map_err(&err)?;
    let (space, path) = id.split_once(':').unwrap_or(("", id));
    let role = caller.role_in(space);
    let authorship = workflow::Authorship::of(hub, id, doc, &caller.visibility)
        .await
        .map_err(&err)?;
    let is = |trust| {
        caller
            .user
            .as_ref()
            .is_some_and(|u| authorship.includes(u, &hub.authors, trust))
    };
    let (own, maybe_own) = (is(workflow::Trust::Grants), is(workflow::Trust::Refuses));
    let author = role.is_some_and(|r| r >= Role::Author);
    // Forms only for a session: they need its CSRF token (tokens use the JSON API).
    let candidates = match caller.csrf() {
        Some(_) if author && matches!(state.status.as_str(), "draft" | "review" | "") => {
            authorship.reviewers(hub, space).await.map_err(&err)?
        }
        _ => Vec::new(),
    };
    let forms = caller.csrf().map(|csrf| Forms {
        action: doc_url("review", space, path),
        csrf,
        revision: state.revision.to_string(),
        author,
        reviewer: role.is_some_and(|r| r >= Role::Reviewer) && !maybe_own,
        lifecycle: (own && author) || role == Some(Role::Admin),
        candidates: &candidates,
    });
    let data = PanelData {
        state: &state,
        comments: &comments,
        history: &history,
        sections,
        diff_url: doc_url("diff", space, path),
    };
    Ok(Some(panel_parts(&data, forms.as_ref())))
}

/// The review parts for `data`, with the forms the caller may use when `forms` is there.
pub(crate) fn panel_parts(data: &PanelData, forms: Option<&Forms>) -> Panel {
    // Writing in threads takes an author's role or above; others only read them.
    let comment_forms = forms.filter(|f| f.author);
    let firsts: Vec<&Comment> = data.comments.iter().filter(|c| c.parent_id.is_none()).collect();
    let on = |anchor: &str| -> Vec<&Comment> { firsts.iter().copied().filter(|t| t.anchor == anchor).collect() };
    let threads: Vec<(String, Markup)> = data
        .sections
        .iter()
        .filter_map(|(anchor, title)| {
            let here = on(anchor);
            (!here.is_empty()).then(|| (anchor.clone(), thread_group(title, anchor, &here, data, comment_forms)))
        })
        .collect();
    // Threads on the whole document, then on sections this revision no longer has.
    let mut elsewhere: Vec<&Comment> = on("");
    elsewhere.extend(
        firsts
            .iter()
            .copied()
            .filter(|t| !t.anchor.is_empty() && !data.sections.iter().any(|(a, _)| *a == t.anchor)),
    );
    let after = html! {
        section #comments .panel aria-label="Comments" {
            h2 { "Comments on the whole document" } "\n"
            @if elsewhere.is_empty() { p { "None." } "\n" }
            @for t in &elsewhere {
                @let title = section_title(data.sections, &t.anchor);
                (thread(t, title, data, comment_forms))
            }
            @if let Some(forms) = comment_forms { (new_comment(forms, data.sections)) }
        }
        "\n"
    };
    Panel {
        review: review_panel(data, forms, &firsts),
        threads,
        after,
    }
}

/// The whole review as one piece of markup (threads not placed in the body).
#[cfg(test)]
pub(crate) fn panel_markup(data: &PanelData, forms: Option<&Forms>) -> Markup {
    let parts = panel_parts(data, forms);
    html! {
        (parts.review)
        @for (_, t) in &parts.threads { (t) }
        (parts.after)
    }
}

/// Where the panel's forms post and who may use which.
pub(crate) struct Forms<'a> {
    pub(crate) action: String,
    pub(crate) csrf: &'a str,
    /// The revision the page shows: every form carries it.
    pub(crate) revision: String,
    /// May comment and ask for review (author role or above in the space).
    pub(crate) author: bool,
    /// May give a verdict: a reviewer who is not among the doc's authors.
    pub(crate) reviewer: bool,
    /// May withdraw, reopen, mark implemented or superseded: the doc's authors and admins.
    pub(crate) lifecycle: bool,
    /// Who may be asked to review.
    pub(crate) candidates: &'a [User],
}

impl Forms<'_> {
    /// One action as a button with id `do-{act}` (tests and people's scripts click it).
    fn button(&self, act: &str, label: &str) -> Markup {
        let id = format!("do-{act}");
        button_form(
            &self.action,
            self.csrf,
            &[("action", act), ("revision", &self.revision)],
            Some(&id),
            label,
        )
    }

    /// A form around `fields` that posts `act` for this revision.
    fn form(&self, act: &str, class: Option<&str>, id: Option<&str>, fields: Markup) -> Markup {
        let fields = html! {
            (hidden_field("action", act))
            (hidden_field("revision", &self.revision))
            (fields)
        };
        post_form(&self.action, self.csrf, class, id, fields)
    }
}

/// The top of a doc's review: status, what blocks it, verdicts, the caller's actions,
/// the status history and a jump list to the open threads.
fn review_panel(data: &PanelData, forms: Option<&Forms>, firsts: &[&Comment]) -> Markup {
    let state = data.state;
    let open: Vec<&&Comment> = firsts.iter().filter(|t| t.resolved_by.is_none()).collect();
    html! {
        section #review .panel aria-label="Review" {
            h2 { "Review" } "\n"
            (status_line(state)) "\n"
            (blocking(state)) "\n"
            @if !state.requested.is_empty() {
                p #requested { "Requested from " (state.requested.join(", ")) } "\n"
            }
            (verdicts(state, &data.diff_url)) "\n"
            @if let Some(forms) = forms { (actions(forms, &state.status)) }
            @if !open.is_empty() {
                nav #threads-jump aria-label="Open threads" {
                    h3 { "Open threads (" (open.len()) ")" }
                    ul {
                        @for t in &open {
                            li { a href={ "#thread-" (t.id) } {
                                (section_title(data.sections, &t.anchor)) ": " (t.author) ", " (excerpt(&t.body))
                            } }
                        }
                    }
                }
                "\n"
            }
            (status_history(data.history)) "\n"
        }
        "\n"
    }
}

/// The first words of a comment, for the jump list.
fn excerpt(body: &str) -> String {
    let line = body.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    match line.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

/// Status, revision, approvals against the policy, and why approval is blocked (only
/// where it is: once approved, the count is history).
fn status_line(state: &ReviewState) -> Markup {
    let blocked = state.blocked().filter(|_| state.status == "review");
    html! {
        p {
            span #review-status { (badge(&state.status)) }
            " revision " (state.revision)
            @if state.status == "review" {
                " · " (state.approvals()) " of " (state.policy.required_approvals) " approvals"
            }
            @if let Some(why) = blocked { " · " strong #blocked { (why) } }
        }
    }
}

/// The findings that keep the current revision from review and approval.
fn blocking(state: &ReviewState) -> Markup {
    html! {
        @if state.policy.block_on_errors && !state.blocking.is_empty() {
            div #blocking role="note" {
                p { "These findings (at review strictness) block review and approval:" }
                ul {
                    @for b in &state.blocking {
                        (blocking_item(b, ""))
                    }
                }
            }
        }
    }
}

/// One finding that blocks review: code, line, its section (linked on the page `doc`,
/// empty for this page) and message.
pub(crate) fn blocking_item(b: &Blocking, doc: &str) -> Markup {
    html! {
        li.finding.error {
            code { (b.code) } " line " (b.line)
            @if let (Some(title), Some(anchor)) = (&b.section, &b.anchor) {
                " in " a href={ (doc) "#" (anchor) } { (title) }
            }
            ": " (b.message)
        }
    }
}

/// The verdicts on this revision, then those on earlier ones (stale: they no longer count;
/// each links to the changes since the revision it was given on).
fn verdicts(state: &ReviewState, diff_url: &str) -> Markup {
    let said = |v: &str| {
        if v == "approve" {
            "approved"
        } else {
            "requested changes"
        }
    };
    html! {
        ul #verdicts {
            @for v in &state.verdicts {
                li class={ "verdict " (v.verdict) } {
                    strong { (v.reviewer) } " " (said(&v.verdict)) " (" (millis_to_date(v.at)) ")"
                    @if !v.reason.is_empty() { div.reason { (markdown(&v.reason)) } }
                }
            }
            @for v in &state.stale {
                li.verdict.stale {
                    (v.reviewer) " " (said(&v.verdict)) " revision " (v.revision) " (stale: "
                    a href={ (diff_url) "?from=" (v.revision) "&to=" (state.revision) } {
                        "changes since"
                    }
                    ")"
                    @if !v.reason.is_empty() { div.reason { (markdown(&v.reason)) } }
                }
            }
        }
    }
}

/// Every status change, newest first, with who made it and why.
pub(crate) fn status_history(history: &[StatusChange]) -> Markup {
    html! {
        @if !history.is_empty() {
            details #status-history {
                summary { "Status history (" (history.len()) ")" }
                ol reversed {
                    @for c in history.iter().rev() {
                        li {
                            (millis_to_date(c.at)) ": " (if c.from.is_empty() { "none" } else { &c.from }) " → "
                            strong { (c.to) } " at revision " (c.revision) " by " (c.actor)
                            @if !c.reason.is_empty() { " — " (c.reason) }
                        }
                    }
                }
            }
        }
    }
}

/// Sanitized Markdown (comments and reasons).
fn markdown(text: &str) -> Markup {
    // Safe unescaped: `comment_html` returns only what its sanitizer let through.
    PreEscaped(designdoc_render::comment_html(text))
}

/// The actions the caller may take in `status`: asking for reviewers, the verdicts with
/// their reasons, and moving the document along its lifecycle. [`workflow`] decides
/// whether an action is allowed; this only leaves out forms that would be refused.
fn actions(forms: &Forms, status: &str) -> Markup {
    let lifecycle: &[(&str, &str)] = match (forms.lifecycle, status) {
        (false, _) => &[],
        (true, "review") => &[("withdraw", "Withdraw to draft")],
        (true, "rejected") => &[("reopen", "Reopen as draft")],
        (true, "approved") => &[("implemented", "Mark implemented"), ("superseded", "Mark superseded")],
        (true, "implemented") => &[("superseded", "Mark superseded")],
        (true, _) => &[],
    };
    html! {
        @if forms.author && matches!(status, "draft" | "review" | "") { (request_review(forms)) }
        @if forms.reviewer && status == "review" { (verdict_forms(forms)) }
        @if !lifecycle.is_empty() {
            div.lifecycle { @for (act, label) in lifecycle { (forms.button(act, label)) } }
        }
    }
}

/// Approve (a note is optional), request changes and reject (a reason is required).
fn verdict_forms(forms: &Forms) -> Markup {
    let approve = html! {
        label { "Note (optional)" textarea name="reason" id="approve-reason" rows="2" {} }
        button type="submit" id="do-approve" { "Approve" }
    };
    let changes = html! {
        label { "What must change" textarea name="reason" id="changes-reason" rows="3" required {} }
        button type="submit" id="do-changes" { "Request changes" }
    };
    let reject = html! {
        label { "Why reject" textarea name="reason" id="reject-reason" rows="2" required {} }
        button type="submit" id="do-reject" { "Reject" }
    };
    html! {
        div.verdict-forms {
            (forms.form("approve", Some("verdict-form"), Some("approve-form"), approve))
            details { summary #changes-form-open { "Request changes" } (forms.form("changes", Some("verdict-form"), Some("changes-form"), changes)) }
            details { summary #reject-form-open { "Reject" } (forms.form("reject", Some("verdict-form"), Some("reject-form"), reject)) }
        }
    }
}

/// Asking people for a review: the reviewers of the space who are not among the doc's
/// authors, as boxes to tick.
fn request_review(forms: &Forms) -> Markup {
    let fields = html! {
        fieldset #reviewers {
            legend { "Ask for review" }
            @if forms.candidates.is_empty() {
                p.meta { "Nobody may review here yet: an admin grants the reviewer role." }
            }
            @for u in forms.candidates {
                label.pick {
                    input type="checkbox" name="reviewers" value=(u.username) id={ "reviewer-" (u.username) };
                    " " (u.username)
                }
            }
        }
        button type="submit" id="do-request-review" { "Request review" }
    };
    forms.form("request-review", Some("filters"), Some("request-review"), fields)
}

/// The threads on one section, under a heading naming it.
fn thread_group(title: &str, anchor: &str, threads: &[&Comment], data: &PanelData, forms: Option<&Forms>) -> Markup {
    html! {
        aside.threads aria-label={ "Comments on " (title) } id={ "threads-" (anchor) } {
            @for t in threads { (thread(t, title, data, forms)) }
        }
        "\n"
    }
}

/// One thread: its comments, then reply and resolve; a resolved one is collapsed.
fn thread(t: &Comment, title: &str, data: &PanelData, forms: Option<&Forms>) -> Markup {
    let replies = data
        .comments
        .iter()
        .filter(|c| c.id == t.id || c.parent_id == Some(t.id));
    let count = data.comments.iter().filter(|c| c.parent_id == Some(t.id)).count();
    let body = html! {
        @for c in replies { (comment(c)) }
        @match (&t.resolved_by, forms) {
            (Some(by), _) => p.meta { "Resolved by " (by) },
            (None, Some(forms)) => (reply_and_resolve(forms, t.id)),
            (None, None) => {},
        }
    };
    html! {
        @if let Some(by) = &t.resolved_by {
            details class="thread resolved" id={ "thread-" (t.id) } {
                summary { "Resolved thread on " (title) " by " (t.author) " (" (count + 1) " comments, resolved by " (by) ")" }
                (body)
            }
        } @else {
            article.thread id={ "thread-" (t.id) } {
                h3 { "On " a href={ "#" (t.anchor) } { (title) } }
                (body)
            }
        }
        "\n"
    }
}

/// The title of the section with `anchor`; the anchor itself for a section the current
/// revision no longer has.
fn section_title<'a>(sections: &'a [(String, String)], anchor: &'a str) -> &'a str {
    match sections.iter().find(|(a, _)| a == anchor) {
        Some((_, title)) => title,
        None if anchor.is_empty() => "Whole document",
        None => anchor,
    }
}

/// One comment: who, when, on which revision, and its text as sanitized Markdown.
fn comment(c: &Comment) -> Markup {
    html! {
        div.comment id={ "comment-" (c.id) } {
            p.meta { strong { (c.author) } " · " (millis_to_date(c.created_at)) " · revision " (c.revision) }
            div.body { (markdown(&c.body)) }
        }
    }
}

/// Answering an open thread, and closing it.
fn reply_and_resolve(forms: &Forms, thread: i64) -> Markup {
    let thread = thread.to_string();
    let reply = html! {
        (hidden_field("comment", &thread))
        label { "Reply" textarea name="body" required {} }
        button type="submit" { "Reply" }
    };
    html! {
        (forms.form("reply", None, None, reply))
        (button_form(
            &forms.action,
            forms.csrf,
            &[("action", "resolve"), ("comment", &thread), ("revision", &forms.revision)],
            None,
            "Resolve",
        ))
    }
}

/// A new thread, on the whole document or one section.
fn new_comment(forms: &Forms, sections: &[(String, String)]) -> Markup {
    let fields = html! {
        label {
            "Section"
            select name="anchor" id="comment-anchor" {
                option value="" { "Whole document" }
                @for (anchor, title) in sections { option value=(anchor) { (title) } }
            }
        }
        label { "Comment (Markdown)" textarea name="body" id="comment-body" required {} }
        button type="submit" id="do-comment" { "Comment" }
    };
    forms.form("comment", None, Some("new-comment"), fields)
}

/// `body` (a page's sanitized HTML) with each of `threads` placed at the end of its
/// section: before the next heading of the same or a higher level. Threads whose heading
/// is not found are returned.
pub fn place_threads(body: &str, threads: Vec<(String, Markup)>) -> (String, Vec<Markup>) {
    let mut inserts: Vec<(usize, u8, Markup)> = Vec::new();
    let mut left = Vec::new();
    for (anchor, markup) in threads {
        match section_end(body, &anchor) {
            Some((at, level)) => inserts.push((at, level, markup)),
            None => left.push(markup),
        }
    }
    // Where sections end together, a subsection's threads come before its parent's.
    inserts.sort_by_key(|(at, level, _)| (*at, std::cmp::Reverse(*level)));
    let mut out = String::with_capacity(body.len() + inserts.len() * 512);
    let mut from = 0;
    for (at, _, markup) in inserts {
        out.push_str(&body[from..at]);
        out.push_str(&markup.into_string());
        from = at;
    }
    out.push_str(&body[from..]);
    (out, left)
}

/// Where the section whose heading has id `anchor` ends in `body`, and its level.
fn section_end(body: &str, anchor: &str) -> Option<(usize, u8)> {
    let needle = format!(" id=\"{}\"", maud::html! { (anchor) }.into_string());
    let mut search = 0;
    let (start, level) = loop {
        let found = search + body.get(search..)?.find(&needle)?;
        let open = body[..found].rfind('<')?;
        let tag = &body.as_bytes()[open + 1..found];
        search = found + needle.len();
        if let [b'h', d @ b'1'..=b'6'] = tag {
            break (found, d - b'0');
        }
    };
    let bytes = body.as_bytes();
    let mut i = start;
    while let Some(off) = body[i..].find("<h") {
        let at = i + off;
        if let (Some(d @ b'1'..=b'6'), Some(b' ' | b'>')) = (bytes.get(at + 2), bytes.get(at + 3))
            && d - b'0' <= level
        {
            return Some((at, level));
        }
        i = at + 2;
    }
    Some((body.len(), level))
}

#[cfg(test)]
mod placing {
    use super::place_threads;
    use maud::html;

    fn check(body: &str, anchors: &[&str], expect: &str) {
        let threads = anchors.iter().map(|a| (a.to_string(), html! { "[" (a) "]" })).collect();
        let (placed, left) = place_threads(body, threads);
        let left: Vec<String> = left.into_iter().map(|m| m.into_string()).collect();
        assert_eq!(format!("{placed} | left: {}", left.join(",")), expect);
    }

    #[test]
    fn threads_go_at_the_end_of_their_section() {
        let body =
            "<h1 id=\"t\">T</h1><h2 id=\"a\">A</h2><p>x</p><h3 id=\"a1\">A1</h3><p>y</p><h2 id=\"b\">B</h2><p>z</p>";
        check(
            body,
            &["a", "a1", "b", "gone"],
            "<h1 id=\"t\">T</h1><h2 id=\"a\">A</h2><p>x</p><h3 id=\"a1\">A1</h3><p>y</p>[a1][a]<h2 id=\"b\">B</h2><p>z</p>[b] | left: [gone]",
        );
        // An id on something that is not a heading is not a section.
        check(
            "<p id=\"a\">p</p><h2 id=\"b\">B</h2>",
            &["a"],
            "<p id=\"a\">p</p><h2 id=\"b\">B</h2> | left: [a]",
        );
        // `<hr>` and `<header>` do not end a section.
        check(
            "<h2 id=\"a\">A</h2><hr><p>x</p>",
            &["a"],
            "<h2 id=\"a\">A</h2><hr><p>x</p>[a] | left: ",
        );
    }
}
