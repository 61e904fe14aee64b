//! Signing in and out, the account page (password, API tokens) and the admin pages (users,
//! roles, private spaces, audit log). Every form post is checked by [`Caller::check_form`]
//! (session, CSRF token, same origin) and every change lands in the audit log.

use super::Hub;
use super::api::ApiError;
use super::auth::{
    Caller, Denied, LOGIN_CSRF_COOKIE, SESSION_COOKIE, SESSION_TTL_MS, constant_time_eq, cookie, same_origin,
};
use super::client::Client;
use super::pages::{layout, millis_to_date};
use super::throttle::{Attempt, Purpose, RETRY_AFTER_SECS, Throttled};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use designdoc_render::site::escape;
use designdoc_store::{Role, StoreError, content_hash, generate_password};
use serde::Deserialize;
use std::fmt::Write;
use std::sync::Arc;

type Shared = State<Arc<Hub>>;

fn random_token() -> String {
    let mut buf = [0u8; 32];
    // Without randomness the login form cannot be protected; an empty token never matches.
    if getrandom::fill(&mut buf).is_err() {
        return String::new();
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn set_cookie(hub: &Hub, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if hub.secure_cookies { "; Secure" } else { "" };
    let v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// Only local paths are followed after signing in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    // Browsers drop tabs and newlines from URLs, so `/\t/evil` would become `//evil`:
    // allow only printable URL characters, and a single leading slash.
    let ok = |n: &str| {
        n.starts_with('/')
            && !n.starts_with("//")
            && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
            && !n[1..].starts_with('/')
    };
    match next {
        Some(n) if ok(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn login_form(caller: &Caller, token: &str, next: &str, message: &str) -> Html<String> {
    let note = if message.is_empty() {
        String::new()
    } else {
        format!("<p class=\"finding error\" role=\"alert\">{}</p>", escape(message))
    };
    let body = format!(
        "<h1>Sign in</h1>\n{note}<form method=\"post\" action=\"/login\" class=\"filters\">\
<input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"next\" value=\"{}\">\
<label>User<input name=\"username\" autocomplete=\"username\" required></label>\
<label>Password<input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
<button type=\"submit\">Sign in</button></form>\n",
        escape(token),
        escape(next)
    );
    layout(caller, "Sign in", &body)
}

pub async fn login_page(State(hub): Shared, caller: Caller, Query(q): Query<NextQuery>) -> Response {
    let token = random_token();
    let mut r = login_form(&caller, &token, &safe_next(q.next.as_deref()), "").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, set_cookie(&hub, LOGIN_CSRF_COOKIE, &token, 3600));
    r
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    /// Missing means refused by the CSRF check (403), not a form error (422).
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

/// The device cookie: a browser that signed in to an account before (see `throttle`).
pub const DEVICE_COOKIE: &str = "designdoc_device";
const DEVICE_TTL_SECS: i64 = 400 * 86_400;

/// The digest of the browser's device cookie when it belongs to `user_id`.
async fn known_device(hub: &Hub, headers: &HeaderMap, user_id: &str) -> Result<Option<String>, StoreError> {
    let Some(secret) = cookie(headers, DEVICE_COOKIE).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    Ok(hub
        .store
        .is_known_device(secret, user_id)
        .await?
        .then(|| content_hash(secret)[..16].to_string()))
}

/// Writes an audit entry; a failure is logged (the entry's action already happened).
async fn audit(hub: &Hub, actor: &str, action: &str, target: &str, detail: serde_json::Value) {
    if let Err(e) = hub.store.audit(actor, action, target, detail).await {
        tracing::error!(action, error = %e, "audit write failed");
    }
}

fn throttled_message(why: Throttled) -> &'static str {
    match why {
        Throttled::Client => "Too many failed attempts from here; wait 15 minutes.",
        Throttled::Account => {
            "Too many failed attempts for this account from elsewhere; sign in from a browser you used before, or wait 15 minutes."
        }
    }
}

pub async fn login(
    State(hub): Shared,
    caller: Caller,
    Client(ip): Client,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), f.csrf.as_bytes()) || !same_origin(&headers) {
        return ApiError(
            StatusCode::FORBIDDEN,
            "the sign-in form expired or came from another site; reload it".into(),
        )
        .into_response();
    }
    let ip_text = ip.to_string();
    let named = f.username.trim().to_lowercase();
    let fail = |e| ApiError::store(&hub, e).into_response();
    // Only the name of an existing user reaches the audit log and the throttle keys: the
    // field may hold anything, even a password typed in the wrong box.
    let existing = if named.is_empty() || named.len() > 64 {
        None
    } else {
        match hub.store.user_by_name(&named).await {
            Ok(u) => u,
            Err(e) => return fail(e),
        }
    };
    let shown = existing
        .as_ref()
        .map_or_else(|| "?".to_string(), |u| u.username.clone());
    let device = match &existing {
        Some(u) => match known_device(&hub, &headers, &u.id).await {
            Ok(d) => d,
            Err(e) => return fail(e),
        },
        None => None,
    };
    let throttle_name = match &existing {
        Some(u) => u.username.clone(),
        None => format!("?{}", &content_hash(&named)[..16]),
    };
    let attempt = Attempt::new(Purpose::SignIn, &throttle_name, ip, device.as_deref());
    match attempt.admit(&hub).await {
        Err(e) => return fail(e),
        Ok(Err(why)) => {
            let mut r = (
                StatusCode::TOO_MANY_REQUESTS,
                login_form(&caller, expected, &next, throttled_message(why)),
            )
                .into_response();
            r.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&RETRY_AFTER_SECS.to_string()).unwrap_or(HeaderValue::from_static("900")),
            );
            return r;
        }
        Ok(Ok(())) => {}
    }
    // Password hashing is deliberately expensive: a few at a time, whatever the load.
    let _permit = hub.password_checks.acquire().await;
    let user = match hub.store.check_password(&named, &f.password).await {
        Ok(u) => u,
        Err(e) => return fail(e),
    };
    let Some(user) = user else {
        audit(&hub, &shown, "login.failed", &shown, serde_json::json!({"ip": ip_text})).await;
        match attempt.reached(&hub).await {
            Ok(Some(why)) => {
                let by = if why == Throttled::Account { "account" } else { "client" };
                audit(
                    &hub,
                    &shown,
                    "login.throttled",
                    &shown,
                    serde_json::json!({"ip": ip_text, "by": by}),
                )
                .await;
            }
            Ok(None) => {}
            Err(e) => return fail(e),
        }
        return (
            StatusCode::UNAUTHORIZED,
            login_form(&caller, expected, &next, "Wrong user name or password."),
        )
            .into_response();
    };
    if let Err(e) = attempt.succeeded(&hub).await {
        return fail(e);
    }
    let secret = match hub.store.create_session(&user.id, SESSION_TTL_MS).await {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let new_device = if device.is_none() {
        match hub.store.remember_device(&user.id).await {
            Ok(d) => Some(d),
            Err(e) => return fail(e),
        }
    } else {
        None
    };
    audit(
        &hub,
        &user.username,
        "login",
        &user.username,
        serde_json::json!({"ip": ip_text}),
    )
    .await;
    let mut r = Redirect::to(&next).into_response();
    let h = r.headers_mut();
    h.append(
        header::SET_COOKIE,
        set_cookie(&hub, SESSION_COOKIE, &secret, SESSION_TTL_MS / 1000),
    );
    h.append(header::SET_COOKIE, set_cookie(&hub, LOGIN_CSRF_COOKIE, "", 0));
    if let Some(d) = new_device {
        h.append(header::SET_COOKIE, set_cookie(&hub, DEVICE_COOKIE, &d, DEVICE_TTL_SECS));
    }
    r
}

#[derive(Deserialize)]
pub struct CsrfForm {
    /// Missing means refused by the CSRF check (403), not a form error (422).
    #[serde(default)]
    csrf: String,
}

pub async fn logout(State(hub): Shared, caller: Caller, headers: HeaderMap, Form(f): Form<CsrfForm>) -> Response {
    let user = match caller.check_form(&headers, &f.csrf) {
        Ok(u) => u.username.clone(),
        Err(d) => return d.page("/"),
    };
    if let super::auth::Via::Session { secret, .. } = &caller.via {
        let _ = hub.store.end_session(secret).await;
    }
    let _ = hub.store.audit(&user, "logout", &user, serde_json::json!({})).await;
    let mut r = Redirect::to("/").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, set_cookie(&hub, SESSION_COOKIE, "", 0));
    r
}

