//! The review workflow: who is asked to review, comments anchored to a section heading
//! (threads, resolving), verdicts per revision (so a new revision leaves approvals stale),
//! a policy per space, and the status machine the server enforces:
//! draft -> review -> approved | rejected, approved -> implemented | superseded, with
//! withdraw (review -> draft) and reopen (rejected -> draft). Publishing never grants a
//! status the workflow has not reached.

use crate::{Audit, Result, Store, StoreError, Visibility, now_millis};
use designdoc_check::facts::Blocking;
use designdoc_model::Status;
use serde::Serialize;
use sqlx::FromRow;

/// A state change asked for by a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    RequestReview,
    Withdraw,
    Approve,
    Reject,
    Reopen,
    Implemented,
    Superseded,
}

impl Transition {
    /// The status after the transition from `current` (as stored; empty for none), or
    /// why it is not allowed. A status outside the lifecycle allows no transition.
    pub fn apply(self, current: &str) -> std::result::Result<Status, String> {
        use Status::*;
        let refused = || {
            format!(
                "cannot {} a document in status `{}`",
                self.verb(),
                if current.is_empty() { "none" } else { current }
            )
        };
        let from = match current {
            "" => None,
            known => Some(known.parse::<Status>().map_err(|_| refused())?),
        };
        Ok(match (self, from) {
            (Transition::RequestReview, None | Some(Draft)) => Review,
            (Transition::Withdraw, Some(Review)) => Draft,
            (Transition::Approve, Some(Review)) => Approved,
            (Transition::Reject, Some(Review)) => Rejected,
            (Transition::Reopen, Some(Rejected)) => Draft,
            (Transition::Implemented, Some(Approved)) => Implemented,
            (Transition::Superseded, Some(Approved | Implemented)) => Superseded,
            _ => return Err(refused()),
        })
    }

    pub fn verb(self) -> &'static str {
        match self {
            Transition::RequestReview => "request review of",
            Transition::Withdraw => "withdraw",
            Transition::Approve => "approve",
            Transition::Reject => "reject",
            Transition::Reopen => "reopen",
            Transition::Implemented => "mark implemented",
            Transition::Superseded => "mark superseded",
        }
    }
}

/// The status a publish leaves a document in. The front matter may ask for `draft` or
/// `review` (an author's choice); anything further is the workflow's to grant, so a new
/// revision of an approved document goes back to review (its approvals are stale) and
/// otherwise the hub's status stays.
pub fn status_on_publish(current: Option<&str>, front_matter: &str, content_changed: bool) -> String {
    match current {
        None => match front_matter {
            "review" => "review".to_string(),
            _ => "draft".to_string(),
        },
        Some(cur) => match (cur, front_matter) {
            ("draft" | "", "review") => "review".to_string(),
            // Leaving review is the withdraw action's, not a side effect of a file that
            // still says `draft`: the thread and the requests stay where people see them.
            // New content of an approved or implemented doc has not been reviewed.
            ("approved" | "implemented", _) if content_changed => "review".to_string(),
            (cur, _) => cur.to_string(),
        },
    }
}

/// The status a publish from a trusted source (a watched folder, a service token) leaves
/// a document in. That source's own review may set any status in the front matter, and it
/// stands; but a new revision of a document in review or approved here is not sent back
/// to draft because its file still says `draft` (or says nothing): it returns to review,
/// where its thread and its (now stale) approvals are.
pub fn status_on_trusted_publish(current: Option<&str>, front_matter: &str) -> String {
    match (current, front_matter) {
        (Some("review" | "approved" | "implemented"), "" | "draft" | "review") => "review".to_string(),
        (_, asked) => asked.to_string(),
    }
}

