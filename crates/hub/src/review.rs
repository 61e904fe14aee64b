//! The review workflow over HTTP: the forms and the JSON API parse their input into a
//! [`ReviewAction`] and [`workflow::perform`] decides (the rules live there); this module
//! maps its [`ReviewError`]s to status codes and draws the review panel.

use super::Hub;
use super::api::ApiError;
use super::auth::{Caller, Denied};
use super::forms::{button_form, hidden_field, post_form};
use super::pages::{doc_url, millis_to_date};
use super::workflow::{self, ReviewAction, ReviewError};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use designdoc_render::parts::{Markup, badge, html};
use designdoc_store::{Comment, ReviewState, Role};
use serde::Deserialize;
use std::sync::Arc;

type Shared = State<Arc<Hub>>;

/// One review action, from a form or from JSON.
#[derive(Deserialize, Debug, Default)]
pub struct ReviewInput {
    pub action: String,
    /// request-review: comma-separated user names.
    #[serde(default)]
    pub reviewers: String,
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
    /// Forms only.
    #[serde(default)]
    pub csrf: String,
}

fn store_err(hub: &Hub) -> impl Fn(designdoc_store::StoreError) -> ApiError + '_ {
    move |e| ApiError::store(hub, e)
}

/// A refused review action as an HTTP answer.
fn review_error(hub: &Hub, e: ReviewError) -> ApiError {
    match e {
        ReviewError::Denied(d) => d.api(),
        ReviewError::Stale { .. } | ReviewError::Conflict(_) => ApiError(StatusCode::CONFLICT, e.to_string()),
        ReviewError::OwnRevision => ApiError(StatusCode::FORBIDDEN, e.to_string()),
        ReviewError::BadInput(m) => ApiError(StatusCode::BAD_REQUEST, m),
        ReviewError::NoThread => ApiError::not_found("open thread"),
        ReviewError::Store(e) => ApiError::store(hub, e),
    }
}

/// Performs `input` on document `id` for `caller`; the review state afterwards.
pub async fn perform(hub: &Hub, caller: &Caller, id: &str, input: &ReviewInput) -> Result<ReviewState, ApiError> {
    let action = ReviewAction::parse(
        &input.action,
        &input.reviewers,
        &input.anchor,
        &input.body,
        input.comment,
    )
    .map_err(|e| review_error(hub, e))?;
    workflow::perform(hub, caller, id, &action, input.revision)
        .await
        .map_err(|e| review_error(hub, e))
}

/// `POST /review/{space}/{*path}` (forms): back to the doc page.
pub async fn form_action(
    State(hub): Shared,
    caller: Caller,
    Path((space, path)): Path<(String, String)>,
    headers: HeaderMap,
    Form(input): Form<ReviewInput>,
) -> Response {
    let page = doc_url("doc", &space, &path);
    if let Err(d) = caller.check_form(&headers, &input.csrf) {
        return d.page(&page);
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
    let state = match hub.store.review_state(&id, &caller.visibility).await.map_err(&err) {
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

/// The review panel and the comment threads of a doc page (empty for a document without
/// a review state, which the caller cannot see).
pub async fn panel(hub: &Hub, caller: &Caller, id: &str, sections: &[(String, String)]) -> Result<Markup, ApiError> {
    let err = store_err(hub);
    let Some(state) = hub.store.review_state(id, &caller.visibility).await.map_err(&err)? else {
        return Ok(html! {});
    };
    let comments = hub.store.comments(id, &caller.visibility).await.map_err(&err)?;
    let (space, path) = id.split_once(':').unwrap_or(("", id));
    let role = caller.role_in(space);
    // Forms only for a session: they need its CSRF token (tokens use the JSON API).
    let forms = caller.csrf().map(|csrf| Forms {
        action: doc_url("review", space, path),
        csrf,
        author: role.is_some_and(|r| r >= Role::Author),
        reviewer: role.is_some_and(|r| r >= Role::Reviewer),
    });
    Ok(panel_markup(&state, &comments, sections, forms.as_ref()))
}

/// The review panel and the comment threads for `state` and `comments`, with the forms the
/// caller may use when `forms` is there.
pub(crate) fn panel_markup(
    state: &ReviewState,
    comments: &[Comment],
    sections: &[(String, String)],
    forms: Option<&Forms>,
) -> Markup {
    // Writing in threads takes an author's role or above; others only read them.
    let comment_forms = forms.filter(|f| f.author);
    html! {
        section #review .panel aria-label="Review" {
            h2 { "Review" } "\n"
            (status_line(state)) "\n"
            @if !state.requested.is_empty() {
                p { "Requested: " (state.requested.join(", ")) } "\n"
            }
            (verdicts(state)) "\n"
            @if let Some(forms) = forms { (actions(forms, &state.status)) }
        }
        "\n"
        section #comments .panel aria-label="Comments" {
            h2 { "Comments" } "\n"
            (threads(comments, sections, comment_forms))
            @if let Some(forms) = comment_forms { (new_comment(forms, sections)) }
        }
        "\n"
    }
}

/// Where the panel's forms post and who may use which.
pub(crate) struct Forms<'a> {
    pub(crate) action: String,
    pub(crate) csrf: &'a str,
    pub(crate) author: bool,
    pub(crate) reviewer: bool,
}

impl Forms<'_> {
    /// One action as a button with id `do-{act}` (tests and people's scripts click it).
    fn button(&self, act: &str, label: &str) -> Markup {
        let id = format!("do-{act}");
        button_form(&self.action, self.csrf, &[("action", act)], Some(&id), label)
    }
}

