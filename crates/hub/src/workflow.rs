//! The review workflow as plain functions over the store: request review, comment on a
//! section (threads, resolve), approve or request changes, reject, withdraw, reopen, mark
//! implemented or superseded. The rules (roles, no approving your own revision, the
//! space's policy, the status machine) live here and answer with a [`ReviewError`]; the
//! HTTP handlers in `review.rs` only map those to responses. Every action is audited, and
//! an audit write that fails fails the action.

use super::Hub;
use super::auth::{Caller, Denied};
use designdoc_model::Status;
use designdoc_store::{Audit, DocumentRow, ReviewState, RevisionRow, Role, StoreError, Transition, User};

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

/// What every action of one request works on.
struct Target<'a> {
    hub: &'a Hub,
    caller: &'a Caller,
    id: &'a str,
    space: &'a str,
    doc: DocumentRow,
    rev: RevisionRow,
    user: User,
}

/// What an action leaves behind: its audit details, the status to move to, and whether
/// its record was written already (with the action's own write, in one transaction).
struct Outcome {
    detail: serde_json::Value,
    new_status: Option<Status>,
    recorded: bool,
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
    let target = Target {
        hub,
        caller,
        id,
        space: id.split_once(':').map_or(id, |(s, _)| s),
        doc,
        rev,
        user,
    };
    let mut outcome = Outcome {
        detail: serde_json::json!({"revision": target.rev.number}),
        new_status: None,
        recorded: false,
    };
    match action {
        ReviewAction::RequestReview { reviewers } => target.request_review(action, reviewers, &mut outcome).await?,
        ReviewAction::Approve | ReviewAction::RequestChanges => target.verdict(action, &mut outcome).await?,
        ReviewAction::Reject => {
            caller.require(target.space, Role::Reviewer)?;
            outcome.new_status = Some(target.transition(Transition::Reject)?);
        }
        ReviewAction::Withdraw | ReviewAction::Reopen | ReviewAction::Implemented | ReviewAction::Superseded => {
            outcome.new_status = Some(target.move_along(action)?);
        }
        ReviewAction::Comment { .. } | ReviewAction::Reply { .. } | ReviewAction::Resolve { .. } => {
            target.discuss(action, &mut outcome).await?;
        }
    }
    let actor = caller.actor();
    let (number, status) = (target.rev.number, target.doc.status.as_str());
    // Transitions write nothing of their own before the status change: their record is
    // written here, and the status change records itself.
    if !outcome.recorded {
        hub.store
            .audit(&actor, &action_record(action), id, outcome.detail)
            .await?;
    }
    if let Some(to) = outcome.new_status {
        change_status(hub, &actor, id, number, status, to.as_str()).await?;
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
            number,
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

/// The audit log's name for an action (`review.approve`).
fn action_record(action: &ReviewAction) -> String {
    format!("review.{}", action.name())
}

impl Outcome {
    /// The record of `action` by `actor` on `id`, to write with the action; marks it written.
    fn record<'a>(&mut self, actor: &'a str, action: &'a str, id: &'a str) -> Audit<'a> {
        self.recorded = true;
        Audit::new(actor, action, id, self.detail.clone())
    }
}

