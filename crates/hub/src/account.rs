//! Signing in and out, the account page (password, API tokens) and the admin pages (users,
//! roles, private spaces, audit log). Every form post is checked by [`Caller::check_form`]
//! (session, CSRF token, same origin) and every change lands in the audit log.

use super::Hub;
use super::api::ApiError;
use super::auth::{
    Caller, Denied, LOGIN_CSRF_COOKIE, SESSION_COOKIE, SESSION_TTL_MS, constant_time_eq, cookie, same_origin,
};
use super::client::Client;
use super::forms::{button_form, flash_done, flash_error, post_form};
use super::pages::{millis_to_date, page};
use super::signin::{
    PasswordChangeError, SignInError, SignInRequest, SignedIn, change_password as change_password_checked, sign_in,
    sign_out,
};
use super::throttle::{RETRY_AFTER_SECS, Throttled};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use designdoc_render::parts::{Markup, html};
use designdoc_store::{Role, SpaceRow, TokenInfo, User, generate_password};
use serde::Deserialize;
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

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, site-wide, `Secure` when configured. A
/// max age of 0 deletes the cookie.
fn set_cookie(hub: &Hub, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let c = cookie::Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .secure(hub.secure_cookies)
        .build();
    // Our names and values are ASCII tokens; a value that is not would be a bug, and the
    // cookie it yields is one no session matches.
    HeaderValue::from_str(&c.to_string()).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
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
    let fields = html! {
        input type="hidden" name="next" value=(next);
        label { "User" input name="username" autocomplete="username" required; }
        label { "Password" input name="password" type="password" autocomplete="current-password" required; }
        button type="submit" { "Sign in" }
    };
    let body = html! {
        h1 { "Sign in" } "\n"
        @if !message.is_empty() { (flash_error(message)) }
        (post_form("/login", token, Some("filters"), None, fields)) "\n"
    };
    page(caller, "Sign in", body)
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
    let request = SignInRequest {
        name: &f.username,
        password: &f.password,
        ip,
        device_secret: cookie(&headers, DEVICE_COOKIE),
    };
    let SignedIn {
        session: secret,
        new_device,
        ..
    } = match sign_in(&hub, &request).await {
        Ok(signed_in) => signed_in,
        Err(SignInError::Throttled(why)) => {
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
        Err(SignInError::Wrong) => {
            return (
                StatusCode::UNAUTHORIZED,
                login_form(&caller, expected, &next, "Wrong user name or password."),
            )
                .into_response();
        }
        Err(SignInError::Store(e)) => return ApiError::store(&hub, e).into_response(),
    };
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
    let session = match &caller.via {
        super::auth::Via::Session { secret, .. } => Some(secret.as_str()),
        _ => None,
    };
    // Not signed out is said as such: the cookie would still work.
    if let Err(e) = sign_out(&hub, &user, session).await {
        return ApiError::store(&hub, e).into_response();
    }
    let mut r = Redirect::to("/").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, set_cookie(&hub, SESSION_COOKIE, "", 0));
    r
}

/// Roles in spaces, as `author in team, reader in ops`.
fn space_roles(memberships: &[(String, Role)]) -> Markup {
    html! {
        @for (i, (space, role)) in memberships.iter().enumerate() {
            @if i > 0 { ", " }
            (role.as_str()) " in " (space)
        }
    }
}

/// A table head of plain column labels.
pub(crate) fn head(labels: &[&str]) -> Markup {
    html! { thead { tr { @for l in labels { th scope="col" { (l) } } } } }
}

async fn account_page(hub: &Hub, caller: &Caller, flash: Markup) -> Response {
    let user = match caller.require_user() {
        Ok(u) => u,
        Err(d) => return d.page("/account"),
    };
    let tokens = match hub.store.tokens_of(&user.id).await {
        Ok(t) => t,
        Err(e) => return ApiError::store(hub, e).into_response(),
    };
    let body = account_body(user, &caller.memberships, &tokens, caller.csrf().unwrap_or(""), flash);
    page(caller, "Account", body).into_response()
}

