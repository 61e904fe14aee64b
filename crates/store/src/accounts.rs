//! Accounts and access: users with argon2id password hashes, sessions (only SHA-256 of the
//! secret stored), roles granted globally or per space, private spaces, login throttling
//! and the audit log. The [`Visibility`] of a caller is what every read query takes, so a
//! private space cannot leak through a query that forgot to filter.

use crate::{Audit, Result, Store, StoreError, content_hash, now_millis};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::Serialize;
use sqlx::FromRow;

/// Roles, weakest first: each can do what the ones before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Reader,
    Author,
    Reviewer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Reader, Role::Author, Role::Reviewer, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Author => "author",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_lowercase())
            .ok_or_else(|| StoreError::Invalid(format!("unknown role `{s}` (use reader, author, reviewer or admin)")))
    }
}

/// Roles are stored by name.
impl TryFrom<String> for Role {
    type Error = StoreError;
    fn try_from(s: String) -> Result<Role> {
        Role::parse(&s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct User {
    pub id: String,
    pub username: String,
    /// The role granted everywhere (spaces may grant more).
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub created_at: i64,
    #[sqlx(try_from = "crate::rows::Flag")]
    pub disabled: bool,
    /// Where notifications go; also matches a name in a doc's `authors:`.
    pub email: Option<String>,
}

/// A signed-in session: its user and the CSRF token forms must carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
}

/// Which spaces a caller must not see: private spaces it is not a member of.
/// Deliberately not `Default`: seeing everything must be asked for with [`Visibility::all`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    hidden: Vec<String>,
}

impl Visibility {
    /// Sees everything (admins, and the hub's own maintenance).
    pub fn all() -> Visibility {
        Visibility { hidden: Vec::new() }
    }

    pub fn can_see(&self, space: &str) -> bool {
        !self.hidden.iter().any(|h| h == space)
    }

