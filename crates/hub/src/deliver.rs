//! The notification worker: claims due rows of the outbox (any instance may run one; see
//! `designdoc_store::Store::claim_notifications`), sends each as an e-mail through SMTP or
//! as a signed webhook call, and records the attempt: sent, due again after a doubling
//! delay, or given up after the last attempt. Sends run on blocking threads with timeouts
//! shorter than the claim's lease.

use super::Hub;
use designdoc_store::{Attempt, Outgoing};
use hmac::{Hmac, KeyInit, Mac};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The worker's pacing and the mail server.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    /// `https://hub.example.com`: the start of links in notifications; none: the address
    /// the hub listens on.
    pub public_url: Option<String>,
    pub smtp: Option<Smtp>,
    pub poll: Duration,
    pub lease: Duration,
    pub retry: Duration,
    pub max_attempts: u32,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            public_url: None,
            smtp: None,
            poll: Duration::from_secs(1),
            lease: Duration::from_secs(60),
            retry: Duration::from_secs(30),
            max_attempts: 8,
        }
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    StartTls,
    Tls,
    None,
}

/// The mail server notifications go through.
#[derive(Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// User name and password, when the server wants them.
    pub credentials: Option<(String, String)>,
    pub from: String,
}

impl std::fmt::Debug for Smtp {
    // Never the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .field("from", &self.from)
            .finish()
    }
}

/// Longest a send may take (a third of a shorter lease).
const SEND_TIMEOUT: Duration = Duration::from_secs(15);
/// Most notifications claimed at once.
const BATCH: i64 = 16;
/// Longest delay between attempts.
const MAX_RETRY: Duration = Duration::from_secs(3600);

/// Runs the worker until the process ends; `base_url` starts the links.
pub async fn run(hub: Arc<Hub>, base_url: String) {
    let settings = hub.notify.clone();
    let lease = i64::try_from(settings.lease.as_millis()).unwrap_or(60_000);
    // A batch is sent one by one and must be done within its lease, or another worker
    // would claim (and send) what this one still holds.
    let batch_size = claim_size(settings.lease);
    loop {
        let batch = match hub.store.claim_notifications(batch_size, lease).await {
            Ok(batch) => batch,
            Err(e) => {
                tracing::error!(error = %e, "cannot claim notifications");
                tokio::time::sleep(settings.poll).await;
                continue;
            }
        };
        if batch.is_empty() {
            tokio::time::sleep(settings.poll).await;
            continue;
        }
        for n in batch {
            let (attempt, retryable) = send(&hub, &n, &base_url).await;
            let retry_at = (!attempt.ok && retryable && n.attempts < i64::from(settings.max_attempts)).then(|| {
                let exp = u32::try_from(n.attempts.saturating_sub(1)).unwrap_or(u32::MAX).min(20);
                let delay = settings.retry.saturating_mul(1 << exp).min(MAX_RETRY);
                designdoc_store::now_millis() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2)
            });
            if attempt.ok {
                tracing::info!(id = n.id, channel = %n.channel, event = %n.event, "notification sent");
            } else {
                tracing::warn!(id = n.id, channel = %n.channel, attempt = n.attempts, error = %attempt.error, gave_up = retry_at.is_none(), "notification not sent");
            }
            // The send happened; failing to record it means it is sent again after the
            // lease (a repeat its id lets the receiver recognise), never lost.
            match hub.store.record_attempt(&n, &attempt, retry_at).await {
                Ok(true) => {}
                Ok(false) => tracing::warn!(
                    id = n.id,
                    "the lease ran out: another worker had claimed the notification"
                ),
                Err(e) => tracing::error!(id = n.id, error = %e, "cannot record a notification attempt"),
            }
        }
    }
}

/// How many notifications to claim at once: as many as can be sent, each taking its
/// longest, well within the lease (at least one; the send timeout is a third of a short
/// lease).
fn claim_size(lease: Duration) -> i64 {
    let per_send = send_timeout(lease).as_millis().max(1);
    i64::try_from(lease.as_millis() / per_send / 2)
        .unwrap_or(1)
        .clamp(1, BATCH)
}