fn csrf_field(caller: &Caller) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        escape(caller.csrf().unwrap_or(""))
    )
}

async fn account_page(hub: &Hub, caller: &Caller, flash: &str) -> Response {
    let user = match caller.require_user() {
        Ok(u) => u,
        Err(d) => return d.page("/account"),
    };
    let tokens = match hub.store.tokens_of(&user.id).await {
        Ok(t) => t,
        Err(e) => return ApiError::store(hub, e).into_response(),
    };
    let mut b = format!(
        "<h1>Account</h1>\n{flash}<p>Signed in as <strong id=\"username\">{}</strong>, {} everywhere.</p>\n",
        escape(&user.username),
        user.role.as_str()
    );
    if !caller.memberships.is_empty() {
        b.push_str("<p>Space roles: ");
        let list: Vec<String> = caller
            .memberships
            .iter()
            .map(|(s, r)| format!("{} in {}", r.as_str(), escape(s)))
            .collect();
        b.push_str(&list.join(", "));
        b.push_str("</p>\n");
    }
    b.push_str("<h2>API tokens</h2>\n<table id=\"tokens\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Id</th><th scope=\"col\">Created</th><th scope=\"col\">State</th><th scope=\"col\"></th></tr></thead><tbody>\n");
    for t in &tokens {
        let action = if t.revoked_at.is_some() {
            "revoked".to_string()
        } else {
            format!(
                "<form method=\"post\" action=\"/account/tokens/{}/revoke\">{}<button type=\"submit\">Revoke</button></form>",
                escape(&t.id),
                csrf_field(caller)
            )
        };
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{action}</td></tr>",
            escape(&t.name),
            escape(&t.id),
            millis_to_date(t.created_at),
            if t.revoked_at.is_some() { "revoked" } else { "live" }
        );
    }
    let _ = write!(
        b,
        "</tbody></table>\n<form method=\"post\" action=\"/account/tokens\" class=\"filters\">{}<label>New token name<input name=\"name\" required maxlength=\"100\"></label><button type=\"submit\">Create token</button></form>\n\
<h2>Password</h2>\n<form method=\"post\" action=\"/account/password\" class=\"filters\">{}<label>Current<input name=\"current\" type=\"password\" autocomplete=\"current-password\" required></label><label>New (12+ characters)<input name=\"new\" type=\"password\" autocomplete=\"new-password\" required minlength=\"12\"></label><button type=\"submit\">Change password</button></form>\n",
        csrf_field(caller),
        csrf_field(caller)
    );
    layout(caller, "Account", &b).into_response()
}

