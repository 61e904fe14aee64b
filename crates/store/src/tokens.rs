//! API tokens for `designdoc publish` and scripts. A token is shown once when created;
//! the database keeps only its SHA-256 (tokens are 256 random bits, so a fast hash is
//! enough: there is nothing to brute-force). Revocation takes effect on the next request
//! on every instance, since each request looks the hash up.

use crate::{Audit, Result, Store, StoreError, content_hash, now_millis};
use serde::Serialize;
use sqlx::FromRow;

/// What is known about a token (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    /// The user the token acts as; `None` for a service token made with the CLI, which
    /// may publish into any space and do nothing else.
    pub user_id: Option<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    /// For a service token: the spaces it may publish into; `None` means every public
    /// space (tokens made before scopes existed). Never a private space it is not named for.
    #[sqlx(try_from = "crate::rows::CommaList")]
    pub spaces: Option<Vec<String>>,
    /// For a service token: whether the status in a document's front matter stands when
    /// it publishes (otherwise the review workflow decides, as for people).
    #[sqlx(try_from = "crate::rows::Flag")]
    pub trusted_status: bool,
}

/// How a service token may be used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenScope {
    /// Spaces it may publish into; empty means every public space.
    pub spaces: Vec<String>,
    /// The front-matter status of what it publishes stands.
    pub trusted_status: bool,
}

impl TokenInfo {
    /// Whether this service token may publish into `space`. User tokens are decided by
    /// their user's roles instead.
    pub fn may_publish_into(&self, space: &str) -> bool {
        match &self.spaces {
            Some(list) => list.iter().any(|s| s == space),
            None => true,
        }
    }

    /// Whether `space` is named in the token's scope (not merely allowed by default).
    pub fn names_space(&self, space: &str) -> bool {
        self.spaces.as_ref().is_some_and(|l| l.iter().any(|s| s == space))
    }
}

const PREFIX: &str = "ddt_";

fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Invalid(format!("no randomness: {e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// The columns of [`TokenInfo`] (a macro, so queries stay static strings).
macro_rules! token_columns {
    () => {
        "id, name, user_id, created_at, revoked_at, spaces, trusted_status"
    };
}

/// Revokes every live token of `user_id` on `conn`; how many.
pub(crate) async fn revoke_tokens_of(conn: &mut sqlx::AnyConnection, user_id: &str) -> Result<u64> {
    let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now_millis())
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

impl Store {
    /// Creates a token acting as `user_id` (or a service token when `None`, with the
    /// default scope: every public space, statuses decided by review); returns its
    /// record and the secret (to show once). Recorded by `audit`; an empty target there
    /// stands for the new token's id.
    pub async fn create_token(
        &self,
        name: &str,
        user_id: Option<&str>,
        audit: Audit<'_>,
    ) -> Result<(TokenInfo, String)> {
        self.create_scoped_token(name, user_id, &TokenScope::default(), audit)
            .await
    }

    /// Creates a token with a scope (the scope matters for service tokens only); as
    /// [`Store::create_token`].
    pub async fn create_scoped_token(
        &self,
        name: &str,
        user_id: Option<&str>,
        scope: &TokenScope,
        audit: Audit<'_>,
    ) -> Result<(TokenInfo, String)> {
        let name = name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err(StoreError::Invalid("a token needs a name of 1-100 characters".into()));
        }
        for space in &scope.spaces {
            crate::publish::validate_name("space", space)?;
        }
        let spaces = (!scope.spaces.is_empty()).then(|| scope.spaces.join(","));
        let id = random_hex(6)?;
        let secret = format!("{PREFIX}{id}_{}", random_hex(32)?);
        let now = now_millis();
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, name, hash, created_at, user_id, spaces, trusted_status) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(name)
        .bind(content_hash(&secret))
        .bind(now)
        .bind(user_id.map(str::to_string))
        .bind(spaces.clone())
        .bind(i32::from(scope.trusted_status))
        .execute(&mut *tx)
        .await?;
        let target = if audit.target.is_empty() {
            id.as_str()
        } else {
            audit.target
        };
        audit.write_as(&mut tx, target).await?;
        tx.commit().await?;
        let info = TokenInfo {
            id,
            name: name.to_string(),
            user_id: user_id.map(str::to_string),
            created_at: now,
            revoked_at: None,
            spaces: spaces.map(|_| scope.spaces.clone()),
            trusted_status: scope.trusted_status,
        };
        Ok((info, secret))
    }

    /// The live (not revoked) token with this secret, if any.
    pub async fn verify_token(&self, secret: &str) -> Result<Option<TokenInfo>> {
        if !secret.starts_with(PREFIX) || secret.len() > 200 {
            return Ok(None);
        }
        Ok(sqlx::query_as(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE hash = $1 AND revoked_at IS NULL"
        ))
        .bind(content_hash(secret))
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Revokes a token by id (only one of `owner`'s, when given), recorded by `audit`;
    /// false (and nothing recorded) when there is no such live token.
    pub async fn revoke_token(&self, id: &str, owner: Option<&str>, audit: Audit<'_>) -> Result<bool> {
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL AND ($3 = '' OR user_id = $3)",
        )
        .bind(now_millis())
        .bind(id)
        .bind(owner.unwrap_or_default().to_string())
        .execute(&mut *tx)
        .await?;
        audit.commit_if(tx, done.rows_affected() > 0).await
    }

    /// Revokes every live token of a user; how many. (A password change does this
    /// itself, in its own transaction.)
    pub async fn revoke_tokens_of(&self, user_id: &str) -> Result<u64> {
        let mut conn = self.pool.acquire().await?;
        revoke_tokens_of(&mut conn, user_id).await
    }

    /// A user's tokens, newest first.
    pub async fn tokens_of(&self, user_id: &str) -> Result<Vec<TokenInfo>> {
        Ok(sqlx::query_as(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every token, newest first.
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>> {
        Ok(sqlx::query_as(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens ORDER BY created_at DESC, id"
        ))
        .fetch_all(&self.pool)
        .await?)
    }
}