/// What approval takes in a space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, FromRow)]
pub struct Policy {
    pub required_approvals: i64,
    /// No `error` finding may be open in the revision.
    #[sqlx(try_from = "crate::rows::Flag")]
    pub block_on_errors: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            required_approvals: 2,
            block_on_errors: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Verdict {
    pub revision: i64,
    #[sqlx(rename = "username")]
    pub reviewer: String,
    /// `approve` or `changes`.
    pub verdict: String,
    /// Why (required for `changes`; optional for `approve`).
    pub reason: String,
    pub at: i64,
}

/// One status change of a document: by whom, why, at which revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct StatusChange {
    pub revision: i64,
    #[sqlx(rename = "from_status")]
    pub from: String,
    #[sqlx(rename = "to_status")]
    pub to: String,
    pub reason: String,
    pub actor: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Comment {
    pub id: i64,
    pub revision: i64,
    /// Heading anchor of the section it is about.
    pub anchor: String,
    pub parent_id: Option<i64>,
    #[sqlx(rename = "username")]
    pub author: String,
    pub body: String,
    pub created_at: i64,
    #[sqlx(rename = "resolver")]
    pub resolved_by: Option<String>,
}

/// The review state of a document's current revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewState {
    pub status: String,
    pub revision: i64,
    pub policy: Policy,
    /// Reviewers asked to review the document, on any of its revisions (user names).
    pub requested: Vec<String>,
    /// Verdicts on the current revision.
    pub verdicts: Vec<Verdict>,
    /// Verdicts on earlier revisions (stale).
    pub stale: Vec<Verdict>,
    /// The current revision's findings that are errors at review strictness (whatever
    /// status its front matter declares): what the policy blocks on.
    pub blocking: Vec<Blocking>,
    /// How many [`ReviewState::blocking`] there are.
    pub open_errors: i64,
    /// Whether `blocking` was computed (false for revisions stored before the gate existed:
    /// the hub computes it from the content, [`Store::set_gate`], before trusting it).
    #[serde(skip)]
    pub gate_known: bool,
}

impl ReviewState {
    pub fn approvals(&self) -> usize {
        self.verdicts.iter().filter(|v| v.verdict == "approve").count()
    }

    /// Why the policy keeps this revision out of review, if it does: its error findings
    /// at review strictness (see [`ReviewState::blocking`]).
    pub fn gate(&self) -> Option<String> {
        (self.policy.block_on_errors && !self.blocking.is_empty()).then(|| {
            let n = self.blocking.len();
            if n == 1 {
                "1 error finding blocks review".to_string()
            } else {
                format!("{n} error findings block review")
            }
        })
    }

    /// Why the document cannot be approved yet, if it cannot.
    pub fn blocked(&self) -> Option<String> {
        let changes = self.verdicts.iter().filter(|v| v.verdict == "changes").count();
        if changes > 0 {
            return Some(format!("{changes} reviewer(s) requested changes"));
        }
        if let Some(why) = self.gate() {
            return Some(why);
        }
        let have = self.approvals() as i64;
        if have < self.policy.required_approvals {
            return Some(format!("{have} of {} approvals", self.policy.required_approvals));
        }
        None
    }
}

fn space_of(id: &str) -> &str {
    id.split_once(':').map_or(id, |(s, _)| s)
}

