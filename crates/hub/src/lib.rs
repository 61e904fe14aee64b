//! The hub as a library: publishes the docs of watched folders and of `designdoc
//! publish` into the store (SQLite by default, PostgreSQL for teams), and serves the JSON
//! API, the HTML pages, health checks and Prometheus metrics. Everything that must be
//! consistent lives in the store, so several instances can share one PostgreSQL.
//!
//! The binary resolves flags into [`HubSettings`], calls [`start`] and prints what
//! [`Started`] reports (address, first admin's password); nothing here prints.

mod account;
mod api;
mod auth;
mod client;
mod deliver;
mod errors;
mod forms;
mod listen;
mod log;
mod metrics;
mod notify;
mod notify_pages;
mod pages;
mod review;
mod signin;
mod throttle;
pub mod watch;
mod workflow;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
pub use deliver::{NotifySettings, Security, Smtp, signature};
use designdoc_check::{Checker, DocFacts};
use designdoc_render::site::{PageInput, RenderBudget, body_html_checked, toc_html};
use designdoc_store::{DatabaseUrl, Publish, Published, Role, Store, StoreError, content_hash, redact};
use designdoc_workspace::{Content, HubConfig, files};
use futures_util::FutureExt;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use client::{Cidr, TrustedProxies};
pub use listen::{Limits, serve as serve_http};
pub use log::LogFormat;

/// Why the hub could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// A setting is invalid; the message names it.
    #[error("{0}")]
    Settings(String),
    /// The database could not be opened or migrated (the URL in the message is redacted).
    #[error("cannot open the database {url}: {source}")]
    Open {
        url: String,
        #[source]
        source: StoreError,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Workspace(#[from] designdoc_workspace::WorkspaceError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
}

/// The hub's settings, resolved (flags, environment, then `[hub]` in designdoc.toml).
#[derive(Debug, Clone)]
pub struct HubSettings {
    pub addr: String,
    pub database: DatabaseUrl,
    pub schema: Option<String>,
    pub log_format: LogFormat,
    /// Folders to publish and watch, each a space named after the folder.
    pub dirs: Vec<PathBuf>,
    /// Anonymous callers see nothing but the sign-in page.
    pub require_login: bool,
    /// Session cookies get `Secure` (set when the hub is served over https).
    pub secure_cookies: bool,
    /// Reverse proxies whose forwarding headers name the client.
    pub proxies: TrustedProxies,
    /// Peers that may read `/metrics` anonymously (admins may from anywhere).
    pub metrics_from: TrustedProxies,
    pub limits: Limits,
    pub render_budget: RenderBudget,
    /// `[hub.authors]`, keys lower-cased: names in `authors:` -> user names.
    pub authors: workflow::AuthorMap,
    /// Notifications: the mail server and the worker's pacing.
    pub notify: NotifySettings,
}

/// The default database when none is configured (its folder is created by the caller).
pub const DEFAULT_DATABASE: &str = "sqlite://.designdoc/hub.db";

impl HubSettings {
    /// Settings from `[hub]` alone (paths relative to `base`, the config file's folder);
    /// the binary then lays flags and environment variables over them.
    pub fn from_config(hub: &HubConfig, base: &Path) -> Result<HubSettings, HubError> {
        let log_format = match hub.log_format.as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(HubError::Settings(format!(
                    "designdoc.toml: [hub] log_format is `{other}`; use `text` or `json`"
                )));
            }
        };
        let loopback = ["127.0.0.0/8".to_string(), "::1".to_string()];
        let defaults = Limits::default();
        Ok(HubSettings {
            addr: hub.addr.clone().unwrap_or_else(|| "127.0.0.1:8080".to_string()),
            database: DatabaseUrl(hub.database.clone().unwrap_or_else(|| DEFAULT_DATABASE.to_string())),
            schema: hub.schema.clone(),
            log_format,
            dirs: hub.watch.iter().map(|d| base.join(d)).collect(),
            require_login: hub.require_login.unwrap_or(false),
            secure_cookies: hub.secure_cookies.unwrap_or(false),
            proxies: TrustedProxies::parse(&hub.trusted_proxies, "[hub] trusted_proxies")?,
            metrics_from: TrustedProxies::parse(
                hub.metrics_from.as_deref().unwrap_or(&loopback),
                "[hub] metrics_from",
            )?,
            limits: Limits {
                max_connections: hub.max_connections.unwrap_or(defaults.max_connections).max(1),
                max_connections_per_client: hub
                    .max_connections_per_client
                    .unwrap_or(defaults.max_connections_per_client)
                    .max(1),
                header_timeout: hub
                    .header_timeout_secs
                    .map_or(defaults.header_timeout, |s| Duration::from_secs(s.max(1))),
                request_timeout: hub
                    .request_timeout_secs
                    .map_or(defaults.request_timeout, |s| Duration::from_secs(s.max(1))),
            },
            render_budget: RenderBudget {
                document_time: hub
                    .render_budget_ms
                    .map_or(RenderBudget::default().document_time, |ms| {
                        Duration::from_millis(ms.max(1))
                    }),
                ..RenderBudget::default()
            },
            authors: hub
                .authors
                .iter()
                .map(|(name, user)| (name.trim().to_lowercase(), user.trim().to_string()))
                .collect(),
            notify: notify_settings(hub)?,
        })
    }
}

