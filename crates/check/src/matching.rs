//! Tolerant heading comparison: how a person reads "Unit Tests" as "Unit Testing" or
//! "How will it be rolled back?" as "Rollback".
//!
//! A heading key (see `designdoc_model::heading_key`) becomes a short list of content
//! words: stop words dropped, each word lightly stemmed (plural, `-ing`, `-ed`, `-tion`,
//! `-ment`), so word forms compare equal. Two word lists then compare as sets, with
//! compounds read either way ("roll back" = "rollback"). Words in other scripts than
//! Latin are kept as they are: CJK headings match across languages only through aliases.
//!
//! Precision comes first: a shortened heading must keep at least half of the template's
//! words and one that is not generic ("Plan" alone is no "Rollout Plan"), a longer one may
//! add only a little, and the caller refuses a heading that reads as two template
//! sections at the same strength.

/// How closely a document heading matches a template name, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// The heading keeps a part of the name ("Interfaces" for "Interfaces and
    /// Interactions").
    Contained,
    /// The heading adds a little to the name ("Security Considerations" for "Security").
    Extended,
    /// The heading starts with the name's words ("Unresolved questions and Future
    /// possibilities" for "Unresolved questions"); set by the aligner, which sees the key.
    Leading,
    /// Same words after stemming and stop words ("Unit Tests" for "Unit Testing").
    Equal,
}

/// Content words of a heading key, stemmed. One small allocation per heading.
pub fn words(key: &str) -> Vec<String> {
    key.split(' ')
        .filter(|w| !w.is_empty() && !is_stop_word(w))
        .map(stem)
        .collect()
}

const STOP_WORDS: &[&str] = &[
    "a", "about", "an", "and", "any", "are", "as", "at", "be", "been", "by", "can", "could", "do", "does", "for",
    "from", "how", "i", "if", "in", "into", "is", "it", "its", "my", "of", "on", "or", "our", "per", "should", "that",
    "the", "their", "there", "these", "this", "those", "to", "us", "vs", "was", "we", "were", "what", "when", "where",
    "which", "who", "why", "will", "with", "would", "you", "your",
];

fn is_stop_word(w: &str) -> bool {
    STOP_WORDS.binary_search(&w).is_ok()
}

/// Stems of words that say little on their own: a match must rest on another word.
const GENERIC: &[&str] = &[
    "additional",
    "approach",
    "consider",
    "descript",
    "detail",
    "discuss",
    "general",
    "high",
    "info",
    "inform",
    "key",
    "level",
    "main",
    "misc",
    "note",
    "other",
    "overview",
    "plan",
    "proces",
    "process",
    "section",
    "strategy",
    "summary",
    "topic",
];

fn is_generic(stem: &str) -> bool {
    GENERIC.binary_search(&stem).is_ok()
}

/// Light English stemming, ASCII words only; short words, numbers and other scripts stay.
pub fn stem(word: &str) -> String {
    if !word.is_ascii() || word.len() <= 3 || word.bytes().any(|b| b.is_ascii_digit()) {
        return word.to_string();
    }
    let mut s = word.to_string();
    // Plurals.
    if s.ends_with("ies") && s.len() > 4 {
        s.truncate(s.len() - 3);
        s.push('y');
    } else if s.ends_with("sses") || s.ends_with("ches") || s.ends_with("shes") || s.ends_with("xes") {
        s.truncate(s.len() - 2);
    } else if s.ends_with('s') && !s.ends_with("ss") && !s.ends_with("us") && !is_is_noun(&s) {
        s.pop();
    }
    // Verb and noun forms.
    for suffix in ["ation", "ition", "ion", "ment", "ing", "ed"] {
        if s.len() >= suffix.len() + 3 && s.ends_with(suffix) {
            s.truncate(s.len() - suffix.len());
            break;
        }
    }
    // "planning" -> "plann" -> "plan"; "roll" and "pass" keep their pair.
    let b = s.as_bytes();
    if b.len() >= 4 {
        let (x, y) = (b[b.len() - 2], b[b.len() - 1]);
        if x == y && !b"aeiouylsz".contains(&y) {
            s.pop();
        }
    }
    if s.len() > 3 && s.ends_with('e') {
        s.pop();
    }
    s
}

/// "analysis", "basis": a word in -is that is no plural ("apis" and "kpis" are).
fn is_is_noun(s: &str) -> bool {
    s.ends_with("is") && s.len() >= 5
}