/// Status, revision, approvals against the policy, and why approval is blocked.
fn status_line(state: &ReviewState) -> Markup {
    let blocked = state.blocked().filter(|_| state.status == "review");
    html! {
        p {
            "Status " span #review-status { (badge(&state.status)) }
            " · revision " (state.revision)
            " · " (state.approvals()) " of " (state.policy.required_approvals) " approvals"
            @if let Some(why) = blocked { " · " span #blocked { (why) } }
        }
    }
}

/// The verdicts on this revision, then those on earlier ones (stale: they no longer count).
fn verdicts(state: &ReviewState) -> Markup {
    let approved = |v: &str| v == "approve";
    html! {
        ul #verdicts {
            @for v in &state.verdicts {
                li class={ "verdict " (v.verdict) } {
                    (v.reviewer) " "
                    (if approved(&v.verdict) { "approved" } else { "requested changes" })
                    " (" (millis_to_date(v.at)) ")"
                }
            }
            @for v in &state.stale {
                li.verdict.stale {
                    (v.reviewer) " "
                    (if approved(&v.verdict) { "approved" } else { "requested changes on" })
                    " revision " (v.revision) " (stale)"
                }
            }
        }
    }
}

/// The actions the caller's role allows in `status`: asking for reviewers, the verdicts,
/// and moving the document along its lifecycle. [`workflow`] decides whether an action is
/// allowed; this only leaves out buttons that would be refused.
fn actions(forms: &Forms, status: &str) -> Markup {
    let verdicts: &[(&str, &str)] = if forms.reviewer && status == "review" {
        &[
            ("approve", "Approve"),
            ("changes", "Request changes"),
            ("reject", "Reject"),
        ]
    } else {
        &[]
    };
    let lifecycle: &[(&str, &str)] = match (forms.author, status) {
        (false, _) => &[],
        (true, "review") => &[("withdraw", "Withdraw to draft")],
        (true, "rejected") => &[("reopen", "Reopen as draft")],
        (true, "approved") => &[("implemented", "Mark implemented"), ("superseded", "Mark superseded")],
        (true, "implemented") => &[("superseded", "Mark superseded")],
        (true, _) => &[],
    };
    html! {
        @if forms.author && matches!(status, "draft" | "review" | "") { (request_review(forms)) }
        @for (act, label) in verdicts.iter().chain(lifecycle) { (forms.button(act, label)) }
    }
}

/// Asking people for a review, by user name.
fn request_review(forms: &Forms) -> Markup {
    let fields = html! {
        (hidden_field("action", "request-review"))
        label { "Reviewers" input name="reviewers" id="reviewers" placeholder="user names, comma-separated"; }
        button type="submit" id="do-request-review" { "Request review" }
    };
    post_form(&forms.action, forms.csrf, Some("filters"), None, fields)
}

/// The comment threads, each under the title of the section it is about; `forms` when the
/// caller may reply and resolve.
fn threads(comments: &[Comment], sections: &[(String, String)], forms: Option<&Forms>) -> Markup {
    let firsts: Vec<&Comment> = comments.iter().filter(|c| c.parent_id.is_none()).collect();
    html! {
        @if firsts.is_empty() { p { "No comments yet." } "\n" }
        @for t in firsts {
            article class={ "thread" @if t.resolved_by.is_some() { " resolved" } } id={ "thread-" (t.id) } {
                h3 { a href={ "#" (t.anchor) } { (section_title(sections, &t.anchor)) } }
                @for c in comments.iter().filter(|c| c.id == t.id || c.parent_id == Some(t.id)) {
                    (comment(c))
                }
                @match (&t.resolved_by, forms) {
                    (Some(by), _) => p.meta { "Resolved by " (by) },
                    (None, Some(forms)) => (reply_and_resolve(forms, t.id)),
                    (None, None) => {},
                }
            }
            "\n"
        }
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

/// One comment: who, when, on which revision, and its text with its line breaks.
fn comment(c: &Comment) -> Markup {
    html! {
        div.comment id={ "comment-" (c.id) } {
            p.meta { (c.author) " · " (millis_to_date(c.created_at)) " · revision " (c.revision) }
            p.body {
                @for (i, line) in c.body.split('\n').enumerate() {
                    @if i > 0 { br; }
                    (line)
                }
            }
        }
    }
}

/// Answering an open thread, and closing it.
fn reply_and_resolve(forms: &Forms, thread: i64) -> Markup {
    let thread = thread.to_string();
    let reply = html! {
        (hidden_field("action", "reply"))
        (hidden_field("comment", &thread))
        label { "Reply" textarea name="body" required {} }
        button type="submit" { "Reply" }
    };
    html! {
        (post_form(&forms.action, forms.csrf, None, None, reply))
        (button_form(&forms.action, forms.csrf, &[("action", "resolve"), ("comment", &thread)], None, "Resolve"))
    }
}

/// A new thread, on the whole document or one section.
fn new_comment(forms: &Forms, sections: &[(String, String)]) -> Markup {
    let fields = html! {
        (hidden_field("action", "comment"))
        label {
            "Section"
            select name="anchor" id="comment-anchor" {
                option value="" { "Whole document" }
                @for (anchor, title) in sections { option value=(anchor) { (title) } }
            }
        }
        label { "Comment" textarea name="body" id="comment-body" required {} }
        button type="submit" id="do-comment" { "Comment" }
    };
    post_form(&forms.action, forms.csrf, None, Some("new-comment"), fields)
}