/// `[hub.smtp]`, `[hub.notify]` and `public_url`, checked.
fn notify_settings(hub: &HubConfig) -> Result<NotifySettings, HubError> {
    let defaults = NotifySettings::default();
    let millis = |v: Option<u64>, d: Duration| v.map_or(d, |ms| Duration::from_millis(ms.max(1)));
    let smtp = match &hub.smtp {
        None => None,
        Some(c) => {
            let security = match c.security.as_deref() {
                None | Some("starttls") => deliver::Security::StartTls,
                Some("tls") => deliver::Security::Tls,
                Some("none") => deliver::Security::None,
                Some(other) => {
                    return Err(HubError::Settings(format!(
                        "designdoc.toml: [hub.smtp] security is `{other}`; use `starttls`, `tls` or `none`"
                    )));
                }
            };
            let port = c.port.unwrap_or(match security {
                deliver::Security::StartTls => 587,
                deliver::Security::Tls => 465,
                deliver::Security::None => 25,
            });
            let credentials = match (&c.username, &c.password_env) {
                (Some(user), Some(var)) => match std::env::var(var) {
                    Ok(password) => Some((user.clone(), password)),
                    Err(_) => {
                        return Err(HubError::Settings(format!(
                            "designdoc.toml: [hub.smtp] password_env names `{var}`, which is not set"
                        )));
                    }
                },
                (None, None) => None,
                _ => {
                    return Err(HubError::Settings(
                        "designdoc.toml: [hub.smtp] needs both username and password_env, or neither".into(),
                    ));
                }
            };
            if c.host.trim().is_empty() || !c.from.contains('@') {
                return Err(HubError::Settings(
                    "designdoc.toml: [hub.smtp] needs host and a from address (`designdoc <hub@example.com>`)".into(),
                ));
            }
            Some(deliver::Smtp {
                host: c.host.trim().to_string(),
                port,
                security,
                credentials,
                from: c.from.clone(),
            })
        }
    };
    if let Some(url) = &hub.public_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(HubError::Settings(format!(
            "designdoc.toml: [hub] public_url `{url}` must start with https:// or http://"
        )));
    }
    Ok(NotifySettings {
        public_url: hub.public_url.clone(),
        smtp,
        poll: millis(hub.notify.poll_ms, defaults.poll),
        lease: millis(hub.notify.lease_ms, defaults.lease),
        retry: millis(hub.notify.retry_ms, defaults.retry),
        max_attempts: hub.notify.max_attempts.unwrap_or(defaults.max_attempts).max(1),
    })
}

/// Opens (and migrates) the store; the error never shows the password.
pub async fn open_store(database: &DatabaseUrl, schema: Option<&str>) -> Result<Store, HubError> {
    Store::open(&database.0, schema).await.map_err(|source| HubError::Open {
        url: redact(&database.0),
        source,
    })
}

