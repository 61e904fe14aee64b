//! The work lists of one person: documents awaiting their review, and documents they may
//! have written (the hub decides who is an author; this narrows the candidates).

use crate::queries::columns;
use crate::{DocumentRow, Result, Store, Visibility};
use sqlx::{AssertSqlSafe, FromRow};

/// Longest work list shown.
const MAX_QUEUE: i64 = 500;

/// Documents in review that the user was asked to review (on any revision: a new
/// revision keeps its reviewers) and has given no verdict on at the current revision.
const AWAITING: &str = "d.status = 'review'
    AND EXISTS (SELECT 1 FROM review_requests r WHERE r.document_id = d.id AND r.reviewer = $1)
    AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.document_id = d.id AND v.revision = d.current_revision AND v.reviewer = $1)";

impl Store {
    /// What waits for `user_id`'s review, longest waiting first.
    pub async fn awaiting_review(&self, user_id: &str, vis: &Visibility) -> Result<Vec<DocumentRow>> {
        let sql = format!(
            "SELECT {} FROM documents d WHERE {AWAITING} AND {} ORDER BY d.updated_at, d.id LIMIT {MAX_QUEUE}",
            columns("d"),
            self.dialect.visible_sql(2, "d.space"),
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(user_id)
            .bind(vis.param())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(DocumentRow::from_row).collect::<sqlx::Result<_>>()?)
    }

    /// How many documents wait for `user_id`'s review (the count in the page header).
    pub async fn count_awaiting_review(&self, user_id: &str, vis: &Visibility) -> Result<i64> {
        let sql = format!(
            "SELECT COUNT(*) FROM documents d WHERE {AWAITING} AND {}",
            self.dialect.visible_sql(2, "d.space"),
        );
        Ok(sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(user_id)
            .bind(vis.param())
            .fetch_one(&self.pool)
            .await?)
    }

    /// Documents `username` published a revision of (in person or through their token), or
    /// whose `authors` contain one of `names` (compared without case), newest first. A
    /// superset: the caller checks each against its rule of who an author is.
    pub async fn documents_by(&self, username: &str, names: &[String], vis: &Visibility) -> Result<Vec<DocumentRow>> {
        // Parameters: $1 visibility, $2 user name, $3 `name (token ...)`, then one per name.
        let named: String = (0..names.len())
            .map(|n| format!(" OR {}", self.dialect.contains_sql("lower(d.authors)", n + 4)))
            .collect();
        let sql = format!(
            "SELECT {} FROM documents d WHERE {} AND (
                EXISTS (SELECT 1 FROM revisions v WHERE v.document_id = d.id AND (v.published_by = $2 OR v.published_by LIKE $3))
                {named})
             ORDER BY d.updated_at DESC, d.id LIMIT {MAX_QUEUE}",
            columns("d"),
            self.dialect.visible_sql(1, "d.space"),
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(vis.param())
            .bind(username.to_string())
            // `%` or `_` in a user name only widen the superset, which the caller narrows.
            .bind(format!("{username} (%"));
        for name in names {
            q = q.bind(name.to_lowercase());
        }
        let rows = q.fetch_all(&self.pool).await?;
        Ok(rows.iter().map(DocumentRow::from_row).collect::<sqlx::Result<_>>()?)
    }
}
