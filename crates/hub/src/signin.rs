//! Signing in as a plain function over the store: throttle, verify the password, start a
//! session, remember the device, audit. It returns what happened as data ([`SignedIn`])
//! or a [`SignInError`]; the login handler only turns those into a page and cookies.

use super::Hub;
use super::auth::SESSION_TTL_MS;
use super::throttle::{Attempt, Purpose, Throttled};
use designdoc_store::{Audit, StoreError, User, content_hash};
use std::net::IpAddr;

/// A successful sign-in.
pub struct SignedIn {
    /// The new session's secret (the cookie's value).
    pub session: String,
    /// A device secret to remember this browser by, when it was not known yet.
    pub new_device: Option<String>,
    /// Signed in with a one-time password: the session may only set a new password.
    pub must_change_password: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Too many failed attempts; nothing was checked.
    #[error("too many failed attempts")]
    Throttled(Throttled),
    /// Unknown user or wrong password (the same answer for both).
    #[error("wrong user name or password")]
    Wrong,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One sign-in attempt: `name` as typed, from `ip`, with the device digest the browser
/// proved (see [`known_device`]).
pub struct SignInRequest<'a> {
    pub name: &'a str,
    pub password: &'a str,
    pub ip: IpAddr,
    pub device_secret: Option<&'a str>,
}

/// Signs `req` in, or says why not. Every outcome that matters is audited, and an audit
/// write that fails fails the sign-in (an attempt nobody can see must not succeed).
pub async fn sign_in(hub: &Hub, req: &SignInRequest<'_>) -> Result<SignedIn, SignInError> {
    let ip_text = req.ip.to_string();
    let named = req.name.trim().to_lowercase();
    // Only the name of an existing user reaches the audit log and the throttle keys: the
    // field may hold anything, even a password typed in the wrong box.
    let existing = if named.is_empty() || named.len() > 64 {
        None
    } else {
        hub.store.user_by_name(&named).await?
    };
    let shown = existing
        .as_ref()
        .map_or_else(|| "?".to_string(), |u| u.username.clone());
    let device = match (&existing, req.device_secret) {
        (Some(u), Some(secret)) if !secret.is_empty() => known_device(hub, secret, &u.id).await?,
        _ => None,
    };
    let throttle_name = match &existing {
        Some(u) => u.username.clone(),
        None => format!("?{}", &content_hash(&named)[..16]),
    };
    let attempt = Attempt::new(Purpose::SignIn, &throttle_name, req.ip, device.as_deref());
    if let Err(why) = attempt.admit(hub).await? {
        return Err(SignInError::Throttled(why));
    }
    // Password hashing is deliberately expensive: a few at a time, whatever the load. A
    // closed semaphore cannot happen (it is never closed); treat it as "no permit needed".
    let _permit = hub.password_checks.acquire().await.ok();
    let Some(user) = hub.store.check_password(&named, req.password).await? else {
        hub.store
            .audit(&shown, "login.failed", &shown, serde_json::json!({"ip": ip_text}))
            .await?;
        if let Some(why) = attempt.reached(hub).await? {
            let by = if why == Throttled::Account { "account" } else { "client" };
            hub.store
                .audit(
                    &shown,
                    "login.throttled",
                    &shown,
                    serde_json::json!({"ip": ip_text, "by": by}),
                )
                .await?;
        }
        return Err(SignInError::Wrong);
    };
    attempt.succeeded(hub).await?;
    let session = hub.store.create_session(&user.id, SESSION_TTL_MS).await?;
    let new_device = match device {
        None => Some(hub.store.remember_device(&user.id).await?),
        Some(_) => None,
    };
    hub.store
        .audit(
            &user.username,
            "login",
            &user.username,
            serde_json::json!({"ip": ip_text}),
        )
        .await?;
    Ok(SignedIn {
        session,
        new_device,
        must_change_password: user.must_change_password,
    })
}