/// What every request handler shares.
pub struct Hub {
    pub store: Store,
    pub checker: Checker,
    pub metrics: metrics::Metrics,
    /// Anonymous callers see nothing but the sign-in page.
    pub require_login: bool,
    /// Session cookies get `Secure` (set when the hub is served over https).
    pub secure_cookies: bool,
    /// Bounds concurrent argon2 password checks (each takes ~19 MiB and real CPU).
    pub password_checks: tokio::sync::Semaphore,
    /// Peers that may read `/metrics` anonymously (admins may from anywhere).
    pub metrics_from: client::TrustedProxies,
    /// What rendering one document at publish may cost.
    pub render_budget: RenderBudget,
    /// `[hub.authors]`, keys lower-cased: who an `authors:` name is.
    pub authors: workflow::AuthorMap,
    pub notify: NotifySettings,
    /// Whether e-mail notifications are sent (`[hub.smtp]` is set).
    pub mail_enabled: bool,
}

/// How often old login failures are deleted, and how old they must be.
const FAILURE_PURGE_EVERY: Duration = Duration::from_secs(600);
const FAILURE_MAX_AGE_MS: i64 = 3_600_000;

/// The version of the page renderer: stored pages made by another version are re-rendered.
/// The second number counts changes to what pages contain within one version (2: drawing
/// budgets and the parsing SVG sanitizer; 4: diagrams at their natural size; 5: diagrams
/// drawn by Mermaid's own layouts, other kinds shown as source; pages stored before are
/// redrawn).
pub const RENDERER: &str = concat!("designdoc ", env!("CARGO_PKG_VERSION"), " pages 5");

/// One document to publish.
pub struct Incoming {
    pub space: String,
    pub path: String,
    pub content: String,
    pub by: String,
    /// The front matter's status stands (a watched folder or a service token); otherwise
    /// the review workflow decides.
    pub trusted: bool,
}

/// A checked and rendered document.
pub struct Rendered {
    /// Everything known about the document, from the one parse the page is drawn from.
    pub facts: DocFacts,
    /// The page body: sanitized HTML with inline SVG diagrams.
    pub body: String,
    /// The side panel: contents and findings.
    pub aside: String,
    /// Every diagram got its final form (none was cut off by a time budget).
    pub complete: bool,
}

/// The renderer name stored with a page some of whose diagrams were cut off by a time
/// budget: it differs from [`RENDERER`], so the page is rendered again when viewed.
pub const PARTIAL_RENDERER: &str = "partial";

/// Checks and renders a document (done once, at publish): one parse gives the facts, the
/// page and the side panel.
pub fn check_and_render(checker: &Checker, budget: &RenderBudget, path: &str, content: &str) -> Rendered {
    let (doc, facts) = checker.facts(path, content);
    let (body, complete) = body_html_checked(
        &PageInput {
            rel_path: path.to_string(),
            source: content,
            doc: &doc,
            diagnostics: &facts.findings,
            modified: None,
        },
        budget,
    );
    let mut aside = toc_html(&doc);
    aside.push_str(&pages::findings_panel(content, &facts.findings));
    Rendered {
        facts,
        body,
        aside,
        complete,
    }
}

/// Why one document of a publish was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishError {
    /// The document cannot be published as sent (too large, a bad name): the client's to fix.
    Rejected(String),
    /// Something on our side failed (logged); retrying is safe.
    Internal(String),
}

impl std::fmt::Display for PublishError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublishError::Rejected(m) | PublishError::Internal(m) => f.write_str(m),
        }
    }
}

impl Hub {
    /// A hub over an open store: what [`start`] serves, and what in-process tests drive
    /// through [`router`].
    pub fn new(store: Store, checker: Checker, settings: &HubSettings) -> Hub {
        Hub {
            store,
            checker,
            metrics: metrics::Metrics::default(),
            require_login: settings.require_login,
            secure_cookies: settings.secure_cookies,
            password_checks: tokio::sync::Semaphore::new(4),
            metrics_from: settings.metrics_from.clone(),
            render_budget: settings.render_budget.clone(),
            authors: settings.authors.clone(),
            notify: settings.notify.clone(),
            mail_enabled: settings.notify.smtp.is_some(),
        }
    }

