//! The hub's database layer. One API over SQLite (embedded default, WAL) and PostgreSQL
//! (teams, several instances), through sqlx's `Any` driver with one migrations folder per
//! backend. Everything that must be consistent lives in the database, never in process
//! memory, so several hub instances can share one PostgreSQL.

mod diff;

pub use diff::{DiffLine, diff_lines};

use designdoc_model::parse;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
// Dynamic SQL here is built only from our own constants and validated schema names;
// every user value is a bound parameter.
use sqlx::{AnyPool, AssertSqlSafe, Row};
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
}

/// A document to publish: its space, its path inside the space, its Markdown.
#[derive(Debug, Clone)]
pub struct Publish<'a> {
    pub space: &'a str,
    pub path: &'a str,
    pub content: &'a str,
    pub by: &'a str,
    /// Findings from the checker, as JSON, stored with the revision.
    pub findings_json: &'a str,
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
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn hash(content: &str) -> String {
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
                "unsupported database URL `{url}` (use sqlite://PATH or postgres://...)"
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
        Ok(Store { pool, backend })
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

    /// Publishes a document: a new revision when the content changed, nothing otherwise.
    /// Atomic: the revision, the document row, the derived index and the search entry are
    /// written in one transaction.
    pub async fn publish(&self, p: &Publish<'_>) -> Result<Published> {
        if p.space.trim().is_empty() || p.path.trim().is_empty() {
            return Err(StoreError::Invalid("space and path must not be empty".to_string()));
        }
        let (doc, _) = parse(p.content);
        let id = format!("{}:{}", p.space, p.path);
        let content_hash = hash(p.content);
        let mut tx = self.pool.begin().await?;
        let latest =
            sqlx::query("SELECT number, hash FROM revisions WHERE document_id = $1 ORDER BY number DESC LIMIT 1")
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?;
        let next = match &latest {
            Some(row) => {
                let number: i64 = row.try_get("number")?;
                let existing: String = row.try_get("hash")?;
                if existing == content_hash {
                    tx.rollback().await?;
                    return Ok(Published {
                        document_id: id,
                        revision: number,
                        created: false,
                    });
                }
                number + 1
            }
            None => 1,
        };
        let now = now_millis();
        let title = doc.title().unwrap_or_else(|| p.path.to_string());
        let status = doc.status().unwrap_or_default();
        let list = |k: &str| {
            serde_json::to_string(&doc.meta(k).map(|f| f.values.clone()).unwrap_or_default())
                .unwrap_or_else(|_| "[]".into())
        };
        let doc_key = doc.meta("id").map(|f| f.first().to_string()).unwrap_or_default();
        let front: serde_json::Map<String, serde_json::Value> = doc
            .front_matter
            .as_ref()
            .map(|fm| fm.entries.iter().map(|e| (e.key.clone(), e.value.clone())).collect())
            .unwrap_or_default();
        sqlx::query("INSERT INTO spaces (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(p.space)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO documents (id, space, path, doc_key, title, status, authors, tags, current_revision, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (id) DO UPDATE SET doc_key = $4, title = $5, status = $6, authors = $7, tags = $8, current_revision = $9, updated_at = $10",
        )
        .bind(&id)
        .bind(p.space)
        .bind(p.path)
        .bind(&doc_key)
        .bind(&title)
        .bind(&status)
        .bind(list("authors"))
        .bind(list("tags"))
        .bind(next)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "INSERT INTO revisions (document_id, number, content, hash, published_at, published_by, front_matter, findings)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&id)
        .bind(next)
        .bind(p.content)
        .bind(&content_hash)
        .bind(now)
        .bind(p.by)
        .bind(serde_json::Value::Object(front).to_string())
        .bind(p.findings_json)
        .fetch_one(&mut *tx)
        .await?;
        let revision_id: i64 = row.try_get("id")?;
        for (i, s) in doc.sections.iter().enumerate() {
            sqlx::query(
                "INSERT INTO sections (revision_id, ordinal, level, title, anchor) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(revision_id)
            .bind(i as i64)
            .bind(i64::from(s.level))
            .bind(&s.title)
            .bind(&s.anchor)
            .execute(&mut *tx)
            .await?;
        }
        for (i, r) in designdoc_check::registers::risks(&doc).iter().enumerate() {
            sqlx::query("INSERT INTO risks (revision_id, ordinal, risk, impact, likelihood, mitigation) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(revision_id)
                .bind(i as i64)
                .bind(&r.risk)
                .bind(&r.impact)
                .bind(&r.likelihood)
                .bind(&r.mitigation)
                .execute(&mut *tx)
                .await?;
        }
        let body = &p.content[doc.body_start.min(p.content.len())..];
        match self.backend {
            Backend::Sqlite => {
                sqlx::query("DELETE FROM doc_search WHERE doc_id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO doc_search (doc_id, title, body) VALUES ($1, $2, $3)")
                    .bind(&id)
                    .bind(&title)
                    .bind(body)
                    .execute(&mut *tx)
                    .await?;
            }
            Backend::Postgres => {
                sqlx::query("UPDATE documents SET search = setweight(to_tsvector('simple', $2), 'A') || to_tsvector('simple', $3) WHERE id = $1")
                    .bind(&id)
                    .bind(&title)
                    .bind(body)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(Published {
            document_id: id,
            revision: next,
            created: true,
        })
    }

    fn document_row(row: &sqlx::any::AnyRow) -> Result<DocumentRow> {
        let list = |k: &str| -> Result<Vec<String>> {
            let s: String = row.try_get(k)?;
            Ok(serde_json::from_str(&s).unwrap_or_default())
        };
        Ok(DocumentRow {
            id: row.try_get("id")?,
            space: row.try_get("space")?,
            path: row.try_get("path")?,
            doc_key: row.try_get("doc_key")?,
            title: row.try_get("title")?,
            status: row.try_get("status")?,
            authors: list("authors")?,
            tags: list("tags")?,
            current_revision: row.try_get("current_revision")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    const DOC_COLUMNS: &'static str =
        "id, space, path, doc_key, title, status, authors, tags, current_revision, updated_at";

    /// Documents, newest update first.
    pub async fn documents(&self, filter: &DocFilter) -> Result<Vec<DocumentRow>> {
        let sql = format!(
            "SELECT {} FROM documents WHERE ($1 = '' OR space = $1) AND ($2 = '' OR status = $2) ORDER BY updated_at DESC, id",
            Self::DOC_COLUMNS
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(filter.space.clone().unwrap_or_default())
            .bind(filter.status.clone().unwrap_or_default())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(Self::document_row).collect()
    }

    pub async fn document(&self, id: &str) -> Result<Option<DocumentRow>> {
        let sql = format!("SELECT {} FROM documents WHERE id = $1", Self::DOC_COLUMNS);
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(Self::document_row).transpose()
    }

    pub async fn revision(&self, id: &str, number: i64) -> Result<Option<RevisionRow>> {
        let row = sqlx::query("SELECT number, content, hash, published_at, published_by, findings FROM revisions WHERE document_id = $1 AND number = $2")
            .bind(id)
            .bind(number)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| -> Result<RevisionRow> {
            Ok(RevisionRow {
                number: r.try_get("number")?,
                content: r.try_get("content")?,
                hash: r.try_get("hash")?,
                published_at: r.try_get("published_at")?,
                published_by: r.try_get("published_by")?,
                findings: r.try_get("findings")?,
            })
        })
        .transpose()
    }

    /// Full-text search over titles and content; best match first.
    pub async fn search(&self, query: &str, limit: i64) -> Result<Vec<DocumentRow>> {
        let terms: Vec<String> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .map(|t| t.to_lowercase())
            .collect();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let cols = Self::DOC_COLUMNS
            .split(", ")
            .map(|c| format!("d.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = match self.backend {
            Backend::Sqlite => {
                // Quoted terms: user text never becomes FTS5 query syntax.
                let q = terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" ");
                let sql = format!(
                    "SELECT {cols} FROM doc_search s JOIN documents d ON d.id = s.doc_id WHERE doc_search MATCH $1 ORDER BY bm25(doc_search, 0.0, 5.0, 1.0) LIMIT $2"
                );
                sqlx::query(AssertSqlSafe(sql))
                    .bind(q)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                let q = terms.join(" ");
                let sql = format!(
                    "SELECT {cols} FROM documents d WHERE d.search @@ plainto_tsquery('simple', $1) ORDER BY ts_rank(d.search, plainto_tsquery('simple', $1)) DESC, d.id LIMIT $2"
                );
                sqlx::query(AssertSqlSafe(sql))
                    .bind(q)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(Self::document_row).collect()
    }

    /// The risk register over the current revision of every document.
    pub async fn risks(&self) -> Result<Vec<RiskRow>> {
        let rows = sqlx::query(
            "SELECT d.id, d.title, r.risk, r.impact, r.likelihood, r.mitigation
             FROM documents d JOIN revisions v ON v.document_id = d.id AND v.number = d.current_revision
             JOIN risks r ON r.revision_id = v.id ORDER BY d.id, r.ordinal",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<RiskRow> = rows
            .iter()
            .map(|r| -> Result<RiskRow> {
                Ok(RiskRow {
                    document_id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    risk: r.try_get("risk")?,
                    impact: r.try_get("impact")?,
                    likelihood: r.try_get("likelihood")?,
                    mitigation: r.try_get("mitigation")?,
                })
            })
            .collect::<Result<_>>()?;
        out.sort_by_key(|r| {
            (
                designdoc_check::registers::rank(&r.impact),
                designdoc_check::registers::rank(&r.likelihood),
            )
        });
        Ok(out)
    }
}
