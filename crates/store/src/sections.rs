//! Reading a revision's sections back: the anchors and titles stored at publish, so pages
//! and the review workflow never parse the Markdown again.

use crate::{Result, Store};
use serde::Serialize;
use sqlx::Row;

/// One heading of a stored revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionRow {
    pub level: i64,
    pub title: String,
    pub anchor: String,
}

impl Store {
    /// The sections of revision `number` of document `id`, in document order.
    pub async fn sections(&self, id: &str, number: i64) -> Result<Vec<SectionRow>> {
        let rows = sqlx::query(
            "SELECT s.level, s.title, s.anchor FROM sections s JOIN revisions v ON v.id = s.revision_id
             WHERE v.document_id = $1 AND v.number = $2 ORDER BY s.ordinal",
        )
        .bind(id)
        .bind(number)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SectionRow {
                    level: r.try_get("level")?,
                    title: r.try_get("title")?,
                    anchor: r.try_get("anchor")?,
                })
            })
            .collect()
    }

    /// Whether revision `number` of document `id` has a section with this anchor.
    pub async fn has_section(&self, id: &str, number: i64, anchor: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS found FROM sections s JOIN revisions v ON v.id = s.revision_id
             WHERE v.document_id = $1 AND v.number = $2 AND s.anchor = $3",
        )
        .bind(id)
        .bind(number)
        .bind(anchor)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }
}
