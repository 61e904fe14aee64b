//! Audit records written with the action they record: the mutating methods take an
//! [`Audit`] and insert it in the action's own transaction, so an action never happens
//! unrecorded and a record never describes an action that was rolled back.

use crate::{Result, now_millis};
use sqlx::{Any, AnyConnection, Transaction};

/// Who did what to what (`detail` must not hold secrets).
#[derive(Debug, Clone, PartialEq)]
pub struct Audit<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: serde_json::Value,
}

impl<'a> Audit<'a> {
    pub fn new(actor: &'a str, action: &'a str, target: &'a str, detail: serde_json::Value) -> Audit<'a> {
        Audit {
            actor,
            action,
            target,
            detail,
        }
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
            .execute(conn)
            .await?;
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
