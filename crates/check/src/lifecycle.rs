//! The document lifecycle: known statuses and how strict each one makes the checker.

/// Every status a design document may have, in lifecycle order.
pub const STATUSES: &[&str] = &["draft", "review", "approved", "rejected", "superseded", "implemented"];

/// Is a document with this status required to be complete? Drafts and closed docs
/// (rejected, superseded) may have gaps; review, approved and implemented may not.
/// An unknown status is read through its closest known status; no status reads as draft.
pub fn is_strict(status: Option<&str>) -> bool {
    let Some(s) = status else { return false };
    let s = s.to_lowercase();
    let known = if STATUSES.contains(&s.as_str()) {
        Some(s.as_str())
    } else {
        suggest_status(&s)
    };
    matches!(known, Some("review" | "approved" | "implemented"))
}

/// The known status a common spelling means, for suggestions.
pub fn suggest_status(s: &str) -> Option<&'static str> {
    let s = s.trim().to_lowercase().replace(['-', '_'], " ");
    Some(match s.as_str() {
        "wip" | "in progress" | "work in progress" | "drafting" | "proposal" | "draft" => "draft",
        "in review" | "under review" | "reviewing" | "proposed" | "rfc" | "open" | "pending" | "review" => "review",
        "accepted" | "approve" | "ok" | "signed off" | "final" | "approved" => "approved",
        "declined" | "withdrawn" | "abandoned" | "reject" | "rejected" => "rejected",
        "deprecated" | "replaced" | "obsolete" | "superseded" => "superseded",
        "done" | "complete" | "completed" | "shipped" | "implemented" | "released" => "implemented",
        _ => return None,
    })
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
        assert!(!is_strict(Some("rejected")));
        assert!(!is_strict(Some("banana")));
    }
}