pub async fn account(State(hub): Shared, caller: Caller) -> Response {
    account_page(&hub, &caller, "").await
}

#[derive(Deserialize)]
pub struct TokenForm {
    /// Missing means refused by the CSRF check (403), not a form error (422).
    #[serde(default)]
    csrf: String,
    name: String,
}

pub async fn create_token(
    State(hub): Shared,
    caller: Caller,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Response {
    let user = match caller.check_form(&headers, &f.csrf) {
        Ok(u) => u.clone(),
        Err(d) => return d.page("/account"),
    };
    let (info, secret) = match hub.store.create_token(&f.name, Some(&user.id)).await {
        Ok(t) => t,
        Err(e) => return ApiError::store(&hub, e).into_response(),
    };
    let _ = hub
        .store
        .audit(
            &user.username,
            "token.create",
            &info.id,
            serde_json::json!({"name": info.name}),
        )
        .await;
    let flash = format!(
        "<p class=\"panel\" role=\"status\">New token <strong>{}</strong>; copy it now, it is not shown again: <code id=\"new-token\">{}</code></p>\n",
        escape(&info.name),
        escape(&secret)
    );
    account_page(&hub, &caller, &flash).await
}

pub async fn revoke_token(
    State(hub): Shared,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    let user = match caller.check_form(&headers, &f.csrf) {
        Ok(u) => u.clone(),
        Err(d) => return d.page("/account"),
    };
    let owner = (user.role != Role::Admin).then_some(user.id.as_str());
    match hub.store.revoke_token(&id, owner).await {
        Ok(true) => {
            let _ = hub
                .store
                .audit(&user.username, "token.revoke", &id, serde_json::json!({}))
                .await;
            Redirect::to("/account").into_response()
        }
        Ok(false) => ApiError::not_found("live token of yours").into_response(),
        Err(e) => ApiError::store(&hub, e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    /// Missing means refused by the CSRF check (403), not a form error (422).
    #[serde(default)]
    csrf: String,
    current: String,
    new: String,
}

pub async fn change_password(
    State(hub): Shared,
    caller: Caller,
    Client(ip): Client,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Response {
    let user = match caller.check_form(&headers, &f.csrf) {
        Ok(u) => u.clone(),
        Err(d) => return d.page("/account"),
    };
    let flash = |m: &str| format!("<p class=\"finding error\" role=\"alert\">{}</p>", escape(m));
    let ip_text = ip.to_string();
    // Guessing the current password with a stolen session is throttled like signing in.
    let attempt = Attempt::new(Purpose::PasswordChange, &user.username, ip, None);
    match attempt.admit(&hub).await {
        Err(e) => return ApiError::store(&hub, e).into_response(),
        Ok(Err(why)) => {
            let mut r = account_page(&hub, &caller, &flash(throttled_message(why))).await;
            *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            return r;
        }
        Ok(Ok(())) => {}
    }
    let _permit = hub.password_checks.acquire().await;
    match hub.store.check_password(&user.username, &f.current).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            audit(
                &hub,
                &user.username,
                "password.change.failed",
                &user.username,
                serde_json::json!({"ip": ip_text}),
            )
            .await;
            match attempt.reached(&hub).await {
                Ok(Some(_)) => {
                    audit(
                        &hub,
                        &user.username,
                        "password.change.throttled",
                        &user.username,
                        serde_json::json!({"ip": ip_text}),
                    )
                    .await;
                }
                Ok(None) => {}
                Err(e) => return ApiError::store(&hub, e).into_response(),
            }
            return account_page(&hub, &caller, &flash("The current password is wrong.")).await;
        }
        Err(e) => return ApiError::store(&hub, e).into_response(),
    }
    if let Err(e) = attempt.succeeded(&hub).await {
        return ApiError::store(&hub, e).into_response();
    }
    if let Err(e) = hub.store.set_password(&user.id, &f.new).await {
        return account_page(&hub, &caller, &flash(&e.to_string())).await;
    }
    // Whoever knew the old password may have made tokens: they end with it, as sessions do.
    let revoked = match hub.store.revoke_tokens_of(&user.id).await {
        Ok(n) => n,
        Err(e) => return ApiError::store(&hub, e).into_response(),
    };
    audit(
        &hub,
        &user.username,
        "password.change",
        &user.username,
        serde_json::json!({"ip": ip_text, "tokens_revoked": revoked, "sessions_ended": true}),
    )
    .await;
    // Every session of the user ended; sign in again with the new password.
    Redirect::to("/login").into_response()
}

async fn admin_page(hub: &Hub, caller: &Caller, flash: &str) -> Response {
    if let Err(d) = caller.require_admin() {
        return d.page("/admin");
    }
    let fail = |e| ApiError::store(hub, e).into_response();
    let users = match hub.store.users().await {
        Ok(u) => u,
        Err(e) => return fail(e),
    };
    let spaces = match hub.store.spaces(&caller.visibility).await {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let mut b = format!(
        "<h1>Administration</h1>\n{flash}<h2>Users</h2>\n<table id=\"users\"><thead><tr><th scope=\"col\">User</th><th scope=\"col\">Global role</th><th scope=\"col\">Space roles</th><th scope=\"col\">Created</th></tr></thead><tbody>\n"
    );
    for u in &users {
        let spaces = match hub.store.memberships(&u.id).await {
            Ok(m) => m
                .iter()
                .map(|(s, r)| format!("{} in {}", r.as_str(), escape(s)))
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => return fail(e),
        };
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{spaces}</td><td>{}</td></tr>",
            escape(&u.username),
            u.role.as_str(),
            millis_to_date(u.created_at)
        );
    }
    let roles: String = Role::ALL
        .iter()
        .map(|r| format!("<option>{}</option>", r.as_str()))
        .collect();
    let csrf = csrf_field(caller);
    let _ = write!(
        b,
        "</tbody></table>\n<h3>Add a user</h3><form method=\"post\" action=\"/admin/users\" class=\"filters\">{csrf}<label>User name<input name=\"username\" required></label><label>Global role<select name=\"role\">{roles}</select></label><button type=\"submit\">Add user</button></form>\n\
<h3>Grant a role</h3><form method=\"post\" action=\"/admin/grants\" class=\"filters\">{csrf}<label>User<input name=\"username\" required></label><label>Space (empty: everywhere)<input name=\"space\"></label><label>Role<select name=\"role\">{roles}<option value=\"none\">none (remove from space)</option></select></label><button type=\"submit\">Grant</button></form>\n\
<h2>Spaces</h2>\n<table id=\"spaces\"><thead><tr><th scope=\"col\">Space</th><th scope=\"col\">Documents</th><th scope=\"col\">Visibility</th></tr></thead><tbody>\n"
    );
    for s in &spaces {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&s.name),
            s.documents,
            if s.private { "private (members only)" } else { "public" }
        );
    }
    let _ = write!(
        b,
        "</tbody></table>\n<form method=\"post\" action=\"/admin/spaces\" class=\"filters\">{csrf}<label>Space<input name=\"space\" required></label><label>Visibility<select name=\"visibility\"><option>private</option><option>public</option></select></label><button type=\"submit\">Set</button></form>\n<h3>Review policy</h3><form method=\"post\" action=\"/admin/policy\" class=\"filters\">{csrf}<label>Space<input name=\"space\" required></label><label>Approvals needed<input name=\"approvals\" type=\"number\" min=\"0\" max=\"20\" value=\"2\"></label><label>Open errors block approval<select name=\"block_on_errors\"><option>yes</option><option>no</option></select></label><button type=\"submit\">Set policy</button></form>\n<p><a href=\"/admin/audit\">Audit log</a> · <a href=\"/api/v1/audit\">export as JSON lines</a></p>\n"
    );
    layout(caller, "Administration", &b).into_response()
}

