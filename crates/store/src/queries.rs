//! Reading the hub: documents with filters, revisions, full-text search, the registers and
//! the figures behind `/metrics`. Every user value is a bound parameter.

use crate::accounts::visible_sql;
use crate::{Backend, DocFilter, DocumentRow, Result, RevisionRow, RiskRow, Store, Visibility};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Connection, Row};

/// A space and how many documents it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpaceRow {
    pub name: String,
    pub documents: i64,
    pub created_at: i64,
    /// Only members (and admins) see a private space.
    pub private: bool,
}

/// A revision without its content, for history lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevisionMeta {
    pub number: i64,
    pub hash: String,
    pub published_at: i64,
    pub published_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentRow {
    pub document_id: String,
    pub title: String,
    pub name: String,
    pub anchor: String,
    pub purpose: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityRow {
    pub document_id: String,
    pub title: String,
    pub name: String,
    pub defined: bool,
}

/// Aggregates for `/metrics`, read from the database so every instance reports the same.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// (status, documents, oldest `updated_at` in ms)
    pub by_status: Vec<(String, i64, i64)>,
    /// (rule code, level, findings) over current revisions.
    pub findings: Vec<(String, String, i64)>,
    pub revisions: i64,
}

const DOC_COLUMNS: [&str; 10] = [
    "id",
    "space",
    "path",
    "doc_key",
    "title",
    "status",
    "authors",
    "tags",
    "current_revision",
    "updated_at",
];

fn columns(alias: &str) -> String {
    DOC_COLUMNS
        .iter()
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `AND`-ed filter and visibility conditions on documents aliased `d`, with parameters
/// `$start..$start+4` bound by [`bind_filter`].
fn filter_clause(backend: Backend, start: usize) -> String {
    let label = |kind: &str, n: usize| {
        format!(
            "(${n} = '' OR EXISTS (SELECT 1 FROM document_labels l WHERE l.document_id = d.id AND l.kind = '{kind}' AND l.value = ${n}))"
        )
    };
    format!(
        "(${s} = '' OR d.space = ${s}) AND (${t} = '' OR d.status = ${t}) AND {a} AND {g} AND {v}",
        s = start,
        t = start + 1,
        a = label("author", start + 2),
        g = label("tag", start + 3),
        v = visible_sql(backend, start + 4, "d.space"),
    )
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

fn bind_filter<'q>(q: AnyQuery<'q>, f: &DocFilter, vis: &Visibility) -> AnyQuery<'q> {
    let norm = |v: &Option<String>| v.as_deref().map(|s| s.trim().to_lowercase()).unwrap_or_default();
    q.bind(f.space.clone().unwrap_or_default())
        .bind(f.status.clone().unwrap_or_default())
        .bind(norm(&f.author))
        .bind(norm(&f.tag))
        .bind(vis.param())
}

