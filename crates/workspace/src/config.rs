//! `designdoc.toml` as data. Unknown keys are errors, so a typo never passes silently.

use serde::Deserialize;
use std::collections::BTreeMap;

/// The contents of `designdoc.toml`. Unknown keys are an error so typos do not pass
/// silently.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Template file, relative to the config file. Default: the built-in seed template.
    pub template: Option<String>,
    /// Folder of design docs: where `new` writes and what `check` reads when given no
    /// paths (relative to the config file).
    pub dir: Option<String>,
    /// Glob patterns (relative to the config file) of Markdown files not to check.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Rule name or code -> `off`, `info`, `warning` or `error`.
    #[serde(default)]
    pub rules: BTreeMap<String, String>,
    #[serde(default)]
    pub components: ComponentsConfig,
    /// `[aliases]`: template section title -> other names for it (`"Overview" = ["概述",
    /// "Summary"]`), for documents written in another language or house style. Apply
    /// with [`designdoc_check::Schema::add_aliases`].
    #[serde(default)]
    pub aliases: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub hub: HubConfig,
}

/// `[hub]`: settings of `designdoc serve`. Flags and environment variables win over these.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubConfig {
    /// Address to listen on, e.g. `0.0.0.0:8080`.
    pub addr: Option<String>,
    /// `sqlite://PATH` or `postgres://...`.
    pub database: Option<String>,
    /// PostgreSQL schema for the hub's tables (several hubs or tests in one database).
    pub schema: Option<String>,
    /// `text` or `json`.
    pub log_format: Option<String>,
    /// Folders to publish and watch (relative to the config file).
    #[serde(default)]
    pub watch: Vec<String>,
    /// Anonymous visitors see only the sign-in page.
    pub require_login: Option<bool>,
    /// Session cookies get `Secure` (the hub is reached over https).
    pub secure_cookies: Option<bool>,
    /// Reverse proxies (addresses or blocks such as `10.0.0.0/8`) whose
    /// `X-Forwarded-For`/`Forwarded` headers name the client; from anyone else those
    /// headers are ignored.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Who may read `/metrics` without signing in as an admin: addresses or blocks of
    /// the Prometheus servers (default: loopback only). The figures include private spaces.
    pub metrics_from: Option<Vec<String>>,
    /// Wall time for drawing one document's diagrams at publish, in milliseconds (default
    /// 2,000); diagrams left when it is spent are shown as source.
    pub render_budget_ms: Option<u64>,
    /// Open connections in all (default 768).
    pub max_connections: Option<usize>,
    /// Open connections from one client address (default 64; trusted proxies excepted).
    pub max_connections_per_client: Option<usize>,
    /// Seconds to send a request's head, and the longest idle keep-alive (default 10).
    pub header_timeout_secs: Option<u64>,
    /// Seconds for a whole request, body and answer included (default 60).
    pub request_timeout_secs: Option<u64>,
    /// `[hub.authors]`: names as docs write them in `authors:` -> hub user names
    /// (`"Alice Smith" = "alice"`), for names that are neither a user name nor an e-mail.
    /// An author never reviews their own document.
    #[serde(default)]
    pub authors: BTreeMap<String, String>,
    /// The hub's address as people reach it (`https://hub.example.com`): the links in
    /// notifications. Default: `http://` and `addr`.
    pub public_url: Option<String>,
    /// `[hub.smtp]`: where e-mail notifications go out. None: no e-mail is sent.
    pub smtp: Option<SmtpConfig>,
    /// `[hub.notify]`: how the notification worker paces itself.
    #[serde(default)]
    pub notify: NotifyConfig,
}

/// `[hub.smtp]`: the mail server notifications are sent through.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 587 with `starttls`, 465 with `tls`, 25 with `none`.
    pub port: Option<u16>,
    /// `starttls` (default), `tls` (implicit TLS) or `none` (plain; loopback and tests).
    pub security: Option<String>,
    pub username: Option<String>,
    /// The environment variable holding the password (never the password itself here).
    pub password_env: Option<String>,
    /// The sender, e.g. `designdoc <hub@example.com>`.
    pub from: String,
}

/// `[hub.notify]`: pacing of the notification worker.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// How often an idle worker looks for due notifications (default 1,000 ms).
    pub poll_ms: Option<u64>,
    /// How long a claimed notification is this worker's before another may send it
    /// (default 60,000 ms; longer than a send's timeout).
    pub lease_ms: Option<u64>,
    /// The first retry's delay; each next one doubles it, up to an hour (default 30,000 ms).
    pub retry_ms: Option<u64>,
    /// Attempts before a notification is given up (default 8).
    pub max_attempts: Option<u32>,
}

/// `[components]`: how the High-Level Design graph is compared with Components.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentsConfig {
    /// Graph nodes that stand for things outside the system (added to the defaults).
    #[serde(default)]
    pub exempt: Vec<String>,
}

impl Config {
    /// Parses designdoc.toml; an error carries the 1-based line and column when known.
    pub fn parse(text: &str) -> Result<Config, (Option<(usize, usize)>, String)> {
        toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| {
                let index = designdoc_model::LineIndex::new(text);
                let lc = index.line_col(text, s.start);
                (lc.line, lc.col)
            });
            (at, e.message().to_string())
        })
    }
}