/// The longest one send may take under `lease`.
fn send_timeout(lease: Duration) -> Duration {
    SEND_TIMEOUT.min(lease / 3)
}

/// One attempt at `n`, and whether another could go otherwise (false for what no retry
/// mends: no mail server, an address that is not one, a removed webhook, a bad row).
async fn send(hub: &Arc<Hub>, n: &Outgoing, base_url: &str) -> (Attempt, bool) {
    let started = Instant::now();
    let done = |r: Result<i64, String>| {
        let millis = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        match r {
            Ok(status) => Attempt {
                ok: true,
                status,
                error: String::new(),
                millis,
            },
            Err(error) => Attempt {
                ok: false,
                status: 0,
                error,
                millis,
            },
        }
    };
    let mut payload: serde_json::Value = match serde_json::from_str(&n.payload) {
        Ok(p @ serde_json::Value::Object(_)) => p,
        Ok(_) => return (done(Err("the payload is not a JSON object".into())), false),
        Err(e) => return (done(Err(format!("unreadable payload: {e}"))), false),
    };
    if !payload["document"].is_object() {
        payload["document"] = serde_json::json!({});
    }
    let page = payload["document"]["page"].as_str().unwrap_or("/").to_string();
    payload["document"]["url"] = format!("{}{page}", base_url.trim_end_matches('/')).into();
    payload["delivery"] = n.id.into();
    let timeout = send_timeout(hub.notify.lease);
    match n.channel.as_str() {
        "email" => {
            let Some(smtp) = hub.notify.smtp.clone() else {
                return (done(Err("e-mail is not configured ([hub.smtp])".into())), false);
            };
            let message = match email(n, &payload, &smtp, base_url) {
                Ok(m) => m,
                Err(e) => return (done(Err(e)), false),
            };
            let sent = tokio::task::spawn_blocking(move || send_mail(&smtp, message, timeout)).await;
            let sent = sent.unwrap_or_else(|e| Err(format!("mail thread failed: {e}")));
            (done(sent.map(|()| 0)), true)
        }
        "webhook" => {
            let hook = match hub.store.webhook(&n.target).await {
                Ok(Some(h)) if !h.disabled => h,
                Ok(_) => return (done(Err("the webhook was removed or disabled".into())), false),
                Err(e) => return (done(Err(format!("cannot read the webhook: {e}"))), true),
            };
            let body = payload.to_string();
            let (id, event) = (n.id, n.event.clone());
            let sent = tokio::task::spawn_blocking(move || {
                post_webhook(&hook.url, &hook.secret, (id, &event), &body, timeout)
            })
            .await;
            let r = sent.unwrap_or_else(|e| Err((0, format!("webhook thread failed: {e}"))));
            let mut a = done(r.clone().map_err(|(_, e)| e));
            if let Err((status, _)) = r {
                a.status = status;
            }
            (a, true)
        }
        other => (done(Err(format!("unknown channel `{other}`"))), false),
    }
}

/// The signature of a webhook body: `sha256=` and the hex HMAC-SHA256 of the body
/// under the webhook's secret.
pub fn signature(secret: &str, body: &str) -> String {
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        // HMAC takes keys of any length; this cannot happen.
        Err(_) => return String::new(),
    };
    mac.update(body.as_bytes());
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// Posts a webhook call; the HTTP status of a 2xx answer, or the status (0: none) and why.
fn post_webhook(
    url: &str,
    secret: &str,
    (id, event): (i64, &str),
    body: &str,
    timeout: Duration,
) -> Result<i64, (i64, String)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let answer = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header("User-Agent", concat!("designdoc-hub/", env!("CARGO_PKG_VERSION")))
        .header("X-Designdoc-Event", event)
        .header("X-Designdoc-Delivery", &id.to_string())
        .header("X-Designdoc-Signature", &signature(secret, body))
        .send(body);
    match answer {
        Ok(r) if r.status().is_success() => Ok(i64::from(r.status().as_u16())),
        Ok(r) => {
            let status = i64::from(r.status().as_u16());
            Err((status, format!("the receiver answered HTTP {status}")))
        }
        Err(e) => Err((0, e.to_string())),
    }
}