/// The digest of a device cookie's secret when it belongs to `user_id`.
async fn known_device(hub: &Hub, secret: &str, user_id: &str) -> Result<Option<String>, StoreError> {
    Ok(hub
        .store
        .is_known_device(secret, user_id)
        .await?
        .then(|| content_hash(secret)[..16].to_string()))
}

/// Ends a session and records it. A session that cannot be ended is an error: the caller
/// must not be told they are signed out while their cookie still works.
pub async fn sign_out(hub: &Hub, username: &str, session: Option<&str>) -> Result<(), StoreError> {
    let audit = Audit::new(username, "logout", username, serde_json::json!({}));
    match session {
        Some(secret) => hub.store.end_session(secret, audit).await,
        None => hub.store.audit(username, "logout", username, audit.detail).await,
    }
}

/// Why a password was not changed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    /// Too many wrong current passwords; nothing was checked.
    #[error("too many failed attempts")]
    Throttled(Throttled),
    #[error("The current password is wrong.")]
    WrongCurrent,
    /// The new password breaks the password policy (the message says how).
    #[error("{0}")]
    Rejected(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for PasswordChangeError {
    fn from(e: StoreError) -> Self {
        PasswordChangeError::Store(e)
    }
}

/// Replaces the one-time password `user` signed in with (in session `session`) by `new`:
/// no current password asked (the session proved it and the one-time password is used
/// up); the session goes on unrestricted, the user's other sessions end, tokens stay.
pub async fn set_first_password(
    hub: &Hub,
    user: &User,
    session: &str,
    new: &str,
    ip: IpAddr,
) -> Result<(), PasswordChangeError> {
    let detail = serde_json::json!({"ip": ip.to_string(), "one_time": true});
    let audit = Audit::new(&user.username, "password.set", &user.username, detail);
    rejected(hub.store.replace_one_time_password(&user.id, new, session, audit).await)
}

/// A store answer about a new password: the policy's refusal becomes
/// [`PasswordChangeError::Rejected`].
fn rejected<T>(done: Result<T, StoreError>) -> Result<T, PasswordChangeError> {
    match done {
        Ok(v) => Ok(v),
        Err(StoreError::Invalid(m)) => Err(PasswordChangeError::Rejected(m)),
        Err(e) => Err(e.into()),
    }
}

/// Changes `user`'s password after checking the current one (guessing it with a stolen
/// session is throttled like signing in). Ends every session and revokes the user's
/// tokens; returns how many tokens were revoked.
pub async fn change_password(
    hub: &Hub,
    user: &User,
    current: &str,
    new: &str,
    ip: IpAddr,
) -> Result<u64, PasswordChangeError> {
    let ip_text = ip.to_string();
    let attempt = Attempt::new(Purpose::PasswordChange, &user.username, ip, None);
    if let Err(why) = attempt.admit(hub).await? {
        return Err(PasswordChangeError::Throttled(why));
    }
    let _permit = hub.password_checks.acquire().await.ok();
    if hub.store.check_password(&user.username, current).await?.is_none() {
        let name = &user.username;
        hub.store
            .audit(name, "password.change.failed", name, serde_json::json!({"ip": ip_text}))
            .await?;
        if attempt.reached(hub).await?.is_some() {
            hub.store
                .audit(
                    name,
                    "password.change.throttled",
                    name,
                    serde_json::json!({"ip": ip_text}),
                )
                .await?;
        }
        return Err(PasswordChangeError::WrongCurrent);
    }
    attempt.succeeded(hub).await?;
    // Whoever knew the old password may have made tokens: they end with it, as sessions
    // do, in the same transaction (the store adds `tokens_revoked` to the record).
    let detail = serde_json::json!({"ip": ip_text, "sessions_ended": true});
    let audit = Audit::new(&user.username, "password.change", &user.username, detail);
    rejected(hub.store.set_password(&user.id, new, audit).await)
}
