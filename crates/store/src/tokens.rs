//! API tokens for `designdoc publish` and scripts. A token is shown once when created;
//! the database keeps only its SHA-256 (tokens are 256 random bits, so a fast hash is
//! enough: there is nothing to brute-force). Revocation takes effect on the next request
//! on every instance, since each request looks the hash up.

use crate::{Result, Store, StoreError, content_hash, now_millis};
use serde::Serialize;
use sqlx::Row;

/// What is known about a token (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    /// The user the token acts as; `None` for a service token made with the CLI, which
    /// may publish into any space and do nothing else.
    pub user_id: Option<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

const PREFIX: &str = "ddt_";

fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Invalid(format!("no randomness: {e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

fn token_info(r: &sqlx::any::AnyRow) -> Result<TokenInfo> {
    Ok(TokenInfo {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        user_id: r.try_get("user_id")?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

impl Store {
    /// Creates a token; returns its record and the secret (to show once).
    pub async fn create_token(&self, name: &str, user_id: Option<&str>) -> Result<(TokenInfo, String)> {
        let name = name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err(StoreError::Invalid("a token needs a name of 1-100 characters".into()));
        }
        let id = random_hex(6)?;
        let secret = format!("{PREFIX}{id}_{}", random_hex(32)?);
        let now = now_millis();
        sqlx::query("INSERT INTO api_tokens (id, name, hash, created_at, user_id) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(name)
            .bind(content_hash(&secret))
            .bind(now)
            .bind(user_id.map(str::to_string))
            .execute(&self.pool)
            .await?;
        let info = TokenInfo {
            id,
            name: name.to_string(),
            user_id: user_id.map(str::to_string),
            created_at: now,
            revoked_at: None,
        };
        Ok((info, secret))
    }

    /// The live (not revoked) token with this secret, if any.
    pub async fn verify_token(&self, secret: &str) -> Result<Option<TokenInfo>> {
        if !secret.starts_with(PREFIX) || secret.len() > 200 {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT id, name, user_id, created_at, revoked_at FROM api_tokens WHERE hash = $1 AND revoked_at IS NULL",
        )
        .bind(content_hash(secret))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(token_info).transpose()
    }

    /// Revokes a token by id (only one of `owner`'s, when given); false when there is no
    /// such live token.
    pub async fn revoke_token(&self, id: &str, owner: Option<&str>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL AND ($3 = '' OR user_id = $3)",
        )
        .bind(now_millis())
        .bind(id)
        .bind(owner.unwrap_or_default().to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// A user's tokens, newest first.
    pub async fn tokens_of(&self, user_id: &str) -> Result<Vec<TokenInfo>> {
        let rows = sqlx::query(
            "SELECT id, name, user_id, created_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_info).collect()
    }

    /// Every token, newest first.
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>> {
        let rows = sqlx::query(
            "SELECT id, name, user_id, created_at, revoked_at FROM api_tokens ORDER BY created_at DESC, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_info).collect()
    }
}
