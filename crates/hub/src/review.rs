//! The review workflow over HTTP: request review, comment on a section (threads, resolve),
//! approve or request changes, reject, withdraw, reopen, mark implemented or superseded.
//! One function performs every action for both the HTML forms and the JSON API, so the
//! rules (roles, no approving your own revision, the space's policy, the status machine)
//! live in one place. Every action is audited.

use super::Hub;
use super::api::ApiError;
use super::auth::{Caller, Denied};
use super::pages::{doc_url, millis_to_date};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use designdoc_render::site::escape;
use designdoc_store::{Comment, ReviewState, Role, Transition};
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

fn denied(d: Denied) -> ApiError {
    d.api()
}

fn store_err(hub: &Hub) -> impl Fn(designdoc_store::StoreError) -> ApiError + '_ {
    move |e| ApiError::store(hub, e)
}

fn is_own(published_by: &str, username: &str) -> bool {
    published_by == username || published_by.starts_with(&format!("{username} ("))
}

/// Performs `input` on document `id` for `caller`; the review state afterwards.
pub async fn perform(hub: &Hub, caller: &Caller, id: &str, input: &ReviewInput) -> Result<ReviewState, ApiError> {
    let err = store_err(hub);
    let space = id.split_once(':').map_or(id, |(s, _)| s);
    let (doc, rev) = hub
        .store
        .current(id, &caller.visibility)
        .await
        .map_err(&err)?
        .ok_or_else(|| {
            denied(if caller.user.is_none() {
                Denied::SignIn
            } else {
                Denied::Hidden
            })
        })?;
    let user = caller.user.clone().ok_or_else(|| denied(Denied::SignIn))?;
    if input.revision.is_some_and(|r| r != rev.number) {
        return Err(ApiError(
            StatusCode::CONFLICT,
            format!("revision {} was published since; reload and review it", rev.number),
        ));
    }
    let actor = caller.actor();
    let bad = |m: String| ApiError(StatusCode::CONFLICT, m);
    let transition = |t: Transition| t.apply(&doc.status).map_err(bad);
    let mut detail = serde_json::json!({"revision": rev.number});
    let mut new_status: Option<&'static str> = None;
    // Actions that write record their audit entry in the same transaction; the others
    // (status transitions, recorded again by the status change) are recorded after.
    let action = format!("review.{}", input.action);
    let audit = |detail: &serde_json::Value| designdoc_store::Audit::new(&actor, &action, id, detail.clone());
    let mut audited = true;
    match input.action.as_str() {
        "request-review" => {
            caller.require(space, Role::Author).map_err(denied)?;
            if doc.status != "review" {
                new_status = Some(transition(Transition::RequestReview)?);
            }
            let mut ids = Vec::new();
            for name in input.reviewers.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                let r =
                    hub.store.user_by_name(name).await.map_err(&err)?.ok_or_else(|| {
                        ApiError(StatusCode::BAD_REQUEST, format!("cannot ask `{name}` to review here"))
                    })?;
                // The same answer as for a name nobody has: who exists is not for authors
                // to probe.
                if !hub.store.visibility(Some(&r)).await.map_err(&err)?.can_see(space) {
                    return Err(ApiError(
                        StatusCode::BAD_REQUEST,
                        format!("cannot ask `{name}` to review here"),
                    ));
                }
                ids.push(r.id);
            }
            detail["reviewers"] = input.reviewers.clone().into();
            hub.store
                .request_review(id, rev.number, &ids, &user.id, audit(&detail))
                .await
                .map_err(&err)?;
        }
        "approve" | "changes" => {
            caller.require(space, Role::Reviewer).map_err(denied)?;
            if doc.status != "review" {
                return Err(bad(format!(
                    "only a document in review can be reviewed; this one is `{}`",
                    doc.status
                )));
            }
            if is_own(&rev.published_by, &user.username) {
                return Err(ApiError(
                    StatusCode::FORBIDDEN,
                    "nobody reviews their own revision".into(),
                ));
            }
            hub.store
                .set_verdict(id, rev.number, &user.id, &input.action, audit(&detail))
                .await
                .map_err(&err)?;
        }
        "reject" => {
            caller.require(space, Role::Reviewer).map_err(denied)?;
            new_status = Some(transition(Transition::Reject)?);
            audited = false;
        }
        "withdraw" | "reopen" | "implemented" | "superseded" => {
            // The doc's own authors (its publisher, or named in `authors`) move it along;
            // anyone else needs to be a reviewer of the space.
            let own = is_own(&rev.published_by, &user.username)
                || doc
                    .authors
                    .iter()
                    .any(|a| a.trim().eq_ignore_ascii_case(&user.username));
            let needed = if own { Role::Author } else { Role::Reviewer };
            caller.require(space, needed).map_err(denied)?;
            let t = match input.action.as_str() {
                "withdraw" => Transition::Withdraw,
                "reopen" => Transition::Reopen,
                "implemented" => Transition::Implemented,
                _ => Transition::Superseded,
            };
            new_status = Some(transition(t)?);
            audited = false;
        }
        "comment" | "reply" => {
            caller.require(space, Role::Author).map_err(denied)?;
            let parent = if input.action == "reply" {
                Some(input.comment.ok_or_else(|| bad("a reply needs `comment`".into()))?)
            } else {
                None
            };
            if parent.is_none() && !input.anchor.is_empty() {
                let (parsed, _) = designdoc_model::parse(&rev.content);
                if !parsed.sections.iter().any(|s| s.anchor == input.anchor) {
                    return Err(ApiError(
                        StatusCode::BAD_REQUEST,
                        format!("no section `{}` in this revision", input.anchor),
                    ));
                }
            }
            detail["anchor"] = input.anchor.clone().into();
            // The store adds the new comment's id to the record.
            let audit = audit(&detail);
            hub.store
                .add_comment(id, rev.number, &input.anchor, parent, &user.id, &input.body, audit)
                .await
                .map_err(&err)?;
        }
        "resolve" => {
            caller.require(space, Role::Author).map_err(denied)?;
            let c = input.comment.ok_or_else(|| bad("resolve needs `comment`".into()))?;
            detail["comment"] = c.into();
            if !hub
                .store
                .resolve_comment(id, c, &user.id, audit(&detail))
                .await
                .map_err(&err)?
            {
                return Err(ApiError::not_found("open thread"));
            }
        }
        other => return Err(ApiError(StatusCode::BAD_REQUEST, format!("unknown action `{other}`"))),
    }
    if !audited {
        hub.store.audit(&actor, &action, id, detail).await.map_err(&err)?;
    }
    if let Some(to) = new_status {
        change_status(hub, &actor, id, rev.number, &doc.status, to).await?;
    }
    let state = hub
        .store
        .review_state(id, &caller.visibility)
        .await
        .map_err(&err)?
        .ok_or_else(|| ApiError::not_found("document"))?;
    // The approval that meets the space's policy moves the document to approved.
    if input.action == "approve" && state.status == "review" && state.blocked().is_none() {
        change_status(hub, &actor, id, rev.number, "review", "approved").await?;
        return hub
            .store
            .review_state(id, &caller.visibility)
            .await
            .map_err(&err)?
            .ok_or_else(|| ApiError::not_found("document"));
    }
    Ok(state)
}

async fn change_status(hub: &Hub, actor: &str, id: &str, revision: i64, from: &str, to: &str) -> Result<(), ApiError> {
    let audit = designdoc_store::Audit::new(actor, "status.change", id, serde_json::json!({"from": from, "to": to}));
    if !hub
        .store
        .set_status(id, revision, from, to, audit)
        .await
        .map_err(store_err(hub))?
    {
        return Err(ApiError(
            StatusCode::CONFLICT,
            "the status changed meanwhile; reload".into(),
        ));
    }
    Ok(())
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