pub async fn admin(State(hub): Shared, caller: Caller) -> Response {
    admin_page(&hub, &caller, "").await
}

#[derive(Deserialize)]
pub struct AddUserForm {
    /// Missing means refused by the CSRF check (403), not a form error (422).
    #[serde(default)]
    csrf: String,
    username: String,
    role: String,
}

pub async fn admin_add_user(
    State(hub): Shared,
    caller: Caller,
    headers: HeaderMap,
    Form(f): Form<AddUserForm>,
) -> Response {
    let admin = match admin_form(&caller, &headers, &f.csrf) {
        Ok(u) => u,
        Err(d) => return d.page("/admin"),
    };
    let done = async {
        let role = Role::parse(&f.role)?;
        let password = generate_password()?;
        let user = hub.store.create_user(f.username.trim(), &password, role).await?;
        let detail = serde_json::json!({"role": user.role.as_str()});
        hub.store.audit(&admin.username, "user.create", &user.username, detail).await?;
        Ok(format!(
            "Created <strong>{}</strong> with the one-time password <code id=\"new-password\">{}</code>; it is not shown again.",
            escape(&user.username),
            escape(&password)
        ))
    }
    .await;
    admin_page(&hub, &caller, &flash(done)).await
}

/// A form post on an admin page: the session's CSRF token, same origin, an admin.
fn admin_form(caller: &Caller, headers: &HeaderMap, csrf: &str) -> Result<designdoc_store::User, Denied> {
    caller
        .check_form(headers, csrf)
        .and_then(|_| caller.require_admin())
        .cloned()
}

