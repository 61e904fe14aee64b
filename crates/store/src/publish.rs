//! Publishing: one transaction per document writes the revision, the document row, the
//! derived index (sections, risks, components, entities, findings, labels) and the search
//! entry. Idempotent (same content, no new revision) and safe when several processes
//! publish the same document at once: a lost race is retried and then sees the winner.

use crate::{Publish, Published, Result, Store, StoreError, content_hash, now_millis};
use designdoc_check::DocFacts;
use sqlx::{Any, AssertSqlSafe, Transaction};
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
        let id = format!("{}:{}", p.space, p.path);
        let hash = content_hash(p.content);
        let mut tx = self.dialect.begin_publish(&self.pool, &id).await?;
        let next = match next_revision(&mut tx, &id, &hash).await? {
            Next::Unchanged(revision) => {
                tx.rollback().await?;
                return Ok(Published {
                    document_id: id,
                    revision,
                    created: false,
                });
            }
            Next::Number(n) => n,
        };
        let new = NewRevision {
            p,
            id: &id,
            number: next,
            hash: &hash,
            now: now_millis(),
        };
        let header = write_document(&mut tx, &new).await?;
        let revision_id = write_revision(&mut tx, &new).await?;
        write_derived(&mut tx, revision_id, p.facts).await?;
        replace_labels(&mut tx, &id, &header.authors, &header.tags).await?;
        let body = p.content.get(p.facts.body_start..).unwrap_or(p.content);
        self.dialect.index_search(&mut tx, &id, &header.title, body).await?;
        tx.commit().await?;
        Ok(Published {
            document_id: id,
            revision: next,
            created: true,
        })
    }
}

/// The revision a publish makes, or the existing one its content equals.
enum Next {
    Unchanged(i64),
    Number(i64),
}

/// Under the publish lock: the latest revision decides the next number, or that nothing
/// changed (publishing is idempotent).
async fn next_revision(tx: &mut Transaction<'static, Any>, id: &str, hash: &str) -> Result<Next> {
    let latest: Option<(i64, String)> =
        sqlx::query_as("SELECT number, hash FROM revisions WHERE document_id = $1 ORDER BY number DESC LIMIT 1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(match latest {
        Some((number, existing)) if existing == hash => Next::Unchanged(number),
        Some((number, _)) => Next::Number(number + 1),
        None => Next::Number(1),
    })
}

/// The revision a publish writes, and what it is made from.
struct NewRevision<'a> {
    p: &'a Publish<'a>,
    id: &'a str,
    number: i64,
    hash: &'a str,
    now: i64,
}

/// What the document row says about the document, also needed for labels and search.
struct Header {
    title: String,
    authors: Vec<String>,
    tags: Vec<String>,
}

