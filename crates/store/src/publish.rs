//! Publishing: one transaction per document writes the revision, the document row, the
//! derived index (sections, risks, components, entities, findings, labels) and the search
//! entry. Idempotent (same content, no new revision) and safe when several processes
//! publish the same document at once: a lost race is retried and then sees the winner.

use crate::{Backend, Publish, Published, Result, Store, StoreError, content_hash, now_millis};
use designdoc_check::registers;
use designdoc_model::parse;
use sqlx::{Any, AssertSqlSafe, Row, Transaction};
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
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                // Publishers of the same document (several instances, parallel CI jobs)
                // queue on a lock for that document instead of racing for the next
                // revision number and failing on the unique key.
                sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))::text AS locked")
                    .bind(&id)
                    .fetch_one(&mut *tx)
                    .await?;
                tx
            }
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
        let current_status: Option<String> = sqlx::query("SELECT status FROM documents WHERE id = $1")
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("status"))
            .transpose()?;
        // From a trusted source (a watched folder, a service token) the front matter's
        // status stands: that repository's own review set it. From a person the hub's
        // workflow owns the status, and the front matter can only ask for draft or review.
        let asked = doc.status().unwrap_or_default();
        let status = if p.trusted_status {
            asked
        } else {
            crate::status_on_publish(current_status.as_deref(), &asked, true)
        };
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
            "INSERT INTO revisions (document_id, number, content, hash, published_at, published_by, front_matter, findings, html, aside, renderer)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
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
        .bind(p.aside)
        .bind(p.renderer)
        .fetch_one(&mut *tx)
        .await?;
        let revision_id: i64 = row.try_get("id")?;
        let rid = Val::Int(revision_id);
        let ord = |i: usize| Val::Int(i as i64);
        let rows: Vec<Vec<Val>> = doc
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    rid,
                    ord(i),
                    Val::Int(i64::from(s.level)),
                    Val::Text(&s.title),
                    Val::Text(&s.anchor),
                ]
            })
            .collect();
        insert_rows(&mut tx, "sections (revision_id, ordinal, level, title, anchor)", &rows).await?;
        let risks = registers::risks(&doc);
        let rows: Vec<Vec<Val>> = risks
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    rid,
                    ord(i),
                    Val::Text(&r.risk),
                    Val::Text(&r.impact),
                    Val::Text(&r.likelihood),
                    Val::Text(&r.mitigation),
                ]
            })
            .collect();
        insert_rows(
            &mut tx,
            "risks (revision_id, ordinal, risk, impact, likelihood, mitigation)",
            &rows,
        )
        .await?;
        let components = registers::components(&doc);
        let rows: Vec<Vec<Val>> = components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                vec![
                    rid,
                    ord(i),
                    Val::Text(&c.name),
                    Val::Text(&c.anchor),
                    Val::Text(&c.purpose),
                ]
            })
            .collect();
        insert_rows(
            &mut tx,
            "components (revision_id, ordinal, name, anchor, purpose)",
            &rows,
        )
        .await?;
        let entities = registers::entities(&doc);
        let rows: Vec<Vec<Val>> = entities
            .iter()
            .enumerate()
            .map(|(i, e)| vec![rid, ord(i), Val::Text(&e.name), Val::Int(i64::from(e.defined))])
            .collect();
        insert_rows(&mut tx, "entities (revision_id, ordinal, name, defined)", &rows).await?;
        let mut counts: BTreeMap<(&str, &str), i64> = BTreeMap::new();
        for d in p.findings {
            *counts.entry((d.code, d.level.as_str())).or_default() += 1;
        }
        let rows: Vec<Vec<Val>> = counts
            .iter()
            .map(|((code, level), n)| vec![rid, Val::Text(code), Val::Text(level), Val::Int(*n)])
            .collect();
        insert_rows(&mut tx, "findings (revision_id, code, level, count)", &rows).await?;
        replace_labels(&mut tx, &id, &authors, &tags).await?;
        let body = &p.content[doc.body_start.min(p.content.len())..];
        match self.backend {
            Backend::Sqlite => {
                let key: i64 = sqlx::query(
                    "INSERT INTO search_keys (doc_id) VALUES ($1) ON CONFLICT (doc_id) DO UPDATE SET doc_id = excluded.doc_id RETURNING key",
                )
                .bind(&id)
                .fetch_one(&mut *tx)
                .await?
                .try_get("key")?;
                sqlx::query("DELETE FROM doc_search WHERE rowid = $1")
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO doc_search (rowid, doc_id, title, body) VALUES ($1, $2, $3, $4)")
                    .bind(key)
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
            if !v.is_empty() {
                seen.insert((kind, v));
            }
        }
    }
    let rows: Vec<Vec<Val>> = seen
        .iter()
        .map(|(kind, v)| vec![Val::Text(id), Val::Text(kind), Val::Text(v)])
        .collect();
    insert_rows(tx, "document_labels (document_id, kind, value)", &rows).await
}

/// A bound value of a multi-row insert.
#[derive(Clone, Copy)]
enum Val<'a> {
    Int(i64),
    Text(&'a str),
}

/// Inserts rows with as few statements as the parameter limits allow: one round trip per
/// few hundred rows instead of one per row (publishing a doc writes dozens of rows).
async fn insert_rows(tx: &mut Transaction<'static, Any>, table: &str, rows: &[Vec<Val<'_>>]) -> Result<()> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    // SQLite allows 32,766 parameters per statement, PostgreSQL 65,535.
    let per_statement = (30_000 / width.max(1)).max(1);
    for chunk in rows.chunks(per_statement) {
        let mut sql = format!("INSERT INTO {table} VALUES ");
        let mut n = 0;
        for (r, _) in chunk.iter().enumerate() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..width {
                n += 1;
                sql.push_str(&format!("{}${n}", if c == 0 { "" } else { ", " }));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            for v in row {
                q = match *v {
                    Val::Int(i) => q.bind(i),
                    Val::Text(t) => q.bind(t.to_string()),
                };
            }
        }
        q.execute(&mut **tx).await?;
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