/// The message above a page after a form: what happened (HTML), or why not.
fn flash(outcome: Result<String, designdoc_store::StoreError>) -> String {
    match outcome {
        Ok(html) => format!("<p class=\"panel\" role=\"status\">{html}</p>\n"),
        Err(e) => format!(
            "<p class=\"finding error\" role=\"alert\">{}</p>\n",
            escape(&e.to_string())
        ),
    }
}

#[derive(Deserialize)]
pub struct GrantForm {
    /// Missing means refused by the CSRF check (403), not a form error (422).
    #[serde(default)]
    csrf: String,
    username: String,
    space: String,
    role: String,
}

pub async fn admin_grant(State(hub): Shared, caller: Caller, headers: HeaderMap, Form(f): Form<GrantForm>) -> Response {
    let admin = match admin_form(&caller, &headers, &f.csrf) {
        Ok(u) => u,
        Err(d) => return d.page("/admin"),
    };
    let done = async {
        let name = f.username.trim();
        let user = hub
            .store
            .user_by_name(name)
            .await?
            .ok_or_else(|| designdoc_store::StoreError::Invalid(format!("no user `{name}`")))?;
        let space = f.space.trim();
        match (space.is_empty(), f.role.as_str()) {
            (false, "none") => {
                hub.store.revoke_membership(space, &user.id).await?;
            }
            (true, role) => hub.store.set_role(&user.id, Role::parse(role)?).await?,
            (false, role) => hub.store.grant(space, &user.id, Role::parse(role)?).await?,
        }
        let detail = serde_json::json!({"space": space, "role": f.role});
        hub.store
            .audit(&admin.username, "role.change", &user.username, detail)
            .await?;
        Ok("Role changed.".to_string())
    }
    .await;
    admin_page(&hub, &caller, &flash(done)).await
}

