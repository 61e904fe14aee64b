//! Publishing: one transaction per document writes the revision, the document row, the
//! derived index (sections, risks, components, entities, findings, labels) and the search
//! entry. Idempotent (same content, no new revision) and safe when several processes
//! publish the same document at once: a lost race is retried and then sees the winner.

use crate::{Backend, Publish, Published, Result, Store, StoreError, content_hash, now_millis};
use designdoc_check::registers;
use designdoc_model::parse;
use sqlx::{Any, Row, Transaction};
use std::collections::BTreeMap;
use std::time::Duration;

/// How often a publish that lost a race (unique violation, SQLite busy) is retried.
const ATTEMPTS: u32 = 5;

fn retryable(e: &StoreError) -> bool {
    match e {
        StoreError::Database(sqlx::Error::Database(d)) => {
            d.is_unique_violation() || d.message().contains("database is locked") || d.message().contains("busy")
        }
        StoreError::Database(sqlx::Error::PoolTimedOut) => true,
        _ => false,
    }
}

impl Store {
    /// Publishes a document: a new revision when the content changed, nothing otherwise.
    pub async fn publish(&self, p: &Publish<'_>) -> Result<Published> {
        validate_name("space", p.space)?;
        validate_path(p.path)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.publish_once(p).await {
                Err(e) if attempt < ATTEMPTS && retryable(&e) => {
                    tokio::time::sleep(Duration::from_millis(5 << attempt)).await;
                }
                other => return other,
            }
        }
    }

    async fn publish_once(&self, p: &Publish<'_>) -> Result<Published> {
        let (doc, _) = parse(p.content);
        let id = format!("{}:{}", p.space, p.path);
        let content_hash = content_hash(p.content);
        // SQLite: take the write lock up front, so two writers never both read and then
        // fight over upgrading (which fails mid-transaction instead of waiting).
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
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
        let values = |k: &str| doc.meta(k).map(|f| f.values.clone()).unwrap_or_default();
        let (authors, tags) = (values("authors"), values("tags"));
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
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
        .bind(json(&authors))
        .bind(json(&tags))
        .bind(next)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let findings_json = serde_json::to_string(p.findings).unwrap_or_else(|_| "[]".into());
        let row = sqlx::query(
            "INSERT INTO revisions (document_id, number, content, hash, published_at, published_by, front_matter, findings, html, renderer)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&id)
        .bind(next)
        .bind(p.content)
        .bind(&content_hash)
        .bind(now)
        .bind(p.by)
        .bind(serde_json::Value::Object(front).to_string())
        .bind(findings_json)
        .bind(p.html)
        .bind(p.renderer)
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
        for (i, r) in registers::risks(&doc).iter().enumerate() {
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
        for (i, c) in registers::components(&doc).iter().enumerate() {
            sqlx::query(
                "INSERT INTO components (revision_id, ordinal, name, anchor, purpose) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(revision_id)
            .bind(i as i64)
            .bind(&c.name)
            .bind(&c.anchor)
            .bind(&c.purpose)
            .execute(&mut *tx)
            .await?;
        }
        for (i, e) in registers::entities(&doc).iter().enumerate() {
            sqlx::query("INSERT INTO entities (revision_id, ordinal, name, defined) VALUES ($1, $2, $3, $4)")
                .bind(revision_id)
                .bind(i as i64)
                .bind(&e.name)
                .bind(i64::from(e.defined))
                .execute(&mut *tx)
                .await?;
        }
        let mut counts: BTreeMap<(&str, &str), i64> = BTreeMap::new();
        for d in p.findings {
            *counts.entry((d.code, d.level.as_str())).or_default() += 1;
        }
        for ((code, level), count) in counts {
            sqlx::query("INSERT INTO findings (revision_id, code, level, count) VALUES ($1, $2, $3, $4)")
                .bind(revision_id)
                .bind(code)
                .bind(level)
                .bind(count)
                .execute(&mut *tx)
                .await?;
        }
        replace_labels(&mut tx, &id, &authors, &tags).await?;
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
}

/// Authors and tags as rows, lower-cased, so filters are exact and indexed.
async fn replace_labels(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    authors: &[String],
    tags: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM document_labels WHERE document_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let mut seen = std::collections::BTreeSet::new();
    for (kind, list) in [("author", authors), ("tag", tags)] {
        for v in list {
            let v = v.trim().to_lowercase();
            if v.is_empty() || !seen.insert((kind, v.clone())) {
                continue;
            }
            sqlx::query("INSERT INTO document_labels (document_id, kind, value) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(kind)
                .bind(v)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Space names become URL segments: letters, digits, `-`, `_`, `.`; 1 to 100 characters.
pub fn validate_name(what: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "{what} `{name}` must be 1-100 letters, digits, `-`, `_` or `.`, not starting with `.`"
        )))
    }
}

/// Document paths are relative, `/`-separated, without empty, `.` or `..` segments.
pub fn validate_path(path: &str) -> Result<()> {
    let ok = !path.is_empty()
        && path.len() <= 500
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != "..");
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "path `{path}` must be relative, use `/`, and have no empty, `.` or `..` segments"
        )))
    }
}
