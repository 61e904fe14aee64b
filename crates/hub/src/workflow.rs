//! The review workflow as plain functions over the store: request review, comment on a
//! section (threads, resolve), approve or request changes, reject, withdraw, reopen, mark
//! implemented or superseded. The rules (roles, no approving your own revision, the
//! space's policy, the status machine) live here and answer with a [`ReviewError`]; the
//! HTTP handlers in `review.rs` only map those to responses. Every action is audited, and
//! an audit write that fails fails the action.

use super::Hub;
use super::auth::{Caller, Denied};
use designdoc_model::Status;
use designdoc_store::{ReviewState, Role, StoreError, Transition};

/// One review action, parsed from a form or JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewAction {
    RequestReview {
        reviewers: Vec<String>,
    },
    Approve,
    RequestChanges,
    Reject,
    Withdraw,
    Reopen,
    Implemented,
    Superseded,
    /// A new thread on a section (`anchor`; empty: the whole document).
    Comment {
        anchor: String,
        body: String,
    },
    Reply {
        comment: i64,
        body: String,
    },
    Resolve {
        comment: i64,
    },
}

impl ReviewAction {
    /// The action a form or JSON body names, with the fields it needs.
    pub fn parse(
        action: &str,
        reviewers: &str,
        anchor: &str,
        body: &str,
        comment: Option<i64>,
    ) -> Result<ReviewAction, ReviewError> {
        let needs_comment =
            |what: &str| comment.ok_or_else(|| ReviewError::BadInput(format!("{what} needs `comment`")));
        Ok(match action {
            "request-review" => ReviewAction::RequestReview {
                reviewers: reviewers
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
                    .collect(),
            },
            "approve" => ReviewAction::Approve,
            "changes" => ReviewAction::RequestChanges,
            "reject" => ReviewAction::Reject,
            "withdraw" => ReviewAction::Withdraw,
            "reopen" => ReviewAction::Reopen,
            "implemented" => ReviewAction::Implemented,
            "superseded" => ReviewAction::Superseded,
            "comment" => ReviewAction::Comment {
                anchor: anchor.to_string(),
                body: body.to_string(),
            },
            "reply" => ReviewAction::Reply {
                comment: needs_comment("a reply")?,
                body: body.to_string(),
            },
            "resolve" => ReviewAction::Resolve {
                comment: needs_comment("resolve")?,
            },
            other => return Err(ReviewError::BadInput(format!("unknown action `{other}`"))),
        })
    }

    /// The name in forms, the API and the audit log (`review.approve`).
    pub fn name(&self) -> &'static str {
        match self {
            ReviewAction::RequestReview { .. } => "request-review",
            ReviewAction::Approve => "approve",
            ReviewAction::RequestChanges => "changes",
            ReviewAction::Reject => "reject",
            ReviewAction::Withdraw => "withdraw",
            ReviewAction::Reopen => "reopen",
            ReviewAction::Implemented => "implemented",
            ReviewAction::Superseded => "superseded",
            ReviewAction::Comment { .. } => "comment",
            ReviewAction::Reply { .. } => "reply",
            ReviewAction::Resolve { .. } => "resolve",
        }
    }
}

/// Why a review action was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// Not allowed for this caller (sign in, role, or the doc is invisible to them).
    #[error("not allowed")]
    Denied(Denied),
    /// The revision the person looked at is no longer the current one.
    #[error("revision {current} was published since; reload and review it")]
    Stale { current: i64 },
    /// The status machine or the space's state does not allow it now.
    #[error("{0}")]
    Conflict(String),
    /// Reviewing one's own revision.
    #[error("nobody reviews their own revision")]
    OwnRevision,
    /// The request names something that does not exist or is malformed.
    #[error("{0}")]
    BadInput(String),
    /// A thread that is not there (or is resolved already).
    #[error("no such open thread")]
    NoThread,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Denied> for ReviewError {
    fn from(d: Denied) -> Self {
        ReviewError::Denied(d)
    }
}

fn is_own(published_by: &str, username: &str) -> bool {
    published_by == username || published_by.starts_with(&format!("{username} ("))
}