/// The account page: who the user is, their roles, their API tokens (each revocable) and
/// the password form, below `flash`.
pub(crate) fn account_body(
    user: &User,
    memberships: &[(String, Role)],
    tokens: &[TokenInfo],
    csrf: &str,
    flash: Markup,
) -> Markup {
    let new_token = html! {
        label { "New token name" input name="name" required maxlength="100"; }
        button type="submit" { "Create token" }
    };
    let password = html! {
        label { "Current" input name="current" type="password" autocomplete="current-password" required; }
        label { "New (12+ characters)" input name="new" type="password" autocomplete="new-password" required minlength="12"; }
        button type="submit" { "Change password" }
    };
    html! {
        h1 { "Account" } "\n"
        (flash)
        p { "Signed in as " strong #username { (user.username) } ", " (user.role.as_str()) " everywhere." } "\n"
        @if !memberships.is_empty() {
            p { "Space roles: " (space_roles(memberships)) } "\n"
        }
        h2 { "API tokens" } "\n"
        table #tokens {
            (head(&["Name", "Id", "Created", "State", ""]))
            tbody {
                "\n"
                @for t in tokens {
                    tr {
                        td { (t.name) }
                        td { code { (t.id) } }
                        td { (millis_to_date(t.created_at)) }
                        @if t.revoked_at.is_some() {
                            td { "revoked" } td { "revoked" }
                        } @else {
                            td { "live" }
                            td {
                                (button_form(&format!("/account/tokens/{}/revoke", t.id), csrf, &[], None, "Revoke"))
                            }
                        }
                    }
                    "\n"
                }
            }
        }
        "\n"
        (post_form("/account/tokens", csrf, Some("filters"), None, new_token)) "\n"
        h2 { "Password" } "\n"
        (post_form("/account/password", csrf, Some("filters"), None, password)) "\n"
        p { a href="/account/notifications" { "Notifications" } } "\n"
    }
}

pub async fn account(State(hub): Shared, caller: Caller) -> Response {
    account_page(&hub, &caller, html! {}).await
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
    // The empty target is the new token's id.
    let audit = designdoc_store::Audit::new(
        &user.username,
        "token.create",
        "",
        serde_json::json!({"name": f.name.trim()}),
    );
    let (info, secret) = match hub.store.create_token(&f.name, Some(&user.id), audit).await {
        Ok(t) => t,
        Err(e) => return ApiError::store(&hub, e).into_response(),
    };
    let flash = flash_done(html! {
        "New token " strong { (info.name) } "; copy it now, it is not shown again: "
        code #new-token { (secret) }
    });
    account_page(&hub, &caller, flash).await
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
    let audit = designdoc_store::Audit::new(&user.username, "token.revoke", &id, serde_json::json!({}));
    match hub.store.revoke_token(&id, owner, audit).await {
        Ok(true) => Redirect::to("/account").into_response(),
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
    match change_password_checked(&hub, &user, &f.current, &f.new, ip).await {
        Ok(_) => {}
        Err(PasswordChangeError::Throttled(why)) => {
            let mut r = account_page(&hub, &caller, flash_error(throttled_message(why))).await;
            *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            return r;
        }
        Err(e @ (PasswordChangeError::WrongCurrent | PasswordChangeError::Rejected(_))) => {
            return account_page(&hub, &caller, flash_error(&e.to_string())).await;
        }
        Err(PasswordChangeError::Store(e)) => return ApiError::store(&hub, e).into_response(),
    }
    // Every session of the user ended; sign in again with the new password.
    Redirect::to("/login").into_response()
}

async fn admin_page(hub: &Hub, caller: &Caller, flash: Markup) -> Response {
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
    let mut rows = Vec::with_capacity(users.len());
    for u in &users {
        match hub.store.memberships(&u.id).await {
            Ok(m) => rows.push((u, m)),
            Err(e) => return fail(e),
        }
    }
    let body = admin_body(&rows, &spaces, caller.csrf().unwrap_or(""), flash);
    page(caller, "Administration", body).into_response()
}

/// The admin page: the users with their roles (`users`: each with their space roles), the
/// spaces, and the forms that change them, below `flash`.
pub(crate) fn admin_body(
    users: &[(&User, Vec<(String, Role)>)],
    spaces: &[SpaceRow],
    csrf: &str,
    flash: Markup,
) -> Markup {
    html! {
        h1 { "Administration" } "\n"
        (flash)
        p { a href="/admin/audit" { "Audit log" } " · " a href="/admin/notifications" { "Notifications and webhooks" } } "\n"
        h2 { "Users" } "\n"
        table #users {
            (head(&["User", "Global role", "Space roles", "Created"]))
            tbody {
                "\n"
                @for (u, memberships) in users {
                    tr {
                        td { (u.username) }
                        td { (u.role.as_str()) }
                        td { (space_roles(memberships)) }
                        td { (millis_to_date(u.created_at)) }
                    }
                    "\n"
                }
            }
        }
        "\n"
        (user_forms(csrf))
        h2 { "Spaces" } "\n"
        table #spaces {
            (head(&["Space", "Documents", "Visibility"]))
            tbody {
                "\n"
                @for s in spaces {
                    tr {
                        td { (s.name) }
                        td { (s.documents) }
                        td { (if s.private { "private (members only)" } else { "public" }) }
                    }
                    "\n"
                }
            }
        }
        "\n"
        (space_forms(csrf))
        p { a href="/admin/audit" { "Audit log" } " · " a href="/api/v1/audit" { "export as JSON lines" } } "\n"
    }
}