/// Creates the space if needed and writes the document row for the new revision, with
/// the status the publish leaves it in.
async fn write_document(tx: &mut Transaction<'static, Any>, new: &NewRevision<'_>) -> Result<Header> {
    let facts = &new.p.facts.header;
    let title = facts.title.clone();
    let current_status: Option<String> = sqlx::query_scalar("SELECT status FROM documents WHERE id = $1")
        .bind(new.id)
        .fetch_optional(&mut **tx)
        .await?;
    // From a trusted source (a watched folder, a service token) the front matter's
    // status stands: that repository's own review set it. From a person the hub's
    // workflow owns the status, and the front matter can only ask for draft or review.
    let asked = facts.status_key();
    let status = if new.p.trusted_status {
        crate::status_on_trusted_publish(current_status.as_deref(), &asked)
    } else {
        crate::status_on_publish(current_status.as_deref(), &asked, true)
    };
    // A publish that moves a document the hub knows records why, like the workflow does.
    if let Some(from) = current_status.as_deref()
        && from != status
    {
        sqlx::query(
            "INSERT INTO status_changes (document_id, revision, from_status, to_status, reason, actor, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new.id)
        .bind(new.number)
        .bind(from)
        .bind(&status)
        .bind(format!("revision {} published", new.number))
        .bind(new.p.by)
        .bind(new.now)
        .execute(&mut **tx)
        .await?;
        // The space's webhooks hear of it in the same transaction. No e-mail goes out for
        // it: who the authors are is the hub's rule, which the store does not know.
        let notice = crate::Notice {
            to: crate::NoticeTo::SpaceWebhooks(new.p.space.to_string()),
            event: "status.changed".to_string(),
            document: new.id.to_string(),
            payload: serde_json::json!({
                "event": "status.changed",
                "document": {
                    "id": new.id,
                    "space": new.p.space,
                    "path": new.p.path,
                    "title": facts.title,
                    "status": status,
                    "page": format!("{}#review", crate::doc_url("doc", new.p.space, new.p.path)),
                },
                "revision": new.number,
                "actor": new.p.by,
                "at": new.now,
                "from": from,
                "to": status,
                "reason": format!("revision {} published", new.number),
            }),
        };
        notice.enqueue(tx, &serde_json::Value::Null).await?;
    }
    let (authors, tags) = (facts.authors.clone(), facts.tags.clone());
    let doc_key = facts.id.clone().unwrap_or_default();
    sqlx::query("INSERT INTO spaces (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(new.p.space)
        .bind(new.now)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO documents (id, space, path, doc_key, title, status, authors, tags, current_revision, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET doc_key = $4, title = $5, status = $6, authors = $7, tags = $8, current_revision = $9, updated_at = $10",
    )
    .bind(new.id)
    .bind(new.p.space)
    .bind(new.p.path)
    .bind(&doc_key)
    .bind(&title)
    .bind(&status)
    .bind(json_list(&authors))
    .bind(json_list(&tags))
    .bind(new.number)
    .bind(new.now)
    .execute(&mut **tx)
    .await?;
    Ok(Header { title, authors, tags })
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// Writes the revision (content, front matter, findings, rendered page); its row id.
async fn write_revision(tx: &mut Transaction<'static, Any>, new: &NewRevision<'_>) -> Result<i64> {
    let front: serde_json::Map<String, serde_json::Value> = new.p.facts.front_matter.iter().cloned().collect();
    let findings = serde_json::to_string(&new.p.facts.findings).unwrap_or_else(|_| "[]".into());
    let gate = serde_json::to_string(&new.p.facts.review_errors).unwrap_or_else(|_| "[]".into());
    Ok(sqlx::query_scalar(
        "INSERT INTO revisions (document_id, number, content, hash, published_at, published_by, front_matter, findings, html, aside, renderer, gate, gate_known)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1) RETURNING id",
    )
    .bind(new.id)
    .bind(new.number)
    .bind(new.p.content)
    .bind(new.hash)
    .bind(new.now)
    .bind(new.p.by)
    .bind(serde_json::Value::Object(front).to_string())
    .bind(findings)
    .bind(new.p.html)
    .bind(new.p.aside)
    .bind(new.p.renderer)
    .bind(gate)
    .fetch_one(&mut **tx)
    .await?)
}

/// The derived index of a revision: sections, the registers (risks, components,
/// entities) and the findings counted per rule and level.
async fn write_derived(tx: &mut Transaction<'static, Any>, revision_id: i64, facts: &DocFacts) -> Result<()> {
    for (table, rows) in derived_rows(revision_id, facts) {
        insert_rows(tx, table, &rows).await?;
    }
    Ok(())
}

/// The rows of [`write_derived`], per table (with its column list).
fn derived_rows(revision_id: i64, facts: &DocFacts) -> Vec<(&'static str, Vec<Vec<Val>>)> {
    let text = |t: &str| Val::Text(t.to_string());
    let sections = numbered(revision_id, &facts.sections, |s| {
        vec![Val::Int(i64::from(s.level)), text(&s.title), text(&s.anchor)]
    });
    let risks = numbered(revision_id, &facts.risks, |r| {
        vec![text(&r.risk), text(&r.impact), text(&r.likelihood), text(&r.mitigation)]
    });
    let components = numbered(revision_id, &facts.components, |c| {
        vec![text(&c.name), text(&c.anchor), text(&c.purpose)]
    });
    let entities = numbered(revision_id, &facts.entities, |e| {
        vec![text(&e.name), Val::Int(i64::from(e.defined))]
    });
    let mut counts: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for d in &facts.findings {
        *counts.entry((d.code, d.level.as_str())).or_default() += 1;
    }
    let counts = counts
        .iter()
        .map(|((code, level), n)| vec![Val::Int(revision_id), text(code), text(level), Val::Int(*n)])
        .collect();
    vec![
        ("sections (revision_id, ordinal, level, title, anchor)", sections),
        (
            "risks (revision_id, ordinal, risk, impact, likelihood, mitigation)",
            risks,
        ),
        ("components (revision_id, ordinal, name, anchor, purpose)", components),
        ("entities (revision_id, ordinal, name, defined)", entities),
        ("findings (revision_id, code, level, count)", counts),
    ]
}

/// Rows of a revision's ordered items: the revision id, the item's ordinal, its cells.
fn numbered<T>(revision_id: i64, items: &[T], cells: impl Fn(&T) -> Vec<Val>) -> Vec<Vec<Val>> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| [vec![Val::Int(revision_id), Val::Int(i as i64)], cells(item)].concat())
        .collect()
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
        .into_iter()
        .map(|(kind, v)| vec![Val::Text(id.to_string()), Val::Text(kind.to_string()), Val::Text(v)])
        .collect();
    insert_rows(tx, "document_labels (document_id, kind, value)", &rows).await
}

/// A bound value of a multi-row insert.
#[derive(Clone)]
enum Val {
    Int(i64),
    Text(String),
}

/// Inserts rows with as few statements as the parameter limits allow: one round trip per
/// few hundred rows instead of one per row (publishing a doc writes dozens of rows).
async fn insert_rows(tx: &mut Transaction<'static, Any>, table: &str, rows: &[Vec<Val>]) -> Result<()> {
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
                q = match v {
                    Val::Int(i) => q.bind(*i),
                    Val::Text(t) => q.bind(t.clone()),
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