/// Performs `action` on document `id` for `caller`, who looked at revision `seen` (when
/// given: an action on a newer revision is refused, so nobody approves content they have
/// not seen). Returns the review state afterwards.
pub async fn perform(
    hub: &Hub,
    caller: &Caller,
    id: &str,
    action: &ReviewAction,
    seen: Option<i64>,
) -> Result<ReviewState, ReviewError> {
    let space = id.split_once(':').map_or(id, |(s, _)| s);
    let (doc, rev) = hub
        .store
        .current(id, &caller.visibility)
        .await?
        .ok_or(if caller.user.is_none() {
            Denied::SignIn
        } else {
            Denied::Hidden
        })?;
    let user = caller.user.clone().ok_or(Denied::SignIn)?;
    if seen.is_some_and(|r| r != rev.number) {
        return Err(ReviewError::Stale { current: rev.number });
    }
    let actor = caller.actor();
    let in_review = doc.status == Status::Review.as_str();
    let transition = |t: Transition| t.apply(&doc.status).map_err(ReviewError::Conflict);
    let mut detail = serde_json::json!({"revision": rev.number});
    let mut new_status: Option<&'static str> = None;
    match action {
        ReviewAction::RequestReview { reviewers } => {
            caller.require(space, Role::Author)?;
            if !in_review {
                new_status = Some(transition(Transition::RequestReview)?);
            }
            let mut ids = Vec::new();
            for name in reviewers {
                // The same answer for a name nobody has and for a user who cannot see the
                // space: who exists is not for authors to probe.
                let unknown = || ReviewError::BadInput(format!("cannot ask `{name}` to review here"));
                let r = hub.store.user_by_name(name).await?.ok_or_else(unknown)?;
                if !hub.store.visibility(Some(&r)).await?.can_see(space) {
                    return Err(unknown());
                }
                ids.push(r.id);
            }
            hub.store.request_review(id, rev.number, &ids, &user.id).await?;
            detail["reviewers"] = reviewers.join(",").into();
        }
        ReviewAction::Approve | ReviewAction::RequestChanges => {
            caller.require(space, Role::Reviewer)?;
            if !in_review {
                return Err(ReviewError::Conflict(format!(
                    "only a document in review can be reviewed; this one is `{}`",
                    doc.status
                )));
            }
            if is_own(&rev.published_by, &user.username) {
                return Err(ReviewError::OwnRevision);
            }
            hub.store.set_verdict(id, rev.number, &user.id, action.name()).await?;
        }
        ReviewAction::Reject => {
            caller.require(space, Role::Reviewer)?;
            new_status = Some(transition(Transition::Reject)?);
        }
        ReviewAction::Withdraw | ReviewAction::Reopen | ReviewAction::Implemented | ReviewAction::Superseded => {
            // The doc's own authors (its publisher, or named in `authors`) move it along;
            // anyone else needs to be a reviewer of the space.
            let own = is_own(&rev.published_by, &user.username)
                || doc
                    .authors
                    .iter()
                    .any(|a| a.trim().eq_ignore_ascii_case(&user.username));
            caller.require(space, if own { Role::Author } else { Role::Reviewer })?;
            let t = match action {
                ReviewAction::Withdraw => Transition::Withdraw,
                ReviewAction::Reopen => Transition::Reopen,
                ReviewAction::Implemented => Transition::Implemented,
                _ => Transition::Superseded,
            };
            new_status = Some(transition(t)?);
        }
        ReviewAction::Comment { anchor, body } => {
            caller.require(space, Role::Author)?;
            if !anchor.is_empty() && !hub.store.has_section(id, rev.number, anchor).await? {
                return Err(ReviewError::BadInput(format!("no section `{anchor}` in this revision")));
            }
            let cid = hub
                .store
                .add_comment(id, rev.number, anchor, None, &user.id, body)
                .await?;
            detail["comment"] = cid.into();
            detail["anchor"] = anchor.clone().into();
        }
        ReviewAction::Reply { comment, body } => {
            caller.require(space, Role::Author)?;
            let cid = hub
                .store
                .add_comment(id, rev.number, "", Some(*comment), &user.id, body)
                .await?;
            detail["comment"] = cid.into();
            detail["anchor"] = "".into();
        }
        ReviewAction::Resolve { comment } => {
            caller.require(space, Role::Author)?;
            if !hub.store.resolve_comment(id, *comment, &user.id).await? {
                return Err(ReviewError::NoThread);
            }
            detail["comment"] = (*comment).into();
        }
    }
    hub.store
        .audit(&actor, &format!("review.{}", action.name()), id, detail)
        .await?;
    if let Some(to) = new_status {
        change_status(hub, &actor, id, rev.number, &doc.status, to).await?;
    }
    let missing = || ReviewError::Denied(Denied::Hidden);
    let state = hub
        .store
        .review_state(id, &caller.visibility)
        .await?
        .ok_or_else(missing)?;
    // The approval that meets the space's policy moves the document to approved.
    if *action == ReviewAction::Approve && state.status == Status::Review.as_str() && state.blocked().is_none() {
        change_status(
            hub,
            &actor,
            id,
            rev.number,
            Status::Review.as_str(),
            Status::Approved.as_str(),
        )
        .await?;
        return hub
            .store
            .review_state(id, &caller.visibility)
            .await?
            .ok_or_else(missing);
    }
    Ok(state)
}

/// Moves the doc from `from` to `to` if nobody changed it meanwhile, and records it.
async fn change_status(
    hub: &Hub,
    actor: &str,
    id: &str,
    revision: i64,
    from: &str,
    to: &str,
) -> Result<(), ReviewError> {
    if !hub.store.set_status(id, revision, from, to).await? {
        return Err(ReviewError::Conflict("the status changed meanwhile; reload".into()));
    }
    hub.store
        .audit(actor, "status.change", id, serde_json::json!({"from": from, "to": to}))
        .await?;
    Ok(())
}
