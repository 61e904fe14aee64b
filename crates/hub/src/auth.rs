//! Who is asking, and what they may do: the one place authorization is decided. Every
//! handler takes a [`Caller`]; reads pass its [`Visibility`] to the store (which needs one
//! for every read), writes ask [`Caller::require`]. Sessions come from an HttpOnly cookie,
//! API tokens from `Authorization: Bearer`. Forms prove they come from our pages with a
//! CSRF token bound to the session and a same-origin check.

use super::Hub;
use super::api::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use designdoc_store::{Role, User, Visibility};
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "designdoc_session";
/// The pre-login CSRF cookie (double submit: the login form carries the same value).
pub const LOGIN_CSRF_COOKIE: &str = "designdoc_login_csrf";
/// Sessions last a week.
pub const SESSION_TTL_MS: i64 = 7 * 24 * 3_600_000;

/// Where a session opened with a one-time password is sent: the form that replaces it.
pub const PASSWORD_PAGE: &str = "/account/password";
/// What such a session may still reach.
const RESTRICTED_OPEN: [&str; 5] = [PASSWORD_PAGE, "/logout", "/assets/site.css", "/healthz", "/readyz"];

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    Anonymous,
    /// A browser session; forms must carry this CSRF token.
    Session {
        secret: String,
        csrf: String,
    },
    /// An API token; `user` is None for a service token, which publishes into the spaces
    /// of its scope (`None`: every public one) and nothing else.
    Token {
        name: String,
        spaces: Option<Vec<String>>,
        trusted_status: bool,
    },
}

/// The caller of a request, resolved once per request.
pub struct Caller {
    pub user: Option<User>,
    pub via: Via,
    /// Per-space roles of the user.
    pub memberships: Vec<(String, Role)>,
    pub visibility: Visibility,
    /// Documents waiting for the user's review: the count in a page's header (read for
    /// pages a browser session asks for, zero otherwise).
    pub awaiting: i64,
}

/// Why a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// Not signed in (401 for the API, a redirect to /login for pages).
    SignIn,
    /// Signed in but not allowed (403).
    Forbidden,
    /// The thing is invisible to the caller: answered exactly like "does not exist" (404).
    Hidden,
}

impl Denied {
    pub fn api(self) -> ApiError {
        match self {
            Denied::SignIn => ApiError(StatusCode::UNAUTHORIZED, "sign in or send an API token".into()),
            Denied::Forbidden => ApiError(StatusCode::FORBIDDEN, "your role does not allow this".into()),
            Denied::Hidden => ApiError::not_found("space or document"),
        }
    }

    pub fn page(self, back_to: &str) -> Response {
        match self {
            Denied::SignIn => Redirect::to(&format!("/login?next={}", super::pages::q(back_to))).into_response(),
            other => other.api().into_response(),
        }
    }
}

impl Caller {
    pub fn is_service_token(&self) -> bool {
        self.user.is_none() && matches!(self.via, Via::Token { .. })
    }

    /// Whether the front-matter status of what this caller publishes stands: only for a
    /// service token created with `--trusted-status`.
    pub fn trusted_status(&self) -> bool {
        self.user.is_none()
            && matches!(
                self.via,
                Via::Token {
                    trusted_status: true,
                    ..
                }
            )
    }

    /// The caller's role in `space`: the stronger of the global and the space grant. A
    /// service token is an author in the public spaces of its scope and nothing elsewhere.
    pub fn role_in(&self, space: &str) -> Option<Role> {
        if let (None, Via::Token { spaces, .. }) = (&self.user, &self.via) {
            let in_scope = spaces.as_ref().is_none_or(|list| list.iter().any(|s| s == space));
            return (in_scope && self.visibility.can_see(space)).then_some(Role::Author);
        }
        let user = self.user.as_ref()?;
        let granted = self.memberships.iter().find(|(s, _)| s == space).map(|(_, r)| *r);
        Some(granted.map_or(user.role, |g| g.max(user.role)))
    }

    /// Allows when the caller has at least `role` in `space` and can see it.
    pub fn require(&self, space: &str, role: Role) -> Result<(), Denied> {
        // A service token is refused outside its scope and in every private space, with
        // the same 403 either way (a service token cannot read a private space, so it may
        // not write one).
        if self.is_service_token() {
            return match self.role_in(space) {
                Some(r) if r >= role => Ok(()),
                _ => Err(Denied::Forbidden),
            };
        }
        if !self.visibility.can_see(space) {
            return Err(if self.user.is_none() {
                Denied::SignIn
            } else {
                Denied::Hidden
            });
        }
        match self.role_in(space) {
            None => Err(Denied::SignIn),
            Some(r) if r >= role => Ok(()),
            Some(_) => Err(Denied::Forbidden),
        }
    }

    /// Allows admins only.
    pub fn require_admin(&self) -> Result<&User, Denied> {
        match &self.user {
            None => Err(Denied::SignIn),
            Some(u) if u.role == Role::Admin => Ok(u),
            Some(_) => Err(Denied::Forbidden),
        }
    }

