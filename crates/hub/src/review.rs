//! The review workflow over HTTP: the forms and the JSON API parse their input into a
//! [`ReviewAction`] and [`workflow::perform`] decides (the rules live there); this module
//! maps its [`ReviewError`]s to status codes and draws the review panel.

use super::Hub;
use super::api::ApiError;
use super::auth::{Caller, Denied};
use super::pages::{doc_url, millis_to_date};
use super::workflow::{self, ReviewAction, ReviewError};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use designdoc_render::site::escape;
use designdoc_store::{Comment, ReviewState, Role};
use serde::Deserialize;
use std::fmt::Write;
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

/// The review panel and the comment threads of a doc page.
pub async fn panel(hub: &Hub, caller: &Caller, id: &str, sections: &[(String, String)]) -> Result<String, ApiError> {
    let err = store_err(hub);
    let Some(state) = hub.store.review_state(id, &caller.visibility).await.map_err(&err)? else {
        return Ok(String::new());
    };
    let comments = hub.store.comments(id, &caller.visibility).await.map_err(&err)?;
    let (space, path) = id.split_once(':').unwrap_or(("", id));
    let action = escape(&doc_url("review", space, path));
    let csrf = caller
        .csrf()
        .map(|c| format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", escape(c)));
    let role = caller.role_in(space);
    let mut b = format!(
        "<section id=\"review\" class=\"panel\" aria-label=\"Review\"><h2>Review</h2>\n<p>Status <span id=\"review-status\">{}</span> · revision {} · {} of {} approvals{}</p>\n",
        designdoc_render::site::badge(&state.status),
        state.revision,
        state.approvals(),
        state.policy.required_approvals,
        match state.blocked() {
            Some(why) if state.status == "review" => format!(" · <span id=\"blocked\">{}</span>", escape(&why)),
            _ => String::new(),
        }
    );
    if !state.requested.is_empty() {
        let _ = writeln!(b, "<p>Requested: {}</p>", escape(&state.requested.join(", ")));
    }
    b.push_str("<ul id=\"verdicts\">");
    for v in &state.verdicts {
        let _ = write!(
            b,
            "<li class=\"verdict {}\">{} {} ({})</li>",
            escape(&v.verdict),
            escape(&v.reviewer),
            if v.verdict == "approve" {
                "approved"
            } else {
                "requested changes"
            },
            millis_to_date(v.at)
        );
    }
    for v in &state.stale {
        let _ = write!(
            b,
            "<li class=\"verdict stale\">{} {} revision {} (stale)</li>",
            escape(&v.reviewer),
            if v.verdict == "approve" {
                "approved"
            } else {
                "requested changes on"
            },
            v.revision
        );
    }
    b.push_str("</ul>\n");
    if let Some(csrf) = &csrf {
        let button = |b: &mut String, act: &str, label: &str| {
            let _ = write!(
                b,
                "<form method=\"post\" action=\"{action}\" class=\"inline\">{csrf}<input type=\"hidden\" name=\"action\" value=\"{act}\"><button type=\"submit\" id=\"do-{act}\">{label}</button></form>"
            );
        };
        let author = role.is_some_and(|r| r >= Role::Author);
        let reviewer = role.is_some_and(|r| r >= Role::Reviewer);
        if author && matches!(state.status.as_str(), "draft" | "review" | "") {
            let _ = write!(
                b,
                "<form method=\"post\" action=\"{action}\" class=\"filters\">{csrf}<input type=\"hidden\" name=\"action\" value=\"request-review\"><label>Reviewers<input name=\"reviewers\" id=\"reviewers\" placeholder=\"user names, comma-separated\"></label><button type=\"submit\" id=\"do-request-review\">Request review</button></form>"
            );
        }
        if reviewer && state.status == "review" {
            button(&mut b, "approve", "Approve");
            button(&mut b, "changes", "Request changes");
            button(&mut b, "reject", "Reject");
        }
        if author {
            match state.status.as_str() {
                "review" => button(&mut b, "withdraw", "Withdraw to draft"),
                "rejected" => button(&mut b, "reopen", "Reopen as draft"),
                "approved" => {
                    button(&mut b, "implemented", "Mark implemented");
                    button(&mut b, "superseded", "Mark superseded");
                }
                "implemented" => button(&mut b, "superseded", "Mark superseded"),
                _ => {}
            }
        }
    }
    b.push_str("</section>\n<section id=\"comments\" class=\"panel\" aria-label=\"Comments\"><h2>Comments</h2>\n");
    let title_of = |anchor: &str| {
        sections.iter().find(|(a, _)| a == anchor).map_or_else(
            || {
                if anchor.is_empty() {
                    "Whole document".to_string()
                } else {
                    anchor.to_string()
                }
            },
            |(_, t)| t.clone(),
        )
    };
    let threads: Vec<&Comment> = comments.iter().filter(|c| c.parent_id.is_none()).collect();
    if threads.is_empty() {
        b.push_str("<p>No comments yet.</p>\n");
    }
    for t in threads {
        let _ = write!(
            b,
            "<article class=\"thread{}\" id=\"thread-{}\"><h3><a href=\"#{}\">{}</a></h3>",
            if t.resolved_by.is_some() { " resolved" } else { "" },
            t.id,
            escape(&t.anchor),
            escape(&title_of(&t.anchor))
        );
        for c in comments.iter().filter(|c| c.id == t.id || c.parent_id == Some(t.id)) {
            let _ = write!(
                b,
                "<div class=\"comment\" id=\"comment-{}\"><p class=\"meta\">{} · {} · revision {}</p><p class=\"body\">{}</p></div>",
                c.id,
                escape(&c.author),
                millis_to_date(c.created_at),
                c.revision,
                escape(&c.body).replace('\n', "<br>")
            );
        }
        match (&t.resolved_by, &csrf) {
            (Some(by), _) => {
                let _ = write!(b, "<p class=\"meta\">Resolved by {}</p>", escape(by));
            }
            (None, Some(csrf)) if role.is_some_and(|r| r >= Role::Author) => {
                let _ = write!(
                    b,
                    "<form method=\"post\" action=\"{action}\">{csrf}<input type=\"hidden\" name=\"action\" value=\"reply\"><input type=\"hidden\" name=\"comment\" value=\"{id}\"><label>Reply<textarea name=\"body\" required></textarea></label><button type=\"submit\">Reply</button></form>\
<form method=\"post\" action=\"{action}\" class=\"inline\">{csrf}<input type=\"hidden\" name=\"action\" value=\"resolve\"><input type=\"hidden\" name=\"comment\" value=\"{id}\"><button type=\"submit\">Resolve</button></form>",
                    id = t.id
                );
            }
            _ => {}
        }
        b.push_str("</article>\n");
    }
    if let (Some(csrf), true) = (&csrf, role.is_some_and(|r| r >= Role::Author)) {
        let options: String = std::iter::once(("".to_string(), "Whole document".to_string()))
            .chain(sections.iter().cloned())
            .map(|(a, t)| format!("<option value=\"{}\">{}</option>", escape(&a), escape(&t)))
            .collect();
        let _ = write!(
            b,
            "<form method=\"post\" action=\"{action}\" id=\"new-comment\">{csrf}<input type=\"hidden\" name=\"action\" value=\"comment\"><label>Section<select name=\"anchor\" id=\"comment-anchor\">{options}</select></label><label>Comment<textarea name=\"body\" id=\"comment-body\" required></textarea></label><button type=\"submit\" id=\"do-comment\">Comment</button></form>"
        );
    }
    b.push_str("</section>\n");
    Ok(b)
}
