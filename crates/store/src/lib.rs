//! The hub's database layer. One API over SQLite (embedded default, WAL) and PostgreSQL
//! (teams, several instances), through sqlx's `Any` driver with one migrations folder per
//! backend. Everything that must be consistent lives in the database, never in process
//! memory, so several hub instances can share one PostgreSQL.

mod accounts;
mod audit;
mod dialect;
mod diff;
mod outbox;
mod publish;
mod queries;
mod queues;
mod reviews;
mod rows;
mod sections;
mod tokens;
mod url;

pub use accounts::{AuditEvent, MIN_PASSWORD, Role, Session, User, Visibility, generate_password};
pub use audit::Audit;
pub use diff::{DiffLine, MarkedLine, diff_lines, diff_marked};
pub use outbox::{Attempt, Delivery, Notice, NoticeTo, OutboxFigures, Outgoing, Webhook};
pub use publish::{validate_name, validate_path};
pub use queries::{ComponentRow, EntityRow, Figures, MAX_LIMIT, RevisionMeta, SpaceRow};
pub use reviews::{
    Comment, Policy, ReviewState, StatusChange, Transition, Verdict, status_on_publish, status_on_trusted_publish,
};
pub use sections::SectionRow;
pub use tokens::{TokenInfo, TokenScope};
pub use url::{DatabaseUrl, redact};

use designdoc_check::DocFacts;
use dialect::Dialect;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use std::fmt;

#[derive(Debug)]
pub enum StoreError {
    Database(sqlx::Error),
    Migration(sqlx::migrate::MigrateError),
    Invalid(String),
    /// Opening the database failed; the message is the driver's with the password removed.
    Open(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Database(e) => write!(f, "database: {e}"),
            StoreError::Migration(e) => write!(f, "migration: {e}"),
            StoreError::Invalid(m) | StoreError::Open(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connected, migrated store.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    dialect: Dialect,
    /// The URL the pool connects with (for a dedicated connection, see `integrity_check`).
    url: String,
}

/// A document to publish: its space, its path inside the space, its Markdown.
#[derive(Debug, Clone)]
pub struct Publish<'a> {
    pub space: &'a str,
    pub path: &'a str,
    pub content: &'a str,
    pub by: &'a str,
    /// What the checker knows about the content (one parse, made by the caller): the
    /// document row, the derived index and the findings come from here. The store never
    /// parses Markdown.
    pub facts: &'a DocFacts,
    /// The rendered page body, and the version of the renderer that made it.
    pub html: &'a str,
    /// The rendered side panel (contents, findings).
    pub aside: &'a str,
    pub renderer: &'a str,
    /// Take the status from the front matter (watched folders, service tokens) instead of
    /// the review workflow (people).
    pub trusted_status: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    pub document_id: String,
    pub revision: i64,
    /// False when the content equals the latest revision (publishing is idempotent).
    pub created: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: String,
    pub space: String,
    pub path: String,
    pub doc_key: String,
    pub title: String,
    pub status: String,
    #[sqlx(try_from = "rows::JsonText")]
    pub authors: Vec<String>,
    #[sqlx(try_from = "rows::JsonText")]
    pub tags: Vec<String>,
    pub current_revision: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RevisionRow {
    pub number: i64,
    pub content: String,
    pub hash: String,
    pub published_at: i64,
    pub published_by: String,
    pub findings: String,
    #[serde(skip)]
    pub html: String,
    #[serde(skip)]
    pub aside: String,
    #[serde(skip)]
    pub renderer: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RiskRow {
    #[sqlx(rename = "id")]
    pub document_id: String,
    pub title: String,
    pub risk: String,
    pub impact: String,
    pub likelihood: String,
    pub mitigation: String,
}

/// Filters for listing documents; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct DocFilter {
    pub space: Option<String>,
    pub status: Option<String>,
    /// An author, matched whole and case-insensitively.
    pub author: Option<String>,
    /// A tag, matched whole and case-insensitively.
    pub tag: Option<String>,
    /// Page size (at most [`MAX_LIMIT`]) and start.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// `/{prefix}/space/path` URL of a document (`/doc/...`, `/diff/...`), each path segment percent-encoded.
pub fn doc_url(prefix: &str, space: &str, path: &str) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!("/{prefix}/{}/{}", enc(space), enc(path))
}

/// Milliseconds since the Unix epoch: how the store keeps time.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The SHA-256 of a document's content, as stored with each revision.
pub fn content_hash(content: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// Connects to `sqlite://PATH` (created if missing, WAL mode) or `postgres://...`, and
    /// runs the backend's migrations. `pg_schema` puts the tables in their own schema
    /// (created if missing), for tests and for several hubs sharing one database.
    ///
    /// No error it returns contains the URL's password: drivers echo URLs and their
    /// options in messages, so every failure is scrubbed into [`StoreError::Open`].
    pub async fn open(url: &str, pg_schema: Option<&str>) -> Result<Store> {
        Store::open_unscrubbed(url, pg_schema).await.map_err(|e| match e {
            // Our own messages about a URL already show it redacted.
            StoreError::Invalid(m) => StoreError::Invalid(crate::url::scrub(&m, url)),
            other => StoreError::Open(crate::url::scrub(&other.to_string(), url)),
        })
    }

    async fn open_unscrubbed(url: &str, pg_schema: Option<&str>) -> Result<Store> {
        install_default_drivers();
        let dialect = Dialect::for_url(url)?;
        let url = dialect.connect_url(url);
        let schema = dialect.prepare_schema(&url, pg_schema).await?;
        let pool = AnyPoolOptions::new()
            .max_connections(dialect.max_connections())
            .after_connect(move |conn, _| {
                let schema = schema.clone();
                Box::pin(async move { dialect.on_connect(conn, schema.as_deref()).await })
            })
            .connect(&url)
            .await?;
        dialect.on_open(&pool).await?;
        dialect.migrator().run(&pool).await.map_err(StoreError::Migration)?;
        Ok(Store { pool, dialect, url })
    }

    pub fn backend(&self) -> Backend {
        self.dialect.backend()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Is the database reachable?
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}