impl Store {
    pub async fn policy(&self, space: &str) -> Result<Policy> {
        let row = sqlx::query_as("SELECT required_approvals, block_on_errors FROM space_policies WHERE space = $1")
            .bind(space)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.unwrap_or_default())
    }

    /// Sets what approval takes in a space (which must exist), recorded by `audit`.
    pub async fn set_policy(&self, space: &str, policy: Policy, audit: Audit<'_>) -> Result<()> {
        if !(0..=20).contains(&policy.required_approvals) {
            return Err(StoreError::Invalid("required approvals must be 0 to 20".into()));
        }
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        sqlx::query(
            "INSERT INTO space_policies (space, required_approvals, block_on_errors) VALUES ($1, $2, $3)
             ON CONFLICT (space) DO UPDATE SET required_approvals = $2, block_on_errors = $3",
        )
        .bind(space)
        .bind(policy.required_approvals)
        .bind(i64::from(policy.block_on_errors))
        .execute(&mut *tx)
        .await?;
        audit.write(&mut tx).await?;
        Ok(tx.commit().await?)
    }

    /// The review state of a visible document's current revision.
    pub async fn review_state(&self, id: &str, vis: &Visibility) -> Result<Option<ReviewState>> {
        let Some(doc) = self.document(id, vis).await? else {
            return Ok(None);
        };
        let requested = sqlx::query_scalar(
            // Asked on any revision: a new revision keeps its reviewers.
            "SELECT DISTINCT u.username FROM review_requests r JOIN users u ON u.id = r.reviewer
             WHERE r.document_id = $1 ORDER BY u.username",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let all: Vec<Verdict> = sqlx::query_as(
            "SELECT v.revision, u.username, v.verdict, v.reason, v.at FROM verdicts v JOIN users u ON u.id = v.reviewer
             WHERE v.document_id = $1 ORDER BY v.revision DESC, v.at",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let (verdicts, stale) = all.into_iter().partition(|v| v.revision == doc.current_revision);
        let gate: Option<(String, i64)> =
            sqlx::query_as("SELECT gate, gate_known FROM revisions WHERE document_id = $1 AND number = $2")
                .bind(id)
                .bind(doc.current_revision)
                .fetch_optional(&self.pool)
                .await?;
        let gate_known = gate.as_ref().is_some_and(|(_, known)| *known != 0);
        let blocking: Vec<Blocking> = match gate {
            Some((json, _)) => serde_json::from_str(&json)
                .map_err(|e| StoreError::Invalid(format!("the gate of {id} revision {}: {e}", doc.current_revision)))?,
            None => Vec::new(),
        };
        let open_errors = blocking.len() as i64;
        Ok(Some(ReviewState {
            status: doc.status,
            revision: doc.current_revision,
            policy: self.policy(space_of(id)).await?,
            requested,
            verdicts,
            stale,
            blocking,
            open_errors,
            gate_known,
        }))
    }

    /// Moves a document from `from` to `to` if it is still in `from` at `revision` (two
    /// people acting at once cannot both win, and a revision published meanwhile is not
    /// approved unseen). False (and nothing recorded) when the status or the revision had
    /// changed; otherwise recorded by `audit`.
    /// The change is kept with its `reason` in the document's status history.
    pub async fn set_status(
        &self,
        id: &str,
        revision: i64,
        (from, to): (&str, &str),
        reason: &str,
        audit: Audit<'_>,
    ) -> Result<bool> {
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        let now = now_millis();
        let done = sqlx::query(
            "UPDATE documents SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4 AND current_revision = $5",
        )
        .bind(to)
        .bind(now)
        .bind(id)
        .bind(from)
        .bind(revision)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() > 0 {
            sqlx::query(
                "INSERT INTO status_changes (document_id, revision, from_status, to_status, reason, actor, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(revision)
            .bind(from)
            .bind(to)
            .bind(reason)
            .bind(audit.actor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        audit.commit_if(tx, done.rows_affected() > 0).await
    }

    /// Stores a revision's review gate (computed by the caller from its content).
    pub async fn set_gate(&self, id: &str, revision: i64, blocking: &[Blocking]) -> Result<()> {
        let json = serde_json::to_string(blocking).map_err(|e| StoreError::Invalid(format!("the gate: {e}")))?;
        sqlx::query("UPDATE revisions SET gate = $1, gate_known = 1 WHERE document_id = $2 AND number = $3")
            .bind(json)
            .bind(id)
            .bind(revision)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A visible document's status changes, oldest first.
    pub async fn status_changes(&self, id: &str, vis: &Visibility) -> Result<Vec<StatusChange>> {
        if !vis.can_see(space_of(id)) {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_as(
            "SELECT revision, from_status, to_status, reason, actor, at FROM status_changes WHERE document_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Asks reviewers to review a revision, recorded by `audit`.
    pub async fn request_review(
        &self,
        id: &str,
        revision: i64,
        reviewer_ids: &[String],
        by: &str,
        audit: Audit<'_>,
    ) -> Result<()> {
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        for r in reviewer_ids {
            sqlx::query(
                "INSERT INTO review_requests (document_id, revision, reviewer, requested_by, at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (document_id, revision, reviewer) DO NOTHING",
            )
            .bind(id)
            .bind(revision)
            .bind(r)
            .bind(by)
            .bind(now_millis())
            .execute(&mut *tx)
            .await?;
        }
        audit.write(&mut tx).await?;
        Ok(tx.commit().await?)
    }

    /// Records (or replaces) a reviewer's verdict on a revision, recorded by `audit`.
    pub async fn set_verdict(
        &self,
        id: &str,
        revision: i64,
        reviewer_id: &str,
        (verdict, reason): (&str, &str),
        audit: Audit<'_>,
    ) -> Result<()> {
        if verdict != "approve" && verdict != "changes" {
            return Err(StoreError::Invalid(format!("unknown verdict `{verdict}`")));
        }
        let reason = reason.trim();
        if verdict == "changes" && reason.is_empty() {
            return Err(StoreError::Invalid("requesting changes needs a reason".into()));
        }
        if reason.chars().count() > 20_000 {
            return Err(StoreError::Invalid("a reason has at most 20,000 characters".into()));
        }
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        sqlx::query(
            "INSERT INTO verdicts (document_id, revision, reviewer, verdict, reason, at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (document_id, revision, reviewer) DO UPDATE SET verdict = $4, reason = $5, at = $6",
        )
        .bind(id)
        .bind(revision)
        .bind(reviewer_id)
        .bind(verdict)
        .bind(reason)
        .bind(now_millis())
        .execute(&mut *tx)
        .await?;
        audit.write(&mut tx).await?;
        Ok(tx.commit().await?)
    }

    /// Adds a comment (a reply when `parent` is given, on the parent's section), recorded
    /// by `audit` with the new comment's id added to its detail as `comment`.
    #[allow(clippy::too_many_arguments)] // One per column of a comment, and the record.
    pub async fn add_comment(
        &self,
        id: &str,
        revision: i64,
        anchor: &str,
        parent: Option<i64>,
        author_id: &str,
        body: &str,
        audit: Audit<'_>,
    ) -> Result<i64> {
        let body = body.trim();
        if body.is_empty() || body.chars().count() > 20_000 {
            return Err(StoreError::Invalid("a comment needs 1 to 20,000 characters".into()));
        }
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        let anchor = match parent {
            // A reply answers an open thread, by its first comment (a reply to a reply, or to
            // a resolved thread, would be stored where no page shows it).
            Some(p) => sqlx::query_scalar(
                "SELECT anchor FROM comments WHERE id = $1 AND document_id = $2 AND parent_id IS NULL AND resolved_at IS NULL",
            )
            .bind(p)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("no open thread {p} on this document")))?,
            None => anchor.to_string(),
        };
        let comment: i64 = sqlx::query_scalar(
            "INSERT INTO comments (document_id, revision, anchor, parent_id, author, body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(id)
        .bind(revision)
        .bind(anchor)
        .bind(parent)
        .bind(author_id)
        .bind(body)
        .bind(now_millis())
        .fetch_one(&mut *tx)
        .await?;
        audit.with("comment", comment).write(&mut tx).await?;
        tx.commit().await?;
        Ok(comment)
    }

    /// Resolves a comment thread (by its first comment), recorded by `audit`; false (and
    /// nothing recorded) if there is no such open thread.
    pub async fn resolve_comment(&self, id: &str, comment: i64, by_id: &str, audit: Audit<'_>) -> Result<bool> {
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        let done = sqlx::query(
            "UPDATE comments SET resolved_at = $1, resolved_by = $2 WHERE id = $3 AND document_id = $4 AND parent_id IS NULL AND resolved_at IS NULL",
        )
        .bind(now_millis())
        .bind(by_id)
        .bind(comment)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit.commit_if(tx, done.rows_affected() > 0).await
    }

    /// Every comment on a visible document, oldest first.
    pub async fn comments(&self, id: &str, vis: &Visibility) -> Result<Vec<Comment>> {
        if !vis.can_see(space_of(id)) {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_as(
            "SELECT c.id, c.revision, c.anchor, c.parent_id, u.username, c.body, c.created_at, r.username AS resolver
             FROM comments c JOIN users u ON u.id = c.author LEFT JOIN users r ON r.id = c.resolved_by
             WHERE c.document_id = $1 ORDER BY c.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions() {
        use Transition::*;
        let check = |t: Transition, from: &str, expect: std::result::Result<&str, ()>| {
            assert_eq!(
                t.apply(from).map(Status::as_str).map_err(|_| ()),
                expect,
                "{t:?} from {from}"
            );
        };
        check(RequestReview, "draft", Ok("review"));
        check(RequestReview, "", Ok("review"));
        check(RequestReview, "approved", Err(()));
        check(Withdraw, "review", Ok("draft"));
        check(Approve, "review", Ok("approved"));
        check(Approve, "draft", Err(()));
        check(Reject, "review", Ok("rejected"));
        check(Reopen, "rejected", Ok("draft"));
        check(Implemented, "approved", Ok("implemented"));
        check(Implemented, "review", Err(()));
        check(Superseded, "implemented", Ok("superseded"));
        check(Superseded, "draft", Err(()));
        assert_eq!(
            Approve.apply("draft").unwrap_err(),
            "cannot approve a document in status `draft`"
        );
    }

    #[test]
    fn a_trusted_source_never_sends_a_reviewed_doc_back_to_draft() {
        assert_eq!(status_on_trusted_publish(None, "draft"), "draft");
        assert_eq!(status_on_trusted_publish(Some("draft"), "approved"), "approved");
        assert_eq!(status_on_trusted_publish(Some("approved"), "draft"), "review");
        assert_eq!(status_on_trusted_publish(Some("approved"), ""), "review");
        assert_eq!(status_on_trusted_publish(Some("review"), "draft"), "review");
        assert_eq!(status_on_trusted_publish(Some("implemented"), "review"), "review");
        assert_eq!(
            status_on_trusted_publish(Some("approved"), "implemented"),
            "implemented"
        );
        assert_eq!(status_on_trusted_publish(Some("rejected"), "draft"), "draft");
    }

    #[test]
    fn publishing_never_grants_what_the_workflow_has_not() {
        let check = |current: Option<&str>, fm: &str, changed: bool, expect: &str| {
            assert_eq!(
                status_on_publish(current, fm, changed),
                expect,
                "{current:?} + {fm} ({changed})"
            );
        };
        check(None, "approved", true, "draft");
        check(None, "review", true, "review");
        check(Some("draft"), "review", true, "review");
        check(Some("review"), "approved", true, "review");
        check(Some("review"), "draft", true, "review");
        check(Some("approved"), "approved", true, "review");
        check(Some("approved"), "approved", false, "approved");
        check(Some("rejected"), "review", true, "rejected");
        check(Some("implemented"), "draft", true, "review");
        check(Some("implemented"), "draft", false, "implemented");
        check(Some("superseded"), "review", true, "superseded");
    }

    #[test]
    fn policy_blocks_until_enough_fresh_approvals() {
        let v = |who: &str, verdict: &str| Verdict {
            revision: 2,
            reviewer: who.into(),
            verdict: verdict.into(),
            reason: String::new(),
            at: 0,
        };
        let mut s = ReviewState {
            status: "review".into(),
            revision: 2,
            policy: Policy::default(),
            requested: vec![],
            verdicts: vec![v("a", "approve")],
            stale: vec![Verdict {
                revision: 1,
                ..v("b", "approve")
            }],
            blocking: Vec::new(),
            open_errors: 0,
            gate_known: true,
        };
        assert_eq!(s.blocked().as_deref(), Some("1 of 2 approvals"));
        s.verdicts.push(v("b", "approve"));
        assert_eq!(s.blocked(), None);
        s.blocking.push(Blocking {
            code: "DD010".into(),
            message: "placeholder left in".into(),
            line: 7,
            section: Some("Goals".into()),
            anchor: Some("goals".into()),
        });
        assert_eq!(s.blocked().as_deref(), Some("1 error finding blocks review"));
        s.policy.block_on_errors = false;
        assert_eq!(
            s.blocked(),
            None,
            "a policy that does not block on errors lets it through"
        );
        s.policy.block_on_errors = true;
        s.blocking.clear();
        s.verdicts.push(v("c", "changes"));
        assert_eq!(s.blocked().as_deref(), Some("1 reviewer(s) requested changes"));
    }
}
