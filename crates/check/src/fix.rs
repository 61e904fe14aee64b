//! Applying fixes: edits from several diagnostics merged into one new source text.

use crate::diagnostic::{Diagnostic, Edit, Safety};
use designdoc_model::Span;

/// The result of applying fixes to one source.
#[derive(Debug)]
pub struct Fixed {
    pub source: String,
    /// Number of fixes applied.
    pub applied: usize,
    /// Messages of the fixes applied, for reporting.
    pub messages: Vec<String>,
}

/// Applies the fixes of `diagnostics` whose safety allows it. Edits are applied in
/// source order; edits at the same offset keep the diagnostics' order; a fix whose edits
/// overlap an earlier fix's is skipped (the next check run offers it again).
pub fn apply_fixes(source: &str, diagnostics: &[Diagnostic], include_unsafe: bool) -> Option<Fixed> {
    let mut chosen: Vec<(usize, &Edit)> = Vec::new();
    let mut chosen_codes: Vec<&str> = Vec::new();
    let mut messages = Vec::new();
    let mut applied = 0;
    for (n, d) in diagnostics.iter().enumerate() {
        let Some(fix) = &d.fix else { continue };
        if fix.safety == Safety::Unsafe && !include_unsafe {
            continue;
        }
        let valid = fix.edits.iter().all(|e| {
            e.span.start <= e.span.end
                && e.span.end <= source.len()
                && source.is_char_boundary(e.span.start)
                && source.is_char_boundary(e.span.end)
        });
        let overlaps = fix.edits.iter().any(|e| {
            chosen.iter().any(|&(m, c)| {
                let a = e.span;
                let b = c.span;
                // Insertions at one point from one rule keep their order (sections in template
                // order); from different rules their order is unclear, so the later one waits
                // for the next round. Replacements must not intersect.
                let same_point = a.is_empty() && b.is_empty() && a.start == b.start;
                (a.start < b.end && b.start < a.end) || (same_point && chosen_codes[m] != d.code)
            })
        });
        if !valid || overlaps {
            continue;
        }
        chosen_codes.resize(n + 1, "");
        chosen_codes[n] = d.code;
        chosen.extend(fix.edits.iter().map(|e| (n, e)));
        messages.push(fix.message.clone());
        applied += 1;
    }
    if applied == 0 {
        return None;
    }
    let mut chosen: Vec<(usize, Edit)> = chosen
        .into_iter()
        .map(|(n, e)| (n, fit_line_endings(source, e)))
        .collect();
    chosen.sort_by_key(|(n, e)| (e.span.start, *n));
    let mut out = String::with_capacity(source.len() + chosen.iter().map(|(_, e)| e.text.len()).sum::<usize>());
    let mut pos = 0;
    for (_, e) in chosen {
        if e.span.start < pos {
            continue;
        }
        out.push_str(&source[pos..e.span.start]);
        out.push_str(&e.text);
        pos = e.span.end;
    }
    out.push_str(&source[pos..]);
    Some(Fixed {
        source: out,
        applied,
        messages,
    })
}

/// The line ending of the line at byte `at`: that line's own, else (the last line, which
/// has none) the one before it; `\n` in a text without line breaks.
pub fn line_ending_at(source: &str, at: usize) -> &'static str {
    let bytes = source.as_bytes();
    let crlf_at = |i: usize| i > 0 && bytes.get(i - 1) == Some(&b'\r');
    if let Some(i) = source.get(at..).and_then(|rest| rest.find('\n')) {
        return if crlf_at(at + i) { "\r\n" } else { "\n" };
    }
    match source.get(..at).and_then(|before| before.rfind('\n')) {
        Some(i) if crlf_at(i) => "\r\n",
        _ => "\n",
    }
}

/// An edit written with `\n` line breaks (as the rules write them), made to fit the lines
/// it lands on: in a CRLF file its line breaks become `\r\n`, and a span's edge that falls
/// between a `\r` and its `\n` moves before the `\r`, so no line ending is split. Lines
/// of a mixed file keep their own endings: only the edit's lines follow the local one.
pub fn fit_line_endings(source: &str, edit: &Edit) -> Edit {
    let bytes = source.as_bytes();
    let splits_crlf = |i: usize| i > 0 && bytes.get(i - 1) == Some(&b'\r') && bytes.get(i) == Some(&b'\n');
    let mut span = edit.span;
    if splits_crlf(span.end) {
        span.end -= 1;
    }
    if splits_crlf(span.start) {
        span.start -= 1;
    }
    let span = Span::new(span.start.min(span.end), span.end);
    let text = if line_ending_at(source, span.start) == "\r\n" {
        edit.text.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        edit.text.clone()
    };
    Edit { span, text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_take_the_line_ending_of_their_line() {
        let edit = |start, end, text: &str| Edit {
            span: Span::new(start, end),
            text: text.to_string(),
        };
        // CRLF: inserted lines get CRLF; an insertion between `\r` and `\n` moves before `\r`.
        let crlf = "a\r\nb\r\n";
        let e = fit_line_endings(crlf, &edit(2, 2, "\n## X\n"));
        assert_eq!((e.span.start, e.text.as_str()), (1, "\r\n## X\r\n"));
        // Mixed: each edit follows its own line.
        let mixed = "a\nb\r\nc";
        assert_eq!(fit_line_endings(mixed, &edit(0, 0, "x\n")).text, "x\n");
        assert_eq!(fit_line_endings(mixed, &edit(3, 3, "x\n")).text, "x\r\n");
        // The last line has no ending: the one before it counts.
        assert_eq!(fit_line_endings(mixed, &edit(6, 6, "\nx")).text, "\r\nx");
        assert_eq!(line_ending_at("no breaks", 3), "\n");
    }
}
