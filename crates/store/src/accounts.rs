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
    /// Holds a one-time password: a session of theirs may only set a new password.
    #[sqlx(try_from = "crate::rows::Flag")]
    pub must_change_password: bool,
    /// When the user was deleted: the row stays (disabled, no password) so history keeps
    /// the name, and the name is never given to anyone else.
    pub deleted_at: Option<i64>,
}

impl User {
    /// What the account is now: `active`, `one-time password`, `disabled` or `deleted`.
    pub fn state(&self) -> &'static str {
        match (self.deleted_at.is_some(), self.disabled, self.must_change_password) {
            (true, _, _) => "deleted",
            (false, true, _) => "disabled",
            (false, false, true) => "one-time password",
            (false, false, false) => "active",
        }
    }
}

/// What an admin may do to an account, from the admin page or the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAction {
    /// A new one-time password; every session ends.
    Reset,
    /// Sessions end, tokens are refused, sign-in fails.
    Disable,
    Enable,
    /// A tombstone keeps the name for history.
    Delete,
}

impl AccountAction {
    pub const ALL: [AccountAction; 4] = [
        AccountAction::Reset,
        AccountAction::Disable,
        AccountAction::Enable,
        AccountAction::Delete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountAction::Reset => "reset",
            AccountAction::Disable => "disable",
            AccountAction::Enable => "enable",
            AccountAction::Delete => "delete",
        }
    }

    pub fn parse(s: &str) -> Option<AccountAction> {
        AccountAction::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Its name in the audit log.
    pub fn audit_action(self) -> &'static str {
        match self {
            AccountAction::Reset => "user.reset",
            AccountAction::Disable => "user.disable",
            AccountAction::Enable => "user.enable",
            AccountAction::Delete => "user.delete",
        }
    }
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

/// How long a one-time password works if nobody signs in with it.
pub const ONE_TIME_PASSWORD_TTL_MS: i64 = 24 * 3_600_000;

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

/// [`hash_password`] off the async threads: argon2 takes real CPU and ~19 MiB.
async fn hash_blocking(password: &str) -> Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| StoreError::Invalid(format!("password hashing failed: {e}")))?
}

/// The password policy as a store error (the message names the rule that failed).
fn policy(username: &str, password: &str) -> Result<()> {
    crate::passwords::check_password_policy(username, password).map_err(|w| StoreError::Invalid(w.to_string()))
}

/// Refuses an action on a deleted user, naming them.
fn live(user: Option<User>, what: &str) -> Result<User> {
    match user {
        None => Err(StoreError::Invalid(format!("no user `{what}`"))),
        Some(u) if u.deleted_at.is_some() => Err(StoreError::Invalid(format!("user `{}` was deleted", u.username))),
        Some(u) => Ok(u),
    }
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
    password_expires_at: Option<i64>,
}

const USER_COLUMNS: &str =
    "u.id, u.username, u.role, u.created_at, u.disabled, u.email, u.must_change_password, u.deleted_at";

