//! The pages of notifications: a user's e-mail opt-out (`/account/notifications`), and
//! for admins the spaces' webhooks with their secrets shown once, the outbox figures and
//! the delivery log (`/admin/notifications`).

use super::Hub;
use super::account::{admin_form, flash, head};
use super::api::ApiError;
use super::auth::Caller;
use super::forms::{button_form, post_form};
use super::pages::{millis_to_date, page};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use designdoc_render::parts::{Markup, html};
use designdoc_store::Audit;
use serde::Deserialize;
use std::sync::Arc;

type Shared = State<Arc<Hub>>;

/// `GET /account/notifications`.
pub async fn account(State(hub): Shared, caller: Caller) -> Response {
    account_page(&hub, &caller, html! {}).await
}

async fn account_page(hub: &Hub, caller: &Caller, flash: Markup) -> Response {
    let user = match caller.require_user() {
        Ok(u) => u,
        Err(d) => return d.page("/account/notifications"),
    };
    let on = match hub.store.notify_email(&user.id).await {
        Ok(on) => on,
        Err(e) => return ApiError::store(hub, e).into_response(),
    };
    let csrf = caller.csrf().unwrap_or("");
    let fields = html! {
        label {
            "E-mail address"
            input type="email" name="address" id="notify-address" maxlength="254" value=(user.email.as_deref().unwrap_or(""));
        }
        label.pick {
            input type="checkbox" name="email" value="on" id="notify-email" checked[on];
            " E-mail me when my review is requested, and about verdicts, comments and status changes on documents I wrote or review"
        }
        button type="submit" id="save-notifications" { "Save" }
    };
    let body = html! {
        h1 { "Notifications" } "\n"
        (flash)
        @match (&user.email, hub.mail_enabled) {
            (_, false) => p.meta { "This hub sends no e-mail (an admin sets [hub.smtp])." },
            (None, true) => p.meta { "Your account has no e-mail address yet: add one below." },
            (Some(address), true) => p { "E-mail goes to " strong { (address) } "." },
        }
        "\n"
        (post_form("/account/notifications", csrf, Some("filters"), None, fields))
    };
    page(caller, "Notifications", body).into_response()
}

#[derive(Deserialize)]
pub struct OptForm {
    #[serde(default)]
    csrf: String,
    /// `on` when the box is ticked; absent otherwise.
    #[serde(default)]
    email: String,
    /// The address notifications go to (empty: none).
    #[serde(default)]
    address: String,
}

/// `POST /account/notifications`.
pub async fn set_account(State(hub): Shared, caller: Caller, headers: HeaderMap, Form(f): Form<OptForm>) -> Response {
    let user = match caller.check_form(&headers, &f.csrf) {
        Ok(u) => u.clone(),
        Err(d) => return d.page("/account/notifications"),
    };
    let on = f.email == "on";
    let address = f.address.trim();
    let done = async {
        // The opt-out first: a mistyped address must not keep e-mail coming.
        let detail = serde_json::json!({"email": on});
        let audit = Audit::new(&user.username, "user.notifications", &user.username, detail);
        hub.store.set_notify_email(&user.id, on, audit).await?;
        if user.email.as_deref().unwrap_or("") != address {
            let detail = serde_json::json!({"email": address});
            let audit = Audit::new(&user.username, "user.email", &user.username, detail);
            hub.store.set_email(&user.id, Some(address), audit).await?;
        }
        Ok(html! { @if on { "E-mail notifications are on." } @else { "E-mail notifications are off." } })
    }
    .await;
    account_page(&hub, &caller, flash(done)).await
}

/// `GET /admin/notifications`.
pub async fn admin(State(hub): Shared, caller: Caller) -> Response {
    admin_page(&hub, &caller, html! {}).await
}