/// The e-mail of notification `n`: subject and text from its event, a link to the place.
fn email(n: &Outgoing, p: &serde_json::Value, smtp: &Smtp, base_url: &str) -> Result<lettre::Message, String> {
    let title = p["document"]["title"].as_str().unwrap_or("a document");
    let actor = p["actor"].as_str().unwrap_or("someone");
    let url = p["document"]["url"].as_str().unwrap_or(base_url);
    let said = |key: &str| p[key].as_str().filter(|s| !s.is_empty()).map(str::to_string);
    let (subject, mut text) = match n.event.as_str() {
        super::notify::event::REVIEW_REQUESTED => (
            format!("Review requested: {title}"),
            format!("{actor} asks you to review \"{title}\"."),
        ),
        super::notify::event::VERDICT if p["verdict"] == "approve" => (
            format!("{actor} approved {title}"),
            format!("{actor} approved \"{title}\" (revision {}).", p["revision"]),
        ),
        super::notify::event::VERDICT => (
            format!("{actor} requested changes on {title}"),
            format!("{actor} requested changes on \"{title}\" (revision {}).", p["revision"]),
        ),
        super::notify::event::COMMENT => (
            format!("{actor} commented on {title}"),
            format!("{actor} wrote on \"{title}\":"),
        ),
        super::notify::event::STATUS_CHANGED => (
            format!("{title} is now {}", p["to"].as_str().unwrap_or("changed")),
            format!(
                "\"{title}\" went from {} to {}.",
                p["from"].as_str().unwrap_or("none"),
                p["to"].as_str().unwrap_or("?")
            ),
        ),
        other => (format!("{other}: {title}"), format!("{other} on \"{title}\".")),
    };
    for extra in [said("reason"), said("body")].into_iter().flatten() {
        text.push_str("\n\n");
        text.push_str(&extra);
    }
    text.push_str(&format!(
        "\n\nOpen it: {url}\n\n-- \nYou get this from designdoc because you review or wrote this document.\nTurn these e-mails off on {}/account\n",
        base_url.trim_end_matches('/')
    ));
    let domain = smtp
        .from
        .rsplit('@')
        .next()
        .unwrap_or("designdoc")
        .trim_end_matches('>');
    lettre::Message::builder()
        .from(smtp.from.parse().map_err(|e| format!("[hub.smtp] from: {e}"))?)
        .to(n.target.parse().map_err(|e| format!("recipient `{}`: {e}", n.target))?)
        .subject(subject)
        .message_id(Some(format!("<notification-{}@{domain}>", n.id)))
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(text)
        .map_err(|e| format!("cannot build the e-mail: {e}"))
}

/// Sends one message through the mail server.
fn send_mail(smtp: &Smtp, message: lettre::Message, timeout: Duration) -> Result<(), String> {
    use lettre::Transport;
    use lettre::transport::smtp::SmtpTransport;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Tls, TlsParameters};
    let tls = match smtp.security {
        Security::None => Tls::None,
        Security::StartTls | Security::Tls => {
            let params = TlsParameters::new(smtp.host.clone()).map_err(|e| format!("TLS for {}: {e}", smtp.host))?;
            if smtp.security == Security::Tls {
                Tls::Wrapper(params)
            } else {
                Tls::Required(params)
            }
        }
    };
    let mut builder = SmtpTransport::builder_dangerous(&smtp.host)
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(timeout));
    if let Some((user, password)) = &smtp.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    builder
        .build()
        .send(&message)
        .map(|_| ())
        .map_err(|e| format!("SMTP {}:{}: {e}", smtp.host, smtp.port))
}

#[cfg(test)]
mod tests {
    use super::{claim_size, send_timeout, signature};
    use std::time::Duration;

    #[test]
    fn a_batch_fits_in_its_lease() {
        for (lease_ms, batch) in [(60_000, 2), (600_000, 16), (5_000, 1), (1, 1)] {
            let lease = Duration::from_millis(lease_ms);
            assert_eq!(claim_size(lease), batch, "lease {lease_ms} ms");
            let longest = send_timeout(lease) * u32::try_from(batch).unwrap_or(1);
            assert!(longest < lease || lease_ms == 1, "lease {lease_ms} ms: {longest:?}");
        }
    }

    #[test]
    fn signatures_are_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