    /// Publishes documents, each atomically. Unchanged documents are skipped before any
    /// work; the rest are checked and rendered in parallel, then written one by one.
    pub async fn publish(self: &Arc<Hub>, docs: Vec<Incoming>) -> Vec<Result<Published, PublishError>> {
        let mut results: Vec<Option<Result<Published, PublishError>>> = Vec::with_capacity(docs.len());
        let mut todo = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            let id = format!("{}:{}", d.space, d.path);
            match self.store.latest_revision(&id).await {
                Ok(Some((number, h))) if h == content_hash(&d.content) => {
                    results.push(Some(Ok(Published {
                        document_id: id,
                        revision: number,
                        created: false,
                    })));
                }
                _ => {
                    results.push(None);
                    todo.push(i);
                }
            }
        }
        let hub = Arc::clone(self);
        let docs = Arc::new(docs);
        let shared = Arc::clone(&docs);
        let todo_list = todo.clone();
        let rendered = tokio::task::spawn_blocking(move || {
            todo_list
                .par_iter()
                .map(|&i| hub.render_one(&shared[i]))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_else(|e| {
            todo.iter()
                .map(|_| Err(PublishError::Internal(format!("rendering failed: {e}"))))
                .collect()
        });
        for (&i, r) in todo.iter().zip(&rendered) {
            let d = &docs[i];
            results[i] = Some(match r {
                Ok(r) => self.store_one(d, r).await,
                Err(reason) => {
                    tracing::warn!(document = %format_args!("{}:{}", d.space, d.path), %reason, "not published");
                    Err(reason.clone())
                }
            });
        }
        let results: Vec<Result<Published, PublishError>> = results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(PublishError::Internal("not rendered".to_string()))))
            .collect();
        for r in &results {
            self.metrics.published(match r {
                Ok(p) if p.created => "created",
                Ok(_) => "unchanged",
                Err(_) => "error",
            });
        }
        results
    }

    /// Checks and renders one document on its own: one that is too large, holds NUL or
    /// makes the renderer panic fails alone, with its reason, never its batch.
    fn render_one(&self, d: &Incoming) -> Result<Rendered, PublishError> {
        if let Some(reason) = designdoc_model::too_large(d.content.len()) {
            return Err(PublishError::Rejected(reason));
        }
        // PostgreSQL text cannot hold NUL, and no Markdown needs it.
        if let Some(at) = d.content.find('\0') {
            return Err(PublishError::Rejected(format!(
                "document contains a NUL byte at byte {at}; it is not text"
            )));
        }
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            check_and_render(&self.checker, &self.render_budget, &d.path, &d.content)
        }))
        .map_err(|_| PublishError::Internal("internal error while rendering this document (logged)".to_string()))
    }

    /// Stores one checked and rendered document.
    async fn store_one(&self, d: &Incoming, r: &Rendered) -> Result<Published, PublishError> {
        // A panic while storing one doc fails that doc, logged, not its batch (nor the
        // watcher task that runs the batch).
        let stored = std::panic::AssertUnwindSafe(self.store.publish(&Publish {
            space: &d.space,
            path: &d.path,
            content: &d.content,
            by: &d.by,
            facts: &r.facts,
            html: &r.body,
            aside: &r.aside,
            renderer: if r.complete { RENDERER } else { PARTIAL_RENDERER },
            trusted_status: d.trusted,
        }))
        .catch_unwind()
        .await;
        let document = format!("{}:{}", d.space, d.path);
        match stored {
            Ok(Ok(published)) => Ok(published),
            Ok(Err(StoreError::Invalid(m))) => Err(PublishError::Rejected(m)),
            Ok(Err(other)) => {
                // Database details stay in the log.
                tracing::error!(%document, error = %other, "publish failed");
                Err(PublishError::Internal(
                    "internal error (logged); retrying is safe".to_string(),
                ))
            }
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(%document, panic = %what, "publish panicked");
                Err(PublishError::Internal(
                    "internal error while storing this document (logged)".to_string(),
                ))
            }
        }
    }
}