async fn admin_page(hub: &Hub, caller: &Caller, flash: Markup) -> Response {
    if let Err(d) = caller.require_admin() {
        return d.page("/admin/notifications");
    }
    let read = async {
        Ok::<_, designdoc_store::StoreError>((
            hub.store.webhooks().await?,
            hub.store.deliveries(100).await?,
            hub.store.outbox_figures().await?,
        ))
    };
    let (hooks, deliveries, figures) = match read.await {
        Ok(r) => r,
        Err(e) => return ApiError::store(hub, e).into_response(),
    };
    let csrf = caller.csrf().unwrap_or("");
    let add = html! {
        label { "Space" input name="space" required maxlength="64"; }
        label { "URL" input name="url" type="url" required maxlength="2000" placeholder="https://ci.example.com/designdoc"; }
        button type="submit" id="add-webhook" { "Add webhook" }
    };
    let body = html! {
        h1 { "Notifications" } "\n"
        (flash)
        p #outbox {
            (figures.pending) " waiting · " (figures.sent) " sent · " (figures.failed) " given up"
            " · e-mail " @if hub.mail_enabled { "on" } @else { "off ([hub.smtp] not set)" }
        }
        "\n"
        h2 { "Webhooks" } "\n"
        p.meta {
            "Each event of a space is POSTed as JSON with "
            code { "X-Designdoc-Event" } ", " code { "X-Designdoc-Delivery" } " (the same on a retry) and "
            code { "X-Designdoc-Signature: sha256=…" } " (HMAC-SHA256 of the body under the webhook's secret)."
        }
        table #webhooks {
            (head(&["Space", "URL", "Id", "Added", "State", ""]))
            tbody {
                "\n"
                @for h in &hooks {
                    tr {
                        td { (h.space) } td { code { (h.url) } } td { code { (h.id) } }
                        td { (millis_to_date(h.created_at)) " by " (h.created_by) }
                        @if h.disabled { td { "disabled" } td {} } @else {
                            td { "active" }
                            td { (button_form(&format!("/admin/webhooks/{}/disable", h.id), csrf, &[], None, "Disable")) }
                        }
                    }
                    "\n"
                }
            }
        }
        "\n"
        (post_form("/admin/webhooks", csrf, Some("filters"), None, add)) "\n"
        h2 { "Delivery log" } "\n"
        table #deliveries {
            (head(&["When", "Notification", "Event", "Document", "To", "Attempt", "Result", "Time"]))
            tbody {
                "\n"
                @for d in &deliveries {
                    tr class=(if d.ok { "ok" } else { "failed" }) {
                        td { (millis_to_date(d.at)) } td { (d.outbox_id) } td { (d.event) } td { (d.document_id) }
                        td { (d.channel) " " code { (d.target) } } td { (d.attempt) }
                        td {
                            @if d.ok { "sent" } @else { "failed" }
                            @if d.status > 0 { " (HTTP " (d.status) ")" }
                            @if !d.error.is_empty() { ": " (d.error) }
                        }
                        td { (d.millis) " ms" }
                    }
                    "\n"
                }
            }
        }
        "\n"
    };
    page(caller, "Notifications", body).into_response()
}

#[derive(Deserialize)]
pub struct WebhookForm {
    #[serde(default)]
    csrf: String,
    space: String,
    url: String,
}

/// `POST /admin/webhooks`: the new webhook's secret is shown once.
pub async fn add_webhook(
    State(hub): Shared,
    caller: Caller,
    headers: HeaderMap,
    Form(f): Form<WebhookForm>,
) -> Response {
    let admin = match admin_form(&caller, &headers, &f.csrf) {
        Ok(u) => u,
        Err(d) => return d.page("/admin/notifications"),
    };
    let space = f.space.trim();
    let done = async {
        // The audit log keeps where calls go, not the URL's path and query (which some
        // receivers use as a bearer secret).
        let detail = serde_json::json!({"space": space, "host": url_host(&f.url)});
        let audit = Audit::new(&admin.username, "webhook.add", space, detail);
        let (id, secret) = hub.store.add_webhook(space, &f.url, audit).await?;
        hub.store.ensure_space(space).await?;
        Ok(html! {
            "Webhook " code #new-webhook { (id) } " added. Its signing secret (shown only now): "
            code #webhook-secret { (secret) }
        })
    }
    .await;
    admin_page(&hub, &caller, flash(done)).await
}

/// `scheme://host[:port]` of a URL, without user info, path or query.
fn url_host(url: &str) -> String {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or(authority);
    format!("{scheme}://{host}")
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// `POST /admin/webhooks/{id}/disable`.
pub async fn disable_webhook(
    State(hub): Shared,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> Response {
    let admin = match admin_form(&caller, &headers, &f.csrf) {
        Ok(u) => u,
        Err(d) => return d.page("/admin/notifications"),
    };
    let done = async {
        let audit = Audit::new(&admin.username, "webhook.disable", &id, serde_json::json!({}));
        Ok(if hub.store.disable_webhook(&id, audit).await? {
            html! { "Webhook disabled." }
        } else {
            html! { "No such active webhook." }
        })
    }
    .await;
    admin_page(&hub, &caller, flash(done)).await
}