    /// `|a|b|`: bound as one parameter and tested with a substring match, so the SQL has
    /// a fixed shape whatever the number of hidden spaces (`|` cannot be in a space name).
    pub(crate) fn param(&self) -> String {
        let mut s = String::from("|");
        for h in &self.hidden {
            s.push_str(h);
            s.push('|');
        }
        s
    }
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct AuditEvent {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    #[sqlx(try_from = "crate::rows::JsonText")]
    pub detail: serde_json::Value,
}

/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 12;

pub(crate) fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Invalid(format!("no randomness: {e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A random password for first start and `user add` (shown once).
pub fn generate_password() -> Result<String> {
    random_hex(12)
}

fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| StoreError::Invalid(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Invalid(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(format!("cannot hash the password: {e}")))
}

fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A session row: its user and the CSRF token.
#[derive(FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: User,
    csrf: String,
}

/// A user row with the password hash, for checking a login.
#[derive(FromRow)]
struct LoginRow {
    #[sqlx(flatten)]
    user: User,
    password_hash: String,
}

const USER_COLUMNS: &str = "u.id, u.username, u.role, u.created_at, u.disabled, u.email";

/// A PHC hash of a fixed password, verified against when the user does not exist, so a
/// failed login takes as long for an unknown name as for a wrong password.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

impl Store {
    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Creates a user, recorded by `audit`. Names are 1-64 of `a-z 0-9 . _ -`; passwords
    /// at least 12 characters.
    pub async fn create_user(&self, username: &str, password: &str, role: Role, audit: Audit<'_>) -> Result<User> {
        let ok = !username.is_empty()
            && username.len() <= 64
            && username
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if !ok {
            return Err(StoreError::Invalid(format!(
                "user name `{username}` must be 1-64 of a-z, 0-9, `.`, `_`, `-`"
            )));
        }
        if password.chars().count() < MIN_PASSWORD {
            return Err(StoreError::Invalid(format!(
                "a password needs at least {MIN_PASSWORD} characters"
            )));
        }
        let hash = tokio::task::spawn_blocking({
            let password = password.to_string();
            move || hash_password(&password)
        })
        .await
        .map_err(|e| StoreError::Invalid(e.to_string()))??;
        let user = User {
            id: random_hex(8)?,
            username: username.to_string(),
            role,
            created_at: now_millis(),
            disabled: false,
            email: None,
        };
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        let done = sqlx::query(
            "INSERT INTO users (id, username, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&user.id)
        .bind(&user.username)
        .bind(hash)
        .bind(role.as_str())
        .bind(user.created_at)
        .execute(&mut *tx)
        .await;
        match done {
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                return Err(StoreError::Invalid(format!("user `{username}` already exists")));
            }
            other => other?,
        };
        audit.write(&mut tx).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn user_by_id(&self, id: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The user whose e-mail is `email` (compared case-insensitively).
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE LOWER(u.email) = LOWER($1)");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Sets (or with `None` clears) a user's e-mail, recorded by `audit`. The address must
    /// look like one (`local@domain`, no spaces) and belong to nobody else.
    pub async fn set_email(&self, user_id: &str, email: Option<&str>, audit: Audit<'_>) -> Result<()> {
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        if let Some(e) = email {
            let plausible = e.len() <= 254
                && !e.chars().any(char::is_whitespace)
                && e.split_once('@')
                    .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'));
            if !plausible {
                return Err(StoreError::Invalid(format!("`{e}` is not an e-mail address")));
            }
        }
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        let done = sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email)
            .bind(user_id)
            .execute(&mut *tx)
            .await;
        match done {
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                return Err(StoreError::Invalid(
                    "that e-mail address belongs to another user".into(),
                ));
            }
            Ok(r) if r.rows_affected() == 0 => return Err(StoreError::Invalid("no such user".into())),
            other => {
                other?;
            }
        }
        audit.write(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.username");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?)
    }

    /// The user with this name and password, if both match and the account is enabled.
    pub async fn check_password(&self, username: &str, password: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.username = $1");
        let row: Option<LoginRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        let (user, phc) = match row {
            Some(r) => (Some(r.user), r.password_hash),
            None => (
                None,
                DUMMY_HASH
                    .get_or_init(|| hash_password("not a real password").unwrap_or_default())
                    .clone(),
            ),
        };
        let password = password.to_string();
        let matches = tokio::task::spawn_blocking(move || password_matches(&password, &phc))
            .await
            .unwrap_or(false);
        Ok(user.filter(|u| matches && !u.disabled))
    }

    /// Sets a user's password, recorded by `audit` (with `tokens_revoked` added to its
    /// detail). Whoever knew the old password is shut out: the user's sessions end, their
    /// browsers are no longer known devices and their API tokens are revoked (how many).
    pub async fn set_password(&self, user_id: &str, password: &str, audit: Audit<'_>) -> Result<u64> {
        if password.chars().count() < MIN_PASSWORD {
            return Err(StoreError::Invalid(format!(
                "a password needs at least {MIN_PASSWORD} characters"
            )));
        }
        let password = password.to_string();
        // argon2 takes real CPU and ~19 MiB: never on an async thread.
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| StoreError::Invalid(format!("password hashing failed: {e}")))??;
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        // Browsers that knew the old password are no longer known devices.
        sqlx::query("DELETE FROM known_devices WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let revoked = crate::tokens::revoke_tokens_of(&mut tx, user_id).await?;
        audit.with("tokens_revoked", revoked).write(&mut tx).await?;
        tx.commit().await?;
        Ok(revoked)
    }

    /// Sets a user's global role, recorded by `audit`.
    pub async fn set_role(&self, user_id: &str, role: Role, audit: Audit<'_>) -> Result<()> {
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        audit.write(&mut tx).await?;
        Ok(tx.commit().await?)
    }

    /// Grants a role in one space (and so membership, which private spaces require),
    /// recorded by `audit`.
    pub async fn grant(&self, space: &str, user_id: &str, role: Role, audit: Audit<'_>) -> Result<()> {
        self.ensure_space(space).await?;
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        sqlx::query(
            "INSERT INTO space_members (space, user_id, role) VALUES ($1, $2, $3) ON CONFLICT (space, user_id) DO UPDATE SET role = $3",
        )
        .bind(space)
        .bind(user_id)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await?;
        audit.write(&mut tx).await?;
        Ok(tx.commit().await?)
    }

    /// Ends a user's membership of a space, recorded by `audit`; false (and nothing
    /// recorded) when they were no member.
    pub async fn revoke_membership(&self, space: &str, user_id: &str, audit: Audit<'_>) -> Result<bool> {
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        let done = sqlx::query("DELETE FROM space_members WHERE space = $1 AND user_id = $2")
            .bind(space)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        audit.commit_if(tx, done.rows_affected() > 0).await
    }

    /// The users who may review in `space`, by name: enabled, with the reviewer role (or
    /// admin) there, granted everywhere or by the space, and able to see the space.
    pub async fn reviewers(&self, space: &str) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u
             LEFT JOIN space_members m ON m.user_id = u.id AND m.space = $1
             LEFT JOIN spaces s ON s.name = $1
             WHERE u.disabled = 0
               AND (u.role IN ('reviewer', 'admin') OR m.role IN ('reviewer', 'admin'))
               AND (u.role = 'admin' OR m.user_id IS NOT NULL OR COALESCE(s.private, 0) = 0)
             ORDER BY u.username"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(space)
            .fetch_all(&self.pool)
            .await?)
    }

    /// A user's per-space roles.
    pub async fn memberships(&self, user_id: &str) -> Result<Vec<(String, Role)>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT space, role FROM space_members WHERE user_id = $1 ORDER BY space")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(space, role)| Ok((space, Role::parse(&role)?)))
            .collect()
    }

    /// Makes a space private (only members and admins see it) or public, recorded by
    /// `audit`.
    pub async fn set_private(&self, space: &str, private: bool, audit: Audit<'_>) -> Result<()> {
        crate::validate_name("space", space)?;
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        sqlx::query("INSERT INTO spaces (name, created_at, private) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET private = $3")
            .bind(space)
            .bind(now_millis())
            .bind(i64::from(private))
            .execute(&mut *tx)
            .await?;
        audit.write(&mut tx).await?;
        Ok(tx.commit().await?)
    }