/// Publishes every doc of `dir` (the docs [`designdoc_workspace::Settings::docs`] finds
/// there); returns how many got a new revision. Reads a batch of files at a time, so memory
/// does not grow with the size of the folder.
async fn publish_dir(hub: &Arc<Hub>, dir: &Path, workspace: &designdoc_workspace::Settings) -> Result<usize, HubError> {
    let space = designdoc_workspace::space_name(dir);
    let paths = workspace.docs(&[dir.to_path_buf()])?;
    let mut created = 0;
    for chunk in paths.chunks(128) {
        let mut batch = Vec::with_capacity(chunk.len());
        for path in chunk {
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(path)
                .to_string_lossy()
                .replace('\\', "/");
            let why = match files::read(path) {
                Ok(Content::Text(content)) => {
                    batch.push(Incoming {
                        space: space.clone(),
                        path: rel,
                        content,
                        by: "watcher".to_string(),
                        trusted: true,
                    });
                    continue;
                }
                Ok(Content::Invalid { reason, .. }) => reason,
                Err(e) => e.to_string(),
            };
            tracing::warn!(file = %path.display(), reason = why, "skipped");
        }
        let names: Vec<String> = batch.iter().map(|d| d.path.clone()).collect();
        for (name, r) in names.iter().zip(hub.publish(batch).await) {
            match r {
                Ok(p) => created += usize::from(p.created),
                Err(e) => tracing::error!(file = %dir.join(name).display(), error = %e, "publish failed"),
            }
        }
    }
    if created > 0 {
        hub.store
            .audit(
                "watcher",
                "publish",
                &space,
                serde_json::json!({"folder": dir.display().to_string(), "created": created}),
            )
            .await?;
    }
    Ok(created)
}

fn stamp(dirs: &[PathBuf], workspace: &designdoc_workspace::Settings) -> files::Stamps {
    let paths: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| workspace.docs(std::slice::from_ref(d)).unwrap_or_default())
        .collect();
    files::stamps(&paths)
}

/// How often watched folders are scanned where file system events cannot be used (a scan
/// of 10,000 files takes tens of milliseconds).
const POLL_EVERY: Duration = Duration::from_secs(2);

/// Every route of the hub. `api::ROUTES` lists the API ones for the OpenAPI test.
pub fn router(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/doc/{space}/{*path}", get(pages::doc))
        .route("/history/{space}/{*path}", get(pages::history))
        .route("/diff/{space}/{*path}", get(pages::diff))
        .route("/search", get(pages::search))
        .route("/reviews", get(pages::awaiting))
        .route("/mine", get(pages::mine))
        .route("/risks", get(pages::risks))
        .route("/components", get(pages::components))
        .route("/entities", get(pages::entities))
        .route("/assets/site.css", get(pages::css))
        .route("/login", get(account::login_page).post(account::login))
        .route("/logout", post(account::logout))
        .route("/account", get(account::account))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route(
            "/account/password",
            get(account::password_page).post(account::change_password),
        )
        .route("/admin", get(account::admin))
        .route("/admin/users", post(account::admin_add_user))
        .route("/admin/users/{name}/{action}", post(account::admin_user_action))
        .route("/admin/grants", post(account::admin_grant))
        .route("/admin/spaces", post(account::admin_space))
        .route("/admin/policy", post(account::admin_policy))
        .route("/admin/audit", get(account::audit_page))
        .route("/admin/notifications", get(notify_pages::admin))
        .route("/admin/webhooks", post(notify_pages::add_webhook))
        .route("/admin/webhooks/{id}/disable", post(notify_pages::disable_webhook))
        .route(
            "/account/notifications",
            get(notify_pages::account).post(notify_pages::set_account),
        )
        .route("/api/v1/audit", get(account::api_audit))
        .route("/review/{space}/{*path}", post(review::form_action))
        .route(
            "/api/v1/review/{space}/{*path}",
            get(review::api_state).post(review::api_action),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(metrics::endpoint))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/spaces", get(api::spaces))
        .route("/api/v1/docs", get(api::docs))
        .route("/api/v1/docs/{space}/{*path}", get(api::doc))
        .route("/api/v1/history/{space}/{*path}", get(api::history))
        .route("/api/v1/revisions/{space}/{number}/{*path}", get(api::revision))
        .route("/api/v1/diff/{space}/{*path}", get(api::diff))
        .route("/api/v1/search", get(api::search))
        .route("/api/v1/registers/risks", get(api::risks))
        .route("/api/v1/registers/components", get(api::components))
        .route("/api/v1/registers/entities", get(api::entities))
        .route(
            "/api/v1/publish",
            post(api::publish).layer(DefaultBodyLimit::max(api::MAX_PUBLISH_BYTES)),
        )
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn(errors::html_errors))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&hub), metrics::track))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(hub)
}

