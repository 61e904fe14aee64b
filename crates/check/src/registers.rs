//! Cross-document registers read from one document: its risks (rows of tables in risk
//! sections with Risk/Impact/Likelihood/Mitigation columns). Used by the site and the hub.

use designdoc_model::{BlockKind, Document, heading_key};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    pub risk: String,
    pub impact: String,
    pub likelihood: String,
    pub mitigation: String,
}

/// Sort rank of a High/Med/Low value: High first, unknown last.
pub fn rank(value: &str) -> u8 {
    match value.trim().to_lowercase().chars().next() {
        Some('h') => 0,
        Some('m') => 1,
        Some('l') => 2,
        _ => 3,
    }
}

/// Every row of every risk table in the document.
pub fn risks(doc: &Document) -> Vec<Risk> {
    let mut out = Vec::new();
    for s in doc.sections.iter().filter(|s| s.key.contains("risk")) {
        for &bi in &s.blocks {
            let BlockKind::Table(t) = &doc.blocks[bi].kind else {
                continue;
            };
            let col = |name: &str| t.header.iter().position(|c| heading_key(&c.text.text).contains(name));
            let Some(risk) = col("risk") else { continue };
            let (impact, likelihood, mitigation) = (col("impact"), col("likelihood"), col("mitigation"));
            for r in &t.rows {
                let cell = |c: Option<usize>| {
                    c.and_then(|c| r.get(c))
                        .map(|c| c.text.text.trim().to_string())
                        .unwrap_or_default()
                };
                out.push(Risk {
                    risk: cell(Some(risk)),
                    impact: cell(impact),
                    likelihood: cell(likelihood),
                    mitigation: cell(mitigation),
                });
            }
        }
    }
    out
}
