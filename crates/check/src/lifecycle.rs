//! The document lifecycle: the one status vocabulary (canonical statuses and the aliases
//! real ADR, MADR, KEP, PEP, RFC and Google-style docs use for them) and how strict each
//! status makes the checker. `unknown-status` (DD021) and strictness both read
//! [`canonical_status`], so a status is never accepted by one and misread by the other.

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

/// Is a document with this status required to be complete? Drafts and closed docs
/// (rejected, superseded) may have gaps; review, approved and implemented may not.
/// A status outside the table (the template's own choices included) reads as a draft, and
/// so does no status.
pub fn is_strict(status: Option<&str>) -> bool {
    matches!(
        status.and_then(canonical_status),
        Some("review" | "approved" | "implemented")
    )
}

/// The status a misspelt value probably means (`aproved`, `reveiw`), for the suggestion
/// of `unknown-status`. Only a suggestion: such values are still reported.
pub fn suggest_status(s: &str) -> Option<&'static str> {
    let s = normalize_status(s);
    if s.is_empty() || s.len() > 32 {
        return None;
    }
    let candidates = STATUSES.iter().map(|&c| (c, c)).chain(STATUS_ALIASES.iter().copied());
    candidates
        .filter(|(spelling, _)| spelling.len() >= 4)
        .map(|(spelling, canonical)| (edit_distance(&s, spelling), canonical))
        .filter(|&(d, _)| d <= 2)
        .min_by_key(|&(d, _)| d)
        .map(|(_, canonical)| canonical)
}

/// Levenshtein distance over chars; both inputs are short (checked by the caller).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == cb { prev } else { 1 + prev.min(cur).min(row[j]) };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictness() {
        assert!(!is_strict(None));
        assert!(!is_strict(Some("draft")));
        assert!(is_strict(Some("Review")));
        assert!(is_strict(Some("approved")));
        assert!(is_strict(Some("Accepted")));
        assert!(is_strict(Some("In Review")));
        assert!(is_strict(Some("implementable")));
        assert!(!is_strict(Some("provisional")));
        assert!(!is_strict(Some("rejected")));
        assert!(!is_strict(Some("banana")));
        assert!(!is_strict(Some("Superseded by ADR-0005")));
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

    #[test]
    fn suggestions() {
        assert_eq!(suggest_status("aproved"), Some("approved"));
        assert_eq!(suggest_status("reveiw"), Some("review"));
        assert_eq!(suggest_status("banana"), None);
    }
}
