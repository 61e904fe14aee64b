//! The review workflow as plain functions over the store: request review, comment on a
//! section (threads, resolve), approve or request changes, reject, withdraw, reopen, mark
//! implemented or superseded. The rules (roles, authors never review their own document,
//! the gate of findings at review strictness, the space's policy, the status machine) live
//! here and answer with a [`ReviewError`]; the
//! HTTP handlers in `review.rs` only map those to responses. Every action is audited, and
//! an audit write that fails fails the action.

use super::Hub;
use super::auth::{Caller, Denied};
use super::notify::{self, About, event};
use designdoc_check::facts::Blocking;
use designdoc_model::Status;
use designdoc_store::{Audit, DocumentRow, Notice, ReviewState, RevisionRow, Role, StoreError, Transition, User};
use std::collections::BTreeMap;

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
    /// `reason` is required where the action says no: requesting changes and rejecting.
    pub fn parse(
        action: &str,
        reviewers: &[String],
        anchor: &str,
        body: &str,
        comment: Option<i64>,
        reason: &str,
    ) -> Result<ReviewAction, ReviewError> {
        let needs_comment =
            |what: &str| comment.ok_or_else(|| ReviewError::BadInput(format!("{what} needs `comment`")));
        if matches!(action, "changes" | "reject") && reason.trim().is_empty() {
            let what = if action == "reject" {
                "rejecting"
            } else {
                "requesting changes"
            };
            return Err(ReviewError::BadInput(format!(
                "{what} needs a reason (`reason`): say what the author should change"
            )));
        }
        Ok(match action {
            "request-review" => ReviewAction::RequestReview {
                reviewers: reviewers
                    .iter()
                    .flat_map(|r| r.split(','))
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
    /// An author (publisher, or named in `authors`) reviewing their own document.
    #[error("authors do not review their own document: ask a reviewer who is not among its authors")]
    OwnRevision,
    /// The space's policy blocks on findings of the current revision at review strictness.
    #[error("{why}: fix them and publish a new revision")]
    Blocked { why: String, blocking: Vec<Blocking> },
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

/// `[hub.authors]`: a name as written in `authors:` (lower-cased) -> the hub user name.
pub type AuthorMap = BTreeMap<String, String>;

/// Whether `published_by` (a user name, `name (token t)`, `token:t` or `watcher`) is `username`.
fn is_own(published_by: &str, username: &str) -> bool {
    published_by == username || published_by.starts_with(&format!("{username} ("))
}

/// What a match of a user to a document's authors may be used for. A user sets their own
/// e-mail address, unverified: an address in `authors:` may keep its user from reviewing
/// the document (the safe side) but grants nothing (no lifecycle actions, no e-mail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// Grants an author's rights: publisher, user name, `@name` or `[hub.authors]`.
    Grants,
    /// Refuses a reviewer's: any of those, or the user's e-mail address.
    Refuses,
}

/// Whether `user` wrote a document that `publishers` published and whose `authors:` lists
/// `named`: they published a revision of it, or an entry of `authors:` names them by user
/// name, a name `mapping` gives them, or (for [`Trust::Refuses`]) their e-mail address.
/// Entries are read the ways people write them: `alice`, `@alice`, `alice@example.com`,
/// `Alice Smith <alice@example.com>`, `Alice Smith (@alice)`.
pub fn is_author<'a>(
    user: &User,
    publishers: impl IntoIterator<Item = &'a str>,
    named: &[String],
    mapping: &AuthorMap,
    trust: Trust,
) -> bool {
    publishers.into_iter().any(|p| is_own(p, &user.username))
        || named.iter().any(|entry| names_user(entry, user, mapping, trust))
}

/// Whether one `authors:` entry names `user`.
fn names_user(entry: &str, user: &User, mapping: &AuthorMap, trust: Trust) -> bool {
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    author_names(entry).any(|name| {
        same(name, &user.username)
            || (trust == Trust::Refuses && user.email.as_deref().is_some_and(|e| same(name, e)))
            || mapping
                .get(&name.to_lowercase())
                .is_some_and(|mapped| same(mapped, &user.username))
    })
}

/// The names one `authors:` entry goes by: the whole entry, the part before `<...>` or
/// `(...)`, what is inside them, each without a leading `@`.
fn author_names(entry: &str) -> impl Iterator<Item = &str> {
    let entry = entry.trim();
    let before = entry.split(['<', '(']).next().unwrap_or(entry);
    let inside = entry
        .split(['<', '('])
        .skip(1)
        .map(|part| part.split(['>', ')']).next().unwrap_or(part));
    [entry, before]
        .into_iter()
        .chain(inside)
        .map(|n| n.trim().trim_start_matches('@').trim())
        .filter(|n| !n.is_empty())
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
    /// The caller published a revision of the doc or is named in its `authors`
    /// ([`Trust::Grants`]): may move it along its lifecycle.
    author: bool,
    /// The caller may be one of its authors ([`Trust::Refuses`]): may not review it.
    excluded: bool,
    authors: Authorship,
}

/// Who wrote a document: whoever published a revision of it, and the names in the current
/// revision's `authors:`.
pub struct Authorship {
    publishers: Vec<String>,
    named: Vec<String>,
}

impl Authorship {
    /// The authorship of `doc` (document `id`).
    pub async fn of(
        hub: &Hub,
        id: &str,
        doc: &DocumentRow,
        vis: &designdoc_store::Visibility,
    ) -> Result<Authorship, StoreError> {
        let revisions = hub.store.revisions(id, vis).await?;
        Ok(Authorship {
            publishers: revisions.into_iter().map(|r| r.published_by).collect(),
            named: doc.authors.clone(),
        })
    }

    /// Whether `user` is one of the authors, for `trust`.
    pub fn includes(&self, user: &User, mapping: &AuthorMap, trust: Trust) -> bool {
        is_author(
            user,
            self.publishers.iter().map(String::as_str),
            &self.named,
            mapping,
            trust,
        )
    }

    /// Who may be asked to review the document: reviewers of `space` who are not among
    /// its authors.
    pub async fn reviewers(&self, hub: &Hub, space: &str) -> Result<Vec<User>, StoreError> {
        let mut users = hub.store.reviewers(space).await?;
        users.retain(|u| !self.includes(u, &hub.authors, Trust::Refuses));
        Ok(users)
    }
}

/// What an action leaves behind: its audit details, the status to move to, and whether
/// its record was written already (with the action's own write, in one transaction).
struct Outcome {
    detail: serde_json::Value,
    new_status: Option<Status>,
    recorded: bool,
    /// Who to tell, queued with the record.
    notices: Vec<Notice>,
}

/// Performs `action` on document `id` for `caller`, who looked at revision `seen` (when
/// given: an action on a newer revision is refused, so nobody approves content they have
/// not seen), saying why in `reason` (kept with a verdict or a status change). Returns the
/// review state afterwards.
pub async fn perform(
    hub: &Hub,
    caller: &Caller,
    id: &str,
    action: &ReviewAction,
    reason: &str,
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
    let authors = Authorship::of(hub, id, &doc, &caller.visibility).await?;
    let author = authors.includes(&user, &hub.authors, Trust::Grants);
    let excluded = authors.includes(&user, &hub.authors, Trust::Refuses);
    let target = Target {
        hub,
        caller,
        id,
        space: id.split_once(':').map_or(id, |(s, _)| s),
        doc,
        rev,
        user,
        author,
        excluded,
        authors,
    };
    check_reason(reason)?;
    let mut outcome = Outcome {
        detail: serde_json::json!({"revision": target.rev.number}),
        new_status: None,
        recorded: false,
        notices: Vec::new(),
    };
    match action {
        ReviewAction::RequestReview { reviewers } => target.request_review(action, reviewers, &mut outcome).await?,
        ReviewAction::Approve | ReviewAction::RequestChanges => target.verdict(action, reason, &mut outcome).await?,
        ReviewAction::Reject => {
            caller.require(target.space, Role::Reviewer)?;
            if target.excluded {
                return Err(ReviewError::OwnRevision);
            }
            outcome.detail["reason"] = reason.trim().into();
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
    // A transition's record is its status change, written in that change's transaction
    // (a change refused because the status moved meanwhile leaves no record); an action
    // that changed nothing else records itself here.
    let record = action_record(action);
    match (outcome.new_status, outcome.recorded) {
        (Some(to), recorded) => {
            let notices = target.status_notices((status, to.as_str()), reason).await?;
            let as_action = (!recorded).then(|| (record.as_str(), outcome.detail.clone()));
            let change = StatusChangeOf {
                revision: number,
                from: status,
                to: to.as_str(),
                reason,
            };
            change_status(hub, &actor, id, change, notices, as_action).await?;
        }
        (None, false) => hub.store.audit(&actor, &record, id, outcome.detail).await?,
        (None, true) => {}
    }
    let missing = || ReviewError::Denied(Denied::Hidden);
    let state = hub
        .store
        .review_state(id, &caller.visibility)
        .await?
        .ok_or_else(missing)?;
    // The approval that meets the space's policy moves the document to approved.
    if *action == ReviewAction::Approve && state.status == Status::Review.as_str() && state.blocked().is_none() {
        let why = format!("{} approvals", state.approvals());
        let change = StatusChangeOf {
            revision: number,
            from: Status::Review.as_str(),
            to: Status::Approved.as_str(),
            reason: &why,
        };
        let notices = target.status_notices((change.from, change.to), &why).await?;
        match change_status(hub, &actor, id, change, notices, None).await {
            // Two approvals at once: the other one moved it; this verdict is recorded.
            Err(ReviewError::Conflict(_)) | Ok(()) => {}
            Err(e) => return Err(e),
        }
        return hub
            .store
            .review_state(id, &caller.visibility)
            .await?
            .ok_or_else(missing);
    }
    Ok(state)
}

/// The review state of document `id`, its gate computed first if the current revision was
/// stored before gates were (from its content, with the hub's checker, and kept).
pub async fn review_state(
    hub: &Hub,
    id: &str,
    vis: &designdoc_store::Visibility,
) -> Result<Option<ReviewState>, StoreError> {
    let Some(mut state) = hub.store.review_state(id, vis).await? else {
        return Ok(None);
    };
    if !state.gate_known
        && let Some((doc, rev)) = hub.store.current(id, vis).await?
    {
        let (_, facts) = hub.checker.facts(&doc.path, &rev.content);
        hub.store.set_gate(id, rev.number, &facts.review_errors).await?;
        state.open_errors = facts.review_errors.len() as i64;
        state.blocking = facts.review_errors;
        state.gate_known = true;
    }
    Ok(Some(state))
}

/// The start of a comment, for a notification (the page has the rest).
fn excerpt(body: &str) -> String {
    let body = body.trim();
    match body.char_indices().nth(1000) {
        Some((i, _)) => format!("{}…", &body[..i]),
        None => body.to_string(),
    }
}

/// Refuses a reason nobody could read on a page.
fn check_reason(reason: &str) -> Result<(), ReviewError> {
    if reason.chars().count() > 20_000 {
        return Err(ReviewError::BadInput("a reason has at most 20,000 characters".into()));
    }
    Ok(())
}

/// The audit log's name for an action (`review.approve`).
fn action_record(action: &ReviewAction) -> String {
    format!("review.{}", action.name())
}

impl Outcome {
    /// The record of `action` by `actor` on `id`, to write with the action; marks it written.
    fn record<'a>(&mut self, actor: &'a str, action: &'a str, id: &'a str) -> Audit<'a> {
        self.recorded = true;
        Audit::new(actor, action, id, self.detail.clone()).notify(std::mem::take(&mut self.notices))
    }
}

impl Target<'_> {
    /// The notices of `event` on this doc for the users `to`, pointing at `fragment`.
    async fn notices(
        &self,
        event: &str,
        fields: serde_json::Value,
        to: &[String],
        fragment: &str,
    ) -> Result<Vec<Notice>, ReviewError> {
        let actor = self.caller.actor();
        let about = About {
            id: self.id,
            doc: &self.doc,
            revision: self.rev.number,
            actor: &actor,
            actor_id: Some(&self.user.id),
            fragment,
        };
        Ok(notify::notices(self.hub, &about, event, fields, to).await?)
    }

    /// The users among the doc's authors.
    async fn author_ids(&self) -> Result<Vec<String>, ReviewError> {
        Ok(notify::author_ids(self.hub, &self.authors).await?)
    }

    /// A status change tells the authors and the reviewers asked.
    async fn status_notices(&self, (from, to): (&str, &str), reason: &str) -> Result<Vec<Notice>, ReviewError> {
        let mut who = self.author_ids().await?;
        who.extend(notify::requested_ids(self.hub, self.id, &self.caller.visibility).await?);
        let fields = serde_json::json!({"from": from, "to": to, "reason": reason.trim()});
        self.notices(event::STATUS_CHANGED, fields, &who, "#review").await
    }

    /// The gate: request review and approve read the current revision's findings at
    /// review strictness (computed at publish), whatever its front matter says, and the
    /// space's policy decides whether they block.
    async fn gate(&self) -> Result<(), ReviewError> {
        let missing = || ReviewError::Denied(Denied::Hidden);
        let state = review_state(self.hub, self.id, &self.caller.visibility)
            .await?
            .ok_or_else(missing)?;
        match state.gate() {
            Some(why) => Err(ReviewError::Blocked {
                why,
                blocking: state.blocking,
            }),
            None => Ok(()),
        }
    }

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
        // Only people who may review in this space, and none of the doc's authors; the
        // page offers exactly these (a name nobody has gets the same answer as a user who
        // may not review here: who exists is not for authors to probe).
        let may_review = self.authors.reviewers(self.hub, self.space).await?;
        let mut ids = Vec::new();
        let mut unknown = Vec::new();
        for name in reviewers {
            match may_review.iter().find(|u| u.username.eq_ignore_ascii_case(name)) {
                Some(u) => ids.push(u.id.clone()),
                None => unknown.push(format!("`{name}`")),
            }
        }
        if !unknown.is_empty() {
            let offered: Vec<&str> = may_review.iter().map(|u| u.username.as_str()).collect();
            return Err(ReviewError::BadInput(format!(
                "cannot ask {} to review this document: reviewers here are {}",
                unknown.join(", "),
                if offered.is_empty() {
                    "none yet (an admin grants the role)".to_string()
                } else {
                    offered.join(", ")
                }
            )));
        }
        self.gate().await?;
        outcome.detail["reviewers"] = reviewers.join(",").into();
        let fields = serde_json::json!({"reviewers": reviewers});
        outcome.notices = self.notices(event::REVIEW_REQUESTED, fields, &ids, "#review").await?;
        let (actor, name) = (self.caller.actor(), action_record(action));
        let audit = outcome.record(&actor, &name, self.id);
        self.hub
            .store
            .request_review(self.id, self.rev.number, &ids, &self.user.id, audit)
            .await?;
        Ok(())
    }

    async fn verdict(&self, action: &ReviewAction, reason: &str, outcome: &mut Outcome) -> Result<(), ReviewError> {
        self.caller.require(self.space, Role::Reviewer)?;
        if !self.in_review() {
            return Err(ReviewError::Conflict(format!(
                "only a document in review can be reviewed; this one is `{}`",
                self.doc.status
            )));
        }
        if self.excluded {
            return Err(ReviewError::OwnRevision);
        }
        if *action == ReviewAction::Approve {
            self.gate().await?;
        }
        outcome.detail["reason"] = reason.trim().into();
        let fields = serde_json::json!({"verdict": action.name(), "reason": reason.trim()});
        let authors = self.author_ids().await?;
        outcome.notices = self.notices(event::VERDICT, fields, &authors, "#review").await?;
        let (actor, name) = (self.caller.actor(), action_record(action));
        let audit = outcome.record(&actor, &name, self.id);
        self.hub
            .store
            .set_verdict(self.id, self.rev.number, &self.user.id, (action.name(), reason), audit)
            .await?;
        Ok(())
    }

    /// Withdraw, reopen, implemented, superseded: the doc's own authors (its publishers, or
    /// named in `authors`) move it along, and admins; no other author or reviewer.
    fn move_along(&self, action: &ReviewAction) -> Result<Status, ReviewError> {
        self.caller
            .require(self.space, if self.author { Role::Author } else { Role::Admin })?;
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
                let fields = serde_json::json!({"anchor": anchor, "body": excerpt(body)});
                let authors = self.author_ids().await?;
                let fragment = if anchor.is_empty() {
                    "#comments".to_string()
                } else {
                    format!("#{anchor}")
                };
                outcome.notices = self.notices(event::COMMENT, fields, &authors, &fragment).await?;
                let audit = outcome.record(&actor, &name, self.id);
                store
                    .add_comment(self.id, number, anchor, None, by, body, audit)
                    .await?;
            }
            ReviewAction::Reply { comment, body } => {
                outcome.detail["anchor"] = "".into();
                // The authors, and everyone who wrote in the thread.
                let mut who = self.author_ids().await?;
                for c in store.comments(self.id, &self.caller.visibility).await? {
                    if (c.id == *comment || c.parent_id == Some(*comment))
                        && let Some(u) = store.user_by_name(&c.author).await?
                    {
                        who.push(u.id);
                    }
                }
                who.sort();
                who.dedup();
                let fields = serde_json::json!({"thread": comment, "body": excerpt(body)});
                let fragment = format!("#thread-{comment}");
                outcome.notices = self.notices(event::COMMENT, fields, &who, &fragment).await?;
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

/// A status change asked for: at which revision, from and to which status, and why.
struct StatusChangeOf<'a> {
    revision: i64,
    from: &'a str,
    to: &'a str,
    reason: &'a str,
}

/// Moves the doc as `change` says if nobody changed it meanwhile, and records it with its
/// reason in its status history, queuing `notices`. The audit record is `status.change`,
/// or the action that asked for it (`review.reject` with its detail) when given.
async fn change_status(
    hub: &Hub,
    actor: &str,
    id: &str,
    change: StatusChangeOf<'_>,
    notices: Vec<Notice>,
    as_action: Option<(&str, serde_json::Value)>,
) -> Result<(), ReviewError> {
    let reason = change.reason.trim();
    let (record, mut detail) = as_action.unwrap_or(("status.change", serde_json::json!({})));
    if let Some(map) = detail.as_object_mut() {
        map.insert("from".into(), change.from.into());
        map.insert("to".into(), change.to.into());
        map.insert("reason".into(), reason.into());
    }
    let audit = Audit::new(actor, record, id, detail).notify(notices);
    if !hub
        .store
        .set_status(id, change.revision, (change.from, change.to), reason, audit)
        .await?
    {
        return Err(ReviewError::Conflict("the status changed meanwhile; reload".into()));
    }
    Ok(())
}