    /// Allows any signed-in user (session or user token).
    pub fn require_user(&self) -> Result<&User, Denied> {
        self.user.as_ref().ok_or(Denied::SignIn)
    }

    /// Who to name in the audit log and in `published_by`.
    pub fn actor(&self) -> String {
        match (&self.user, &self.via) {
            (Some(u), Via::Token { name, .. }) => format!("{} (token {name})", u.username),
            (Some(u), _) => u.username.clone(),
            (None, Via::Token { name, .. }) => format!("token:{name}"),
            (None, _) => "anonymous".to_string(),
        }
    }

    /// The session's CSRF token, when signed in with a browser session.
    pub fn csrf(&self) -> Option<&str> {
        match &self.via {
            Via::Session { csrf, .. } => Some(csrf),
            _ => None,
        }
    }

    /// Checks a form post: a session, its CSRF token, and a same-origin request.
    pub fn check_form(&self, headers: &HeaderMap, csrf: &str) -> Result<&User, Denied> {
        let user = self.require_user()?;
        let expected = self.csrf().ok_or(Denied::Forbidden)?;
        if !same_origin(headers) || !constant_time_eq(expected.as_bytes(), csrf.as_bytes()) {
            return Err(Denied::Forbidden);
        }
        Ok(user)
    }
}

/// Compares secrets without an early exit on the first difference.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A browser's form post comes from our own pages: `Sec-Fetch-Site` (when sent) is
/// same-origin, and `Origin` (when sent) names our host.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let fetch_site_ok = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v == "same-origin" || v == "none");
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_ok = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|o| o.split_once("://").is_some_and(|(_, rest)| rest == host));
    fetch_site_ok && origin_ok
}

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(::cookie::Cookie::split_parse)
        // A malformed pair is skipped, as browsers skip it; the others still count.
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .and_then(|c| c.value_raw())
}

impl FromRequestParts<Arc<Hub>> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, hub: &Arc<Hub>) -> Result<Self, Self::Rejection> {
        let fail = |e: designdoc_store::StoreError| ApiError::store(hub, e).into_response();
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|s| s.trim().to_string());
        let (user, via) = if let Some(secret) = bearer {
            let unauthorized = || {
                let mut r = ApiError(StatusCode::UNAUTHORIZED, "unknown or revoked token".into()).into_response();
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
                r
            };
            let Some(token) = hub.store.verify_token(&secret).await.map_err(fail)? else {
                return Err(unauthorized());
            };
            let user = match &token.user_id {
                Some(id) => match hub.store.user_by_id(id).await.map_err(fail)? {
                    Some(u) if !u.disabled => Some(u),
                    _ => return Err(unauthorized()),
                },
                None => None,
            };
            (
                user,
                Via::Token {
                    name: token.name,
                    spaces: token.spaces,
                    trusted_status: token.trusted_status,
                },
            )
        } else if let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) {
            match hub.store.session(secret).await.map_err(fail)? {
                Some(s) => (
                    Some(s.user),
                    Via::Session {
                        secret: secret.to_string(),
                        csrf: s.csrf,
                    },
                ),
                None => (None, Via::Anonymous),
            }
        } else {
            (None, Via::Anonymous)
        };
        if user.is_none() && matches!(via, Via::Anonymous) && hub.require_login {
            let path = parts.uri.path();
            let open = [
                "/login",
                "/healthz",
                "/readyz",
                "/metrics",
                "/assets/site.css",
                "/api/v1/openapi.json",
            ];
            if !open.contains(&path) {
                return Err(if path.starts_with("/api/") {
                    Denied::SignIn.api().into_response()
                } else {
                    Denied::SignIn.page(&parts.uri.to_string())
                });
            }
        }
        // A session opened with a one-time password may only set a new one (tokens of the
        // user are not restricted: a one-time password cannot make any).
        if let (Some(u), Via::Session { .. }) = (&user, &via)
            && u.must_change_password
            && !RESTRICTED_OPEN.contains(&parts.uri.path())
        {
            return Err(if parts.uri.path().starts_with("/api/") {
                ApiError(
                    StatusCode::FORBIDDEN,
                    format!("set a new password first at {PASSWORD_PAGE}"),
                )
                .into_response()
            } else {
                Redirect::to(PASSWORD_PAGE).into_response()
            });
        }
        let memberships = match &user {
            Some(u) => hub.store.memberships(&u.id).await.map_err(fail)?,
            None => Vec::new(),
        };
        // A service token sees public spaces only, and publishes into those of its scope.
        let visibility = hub.store.visibility(user.as_ref()).await.map_err(fail)?;
        let page = parts.method == axum::http::Method::GET && !parts.uri.path().starts_with("/api/");
        let awaiting = match (&user, &via) {
            (Some(u), Via::Session { .. }) if page => hub
                .store
                .count_awaiting_review(&u.id, &visibility)
                .await
                .map_err(fail)?,
            _ => 0,
        };
        Ok(Caller {
            user,
            via,
            memberships,
            visibility,
            awaiting,
        })
    }
}