    /// Creates the space (public) if it does not exist yet, so settings can precede docs.
    pub async fn ensure_space(&self, space: &str) -> Result<()> {
        crate::validate_name("space", space)?;
        sqlx::query("INSERT INTO spaces (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(space)
            .bind(now_millis())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// What a caller may see: admins everything; others every public space and the
    /// private spaces they are members of.
    pub async fn visibility(&self, user: Option<&User>) -> Result<Visibility> {
        if user.is_some_and(|u| u.role == Role::Admin) {
            return Ok(Visibility::all());
        }
        let hidden = sqlx::query_scalar(
            "SELECT s.name FROM spaces s WHERE s.private = 1
               AND NOT EXISTS (SELECT 1 FROM space_members m WHERE m.space = s.name AND m.user_id = $1) ORDER BY s.name",
        )
        .bind(user.map(|u| u.id.clone()).unwrap_or_default())
        .fetch_all(&self.pool)
        .await?;
        Ok(Visibility { hidden })
    }

    /// Starts a session; returns the secret for the cookie (shown to nobody else).
    pub async fn create_session(&self, user_id: &str, ttl_ms: i64) -> Result<String> {
        let secret = random_hex(32)?;
        let now = now_millis();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(content_hash(&secret))
        .bind(user_id)
        .bind(random_hex(32)?)
        .bind(now)
        .bind(now + ttl_ms)
        .execute(&self.pool)
        .await?;
        Ok(secret)
    }

    /// The live session with this secret and its enabled user.
    pub async fn session(&self, secret: &str) -> Result<Option<Session>> {
        if secret.len() != 64 {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0"
        );
        let row: Option<SessionRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(content_hash(secret))
            .bind(now_millis())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| Session {
            user: r.user,
            csrf: r.csrf,
        }))
    }

    /// Ends a session (signing out), recorded by `audit`.
    pub async fn end_session(&self, secret: &str, audit: Audit<'_>) -> Result<()> {
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(content_hash(secret))
            .execute(&mut *tx)
            .await?;
        audit.write(&mut tx).await?;
        Ok(tx.commit().await?)
    }

    pub async fn end_sessions(&self, user_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a failed login for `key` (e.g. `name|ip`).
    pub async fn login_failed(&self, key: &str) -> Result<()> {
        let now = now_millis();
        sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes failures older than `max_age_ms` (the hub runs this on a timer; the
    /// index on time keeps it cheap however many rows an attack left). How many.
    pub async fn purge_login_failures(&self, max_age_ms: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(now_millis() - max_age_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Rows in the login-failure table (for metrics and tests).
    pub async fn login_failure_rows(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) AS n FROM login_failures")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Remembers a browser that signed in as `user_id`; returns the cookie value (only
    /// its SHA-256 is stored).
    pub async fn remember_device(&self, user_id: &str) -> Result<String> {
        let secret = random_hex(32)?;
        sqlx::query("INSERT INTO known_devices (hash, user_id, created_at) VALUES ($1, $2, $3)")
            .bind(content_hash(&secret))
            .bind(user_id)
            .bind(now_millis())
            .execute(&self.pool)
            .await?;
        Ok(secret)
    }

    /// Whether `secret` is a device cookie of `user_id`.
    pub async fn is_known_device(&self, secret: &str, user_id: &str) -> Result<bool> {
        if secret.is_empty() || secret.len() > 200 {
            return Ok(false);
        }
        Ok(
            sqlx::query("SELECT 1 AS one FROM known_devices WHERE hash = $1 AND user_id = $2")
                .bind(content_hash(secret))
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }

    /// Failed logins for `key` in the last `window_ms`.
    pub async fn recent_login_failures(&self, key: &str, window_ms: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) AS n FROM login_failures WHERE key = $1 AND at > $2")
                .bind(key)
                .bind(now_millis() - window_ms)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Removes the newest failure of `key` (the attempt that turned out to succeed).
    pub async fn forget_one_failure(&self, key: &str) -> Result<()> {
        sqlx::query(
            "DELETE FROM login_failures WHERE key = $1 AND at = (SELECT MAX(at) FROM login_failures WHERE key = $1)",
        )
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Appends to the audit log, for an action with no write of its own (a login, a
    /// failed attempt). `detail` must not hold secrets. Actions that write take an
    /// [`Audit`] instead and record it in their own transaction.
    pub async fn audit(&self, actor: &str, action: &str, target: &str, detail: serde_json::Value) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        Audit::new(actor, action, target, detail).write(&mut conn).await
    }

    /// The latest audit events, newest first.
    pub async fn audit_events_latest(&self, limit: i64) -> Result<Vec<AuditEvent>> {
        Ok(
            sqlx::query_as("SELECT id, at, actor, action, target, detail FROM audit ORDER BY id DESC LIMIT $1")
                .bind(limit)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Audit events after `after_id`, oldest first, at most `limit`.
    pub async fn audit_events(&self, after_id: i64, limit: i64) -> Result<Vec<AuditEvent>> {
        Ok(
            sqlx::query_as(
                "SELECT id, at, actor, action, target, detail FROM audit WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?,
        )
    }
}
