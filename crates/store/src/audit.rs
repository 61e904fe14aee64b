//! Audit records written with the action they record: the mutating methods take an
//! [`Audit`] and insert it in the action's own transaction, so an action never happens
//! unrecorded and a record never describes an action that was rolled back. The
//! notifications an action causes ride along and go into the outbox in that same
//! transaction: none is sent for an action that did not happen, none is lost for one
//! that did.

use crate::outbox::Notice;
use crate::{Result, now_millis};
use sqlx::{Any, AnyConnection, Transaction};

/// Who did what to what (`detail` must not hold secrets).
#[derive(Debug, Clone, PartialEq)]
pub struct Audit<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: serde_json::Value,
    /// Who to tell (written to the outbox with the record).
    pub notices: Vec<Notice>,
}

impl<'a> Audit<'a> {
    pub fn new(actor: &'a str, action: &'a str, target: &'a str, detail: serde_json::Value) -> Audit<'a> {
        Audit {
            actor,
            action,
            target,
            detail,
            notices: Vec::new(),
        }
    }

    /// The notifications the action sends, queued with its record.
    pub fn notify(mut self, notices: Vec<Notice>) -> Audit<'a> {
        self.notices.extend(notices);
        self
    }

    /// Adds `key: value` to the detail (when it is an object), for what only the store
    /// knows, such as the id of what it created.
    pub(crate) fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Audit<'a> {
        if let Some(map) = self.detail.as_object_mut() {
            map.insert(key.to_string(), value.into());
        }
        self
    }

    /// Inserts the record on `conn` (inside the action's transaction).
    pub(crate) async fn write(&self, conn: &mut AnyConnection) -> Result<()> {
        self.write_as(conn, self.target).await
    }

    /// [`Audit::write`] with another target (one the store made, such as a new token's id).
    pub(crate) async fn write_as(&self, conn: &mut AnyConnection, target: &str) -> Result<()> {
        sqlx::query("INSERT INTO audit (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)")
            .bind(now_millis())
            .bind(self.actor)
            .bind(self.action)
            .bind(target)
            .bind(self.detail.to_string())
            .execute(&mut *conn)
            .await?;
        for notice in &self.notices {
            notice.enqueue(conn, &self.detail).await?;
        }
        Ok(())
    }

    /// For a conditional write: when it `done` something, records this and commits;
    /// otherwise rolls back (nothing happened, so nothing is recorded). Whether it did.
    pub(crate) async fn commit_if(&self, mut tx: Transaction<'static, Any>, done: bool) -> Result<bool> {
        if done {
            self.write(&mut tx).await?;
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(done)
    }
}