/// Headers on every response: no inline script, no framing, no sniffing.
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// A hub that has published its folders and is bound to its address, not yet serving.
pub struct Started {
    /// The address it listens on (the port is real when the settings asked for port 0).
    pub local_addr: std::net::SocketAddr,
    /// On the first start of an empty database: the one-time password of the `admin`
    /// user it created. The caller shows it once; it is stored only as a hash.
    pub first_admin_password: Option<String>,
    hub: Arc<Hub>,
    listener: tokio::net::TcpListener,
    settings: HubSettings,
    workspace: designdoc_workspace::Settings,
    /// The watched docs as they were just before the first publish: the watcher starts
    /// later, and compares with these so an edit in between is published too.
    published: files::Stamps,
}

/// Opens the store, publishes the watched folders, binds the address and creates the first
/// admin on an empty database. Then [`Started::serve`] runs until SIGTERM or Ctrl-C.
pub async fn start(
    settings: HubSettings,
    workspace: designdoc_workspace::Settings,
    checker: Checker,
) -> Result<Started, HubError> {
    let store = open_store(&settings.database, settings.schema.as_deref()).await?;
    let hub = Arc::new(Hub::new(store, checker, &settings));
    let published = stamp(&settings.dirs, &workspace);
    for dir in &settings.dirs {
        if !dir.is_dir() {
            return Err(HubError::Settings(format!("{}: not a folder", dir.display())));
        }
        let n = publish_dir(&hub, dir, &workspace).await?;
        tracing::info!(folder = %dir.display(), new_revisions = n, "published");
    }
    let listener = tokio::net::TcpListener::bind(&settings.addr)
        .await
        .map_err(|source| HubError::Listen {
            addr: settings.addr.clone(),
            source,
        })?;
    let local_addr = listener.local_addr().map_err(|source| HubError::Listen {
        addr: settings.addr.clone(),
        source,
    })?;
    let first_admin_password = first_admin(&hub).await?;
    Ok(Started {
        local_addr,
        first_admin_password,
        hub,
        listener,
        settings,
        workspace,
        published,
    })
}

