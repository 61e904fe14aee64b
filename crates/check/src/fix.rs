//! Applying fixes: edits from several diagnostics merged into one new source text.

use crate::diagnostic::{Diagnostic, Edit, Safety};

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
