//! Durable notifications: [`Notice`]s are queued in the `outbox` table inside the
//! transaction of the action they tell of (see [`crate::Audit::notify`]), and any hub
//! instance's worker claims due rows for a lease ([`Store::claim_notifications`]; on
//! PostgreSQL with `FOR UPDATE SKIP LOCKED`, so two instances never claim one row), sends
//! them and records each attempt in the delivery log. A worker that dies mid-send loses
//! its lease and another sends the row again: delivery is at least once, each row carrying
//! a stable id (the e-mail's `Message-ID`, the webhook's `X-Designdoc-Delivery`) by which
//! a receiver recognises a repeat.

use crate::{Result, Store, StoreError, now_millis};
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

/// Where a notice goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeTo {
    /// One e-mail to this address.
    Email(String),
    /// One call to each active webhook of this space.
    SpaceWebhooks(String),
}

/// One notification of an event about a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub to: NoticeTo,
    /// `review.requested`, `review.verdict`, `comment`, `status.changed`.
    pub event: String,
    pub document: String,
    /// The event as data; e-mails are written from it when sent.
    pub payload: serde_json::Value,
}

impl Notice {
    /// Queues the notice on `conn` (inside the action's transaction); the audit `detail`
    /// lends it what only the store knew, such as a new comment's id.
    pub(crate) async fn enqueue(&self, conn: &mut AnyConnection, detail: &serde_json::Value) -> Result<()> {
        let mut payload = self.payload.clone();
        if let (Some(map), Some(comment)) = (payload.as_object_mut(), detail.get("comment")) {
            map.entry("comment").or_insert(comment.clone());
        }
        let now = now_millis();
        let targets: Vec<(&str, String)> = match &self.to {
            NoticeTo::Email(address) => vec![("email", address.clone())],
            NoticeTo::SpaceWebhooks(space) => {
                let ids: Vec<String> =
                    sqlx::query_scalar("SELECT id FROM webhooks WHERE space = $1 AND disabled = 0 ORDER BY id")
                        .bind(space)
                        .fetch_all(&mut *conn)
                        .await?;
                ids.into_iter().map(|id| ("webhook", id)).collect()
            }
        };
        for (channel, target) in targets {
            sqlx::query(
                "INSERT INTO outbox (channel, target, event, document_id, payload, created_at, next_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(channel)
            .bind(target)
            .bind(&self.event)
            .bind(&self.document)
            .bind(payload.to_string())
            .bind(now)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

/// A queued notification claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Outgoing {
    pub id: i64,
    /// `email` or `webhook`.
    pub channel: String,
    /// The address, or the webhook's id.
    pub target: String,
    pub event: String,
    pub document_id: String,
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// A space's outgoing webhook.
#[derive(Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Webhook {
    pub id: String,
    pub space: String,
    pub url: String,
    #[serde(skip)]
    pub secret: String,
    pub created_at: i64,
    pub created_by: String,
    #[sqlx(try_from = "crate::rows::Flag")]
    pub disabled: bool,
}

impl std::fmt::Debug for Webhook {
    // Never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("space", &self.space)
            .field("url", &self.url)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// One attempt to deliver a notification, for the admin page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Delivery {
    pub outbox_id: i64,
    pub channel: String,
    pub target: String,
    pub event: String,
    pub document_id: String,
    pub attempt: i64,
    pub at: i64,
    #[sqlx(try_from = "crate::rows::Flag")]
    pub ok: bool,
    /// The HTTP status of a webhook's answer (0 for none, and for e-mail).
    pub status: i64,
    pub error: String,
    pub millis: i64,
}

/// How an attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub ok: bool,
    pub status: i64,
    pub error: String,
    pub millis: i64,
}

/// How many notifications wait, are being sent, were sent, and were given up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OutboxFigures {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

impl Store {
    /// Claims up to `limit` due notifications for `lease_ms`: nobody else claims them
    /// until the lease ends (then another worker may, when this one died).
    pub async fn claim_notifications(&self, limit: i64, lease_ms: i64) -> Result<Vec<Outgoing>> {
        let now = now_millis();
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        let sql = format!(
            "UPDATE outbox SET locked_until = $1, attempts = attempts + 1
             WHERE id IN (SELECT id FROM outbox
                          WHERE sent_at IS NULL AND failed_at IS NULL AND next_at <= $2 AND locked_until <= $2
                          ORDER BY id LIMIT $3{})
             RETURNING id, channel, target, event, document_id, payload, attempts",
            self.dialect.skip_locked_sql()
        );
        let mut rows: Vec<Outgoing> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(now + lease_ms)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    /// Records an attempt on a claimed notification: sent; or due again at `retry_at`; or
    /// (with `retry_at` none) given up. The attempt is always logged; the row changes only
    /// while this attempt is still its latest claim (a worker whose lease ran out and was
    /// overtaken does not undo the other's outcome). Whether it did.
    pub async fn record_attempt(&self, n: &Outgoing, attempt: &Attempt, retry_at: Option<i64>) -> Result<bool> {
        let now = now_millis();
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        sqlx::query(
            "INSERT INTO deliveries (outbox_id, attempt, at, ok, status, error, millis) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(n.id)
        .bind(n.attempts)
        .bind(now)
        .bind(i64::from(attempt.ok))
        .bind(attempt.status)
        .bind(&attempt.error)
        .bind(attempt.millis)
        .execute(&mut *tx)
        .await?;
        let set = match (attempt.ok, retry_at) {
            (true, _) => "sent_at",
            (false, Some(_)) => "next_at",
            (false, None) => "failed_at",
        };
        let update = format!(
            "UPDATE outbox SET {set} = $1, locked_until = 0, last_error = $2
             WHERE id = $3 AND attempts = $4 AND sent_at IS NULL AND failed_at IS NULL"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(update))
            .bind(retry_at.filter(|_| !attempt.ok).unwrap_or(now))
            .bind(&attempt.error)
            .bind(n.id)
            .bind(n.attempts)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// The newest delivery attempts, newest first (the admin page's log).
    pub async fn deliveries(&self, limit: i64) -> Result<Vec<Delivery>> {
        Ok(sqlx::query_as(
            "SELECT d.outbox_id, o.channel, o.target, o.event, o.document_id, d.attempt, d.at, d.ok, d.status, d.error, d.millis
             FROM deliveries d JOIN outbox o ON o.id = d.outbox_id ORDER BY d.id DESC LIMIT $1",
        )
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn outbox_figures(&self) -> Result<OutboxFigures> {
        let (pending, sent, failed): (i64, i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0)
             FROM outbox",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(OutboxFigures { pending, sent, failed })
    }

    /// Adds a webhook to `space` posting to `url`; its id and its signing secret (shown
    /// to the admin once).
    pub async fn add_webhook(&self, space: &str, url: &str, audit: crate::Audit<'_>) -> Result<(String, String)> {
        let url = url.trim();
        if !(url.starts_with("https://") || url.starts_with("http://"))
            || url.len() > 2000
            || url.contains(char::is_whitespace)
        {
            return Err(StoreError::Invalid(format!(
                "a webhook URL starts with https:// or http://: `{url}`"
            )));
        }
        crate::validate_name("space", space)?;
        let id = format!("wh_{}", crate::accounts::random_hex(8)?);
        let secret = crate::accounts::random_hex(32)?;
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        sqlx::query(
            "INSERT INTO webhooks (id, space, url, secret, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(space)
        .bind(url)
        .bind(&secret)
        .bind(now_millis())
        .bind(audit.actor)
        .execute(&mut *tx)
        .await?;
        audit.with("webhook", id.clone()).write(&mut tx).await?;
        tx.commit().await?;
        Ok((id, secret))
    }

    /// Turns a webhook off (kept for its delivery log); false when there is none.
    pub async fn disable_webhook(&self, id: &str, audit: crate::Audit<'_>) -> Result<bool> {
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        let done = sqlx::query("UPDATE webhooks SET disabled = 1 WHERE id = $1 AND disabled = 0")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit.commit_if(tx, done.rows_affected() > 0).await
    }

    pub async fn webhooks(&self) -> Result<Vec<Webhook>> {
        Ok(sqlx::query_as(
            "SELECT id, space, url, secret, created_at, created_by, disabled FROM webhooks ORDER BY space, id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn webhook(&self, id: &str) -> Result<Option<Webhook>> {
        Ok(sqlx::query_as(
            "SELECT id, space, url, secret, created_at, created_by, disabled FROM webhooks WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The e-mail addresses of those of `user_ids` who have one, are enabled and have not
    /// turned e-mail off: (user name, address).
    pub async fn mail_recipients(&self, user_ids: &[String]) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for id in user_ids {
            let row: Option<(String, String)> = sqlx::query_as(
                "SELECT username, email FROM users WHERE id = $1 AND email IS NOT NULL AND disabled = 0 AND notify_email = 1",
            )
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
            out.extend(row);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Whether the user gets e-mail notifications.
    pub async fn notify_email(&self, user_id: &str) -> Result<bool> {
        let on: Option<i64> = sqlx::query_scalar("SELECT notify_email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(on.unwrap_or(0) != 0)
    }

    /// Turns the user's e-mail notifications on or off, recorded by `audit`.
    pub async fn set_notify_email(&self, user_id: &str, on: bool, audit: crate::Audit<'_>) -> Result<()> {
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        sqlx::query("UPDATE users SET notify_email = $1 WHERE id = $2")
            .bind(i64::from(on))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        audit.write(&mut tx).await?;
        Ok(tx.commit().await?)
    }
}
