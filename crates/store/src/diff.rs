//! Line diff between two revisions (the `similar` crate's Myers diff, with a deadline so
//! a huge input stays bounded), and the words that changed within a changed line, so a
//! page can mark them.

use serde::Serialize;
use similar::{Algorithm, ChangeTag, DiffOp, TextDiff, capture_diff_slices_deadline};
use std::ops::Range;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", content = "line", rename_all = "lowercase")]
pub enum DiffLine {
    Same(String),
    Added(String),
    Removed(String),
}

/// A diff line and the byte ranges of its words that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarkedLine {
    #[serde(flatten)]
    pub line: DiffLine,
    /// Ranges into the line's text, in order and not touching each other. Only a removed
    /// line paired with an added one (a line edited in place) has any: an unchanged line
    /// has none, and a line with no counterpart is all new or all gone.
    pub changed: Vec<Range<usize>>,
}

/// Past this the diff stops looking for the shortest edit and settles for a correct,
/// possibly longer one: a page never waits long on two unrelated large documents.
const DEADLINE: Duration = Duration::from_secs(2);

/// The lines of `old` and `new` as unchanged, removed and added; within a run of changes
/// the removals come first, as in unified diffs.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let mut out = Vec::new();
    walk(old, new, |line, _| out.push(line));
    out
}

/// [`diff_lines`] with the changed words of each line edited in place: the n-th removed
/// line of a run of changes is paired with the run's n-th added line.
pub fn diff_marked(old: &str, new: &str) -> Vec<MarkedLine> {
    let mut out = Vec::new();
    walk(old, new, |line, pair| {
        let changed = match (&line, pair) {
            (DiffLine::Removed(o), Some(n)) => changed_words(o, n).0,
            (DiffLine::Added(n), Some(o)) => changed_words(o, n).1,
            _ => Vec::new(),
        };
        out.push(MarkedLine { line, changed });
    });
    out
}

/// Calls `emit` with each diff line in order and, for a line edited in place, the text
/// of the line it pairs with.
fn walk(old: &str, new: &str, mut emit: impl FnMut(DiffLine, Option<&str>)) {
    // `str::lines` drops `\n` and `\r\n` alike, so a change of line endings alone is no change.
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = capture_diff_slices_deadline(Algorithm::Myers, &a, &b, Some(Instant::now() + DEADLINE));
    for op in ops {
        match op {
            DiffOp::Equal { old_index, len, .. } => {
                for l in &a[old_index..old_index + len] {
                    emit(DiffLine::Same(l.to_string()), None);
                }
            }
            DiffOp::Delete { old_index, old_len, .. } => {
                for l in &a[old_index..old_index + old_len] {
                    emit(DiffLine::Removed(l.to_string()), None);
                }
            }
            DiffOp::Insert { new_index, new_len, .. } => {
                for l in &b[new_index..new_index + new_len] {
                    emit(DiffLine::Added(l.to_string()), None);
                }
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let (gone, came) = (&a[old_index..old_index + old_len], &b[new_index..new_index + new_len]);
                for (i, l) in gone.iter().enumerate() {
                    emit(DiffLine::Removed(l.to_string()), came.get(i).copied());
                }
                for (i, l) in came.iter().enumerate() {
                    emit(DiffLine::Added(l.to_string()), gone.get(i).copied());
                }
            }
        }
    }
}

/// The byte ranges of the words of `old` that were removed and of `new` that were added,
/// between two versions of one line (spaces between changed words join their ranges).
fn changed_words(old: &str, new: &str) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    let diff = TextDiff::from_words(old, new);
    let (mut gone, mut came) = (Vec::new(), Vec::new());
    let (mut at_old, mut at_new) = (0, 0);
    for change in diff.iter_all_changes() {
        let len = change.value().len();
        match change.tag() {
            ChangeTag::Equal => {
                at_old += len;
                at_new += len;
            }
            ChangeTag::Delete => {
                extend(&mut gone, old, at_old..at_old + len);
                at_old += len;
            }
            ChangeTag::Insert => {
                extend(&mut came, new, at_new..at_new + len);
                at_new += len;
            }
        }
    }
    (gone, came)
}

/// Adds `r` to the ranges of `text`, merged into the last one when only whitespace lies
/// between them: "a b c" replaced reads as one change, not three.
fn extend(ranges: &mut Vec<Range<usize>>, text: &str, r: Range<usize>) {
    match ranges.last_mut() {
        Some(last) if text[last.end..r.start].trim().is_empty() => last.end = r.end,
        _ => ranges.push(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs() {
        use DiffLine::*;
        assert_eq!(
            diff_lines("a\nb\nc\n", "a\nx\nc\nd\n"),
            vec![
                Same("a".into()),
                Removed("b".into()),
                Added("x".into()),
                Same("c".into()),
                Added("d".into())
            ]
        );
        assert_eq!(diff_lines("", ""), vec![]);
        assert_eq!(diff_lines("same", "same"), vec![Same("same".into())]);
        assert_eq!(diff_lines("a\r\nb\n", "a\nb"), vec![Same("a".into()), Same("b".into())]);
    }

    /// The marked parts of each line, as text.
    fn marks(old: &str, new: &str) -> Vec<(DiffLine, Vec<String>)> {
        diff_marked(old, new)
            .into_iter()
            .map(|m| {
                let text = match &m.line {
                    DiffLine::Same(t) | DiffLine::Added(t) | DiffLine::Removed(t) => t.clone(),
                };
                let parts = m.changed.iter().map(|r| text[r.clone()].to_string()).collect();
                (m.line, parts)
            })
            .collect()
    }

    #[test]
    fn edited_lines_mark_their_changed_words() {
        use DiffLine::*;
        let got = marks(
            "# Title\nThe limit is 100 requests per minute.\nold only\n",
            "# Title\nThe limit is 250 requests per second.\n",
        );
        assert_eq!(
            got,
            vec![
                (Same("# Title".into()), vec![]),
                // Words are what whitespace separates, punctuation included.
                (
                    Removed("The limit is 100 requests per minute.".into()),
                    vec!["100".into(), "minute.".into()]
                ),
                // No counterpart: gone as a whole, nothing to point at within it.
                (Removed("old only".into()), vec![]),
                (
                    Added("The limit is 250 requests per second.".into()),
                    vec!["250".into(), "second.".into()]
                ),
            ]
        );
    }

    #[test]
    fn adjacent_changed_words_make_one_range_and_lines_agree_with_diff_lines() {
        let (old, new) = ("keep a b c keep\n", "keep x y z keep\n");
        let got = diff_marked(old, new);
        assert_eq!(got[0].changed, vec![Range { start: 5, end: 10 }]);
        assert_eq!(got[1].changed, vec![Range { start: 5, end: 10 }]);
        assert_eq!(
            got.into_iter().map(|m| m.line).collect::<Vec<_>>(),
            diff_lines(old, new)
        );
        // Non-ASCII text: ranges are byte ranges on character boundaries.
        let got = diff_marked("größe: klein", "größe: groß");
        assert_eq!(got[0].changed, vec![Range { start: 9, end: 14 }]);
        assert_eq!(got[1].changed, vec![Range { start: 9, end: 14 }]);
    }

    #[test]
    fn marked_lines_serialize_with_their_ranges() {
        let json = serde_json::to_value(diff_marked("a b", "a c")).expect("json");
        assert_eq!(json[0]["op"], "removed");
        assert_eq!(json[0]["line"], "a b");
        assert_eq!(json[0]["changed"][0]["start"], 2);
        assert_eq!(json[1]["changed"][0]["end"], 3);
    }
}
