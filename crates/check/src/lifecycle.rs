//! The document lifecycle: the one status vocabulary (canonical statuses and the aliases
//! real ADR, MADR, KEP, PEP, RFC and Google-style docs use for them) and how strict each
//! status makes the checker. `unknown-status` (DD021) and strictness both read
//! [`canonical_status`], so a status is never accepted by one and misread by the other.

pub use designdoc_model::status::{STATUS_ALIASES, STATUSES, Status, canonical_status, normalize_status};

/// Is a document with this status required to be complete? Drafts and closed docs
/// (rejected, superseded) may have gaps; review, approved and implemented may not.
/// A status outside the table (the template's own choices included) reads as a draft, and
/// so does no status.
pub fn is_strict(status: Option<&str>) -> bool {
    status.and_then(Status::parse).is_some_and(Status::is_strict)
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
    fn suggestions() {
        assert_eq!(suggest_status("aproved"), Some("approved"));
        assert_eq!(suggest_status("reveiw"), Some("review"));
        assert_eq!(suggest_status("banana"), None);
    }
}