impl Started {
    /// Serves until SIGTERM or Ctrl-C, then finishes in-flight requests and closes the store.
    pub async fn serve(self) -> Result<(), HubError> {
        let Started {
            local_addr,
            hub,
            listener,
            settings,
            workspace,
            published,
            ..
        } = self;
        tracing::info!(addr = %local_addr, database = %settings.database, "listening");
        if !settings.dirs.is_empty() {
            tokio::spawn(watch(Arc::clone(&hub), settings.dirs.clone(), workspace, published));
        }
        tokio::spawn(purge_login_failures(Arc::clone(&hub)));
        if settings.notify.smtp.is_some() && settings.notify.public_url.is_none() {
            tracing::warn!(
                "[hub.smtp] is set but [hub] public_url is not: links in e-mails name the address the hub listens on"
            );
        }
        let base_url = settings
            .notify
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{local_addr}"));
        tokio::spawn(deliver::run(Arc::clone(&hub), base_url));
        let counting = Arc::clone(&hub);
        listen::serve(
            listener,
            router(Arc::clone(&hub)),
            settings.limits.clone(),
            Arc::new(settings.proxies.clone()),
            shutdown_signal(),
            move || counting.metrics.refused_connection(),
        )
        .await;
        hub.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// On first start (no users yet) creates `admin` with a random password and returns it.
async fn first_admin(hub: &Hub) -> Result<Option<String>, HubError> {
    if hub.store.count_users().await? > 0 {
        return Ok(None);
    }
    let detail = serde_json::json!({"role": "admin", "first_start": true});
    let audit = designdoc_store::Audit::new("hub", "user.create", "admin", detail);
    match hub.store.create_user_one_time("admin", Role::Admin, audit).await {
        Ok((_, password)) => Ok(Some(password)),
        // Another instance may have won the race; then its password is the one.
        Err(e) => {
            tracing::info!(reason = %e, "first admin not created");
            Ok(None)
        }
    }
}

/// Deletes old login failures now and then, so an attack leaves no lasting rows and the
/// sign-in path never pays for purging.
async fn purge_login_failures(hub: Arc<Hub>) {
    loop {
        match hub.store.purge_login_failures(FAILURE_MAX_AGE_MS).await {
            Ok(n) if n > 0 => tracing::info!(rows = n, "purged login failures"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "cannot purge login failures"),
        }
        tokio::time::sleep(FAILURE_PURGE_EVERY).await;
    }
}

/// Republishes changed docs when the watched folders change. File system events wake it
/// (polling on network file systems, whose changes from other hosts raise no event here);
/// modification times then tell whether a doc changed, so editors that save by rename are
/// seen and events for other files cost one scan.
async fn watch(hub: Arc<Hub>, dirs: Vec<PathBuf>, workspace: designdoc_workspace::Settings, mut last: files::Stamps) {
    let watcher = match watch::FolderWatcher::new(&dirs, &[], POLL_EVERY) {
        Ok(w) => w,
        Err(e) => {
            tracing::error!(error = %e, "not watching the folders; restart the hub to publish changes");
            return;
        }
    };
    if let watch::Watching::Polling { why } = watcher.watching() {
        tracing::info!(
            every_ms = POLL_EVERY.as_millis(),
            why = why.as_str(),
            "watching by polling"
        );
    }
    let workspace = Arc::new(workspace);
    let scan = |dirs: &[PathBuf], workspace: &Arc<designdoc_workspace::Settings>| {
        let (dirs, workspace) = (dirs.to_vec(), Arc::clone(workspace));
        // Scanning is file IO: off the request threads.
        tokio::task::spawn_blocking(move || stamp(&dirs, &workspace))
    };
    // The watcher blocks the thread that waits on it, so a thread of its own waits and
    // passes wake-ups on (not the runtime's blocking pool: the runtime would wait for it
    // forever when the hub stops). A wake-up already pending absorbs the next one.
    let (woken, mut wake_ups) = tokio::sync::mpsc::channel::<()>(1);
    // The first look is at once: edits made since the first publish, before the watcher
    // started, are seen there.
    woken.try_send(()).ok();
    let waiter = std::thread::Builder::new()
        .name("designdoc-watch".to_string())
        .spawn(move || {
            while watcher.next_change() {
                if let Err(tokio::sync::mpsc::error::TrySendError::Closed(())) = woken.try_send(()) {
                    return;
                }
            }
        });
    if let Err(e) = waiter {
        tracing::error!(error = %e, "cannot start the folder watcher's thread; not watching the folders");
        return;
    }
    loop {
        if wake_ups.recv().await.is_none() {
            tracing::error!("the folder watcher stopped; not watching any more");
            return;
        }
        let now = match scan(&dirs, &workspace).await {
            Ok(now) => now,
            Err(e) => {
                tracing::error!(error = %e, "scanning the watched folders failed");
                continue;
            }
        };
        if now == last {
            continue;
        }
        last = now;
        for dir in &dirs {
            match publish_dir(&hub, dir, &workspace).await {
                Ok(n) if n > 0 => tracing::info!(folder = %dir.display(), new_revisions = n, "published"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "publish failed"),
            }
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C; the server then stops accepting and finishes in-flight
/// requests.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!(reason = "signal", "shutting down");
}