/// The space of a document id (`space:path`).
fn space_of(id: &str) -> &str {
    id.split_once(':').map_or(id, |(s, _)| s)
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

fn revision_row(r: &sqlx::any::AnyRow) -> Result<RevisionRow> {
    Ok(RevisionRow {
        number: r.try_get("number")?,
        content: r.try_get("content")?,
        hash: r.try_get("hash")?,
        published_at: r.try_get("published_at")?,
        published_by: r.try_get("published_by")?,
        findings: r.try_get("findings")?,
        html: r.try_get("html")?,
        aside: r.try_get("aside")?,
        renderer: r.try_get("renderer")?,
    })
}

/// Unfiltered searches rank at most this many of the newest matching documents: on SQLite
/// the most recently first published, on PostgreSQL the most recently updated.
pub const RANK_WINDOW: i64 = 1000;

/// Longest page a list may ask for.
pub const MAX_LIMIT: i64 = 1000;

impl Store {
    /// Documents matching the filter, newest update first, one page of them.
    pub async fn documents(&self, filter: &DocFilter, vis: &Visibility) -> Result<Vec<DocumentRow>> {
        let sql = format!(
            "SELECT {} FROM documents d WHERE {} ORDER BY d.updated_at DESC, d.id LIMIT $6 OFFSET $7",
            columns("d"),
            filter_clause(self.backend, 1)
        );
        let rows = bind_filter(sqlx::query(AssertSqlSafe(sql)), filter, vis)
            .bind(filter.limit.unwrap_or(MAX_LIMIT).clamp(0, MAX_LIMIT))
            .bind(filter.offset.unwrap_or(0).max(0))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(document_row).collect()
    }

    /// How many documents match the filter (all pages).
    pub async fn count_documents(&self, filter: &DocFilter, vis: &Visibility) -> Result<i64> {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM documents d WHERE {}",
            filter_clause(self.backend, 1)
        );
        let row = bind_filter(sqlx::query(AssertSqlSafe(sql)), filter, vis)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    pub async fn document(&self, id: &str, vis: &Visibility) -> Result<Option<DocumentRow>> {
        if !vis.can_see(space_of(id)) {
            return Ok(None);
        }
        let sql = format!("SELECT {} FROM documents d WHERE d.id = $1", columns("d"));
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(document_row).transpose()
    }

    pub async fn revision(&self, id: &str, number: i64, vis: &Visibility) -> Result<Option<RevisionRow>> {
        if !vis.can_see(space_of(id)) {
            return Ok(None);
        }
        let row = sqlx::query("SELECT number, content, hash, published_at, published_by, findings, html, aside, renderer FROM revisions WHERE document_id = $1 AND number = $2")
            .bind(id)
            .bind(number)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(revision_row).transpose()
    }

    /// A document and its current revision in one query (the doc page).
    pub async fn current(&self, id: &str, vis: &Visibility) -> Result<Option<(DocumentRow, RevisionRow)>> {
        if !vis.can_see(space_of(id)) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {}, v.number, v.content, v.hash, v.published_at, v.published_by, v.findings, v.html, v.aside, v.renderer
             FROM documents d JOIN revisions v ON v.document_id = d.id AND v.number = d.current_revision WHERE d.id = $1",
            columns("d")
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((document_row(&r)?, revision_row(&r)?))).transpose()
    }

    /// Replaces a revision's rendered page (after a renderer upgrade).
    pub async fn set_html(&self, id: &str, number: i64, html: &str, aside: &str, renderer: &str) -> Result<()> {
        sqlx::query("UPDATE revisions SET html = $1, aside = $2, renderer = $3 WHERE document_id = $4 AND number = $5")
            .bind(html)
            .bind(aside)
            .bind(renderer)
            .bind(id)
            .bind(number)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The number and hash of a document's latest revision, to skip work when nothing
    /// changed.
    pub async fn latest_revision(&self, id: &str) -> Result<Option<(i64, String)>> {
        let row = sqlx::query("SELECT number, hash FROM revisions WHERE document_id = $1 ORDER BY number DESC LIMIT 1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get("number")?, r.try_get("hash")?))).transpose()
    }

    /// Every revision of a document, newest first.
    pub async fn revisions(&self, id: &str, vis: &Visibility) -> Result<Vec<RevisionMeta>> {
        if !vis.can_see(space_of(id)) {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT number, hash, published_at, published_by FROM revisions WHERE document_id = $1 ORDER BY number DESC",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| -> Result<RevisionMeta> {
                Ok(RevisionMeta {
                    number: r.try_get("number")?,
                    hash: r.try_get("hash")?,
                    published_at: r.try_get("published_at")?,
                    published_by: r.try_get("published_by")?,
                })
            })
            .collect()
    }

    /// Spaces with their document counts, by name.
    pub async fn spaces(&self, vis: &Visibility) -> Result<Vec<SpaceRow>> {
        let sql = format!(
            "SELECT s.name, s.created_at, s.private, (SELECT COUNT(*) FROM documents d WHERE d.space = s.name) AS n FROM spaces s WHERE {} ORDER BY s.name",
            visible_sql(self.backend, 1, "s.name")
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(vis.param())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| -> Result<SpaceRow> {
                let private: i64 = r.try_get("private")?;
                Ok(SpaceRow {
                    name: r.try_get("name")?,
                    documents: r.try_get("n")?,
                    created_at: r.try_get("created_at")?,
                    private: private != 0,
                })
            })
            .collect()
    }

    /// Full-text search over titles and content within the filter; best match first.
    pub async fn search(&self, query: &str, filter: &DocFilter, vis: &Visibility) -> Result<Vec<DocumentRow>> {
        let terms: Vec<String> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .take(32)
            .map(|t| t.to_lowercase())
            .collect();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let limit = filter.limit.unwrap_or(50).clamp(0, MAX_LIMIT);
        // Rank inside the full-text index and join only the top matches: ranking is the
        // cost, joining every match first made common words ten times slower. Without
        // filters, a word in thousands of docs is ranked among its RANK_WINDOW newest
        // matches (found without ranking), which bounds the cost. With filters,
        // every match is ranked, so a filter never hides a match.
        let unfiltered = [&filter.space, &filter.status, &filter.author, &filter.tag]
            .iter()
            .all(|v| v.as_deref().is_none_or(|s| s.trim().is_empty()));
        let (candidates, window) = if unfiltered {
            (limit, RANK_WINDOW)
        } else {
            (i64::MAX, i64::MAX)
        };
        let (sql, q) = match self.backend {
            Backend::Sqlite => (
                // Quoted terms: user text never becomes FTS5 query syntax. `rank` is bm25
                // with the title weighted 5x (migrations 0003 and 0004); rowids are search
                // keys in publish order.
                format!(
                    "SELECT {cols} FROM (SELECT doc_id, rank FROM doc_search WHERE doc_search MATCH $1 AND {vis}
                       AND rowid >= COALESCE((SELECT MIN(rowid) FROM (SELECT rowid FROM doc_search WHERE doc_search MATCH $1 AND {vis} ORDER BY rowid DESC LIMIT $9)), 0)
                       ORDER BY rank LIMIT $8) s
                     JOIN documents d ON d.id = s.doc_id WHERE {filter} ORDER BY s.rank, d.id LIMIT $7",
                    cols = columns("d"),
                    // Hidden spaces are dropped before ranking and windowing, so they
                    // neither show nor crowd out (or reveal themselves by crowding out)
                    // visible matches.
                    vis = visible_sql(self.backend, 6, "substr(doc_id, 1, instr(doc_id, ':') - 1)"),
                    filter = filter_clause(self.backend, 2)
                ),
                terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" "),
            ),
            Backend::Postgres => (
                // The window here is the most recently updated matches.
                format!(
                    "SELECT {cols} FROM (SELECT id, ts_rank(search, plainto_tsquery('simple', $1)) AS score FROM (
                         SELECT id, search FROM documents WHERE search @@ plainto_tsquery('simple', $1) AND {vis}
                         ORDER BY updated_at DESC, id LIMIT $9) w
                       ORDER BY score DESC, id LIMIT $8) s
                     JOIN documents d ON d.id = s.id WHERE {filter} ORDER BY s.score DESC, d.id LIMIT $7",
                    cols = columns("d"),
                    vis = visible_sql(self.backend, 6, "space"),
                    filter = filter_clause(self.backend, 2)
                ),
                terms.join(" "),
            ),
        };
        let rows = bind_filter(sqlx::query(AssertSqlSafe(sql)).bind(q), filter, vis)
            .bind(limit)
            .bind(candidates)
            .bind(window)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(document_row).collect()
    }

    /// Rows of a register table (`risks r`, ...) of the current revision of every visible
    /// document, with the document's id and title.
    async fn register(
        &self,
        columns: &str,
        table: &str,
        order: &str,
        vis: &Visibility,
    ) -> Result<Vec<sqlx::any::AnyRow>> {
        let alias = table.rsplit(' ').next().unwrap_or(table);
        let sql = format!(
            "SELECT d.id, d.title, {columns}
             FROM documents d JOIN revisions v ON v.document_id = d.id AND v.number = d.current_revision
             JOIN {table} ON {alias}.revision_id = v.id WHERE {} ORDER BY {order}",
            visible_sql(self.backend, 1, "d.space")
        );
        Ok(sqlx::query(AssertSqlSafe(sql))
            .bind(vis.param())
            .fetch_all(&self.pool)
            .await?)
    }

    /// The risk register over the current revision of every document, High impact first.
    pub async fn risks(&self, vis: &Visibility) -> Result<Vec<RiskRow>> {
        let rows = self
            .register(
                "r.risk, r.impact, r.likelihood, r.mitigation",
                "risks r",
                "d.id, r.ordinal",
                vis,
            )
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

    /// The component register over current revisions, by component name.
    pub async fn components(&self, vis: &Visibility) -> Result<Vec<ComponentRow>> {
        let rows = self
            .register(
                "c.name, c.anchor, c.purpose",
                "components c",
                "LOWER(c.name), d.id",
                vis,
            )
            .await?;
        rows.iter()
            .map(|r| -> Result<ComponentRow> {
                Ok(ComponentRow {
                    document_id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    name: r.try_get("name")?,
                    anchor: r.try_get("anchor")?,
                    purpose: r.try_get("purpose")?,
                })
            })
            .collect()
    }

    /// The entity register over current revisions, by entity name.
    pub async fn entities(&self, vis: &Visibility) -> Result<Vec<EntityRow>> {
        let rows = self
            .register("e.name, e.defined", "entities e", "e.name, d.id", vis)
            .await?;
        rows.iter()
            .map(|r| -> Result<EntityRow> {
                let defined: i64 = r.try_get("defined")?;
                Ok(EntityRow {
                    document_id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    name: r.try_get("name")?,
                    defined: defined != 0,
                })
            })
            .collect()
    }

    /// Documents by status, findings by rule and the revision count.
    pub async fn figures(&self) -> Result<Figures> {
        let by_status = sqlx::query(
            "SELECT status, COUNT(*) AS n, MIN(updated_at) AS oldest FROM documents GROUP BY status ORDER BY status",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| -> Result<(String, i64, i64)> { Ok((r.try_get("status")?, r.try_get("n")?, r.try_get("oldest")?)) })
        .collect::<Result<_>>()?;
        let findings = sqlx::query(
            "SELECT f.code, f.level, CAST(SUM(f.count) AS BIGINT) AS n
             FROM documents d JOIN revisions v ON v.document_id = d.id AND v.number = d.current_revision
             JOIN findings f ON f.revision_id = v.id GROUP BY f.code, f.level ORDER BY f.code, f.level",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| -> Result<(String, String, i64)> { Ok((r.try_get("code")?, r.try_get("level")?, r.try_get("n")?)) })
        .collect::<Result<_>>()?;
        let revisions = sqlx::query("SELECT COUNT(*) AS n FROM revisions")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        Ok(Figures {
            by_status,
            findings,
            revisions,
        })
    }

    /// Checks the database: SQLite's own integrity check, then that every document's
    /// current revision exists and revision numbers have no gaps. Returns the problems.
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        if self.backend == Backend::Sqlite {
            // On its own connection: SQLite 3.51's FTS5 check reports a checksum mismatch
            // on the connection that just rewrote an FTS row, while every other connection
            // (and the sqlite3 shell) finds the same file intact.
            let mut conn = sqlx::AnyConnection::connect(&self.url).await?;
            for r in sqlx::query("PRAGMA integrity_check").fetch_all(&mut conn).await? {
                let line: String = r.try_get(0)?;
                if line != "ok" {
                    problems.push(line);
                }
            }
            for r in sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut conn).await? {
                let table: String = r.try_get(0)?;
                problems.push(format!("foreign key violation in {table}"));
            }
        }
        let rows = sqlx::query(
            "SELECT d.id, d.current_revision, (SELECT COUNT(*) FROM revisions v WHERE v.document_id = d.id) AS n,
                    (SELECT MAX(number) FROM revisions v WHERE v.document_id = d.id) AS top
             FROM documents d",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            let (id, current, n, top): (String, i64, i64, Option<i64>) = (
                r.try_get("id")?,
                r.try_get("current_revision")?,
                r.try_get("n")?,
                r.try_get("top")?,
            );
            if top != Some(current) || n != current {
                problems.push(format!(
                    "{id}: current revision {current}, {n} revisions, highest {top:?}"
                ));
            }
        }
        Ok(problems)
    }
}
