//! Reading the hub: documents with filters, revisions, full-text search, the registers and
//! the figures behind `/metrics`. Every user value is a bound parameter.

use crate::dialect::Dialect;
use crate::{DocFilter, DocumentRow, Result, RevisionRow, RiskRow, Store, Visibility};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, FromRow};

/// A space and how many documents it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct SpaceRow {
    pub name: String,
    #[sqlx(rename = "n")]
    pub documents: i64,
    pub created_at: i64,
    /// Only members (and admins) see a private space.
    #[sqlx(try_from = "crate::rows::Flag")]
    pub private: bool,
}

/// A revision without its content, for history lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct RevisionMeta {
    pub number: i64,
    pub hash: String,
    pub published_at: i64,
    pub published_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct ComponentRow {
    #[sqlx(rename = "id")]
    pub document_id: String,
    pub title: String,
    pub name: String,
    pub anchor: String,
    pub purpose: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct EntityRow {
    #[sqlx(rename = "id")]
    pub document_id: String,
    pub title: String,
    pub name: String,
    #[sqlx(try_from = "crate::rows::Flag")]
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

pub(crate) fn columns(alias: &str) -> String {
    DOC_COLUMNS
        .iter()
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `AND`-ed filter and visibility conditions on documents aliased `d`, with parameters
/// `$start..$start+4` bound by [`bind_filter`].
fn filter_clause(dialect: Dialect, start: usize) -> String {
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
        v = dialect.visible_sql(start + 4, "d.space"),
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
            filter_clause(self.dialect, 1)
        );
        let rows = bind_filter(sqlx::query(AssertSqlSafe(sql)), filter, vis)
            .bind(filter.limit.unwrap_or(MAX_LIMIT).clamp(0, MAX_LIMIT))
            .bind(filter.offset.unwrap_or(0).max(0))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(DocumentRow::from_row).collect::<sqlx::Result<_>>()?)
    }

    /// How many documents match the filter (all pages).
    pub async fn count_documents(&self, filter: &DocFilter, vis: &Visibility) -> Result<i64> {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM documents d WHERE {}",
            filter_clause(self.dialect, 1)
        );
        let row = bind_filter(sqlx::query(AssertSqlSafe(sql)), filter, vis)
            .fetch_one(&self.pool)
            .await?;
        Ok(sqlx::Row::try_get(&row, "n")?)
    }

    pub async fn document(&self, id: &str, vis: &Visibility) -> Result<Option<DocumentRow>> {
        if !vis.can_see(space_of(id)) {
            return Ok(None);
        }
        let sql = format!("SELECT {} FROM documents d WHERE d.id = $1", columns("d"));
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn revision(&self, id: &str, number: i64, vis: &Visibility) -> Result<Option<RevisionRow>> {
        if !vis.can_see(space_of(id)) {
            return Ok(None);
        }
        Ok(sqlx::query_as("SELECT number, content, hash, published_at, published_by, findings, html, aside, renderer FROM revisions WHERE document_id = $1 AND number = $2")
            .bind(id)
            .bind(number)
            .fetch_optional(&self.pool)
            .await?)
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
        // One row holds both: the document's columns and the revision's.
        row.map(|r| -> Result<_> { Ok((DocumentRow::from_row(&r)?, RevisionRow::from_row(&r)?)) })
            .transpose()
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
        Ok(
            sqlx::query_as("SELECT number, hash FROM revisions WHERE document_id = $1 ORDER BY number DESC LIMIT 1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Every revision of a document, newest first.
    pub async fn revisions(&self, id: &str, vis: &Visibility) -> Result<Vec<RevisionMeta>> {
        if !vis.can_see(space_of(id)) {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_as(
            "SELECT number, hash, published_at, published_by FROM revisions WHERE document_id = $1 ORDER BY number DESC",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Spaces with their document counts, by name.
    pub async fn spaces(&self, vis: &Visibility) -> Result<Vec<SpaceRow>> {
        let sql = format!(
            "SELECT s.name, s.created_at, s.private, (SELECT COUNT(*) FROM documents d WHERE d.space = s.name) AS n FROM spaces s WHERE {} ORDER BY s.name",
            self.dialect.visible_sql(1, "s.name")
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(vis.param())
            .fetch_all(&self.pool)
            .await?)
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
        let (sql, q) = self
            .dialect
            .search(&columns("d"), &filter_clause(self.dialect, 2), &terms);
        let rows = bind_filter(sqlx::query(AssertSqlSafe(sql)).bind(q), filter, vis)
            .bind(limit)
            .bind(candidates)
            .bind(window)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(DocumentRow::from_row).collect::<sqlx::Result<_>>()?)
    }

    /// Rows of a register table (`risks r`, ...) of the current revision of every visible
    /// document, with the document's id and title.
    async fn register<T>(&self, columns: &str, table: &str, order: &str, vis: &Visibility) -> Result<Vec<T>>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let alias = table.rsplit(' ').next().unwrap_or(table);
        let sql = format!(
            "SELECT d.id, d.title, {columns}
             FROM documents d JOIN revisions v ON v.document_id = d.id AND v.number = d.current_revision
             JOIN {table} ON {alias}.revision_id = v.id WHERE {} ORDER BY {order}",
            self.dialect.visible_sql(1, "d.space")
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(vis.param())
            .fetch_all(&self.pool)
            .await?)
    }

    /// The risk register over the current revision of every document, High impact first.
    pub async fn risks(&self, vis: &Visibility) -> Result<Vec<RiskRow>> {
        let mut out: Vec<RiskRow> = self
            .register(
                "r.risk, r.impact, r.likelihood, r.mitigation",
                "risks r",
                "d.id, r.ordinal",
                vis,
            )
            .await?;
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
        self.register(
            "c.name, c.anchor, c.purpose",
            "components c",
            "LOWER(c.name), d.id",
            vis,
        )
        .await
    }

    /// The entity register over current revisions, by entity name.
    pub async fn entities(&self, vis: &Visibility) -> Result<Vec<EntityRow>> {
        self.register("e.name, e.defined", "entities e", "e.name, d.id", vis)
            .await
    }

    /// Documents by status, findings by rule and the revision count.
    pub async fn figures(&self) -> Result<Figures> {
        let by_status = sqlx::query_as(
            "SELECT status, COUNT(*) AS n, MIN(updated_at) AS oldest FROM documents GROUP BY status ORDER BY status",
        )
        .fetch_all(&self.pool)
        .await?;
        let findings = sqlx::query_as(
            "SELECT f.code, f.level, CAST(SUM(f.count) AS BIGINT) AS n
             FROM documents d JOIN revisions v ON v.document_id = d.id AND v.number = d.current_revision
             JOIN findings f ON f.revision_id = v.id GROUP BY f.code, f.level ORDER BY f.code, f.level",
        )
        .fetch_all(&self.pool)
        .await?;
        let revisions = sqlx::query_scalar("SELECT COUNT(*) AS n FROM revisions")
            .fetch_one(&self.pool)
            .await?;
        Ok(Figures {
            by_status,
            findings,
            revisions,
        })
    }

    /// Checks the database: SQLite's own integrity check, then that every document's
    /// current revision exists and revision numbers have no gaps. Returns the problems.
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        let mut problems = self.dialect.engine_problems(&self.url).await?;
        let rows: Vec<(String, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT d.id, d.current_revision, (SELECT COUNT(*) FROM revisions v WHERE v.document_id = d.id) AS n,
                    (SELECT MAX(number) FROM revisions v WHERE v.document_id = d.id) AS top
             FROM documents d",
        )
        .fetch_all(&self.pool)
        .await?;
        for (id, current, n, top) in rows {
            if top != Some(current) || n != current {
                problems.push(format!(
                    "{id}: current revision {current}, {n} revisions, highest {top:?}"
                ));
            }
        }
        Ok(problems)
    }
}