/// Compares a template name's words with a heading's words. `is_key`: the name is the
/// template's own heading (not an alias), which may be extended a little more freely.
pub fn compare(name: &[String], heading: &[String], is_key: bool) -> Option<Strength> {
    if name.is_empty() || heading.is_empty() || name.len() > 16 || heading.len() > 16 {
        return None;
    }
    let mut name_cov = [false; 16];
    let mut head_cov = [false; 16];
    cover(name, heading, &mut name_cov, &mut head_cov);
    let name_all = name_cov[..name.len()].iter().all(|&c| c);
    let head_all = head_cov[..heading.len()].iter().all(|&c| c);
    let shared_specific = heading
        .iter()
        .zip(&head_cov)
        .any(|(w, &covered)| covered && !is_generic(w));
    if !shared_specific {
        return None;
    }
    if name_all && head_all {
        return Some(Strength::Equal);
    }
    if name_all {
        let extras: Vec<&String> = heading
            .iter()
            .zip(&head_cov)
            .filter(|(_, c)| !**c)
            .map(|(w, _)| w)
            .collect();
        // "Non-Goals" is not "Goals".
        if extras
            .iter()
            .any(|w| matches!(w.as_str(), "non" | "not" | "no" | "out" | "anti"))
        {
            return None;
        }
        let all_generic = extras.iter().all(|w| is_generic(w));
        let few = if is_key {
            extras.len() <= name.len()
        } else {
            name.len() >= 2 && extras.len() < name.len()
        };
        return (all_generic || few).then_some(Strength::Extended);
    }
    if head_all {
        let kept = heading.len();
        return (kept * 2 >= name.len()).then_some(Strength::Contained);
    }
    None
}

/// Marks words of `a` and `b` found on the other side, directly or as a compound of two
/// neighbours ("roll" "back" and "rollback").
fn cover(a: &[String], b: &[String], a_cov: &mut [bool; 16], b_cov: &mut [bool; 16]) {
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            if x == y {
                a_cov[i] = true;
                b_cov[j] = true;
            }
        }
    }
    compounds(a, b, a_cov, b_cov);
    compounds(b, a, b_cov, a_cov);
}

/// A word of `whole` that is two neighbouring words of `parts` joined.
fn compounds(whole: &[String], parts: &[String], whole_cov: &mut [bool; 16], parts_cov: &mut [bool; 16]) {
    for (i, w) in whole.iter().enumerate() {
        if whole_cov[i] {
            continue;
        }
        for j in 0..parts.len().saturating_sub(1) {
            let (x, y) = (&parts[j], &parts[j + 1]);
            if joins(w, x, y) {
                whole_cov[i] = true;
                parts_cov[j] = true;
                parts_cov[j + 1] = true;
            }
        }
    }
}

/// `w` is `x` then `y` ("roll" "back" and "rollback", "set" "up" and "setup").
fn joins(w: &str, x: &str, y: &str) -> bool {
    x.len() >= 2 && y.len() >= 2 && w.len() == x.len() + y.len() && w.starts_with(x) && w.ends_with(y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use designdoc_model::heading_key;

    fn w(s: &str) -> Vec<String> {
        words(&heading_key(s))
    }

    fn cmp(name: &str, heading: &str) -> Option<Strength> {
        compare(&w(name), &w(heading), true)
    }

    #[test]
    fn stop_words_sorted() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOP_WORDS);
        let mut sorted = GENERIC.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, GENERIC);
    }

    #[test]
    fn stems() {
        for (a, b) in [
            ("tests", "testing"),
            ("interfaces", "interface"),
            ("considerations", "considered"),
            ("deployment", "deploying"),
            ("planning", "plans"),
            ("rolled", "roll"),
            ("alerts", "alerting"),
            ("requirements", "required"),
            ("dependencies", "dependency"),
            ("approaches", "approach"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_ne!(stem("data"), stem("date"));
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("analysis"), "analysis");
        assert_eq!(stem("apis"), "api");
        assert_eq!(stem("概述"), "概述");
    }

    #[test]
    fn comparisons() {
        use Strength::*;
        assert_eq!(cmp("Unit Testing", "Unit Tests"), Some(Equal));
        assert_eq!(cmp("Interface and Interactions", "Interfaces"), Some(Contained));
        assert_eq!(cmp("Rollback", "How will it be rolled back?"), Some(Equal));
        assert_eq!(cmp("How will it be rolled back?", "Rollback"), Some(Equal));
        assert_eq!(
            cmp("How will it be rolled back?", "How is it rolled back?"),
            Some(Equal)
        );
        assert_eq!(cmp("Security", "Security Considerations"), Some(Extended));
        assert_eq!(cmp("Rationale and alternatives", "Alternatives"), Some(Contained));
        assert_eq!(cmp("Monitoring and Alerting", "Monitoring & Alerts"), Some(Equal));
        assert_eq!(cmp("Non-Goals", "Nongoals"), Some(Equal));
        // Not the same section.
        assert_eq!(cmp("Data Model", "Data Flow"), None);
        assert_eq!(cmp("Rollout Plan", "Plan"), None);
        assert_eq!(cmp("Rollout Plan", "Test Plan"), None);
        assert_eq!(cmp("Guide-level explanation", "Explanation"), None);
        assert_eq!(cmp("Goals", "Non-Goals"), None);
        assert_eq!(compare(&w("data"), &w("Data Flow"), false), None);
        assert_eq!(compare(&w("概述"), &w("概要"), true), None);
        assert_eq!(cmp("概述", "概述"), Some(Equal));
    }
}
