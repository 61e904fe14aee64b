//! Line diff between two revisions (longest common subsequence; bounded input size).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", content = "line", rename_all = "lowercase")]
pub enum DiffLine {
    Same(String),
    Added(String),
    Removed(String),
}

/// Lines above which the diff falls back to "all removed, all added" to stay bounded
/// (the LCS table is `old * new` cells of 4 bytes: at most 16 MB).
const MAX_CELLS: usize = 4_000_000;

pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Common prefix and suffix are cheap and usually most of a document.
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut out: Vec<DiffLine> = a[..prefix].iter().map(|l| DiffLine::Same(l.to_string())).collect();
    if ma.len().saturating_mul(mb.len()) > MAX_CELLS {
        out.extend(ma.iter().map(|l| DiffLine::Removed(l.to_string())));
        out.extend(mb.iter().map(|l| DiffLine::Added(l.to_string())));
    } else {
        let (n, m) = (ma.len(), mb.len());
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * (m + 1) + j] = if ma[i] == mb[j] {
                    lcs[(i + 1) * (m + 1) + j + 1] + 1
                } else {
                    lcs[(i + 1) * (m + 1) + j].max(lcs[i * (m + 1) + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && ma[i] == mb[j] {
                out.push(DiffLine::Same(ma[i].to_string()));
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1]) {
                // On a tie the removal goes first, as in unified diffs.
                out.push(DiffLine::Removed(ma[i].to_string()));
                i += 1;
            } else {
                out.push(DiffLine::Added(mb[j].to_string()));
                j += 1;
            }
        }
    }
    out.extend(a[a.len() - suffix..].iter().map(|l| DiffLine::Same(l.to_string())));
    out
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
    }
}
