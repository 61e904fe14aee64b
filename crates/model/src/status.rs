//! The one status vocabulary of design documents: the canonical statuses as [`Status`],
//! and the spellings real ADR, MADR, KEP, PEP, RFC and Google-style docs use for them.
//! The checker, the site, the store and the hub all read statuses through here.

use std::fmt;

/// A design document's place in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Review,
    Approved,
    Rejected,
    Superseded,
    Implemented,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 6] = [
        Status::Draft,
        Status::Review,
        Status::Approved,
        Status::Rejected,
        Status::Superseded,
        Status::Implemented,
    ];

    /// The canonical spelling (`approved`), as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Review => "review",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Superseded => "superseded",
            Status::Implemented => "implemented",
        }
    }

    /// What a value in front matter means: a canonical status or an alias, alone or with a
    /// qualifier (`Superseded by ADR-0005`, `Accepted (2024-03-01)`). `None` when it names
    /// no status.
    pub fn parse(value: &str) -> Option<Status> {
        canonical_status(value).and_then(|s| s.parse().ok())
    }

    /// Must a document with this status be complete? Drafts and closed docs (rejected,
    /// superseded) may have gaps; review, approved and implemented may not.
    pub fn is_strict(self) -> bool {
        matches!(self, Status::Review | Status::Approved | Status::Implemented)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The exact canonical spelling only (what the store holds); [`Status::parse`] reads
/// what people write.
impl std::str::FromStr for Status {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Status, UnknownStatus> {
        Status::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_string()))
    }
}

/// A string that is not a canonical status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStatus(pub String);

impl fmt::Display for UnknownStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown status `{}` (expected one of {})",
            self.0,
            STATUSES.join(", ")
        )
    }
}

impl std::error::Error for UnknownStatus {}

/// Every canonical status a design document may have, in lifecycle order.
pub const STATUSES: &[&str] = &["draft", "review", "approved", "rejected", "superseded", "implemented"];

/// Spellings accepted silently as a canonical status, compared after [`normalize_status`]
/// (lowercase, `-`/`_` as spaces). Where two conventions disagree the less strict reading
/// wins: reading a document as stricter than it is turns warnings into false errors.
pub const STATUS_ALIASES: &[(&str, &str)] = &[
    // Being written. KEP `provisional` is still being defined (PEP's provisional
    // acceptance reads as a draft too: it may still change). PEP/KEP `deferred` and Rust's
    // `postponed` may be picked up again.
    ("wip", "draft"),
    ("work in progress", "draft"),
    ("in progress", "draft"),
    ("provisional", "draft"),
    ("deferred", "draft"),
    ("postponed", "draft"),
    // Open for review (MADR `proposed`, Google-style `in review`).
    ("proposed", "review"),
    ("in review", "review"),
    ("under review", "review"),
    ("ready for review", "review"),
    ("final comment period", "review"),
    ("fcp", "review"),
    // Decided (MADR/PEP `accepted`, KEP `implementable`, PEP `active` for process PEPs).
    ("accepted", "approved"),
    ("implementable", "approved"),
    ("active", "approved"),
    // Closed without being adopted (KEP/PEP `withdrawn`).
    ("withdrawn", "rejected"),
    ("declined", "rejected"),
    ("abandoned", "rejected"),
    // No longer current (MADR `deprecated`, KEP `replaced`).
    ("deprecated", "superseded"),
    ("replaced", "superseded"),
    ("obsolete", "superseded"),
    // Built (PEP `final`).
    ("final", "implemented"),
    ("shipped", "implemented"),
    ("released", "implemented"),
    ("done", "implemented"),
    ("complete", "implemented"),
    ("completed", "implemented"),
];

/// Lowercase, `-`/`_` read as spaces, runs of spaces collapsed, emphasis and quotes
/// around the value dropped: `In-Review`, `**in review**` and `"In Review"` compare equal.
pub fn normalize_status(s: &str) -> String {
    let s = s
        .trim()
        .trim_matches(['*', '_', '`', '"', '\'', ' '])
        .to_lowercase()
        .replace(['-', '_'], " ");
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The canonical status a value means: a canonical status or an alias, written alone or
/// followed by a qualifier (`Superseded by ADR-0005`, `Accepted (2024-03-01)`,
/// `Implemented in 1.50`). `None` when the value names no status of the table.
pub fn canonical_status(value: &str) -> Option<&'static str> {
    let s = normalize_status(value);
    // A leading emoji or bullet is decoration: `✅ Accepted`.
    let s = s.trim_start_matches(|c: char| !c.is_alphanumeric());
    if let Some(known) = lookup(s) {
        return Some(known);
    }
    // The words before the first non-letter: `superseded by adr` of `superseded by adr 5`.
    let head_end = s.find(|c: char| !(c.is_alphabetic() || c == ' ')).unwrap_or(s.len());
    let words: Vec<&str> = s[..head_end].split_whitespace().collect();
    // Longest first, so `final comment period` is not read as `final`.
    (1..=words.len().min(3))
        .rev()
        .find_map(|n| lookup(&words[..n].join(" ")))
}

fn lookup(s: &str) -> Option<&'static str> {
    STATUSES
        .iter()
        .find(|&&c| c == s)
        .copied()
        .or_else(|| STATUS_ALIASES.iter().find(|(a, _)| *a == s).map(|(_, c)| *c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_spellings_round_trip() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
            assert_eq!(s.to_string(), s.as_str());
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(STATUSES, Status::ALL.map(Status::as_str));
        assert!("Approved".parse::<Status>().is_err(), "the store holds exact spellings");
        assert_eq!(Status::parse("Accepted"), Some(Status::Approved));
    }

    #[test]
    fn aliases_and_qualifiers() {
        assert_eq!(canonical_status("In-Review"), Some("review"));
        assert_eq!(canonical_status("**Proposed**"), Some("review"));
        assert_eq!(
            canonical_status("superseded by [ADR-0005](0005-x.md)"),
            Some("superseded")
        );
        assert_eq!(canonical_status("Accepted (2024-03-01)"), Some("approved"));
        assert_eq!(canonical_status("Final Comment Period"), Some("review"));
        assert_eq!(canonical_status("Final"), Some("implemented"));
        assert_eq!(canonical_status("✅ Accepted"), Some("approved"));
        assert_eq!(canonical_status("Not implemented"), None);
        assert_eq!(canonical_status("banana"), None);
        assert_eq!(canonical_status(""), None);
    }

    #[test]
    fn every_alias_names_a_canonical_status() {
        for (alias, canonical) in STATUS_ALIASES {
            assert!(STATUSES.contains(canonical), "{alias} -> {canonical}");
            assert_eq!(normalize_status(alias), *alias, "aliases are written normalised");
        }
    }
}
