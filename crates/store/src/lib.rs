//! The hub's database layer. One API over SQLite (embedded default, WAL) and PostgreSQL
//! (teams, several instances), through sqlx's `Any` driver with one migrations folder per
//! backend. Everything that must be consistent lives in the database, never in process
//! memory, so several hub instances can share one PostgreSQL.

mod accounts;
mod diff;
mod publish;
mod queries;
mod reviews;
mod sections;
mod tokens;
mod url;

pub use accounts::{AuditEvent, MIN_PASSWORD, Role, Session, User, Visibility, generate_password};
pub use diff::{DiffLine, diff_lines};
pub use publish::{validate_name, validate_path};
pub use queries::{ComponentRow, EntityRow, Figures, MAX_LIMIT, RevisionMeta, SpaceRow};
pub use reviews::{Comment, Policy, ReviewState, Transition, Verdict, status_on_publish};
pub use sections::SectionRow;
pub use tokens::{TokenInfo, TokenScope};
pub use url::{DatabaseUrl, redact};

use designdoc_check::Diagnostic;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
// Dynamic SQL here is built only from our own constants and validated schema names;
// every user value is a bound parameter.
use sqlx::{AnyPool, AssertSqlSafe};
use std::fmt;

#[derive(Debug)]
pub enum StoreError {
    Database(sqlx::Error),
    Migration(sqlx::migrate::MigrateError),
    Invalid(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Database(e) => write!(f, "database: {e}"),
            StoreError::Migration(e) => write!(f, "migration: {e}"),
            StoreError::Invalid(m) => f.write_str(m),
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
    backend: Backend,
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
    /// Findings from the checker, stored with the revision and counted per rule.
    pub findings: &'a [Diagnostic],
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentRow {
    pub id: String,
    pub space: String,
    pub path: String,
    pub doc_key: String,
    pub title: String,
    pub status: String,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    pub current_revision: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskRow {
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

fn now_millis() -> i64 {
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
    pub async fn open(url: &str, pg_schema: Option<&str>) -> Result<Store> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Invalid(format!(
                "unsupported database URL `{}` (use sqlite://PATH or postgres://...)",
                redact(url)
            )));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_string(),
        };
        let schema = pg_schema.map(str::to_string);
        if let (Backend::Postgres, Some(s)) = (backend, &schema) {
            if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(StoreError::Invalid(format!(
                    "schema name `{s}` must be letters, digits and `_`"
                )));
            }
            let admin = AnyPoolOptions::new().max_connections(1).connect(&url).await?;
            sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {s}")))
                .execute(&admin)
                .await?;
            admin.close().await;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .after_connect(move |conn, _| {
                let schema = schema.clone();
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                            sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut *conn).await?;
                            sqlx::query("PRAGMA synchronous = FULL").execute(&mut *conn).await?;
                        }
                        Backend::Postgres => {
                            if let Some(s) = schema {
                                sqlx::query(AssertSqlSafe(format!("SET search_path TO {s}")))
                                    .execute(&mut *conn)
                                    .await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        if backend == Backend::Sqlite {
            // Persistent for the database file: readers never block the writer.
            sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
        }
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        migrator.run(&pool).await.map_err(StoreError::Migration)?;
        Ok(Store { pool, backend, url })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Is the database reachable?
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}