/// The admin page's forms for people: adding a user, granting a role.
fn user_forms(csrf: &str) -> Markup {
    let roles = html! { @for r in Role::ALL { option { (r.as_str()) } } };
    let add = html! {
        label { "User name" input name="username" required; }
        label { "Global role" select name="role" { (roles) } }
        button type="submit" { "Add user" }
    };
    let grant = html! {
        label { "User" input name="username" required; }
        label { "Space (empty: everywhere)" input name="space"; }
        label { "Role" select name="role" { (roles) option value="none" { "none (remove from space)" } } }
        button type="submit" { "Grant" }
    };
    html! {
        h3 { "Add a user" } (post_form("/admin/users", csrf, Some("filters"), None, add)) "\n"
        h3 { "Grant a role" } (post_form("/admin/grants", csrf, Some("filters"), None, grant)) "\n"
    }
}

/// The admin page's forms for spaces: visibility and review policy.
fn space_forms(csrf: &str) -> Markup {
    let visibility = html! {
        label { "Space" input name="space" required; }
        label { "Visibility" select name="visibility" { option { "private" } option { "public" } } }
        button type="submit" { "Set" }
    };
    let policy = html! {
        label { "Space" input name="space" required; }
        label { "Approvals needed" input name="approvals" type="number" min="0" max="20" value="2"; }
        label { "Open errors block approval" select name="block_on_errors" { option { "yes" } option { "no" } } }
        button type="submit" { "Set policy" }
    };
    html! {
        (post_form("/admin/spaces", csrf, Some("filters"), None, visibility)) "\n"
        h3 { "Review policy" } (post_form("/admin/policy", csrf, Some("filters"), None, policy)) "\n"
    }
}

pub async fn admin(State(hub): Shared, caller: Caller) -> Response {
    admin_page(&hub, &caller, html! {}).await
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
        let (name, detail) = (f.username.trim(), serde_json::json!({"role": role.as_str()}));
        let audit = designdoc_store::Audit::new(&admin.username, "user.create", name, detail);
        let user = hub.store.create_user(name, &password, role, audit).await?;
        Ok(html! {
            "Created " strong { (user.username) } " with the one-time password "
            code #new-password { (password) } "; it is not shown again."
        })
    }
    .await;
    admin_page(&hub, &caller, flash(done)).await
}

/// A form post on an admin page: the session's CSRF token, same origin, an admin.
pub(crate) fn admin_form(caller: &Caller, headers: &HeaderMap, csrf: &str) -> Result<designdoc_store::User, Denied> {
    caller
        .check_form(headers, csrf)
        .and_then(|_| caller.require_admin())
        .cloned()
}

/// The message above a page after a form: what happened, or why not.
pub(crate) fn flash(outcome: Result<Markup, designdoc_store::StoreError>) -> Markup {
    match outcome {
        Ok(done) => flash_done(done),
        Err(e) => flash_error(&e.to_string()),
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
        let detail = serde_json::json!({"space": space, "role": f.role});
        let audit = designdoc_store::Audit::new(&admin.username, "role.change", &user.username, detail);
        match (space.is_empty(), f.role.as_str()) {
            (false, "none") => {
                hub.store.revoke_membership(space, &user.id, audit).await?;
            }
            (true, role) => hub.store.set_role(&user.id, Role::parse(role)?, audit).await?,
            (false, role) => hub.store.grant(space, &user.id, Role::parse(role)?, audit).await?,
        }
        Ok(html! { "Role changed." })
    }
    .await;
    admin_page(&hub, &caller, flash(done)).await
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
        let detail = serde_json::json!({"private": private});
        let audit = designdoc_store::Audit::new(&admin.username, "space.visibility", space, detail);
        hub.store.set_private(space, private, audit).await?;
        Ok(html! { "Visibility changed." })
    }
    .await;
    admin_page(&hub, &caller, flash(done)).await
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
        let detail = serde_json::to_value(policy).unwrap_or_default();
        let audit = designdoc_store::Audit::new(&admin.username, "space.policy", space, detail);
        hub.store.set_policy(space, policy, audit).await?;
        Ok(html! { "Policy set." })
    }
    .await;
    admin_page(&hub, &caller, flash(done)).await
}

pub async fn audit_page(State(hub): Shared, caller: Caller) -> Response {
    if let Err(d) = caller.require_admin() {
        return d.page("/admin/audit");
    }
    let events = match hub.store.audit_events_latest(500).await {
        Ok(e) => e,
        Err(e) => return ApiError::store(&hub, e).into_response(),
    };
    let body = html! {
        h1 { "Audit log" } "\n"
        p { "The latest 500 events, newest first. " a href="/api/v1/audit" { "All as JSON lines" } "." } "\n"
        table #audit {
            (head(&["When", "Who", "What", "On", "Detail"]))
            tbody {
                "\n"
                @for e in &events {
                    tr {
                        td { (millis_to_date(e.at)) }
                        td { (e.actor) }
                        td { (e.action) }
                        td { (e.target) }
                        td { code { (e.detail.to_string()) } }
                    }
                    "\n"
                }
            }
        }
        "\n"
    };
    page(&caller, "Audit log", body).into_response()
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