/// Deletes the user's rows in `tables` (each has a `user_id` column): what ends with an
/// account or a reset.
async fn end_everything(conn: &mut sqlx::AnyConnection, user_id: &str, tables: &[&'static str]) -> Result<()> {
    for table in tables {
        let sql = format!("DELETE FROM {table} WHERE user_id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Refuses to take away the last enabled admin (nobody could administer the hub).
async fn not_the_last_admin(conn: &mut sqlx::AnyConnection, user: &User) -> Result<()> {
    if user.role != Role::Admin || user.disabled {
        return Ok(());
    }
    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND deleted_at IS NULL AND id <> $1",
    )
    .bind(&user.id)
    .fetch_one(&mut *conn)
    .await?;
    if others == 0 {
        return Err(StoreError::Invalid(format!(
            "`{}` is the last enabled admin; make another admin first",
            user.username
        )));
    }
    Ok(())
}

/// A PHC hash of a fixed password, verified against when the user does not exist, so a
/// failed login takes as long for an unknown name as for a wrong password.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

impl Store {
    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Creates a user with a password they chose, recorded by `audit`. Names are 1-64 of
    /// `a-z 0-9 . _ -`; the password must pass the policy (see [`crate::check_password_policy`]).
    pub async fn create_user(&self, username: &str, password: &str, role: Role, audit: Audit<'_>) -> Result<User> {
        self.insert_user(username, password, role, None, audit).await
    }

    /// Creates a user with a random one-time password (returned, to be shown once): it
    /// works for one sign-in within [`ONE_TIME_PASSWORD_TTL_MS`], whose session may only
    /// set a new password. Recorded by `audit`.
    pub async fn create_user_one_time(&self, username: &str, role: Role, audit: Audit<'_>) -> Result<(User, String)> {
        let password = generate_password()?;
        let expires = now_millis() + ONE_TIME_PASSWORD_TTL_MS;
        let user = self
            .insert_user(username, &password, role, Some(expires), audit)
            .await?;
        Ok((user, password))
    }

    /// Inserts a user; `one_time_until` makes the password a one-time one expiring then.
    async fn insert_user(
        &self,
        username: &str,
        password: &str,
        role: Role,
        one_time_until: Option<i64>,
        audit: Audit<'_>,
    ) -> Result<User> {
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
        if one_time_until.is_none() {
            policy(username, password)?;
        }
        let hash = hash_blocking(password).await?;
        let user = User {
            id: random_hex(8)?,
            username: username.to_string(),
            role,
            created_at: now_millis(),
            disabled: false,
            email: None,
            must_change_password: one_time_until.is_some(),
            deleted_at: None,
        };
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        let done = sqlx::query(
            "INSERT INTO users (id, username, password_hash, role, created_at, must_change_password, password_expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&user.id)
        .bind(&user.username)
        .bind(hash)
        .bind(role.as_str())
        .bind(user.created_at)
        .bind(i64::from(user.must_change_password))
        .bind(one_time_until)
        .execute(&mut *tx)
        .await;
        match done {
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                // A deleted user's name stays theirs: history shows it.
                return Err(StoreError::Invalid(format!(
                    "user `{username}` already exists (names of deleted users are not reused)"
                )));
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
        self.check_password_at(username, password, now_millis()).await
    }

    /// [`Store::check_password`] as of `now` (Unix ms). A one-time password past its expiry
    /// is refused like a wrong one; one that matches is used up by this check (only one of
    /// two concurrent checks wins), so it signs in once.
    pub async fn check_password_at(&self, username: &str, password: &str, now: i64) -> Result<Option<User>> {
        let sql =
            format!("SELECT {USER_COLUMNS}, u.password_hash, u.password_expires_at FROM users u WHERE u.username = $1");
        let row: Option<LoginRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        let (user, phc, expires) = match row {
            Some(r) => (Some(r.user), r.password_hash, r.password_expires_at),
            None => (
                None,
                DUMMY_HASH
                    .get_or_init(|| hash_password("not a real password").unwrap_or_default())
                    .clone(),
                None,
            ),
        };
        let password = password.to_string();
        let matches = tokio::task::spawn_blocking(move || password_matches(&password, &phc))
            .await
            .unwrap_or(false);
        let expired = expires.is_some_and(|at| at <= now);
        let Some(user) = user.filter(|u| matches && !expired && !u.disabled && u.deleted_at.is_none()) else {
            return Ok(None);
        };
        if user.must_change_password {
            let used = sqlx::query(
                "UPDATE users SET password_expires_at = $1
                 WHERE id = $2 AND must_change_password = 1 AND password_expires_at > $1",
            )
            .bind(now)
            .bind(&user.id)
            .execute(&self.pool)
            .await?;
            if used.rows_affected() == 0 {
                return Ok(None);
            }
        }
        Ok(Some(user))
    }

    /// Sets a user's password, recorded by `audit` (with `tokens_revoked` added to its
    /// detail). Whoever knew the old password is shut out: the user's sessions end, their
    /// browsers are no longer known devices and their API tokens are revoked (how many).
    /// The password must pass the policy; a one-time password is replaced by it.
    pub async fn set_password(&self, user_id: &str, password: &str, audit: Audit<'_>) -> Result<u64> {
        self.replace_password(user_id, password, None, audit).await
    }

    /// Replaces the one-time password a user signed in with by one they chose, recorded
    /// by `audit`: their session `keep_session` goes on (no longer restricted), their other
    /// sessions end, their tokens stay (the one-time password could not make any).
    pub async fn replace_one_time_password(
        &self,
        user_id: &str,
        password: &str,
        keep_session: &str,
        audit: Audit<'_>,
    ) -> Result<()> {
        self.replace_password(user_id, password, Some(keep_session), audit)
            .await
            .map(|_| ())
    }

    /// [`Store::set_password`], or with `keep_session` [`Store::replace_one_time_password`].
    async fn replace_password(
        &self,
        user_id: &str,
        password: &str,
        keep_session: Option<&str>,
        audit: Audit<'_>,
    ) -> Result<u64> {
        let user = live(self.user_by_id(user_id).await?, user_id)?;
        if keep_session.is_some() && !user.must_change_password {
            return Err(StoreError::Invalid(
                "there is no one-time password to replace; change the password on the account page".into(),
            ));
        }
        policy(&user.username, password)?;
        let hash = hash_blocking(password).await?;
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = 0, password_expires_at = NULL WHERE id = $2",
        )
        .bind(hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        let kept = keep_session.map(content_hash).unwrap_or_default();
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(kept)
            .execute(&mut *tx)
            .await?;
        if keep_session.is_some() {
            audit.write(&mut tx).await?;
            tx.commit().await?;
            return Ok(0);
        }
        // Browsers that knew the old password are no longer known devices.
        sqlx::query("DELETE FROM known_devices WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let revoked = crate::tokens::revoke_tokens_of(&mut tx, user_id).await?;
        audit.with("tokens_revoked", revoked).write(&mut tx).await?;
        tx.commit().await?;
        Ok(revoked)
    }

    /// An admin's reset, recorded by `audit`: a new one-time password (returned, to be
    /// shown once), and every session of the user ends. Their tokens stay; disable the
    /// user to stop those.
    pub async fn reset_password(&self, user_id: &str, audit: Audit<'_>) -> Result<String> {
        live(self.user_by_id(user_id).await?, user_id)?;
        let password = generate_password()?;
        let hash = hash_blocking(&password).await?;
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = 1, password_expires_at = $2 WHERE id = $3",
        )
        .bind(hash)
        .bind(now_millis() + ONE_TIME_PASSWORD_TTL_MS)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        end_everything(&mut tx, user_id, &["sessions", "known_devices"]).await?;
        audit.write(&mut tx).await?;
        tx.commit().await?;
        Ok(password)
    }

    /// Disables (or enables) a user, recorded by `audit`. Disabling ends their sessions,
    /// and their tokens are refused from the next request on (enabling brings the tokens
    /// back, not the sessions). The last enabled admin cannot be disabled.
    pub async fn set_disabled(&self, user_id: &str, disabled: bool, audit: Audit<'_>) -> Result<()> {
        let user = live(self.user_by_id(user_id).await?, user_id)?;
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        if disabled {
            not_the_last_admin(&mut tx, &user).await?;
            end_everything(&mut tx, user_id, &["sessions"]).await?;
        }
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        audit.write(&mut tx).await?;
        Ok(tx.commit().await?)
    }

    /// Deletes a user, recorded by `audit` (with `tokens_revoked`). The row stays as a
    /// tombstone with the name, so comments, verdicts and review requests still show who
    /// made them: disabled, without password, e-mail, memberships, sessions or tokens,
    /// and the name is never given to a new user. The last enabled admin cannot be deleted.
    pub async fn delete_user(&self, user_id: &str, audit: Audit<'_>) -> Result<()> {
        let user = live(self.user_by_id(user_id).await?, user_id)?;
        let mut tx = self.dialect.begin_write(&self.pool).await?;
        not_the_last_admin(&mut tx, &user).await?;
        sqlx::query(
            "UPDATE users SET deleted_at = $1, disabled = 1, password_hash = '', email = NULL,
                must_change_password = 0, password_expires_at = NULL WHERE id = $2",
        )
        .bind(now_millis())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        end_everything(&mut tx, user_id, &["sessions", "known_devices", "space_members"]).await?;
        let revoked = crate::tokens::revoke_tokens_of(&mut tx, user_id).await?;
        audit.with("tokens_revoked", revoked).write(&mut tx).await?;
        Ok(tx.commit().await?)
    }

    /// Applies an admin's `action` to the user, recorded by `audit`; a reset's new
    /// one-time password (to be shown once).
    pub async fn account_action(
        &self,
        user_id: &str,
        action: AccountAction,
        audit: Audit<'_>,
    ) -> Result<Option<String>> {
        match action {
            AccountAction::Reset => return self.reset_password(user_id, audit).await.map(Some),
            AccountAction::Disable => self.set_disabled(user_id, true, audit).await?,
            AccountAction::Enable => self.set_disabled(user_id, false, audit).await?,
            AccountAction::Delete => self.delete_user(user_id, audit).await?,
        }
        Ok(None)
    }

    /// Sets when a user's password stops working (Unix ms; `None`: never). For tests and
    /// maintenance; not audited.
    pub async fn set_password_expiry(&self, user_id: &str, at: Option<i64>) -> Result<()> {
        sqlx::query("UPDATE users SET password_expires_at = $1 WHERE id = $2")
            .bind(at)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
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