impl Target<'_> {
    fn in_review(&self) -> bool {
        self.doc.status.parse() == Ok(Status::Review)
    }

    fn transition(&self, t: Transition) -> Result<Status, ReviewError> {
        t.apply(&self.doc.status).map_err(ReviewError::Conflict)
    }

    async fn request_review(
        &self,
        action: &ReviewAction,
        reviewers: &[String],
        outcome: &mut Outcome,
    ) -> Result<(), ReviewError> {
        self.caller.require(self.space, Role::Author)?;
        if !self.in_review() {
            outcome.new_status = Some(self.transition(Transition::RequestReview)?);
        }
        let mut ids = Vec::new();
        for name in reviewers {
            // The same answer for a name nobody has and for a user who cannot see the
            // space: who exists is not for authors to probe.
            let unknown = || ReviewError::BadInput(format!("cannot ask `{name}` to review here"));
            let r = self.hub.store.user_by_name(name).await?.ok_or_else(unknown)?;
            if !self.hub.store.visibility(Some(&r)).await?.can_see(self.space) {
                return Err(unknown());
            }
            ids.push(r.id);
        }
        outcome.detail["reviewers"] = reviewers.join(",").into();
        let (actor, name) = (self.caller.actor(), action_record(action));
        let audit = outcome.record(&actor, &name, self.id);
        self.hub
            .store
            .request_review(self.id, self.rev.number, &ids, &self.user.id, audit)
            .await?;
        Ok(())
    }

    async fn verdict(&self, action: &ReviewAction, outcome: &mut Outcome) -> Result<(), ReviewError> {
        self.caller.require(self.space, Role::Reviewer)?;
        if !self.in_review() {
            return Err(ReviewError::Conflict(format!(
                "only a document in review can be reviewed; this one is `{}`",
                self.doc.status
            )));
        }
        if is_own(&self.rev.published_by, &self.user.username) {
            return Err(ReviewError::OwnRevision);
        }
        let (actor, name) = (self.caller.actor(), action_record(action));
        let audit = outcome.record(&actor, &name, self.id);
        self.hub
            .store
            .set_verdict(self.id, self.rev.number, &self.user.id, action.name(), audit)
            .await?;
        Ok(())
    }

    /// Withdraw, reopen, implemented, superseded: the doc's own authors (its publisher, or
    /// named in `authors`) move it along; anyone else needs to be a reviewer of the space.
    fn move_along(&self, action: &ReviewAction) -> Result<Status, ReviewError> {
        let own = is_own(&self.rev.published_by, &self.user.username)
            || self
                .doc
                .authors
                .iter()
                .any(|a| a.trim().eq_ignore_ascii_case(&self.user.username));
        self.caller
            .require(self.space, if own { Role::Author } else { Role::Reviewer })?;
        self.transition(match action {
            ReviewAction::Withdraw => Transition::Withdraw,
            ReviewAction::Reopen => Transition::Reopen,
            ReviewAction::Implemented => Transition::Implemented,
            _ => Transition::Superseded,
        })
    }

    /// Comment, reply, resolve.
    async fn discuss(&self, action: &ReviewAction, outcome: &mut Outcome) -> Result<(), ReviewError> {
        self.caller.require(self.space, Role::Author)?;
        let store = &self.hub.store;
        let (number, by) = (self.rev.number, &self.user.id);
        let (actor, name) = (self.caller.actor(), action_record(action));
        match action {
            ReviewAction::Comment { anchor, body } => {
                if !anchor.is_empty() && !store.has_section(self.id, number, anchor).await? {
                    return Err(ReviewError::BadInput(format!("no section `{anchor}` in this revision")));
                }
                // The store adds the new comment's id to the record.
                outcome.detail["anchor"] = anchor.clone().into();
                let audit = outcome.record(&actor, &name, self.id);
                store
                    .add_comment(self.id, number, anchor, None, by, body, audit)
                    .await?;
            }
            ReviewAction::Reply { comment, body } => {
                outcome.detail["anchor"] = "".into();
                let audit = outcome.record(&actor, &name, self.id);
                store
                    .add_comment(self.id, number, "", Some(*comment), by, body, audit)
                    .await?;
            }
            ReviewAction::Resolve { comment } => {
                outcome.detail["comment"] = (*comment).into();
                let audit = outcome.record(&actor, &name, self.id);
                if !store.resolve_comment(self.id, *comment, by, audit).await? {
                    return Err(ReviewError::NoThread);
                }
            }
            _ => {}
        }
        Ok(())
    }
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
    let audit = Audit::new(actor, "status.change", id, serde_json::json!({"from": from, "to": to}));
    if !hub.store.set_status(id, revision, from, to, audit).await? {
        return Err(ReviewError::Conflict("the status changed meanwhile; reload".into()));
    }
    Ok(())
}