#[derive(Deserialize)]
pub struct SpaceForm {
    /// Missing means refused by the CSRF check (403), not a form error (422).
    #[serde(default)]
    csrf: String,
    space: String,
    visibility: String,
}

pub async fn admin_space(State(hub): Shared, caller: Caller, headers: HeaderMap, Form(f): Form<SpaceForm>) -> Response {
    let admin = match admin_form(&caller, &headers, &f.csrf) {
        Ok(u) => u,
        Err(d) => return d.page("/admin"),
    };
    let private = f.visibility == "private";
    let space = f.space.trim();
    let done = async {
        hub.store.set_private(space, private).await?;
        let detail = serde_json::json!({"private": private});
        hub.store
            .audit(&admin.username, "space.visibility", space, detail)
            .await?;
        Ok("Visibility changed.".to_string())
    }
    .await;
    admin_page(&hub, &caller, &flash(done)).await
}

#[derive(Deserialize)]
pub struct PolicyForm {
    /// Missing means refused by the CSRF check (403), not a form error (422).
    #[serde(default)]
    csrf: String,
    space: String,
    approvals: i64,
    block_on_errors: String,
}

pub async fn admin_policy(
    State(hub): Shared,
    caller: Caller,
    headers: HeaderMap,
    Form(f): Form<PolicyForm>,
) -> Response {
    let admin = match admin_form(&caller, &headers, &f.csrf) {
        Ok(u) => u,
        Err(d) => return d.page("/admin"),
    };
    let policy = designdoc_store::Policy {
        required_approvals: f.approvals,
        block_on_errors: f.block_on_errors == "yes",
    };
    let space = f.space.trim();
    let done = async {
        hub.store.ensure_space(space).await?;
        hub.store.set_policy(space, policy).await?;
        let detail = serde_json::to_value(policy).unwrap_or_default();
        hub.store.audit(&admin.username, "space.policy", space, detail).await?;
        Ok("Policy set.".to_string())
    }
    .await;
    admin_page(&hub, &caller, &flash(done)).await
}

pub async fn audit_page(State(hub): Shared, caller: Caller) -> Response {
    if let Err(d) = caller.require_admin() {
        return d.page("/admin/audit");
    }
    let events = match hub.store.audit_events_latest(500).await {
        Ok(e) => e,
        Err(e) => return ApiError::store(&hub, e).into_response(),
    };
    let mut b = String::from(
        "<h1>Audit log</h1>\n<p>The latest 500 events, newest first. <a href=\"/api/v1/audit\">All as JSON lines</a>.</p>\n<table id=\"audit\"><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Who</th><th scope=\"col\">What</th><th scope=\"col\">On</th><th scope=\"col\">Detail</th></tr></thead><tbody>\n",
    );
    for e in &events {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            millis_to_date(e.at),
            escape(&e.actor),
            escape(&e.action),
            escape(&e.target),
            escape(&e.detail.to_string())
        );
    }
    b.push_str("</tbody></table>\n");
    layout(&caller, "Audit log", &b).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    after: Option<i64>,
    limit: Option<i64>,
}

/// `GET /api/v1/audit`: JSON lines, oldest first, from `after` (an event id).
pub async fn api_audit(State(hub): Shared, caller: Caller, Query(q): Query<AuditQuery>) -> Response {
    if let Err(d) = caller.require_admin() {
        return d.api().into_response();
    }
    let limit = q.limit.unwrap_or(10_000).clamp(1, 100_000);
    match hub.store.audit_events(q.after.unwrap_or(0), limit).await {
        Ok(events) => {
            let mut out = String::new();
            for e in events {
                out.push_str(&serde_json::to_string(&e).unwrap_or_default());
                out.push('\n');
            }
            let mut r = out.into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
            r
        }
        Err(e) => ApiError::store(&hub, e).into_response(),
    }
}
