//! Tolerant heading keys: the comparable form of a heading's text.
//!
//! Real documents number their headings ("1.", "6.1.1", "A."), wrap them in bold, prefix
//! them with emoji and vary case and punctuation. A key drops all of that so that
//! "## 🎯 2. Goals & Non-Goals:" and "## Goals and Non-Goals" compare equal.

/// The comparable key of a heading: lowercase words, numbering, emoji and punctuation
/// removed, `&` read as "and". One pass, one allocation: it runs for every heading.
pub fn heading_key(text: &str) -> String {
    // Full-width forms (`１．概述`, `（可选）`) read as their ASCII twins; rare, so the
    // copy is made only when one is present.
    if text.chars().any(is_full_width_ascii) {
        let folded: String = text.chars().map(fold_full_width).collect();
        return heading_key(&folded);
    }
    let (text, _) = strip_optional_marker(text);
    let mut out = String::with_capacity(text.len());
    let mut tokens = text.split_whitespace().peekable();
    // Leading numbering ("1.", "6.1.1", "A.", "IV.", "一、") is not part of the name.
    let mut glued: Option<&str> = None;
    while let Some(&t) = tokens.peek() {
        let more = tokens.clone().nth(1).is_some();
        if is_numbering(t, more) {
            tokens.next();
        } else {
            // Numbering glued to the name: "1.Overview", "一、概述", "(1)概述".
            if let Some(rest) = strip_glued_numbering(t) {
                tokens.next();
                glued = Some(rest);
            }
            break;
        }
    }
    let mut in_word = false;
    for token in glued.into_iter().chain(tokens) {
        for ch in token.chars() {
            if ch == '&' || ch == '+' {
                in_word = false;
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str("and");
            } else if ch.is_alphanumeric() {
                if !in_word && !out.is_empty() {
                    out.push(' ');
                }
                in_word = true;
                if ch.is_ascii() {
                    out.push(ch.to_ascii_lowercase());
                } else {
                    out.extend(ch.to_lowercase());
                }
            } else if ch == '\'' || ch == '’' {
                // "What's" stays one word.
            } else {
                in_word = false;
            }
        }
        in_word = false;
    }
    out
}

/// Markers that make a heading optional: `(optional)`, `[Optional]`, `(if applicable)`,
/// `- optional`, `Optional:`. Returns the heading without them and whether one was found.
/// Only a marker at the start or the end counts: "Optional features" keeps its word.
pub fn strip_optional_marker(text: &str) -> (&str, bool) {
    let mut t = text.trim();
    let mut found = false;
    // At most a marker at each end.
    for _ in 0..2 {
        if let Some(rest) = strip_marker_end(t).or_else(|| strip_marker_start(t)) {
            t = rest.trim();
            found = true;
        } else {
            break;
        }
    }
    (t, found)
}

/// Words that say "optional" inside brackets or after a dash.
fn is_optional_phrase(inner: &str) -> bool {
    let inner = inner.trim().trim_end_matches(['.', ':', ',']).trim();
    const PHRASES: &[&str] = &[
        "optional",
        "if applicable",
        "where applicable",
        "when applicable",
        "if needed",
        "if necessary",
        "if relevant",
        "if any",
        "可选",
        "选填",
        "任意",
        "선택",
        "선택 사항",
    ];
    PHRASES.iter().any(|p| inner.eq_ignore_ascii_case(p))
        || inner
            .get(..9)
            .is_some_and(|head| head.eq_ignore_ascii_case("optional,") || head.eq_ignore_ascii_case("optional;"))
}

fn strip_marker_end(t: &str) -> Option<&str> {
    let (open, close) = match t.chars().last()? {
        ')' => ('(', ')'),
        ']' => ('[', ']'),
        '）' => ('（', '）'),
        '】' => ('【', '】'),
        _ => {
            // "Glossary - optional", "Glossary: optional", "Glossary, optional".
            const SEPARATORS: [char; 5] = ['-', ':', ',', '\u{2013}', '\u{2014}'];
            for phrase in ["optional", "if applicable", "if needed"] {
                let Some(at) = t.len().checked_sub(phrase.len()) else {
                    continue;
                };
                let Some(tail) = t.get(at..) else { continue };
                if !tail.eq_ignore_ascii_case(phrase) {
                    continue;
                }
                let head = t[..at].trim_end();
                if !head.ends_with(SEPARATORS) {
                    continue;
                }
                let head = head.trim_end_matches(SEPARATORS).trim_end();
                if !head.is_empty() {
                    return Some(head);
                }
            }
            return None;
        }
    };
    let start = t.rfind(open)?;
    let inner = &t[start + open.len_utf8()..t.len() - close.len_utf8()];
    (start > 0 && is_optional_phrase(inner)).then(|| &t[..start])
}

fn strip_marker_start(t: &str) -> Option<&str> {
    let first = t.chars().next()?;
    let close = match first {
        '(' => ')',
        '[' => ']',
        '（' => '）',
        '【' => '】',
        _ => {
            // "Optional: Glossary".
            let colon = t.find(':')?;
            let rest = &t[colon + 1..];
            return (is_optional_phrase(&t[..colon]) && !rest.trim().is_empty()).then_some(rest);
        }
    };
    let end = t.find(close)?;
    let rest = &t[end + close.len_utf8()..];
    (is_optional_phrase(&t[first.len_utf8()..end]) && !rest.trim().is_empty()).then_some(rest)
}

fn is_full_width_ascii(c: char) -> bool {
    ('\u{FF01}'..='\u{FF5E}').contains(&c) || c == '\u{3000}'
}

fn fold_full_width(c: char) -> char {
    if c == '\u{3000}' {
        return ' ';
    }
    if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
        char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
    } else {
        c
    }
}

/// CJK numerals used for numbering (`一、`, `第三章`).
fn is_cjk_numeral(c: char) -> bool {
    "一二三四五六七八九十百零〇".contains(c)
}

/// The name after numbering glued to it: "1.Overview", "2)Goals", "一、概述", "(1)概述",
/// "第一章概述". `None` when the token does not start with numbering followed by a name.
fn strip_glued_numbering(token: &str) -> Option<&str> {
    let rest = if let Some(inner) = token.strip_prefix('(') {
        let end = inner.find(')')?;
        let num = &inner[..end];
        let is_num = !num.is_empty() && num.chars().all(|c| c.is_ascii_digit() || is_cjk_numeral(c));
        if !is_num {
            return None;
        }
        &inner[end + 1..]
    } else if let Some(inner) = token.strip_prefix('第') {
        let end = inner.find(|c: char| !(c.is_ascii_digit() || is_cjk_numeral(c)))?;
        if end == 0 {
            return None;
        }
        let after = &inner[end..];
        let unit = ["章", "节", "節", "部分", "条", "條", "部"]
            .iter()
            .find(|u| after.starts_with(*u))?;
        &after[unit.len()..]
    } else {
        let end = token
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || is_cjk_numeral(c)))
            .unwrap_or(token.len());
        let num = &token[..end];
        if num.is_empty() || end == token.len() {
            return None;
        }
        let after = &token[end..];
        let cjk = num.chars().all(is_cjk_numeral);
        let digits = num.trim_end_matches('.');
        let dotted = !digits.is_empty()
            && digits
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        if let Some(a) = after.strip_prefix(['、', ')']) {
            if !(cjk || dotted) {
                return None;
            }
            a
        } else if !cjk && dotted && num.ends_with('.') {
            after
        } else {
            return None;
        }
    };
    rest.starts_with(|c: char| c.is_alphabetic()).then_some(rest)
}

/// Is `token` a section number such as `1.`, `1.2.3`, `1)`, `A.`, `IV.`, `§3` or a bare
/// `1` that is followed by more words?
fn is_numbering(token: &str, more_follows: bool) -> bool {
    let t = token.trim_start_matches('§');
    // "(1)", "(一)", "第一章" before the name.
    if more_follows {
        if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')'))
            && !inner.is_empty()
            && inner.chars().all(|c| c.is_ascii_digit() || is_cjk_numeral(c))
        {
            return true;
        }
        if let Some(inner) = t.strip_prefix('第')
            && let Some(num) = ["章", "节", "節", "部分", "条", "條", "部"]
                .iter()
                .find_map(|u| inner.strip_suffix(*u))
            && !num.is_empty()
            && num.chars().all(|c| c.is_ascii_digit() || is_cjk_numeral(c))
        {
            return true;
        }
    }
    let trimmed = t.trim_end_matches(['.', ')', ':', '、']);
    if trimmed.is_empty() {
        return t.len() < token.len() || (!t.is_empty() && t.chars().all(|c| c == '.'));
    }
    let had_terminator = trimmed.len() < t.len();
    let dotted_digits = trimmed
        .split('.')
        .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()));
    if dotted_digits {
        return had_terminator || more_follows;
    }
    if !had_terminator {
        return false;
    }
    let single_letter = trimmed.chars().count() == 1 && trimmed.chars().all(|c| c.is_alphabetic());
    let roman = trimmed.len() <= 5 && trimmed.chars().all(|c| "IVXivx".contains(c));
    // "A.1" style appendix numbering.
    let letter_dotted = {
        let mut parts = trimmed.split('.');
        let first = parts.next().unwrap_or("");
        first.len() == 1
            && first.chars().all(|c| c.is_ascii_alphabetic())
            && parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    };
    let cjk = trimmed.chars().all(is_cjk_numeral);
    single_letter || roman || letter_dotted || cjk
}

/// Splits a trailing counter off a key: "phase 1" -> ("phase", "1"), "component a" ->
/// ("component", "a"). Sibling headings that share a stem and differ only by counter form
/// a repeatable section.
pub fn split_counter(key: &str) -> Option<(&str, &str)> {
    let (stem, last) = key.rsplit_once(' ')?;
    let counter = last.len() <= 3 && last.chars().all(|c| c.is_ascii_digit())
        || (last.len() == 1 && last.chars().all(|c| c.is_ascii_lowercase()));
    counter.then_some((stem, last))
}

/// GitHub-style anchor slug for a heading ("Goals and Non-Goals" -> "goals-and-non-goals").
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.trim().chars() {
        if ch.is_ascii_alphanumeric() || ch == '_' || ch == '-' {
            out.push(ch.to_ascii_lowercase());
        } else if ch.is_alphanumeric() {
            out.extend(ch.to_lowercase());
        } else if ch == ' ' {
            out.push('-');
        }
    }
    out
}

/// File-name slug for a new document title ("Rate limiter v2!" -> "rate-limiter-v2").
pub fn file_slug(title: &str) -> String {
    let mut out = String::new();
    for ch in title.chars() {
        if ch.is_alphanumeric() {
            out.extend(ch.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("untitled");
    }
    out
}

/// The Markdown text as GitHub reads it, where pulldown-cmark reads it differently,
/// rewritten without changing any byte offset (every span stays valid for the original).
///
/// - A fence line followed by tabs (```` ``` ```` then TAB) closes its block on GitHub and in
///   CommonMark; pulldown-cmark 0.13 takes it for content and the block swallows the rest
///   of the document. Trailing tabs on a line that is only a fence become spaces.
/// - An ATX heading closed by `#`s after a tab (`## Title<TAB>##`) ends before the tab on
///   GitHub; pulldown-cmark keeps `<TAB>##` in the title. Tabs in a heading's closing run
///   and trailing white space become spaces.
pub fn github_compatible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out: Option<String> = None;
    let mut offset = 0;
    // The fence a code block was opened with: its lines are content, never headings.
    let mut open_fence: Option<(char, usize)> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start_matches(' ').len();
        let rest = &body[indent..];
        let fence_char = rest.chars().next().filter(|&c| c == '`' || c == '~');
        let fence_len = fence_char.map_or(0, |f| rest.chars().take_while(|&c| c == f).count());
        let after = &rest[fence_len..];
        let bare_fence = indent <= 3 && fence_len >= 3 && after.chars().all(|c| c == ' ' || c == '\t');
        // Only a line that opens or closes a block is a fence; inside a block it is content.
        let fence_line = match open_fence {
            Some((c, n)) => fence_char == Some(c) && fence_len >= n,
            None => true,
        };
        if bare_fence && fence_line && after.contains('\t') {
            let fixed = out.get_or_insert_with(|| text.to_string());
            let start = offset + indent + fence_len;
            // Tabs and spaces are one byte each: offsets do not move.
            let replaced: String = after.chars().map(|_| ' ').collect();
            fixed.replace_range(start..start + after.len(), &replaced);
        }
        match (open_fence, fence_char) {
            (Some((c, n)), Some(f)) if bare_fence && f == c && fence_len >= n => open_fence = None,
            (Some(_), _) => {}
            (None, Some(f)) if indent <= 3 && fence_len >= 3 && !(f == '`' && after.contains('`')) => {
                open_fence = Some((f, fence_len));
            }
            (None, _) => {
                if indent <= 3
                    && let Some(tail) = atx_closing_tail(rest)
                    && tail.contains('\t')
                {
                    let fixed = out.get_or_insert_with(|| text.to_string());
                    let start = offset + indent + rest.len() - tail.len();
                    let replaced: String = tail.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
                    fixed.replace_range(start..start + tail.len(), &replaced);
                }
            }
        }
        offset += line.len();
    }
    out.map_or(std::borrow::Cow::Borrowed(text), std::borrow::Cow::Owned)
}

/// The closing run of an ATX heading line (`## Title  ##  ` -> `  ##  `): trailing `#`s
/// preceded by white space, with the white space around them; or only the trailing white
/// space when the `#`s belong to the text (`## C#`). `None` for lines that are no heading.
fn atx_closing_tail(line: &str) -> Option<&str> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&hashes) || !matches!(line.as_bytes().get(hashes), None | Some(b' ' | b'\t')) {
        return None;
    }
    let content = &line[hashes..];
    let trimmed = content.trim_end_matches([' ', '\t']);
    let closed = trimmed.trim_end_matches('#');
    let tail_start = if closed.len() < trimmed.len() && (closed.is_empty() || closed.ends_with([' ', '\t'])) {
        closed.trim_end_matches([' ', '\t']).len()
    } else {
        trimmed.len()
    };
    Some(&content[tail_start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: &str) {
        assert_eq!(heading_key(input), expect, "key of {input:?}");
    }

    #[test]
    fn keys() {
        check("Overview", "overview");
        check("1. Overview", "overview");
        check("6.1.1 Data Model", "data model");
        check("A. Performance Analysis", "performance analysis");
        check("IV. Risks", "risks");
        check("🎯 Goals", "goals");
        check("Goals & Non-Goals", "goals and non goals");
        check("Goals and Non-Goals:", "goals and non goals");
        check("1 概述", "概述");
        check("Component A", "component a");
        check("Phase 1", "phase 1");
        check("2023", "2023");
        check("What's next?", "whats next");
        check("**Goals**", "goals");
        check("Glossary (optional)", "glossary");
        check("[Optional] Glossary", "glossary");
        check("Migration (if applicable)", "migration");
        check("Migration - optional", "migration");
        check("Migration: Optional", "migration");
        check("Optional features", "optional features");
        check("Optional: Glossary", "glossary");
        check("Why optional", "why optional");
        check("１．概述", "概述");
        check("一、概述", "概述");
        check("(二) 背景", "背景");
        check("第三章 系统设计", "系统设计");
        check("第三章系统设计", "系统设计");
        check("1.Overview", "overview");
        check("1.5x faster", "1 5x faster");
        check("2) Goals", "goals");
        check("背景（可选）", "背景");
        check("システム設計", "システム設計");
        check("시스템 설계", "시스템 설계");
    }

    #[test]
    fn counters() {
        assert_eq!(split_counter("phase 1"), Some(("phase", "1")));
        assert_eq!(split_counter("component a"), Some(("component", "a")));
        assert_eq!(split_counter("alternative 12"), Some(("alternative", "12")));
        assert_eq!(split_counter("data model"), None);
        assert_eq!(split_counter("overview"), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Goals and Non-Goals"), "goals-and-non-goals");
        assert_eq!(slug("A. Performance Analysis"), "a-performance-analysis");
        assert_eq!(file_slug("Rate limiter v2!"), "rate-limiter-v2");
        assert_eq!(file_slug("!!!"), "untitled");
    }

    #[test]
    fn fences_followed_by_tabs_close_as_on_github() {
        let doc = "# T\n\n```sh\n# comment\n```\t\n\n## Next\n";
        let fixed = github_compatible(doc);
        assert_eq!(fixed.len(), doc.len(), "offsets must not move");
        assert_eq!(fixed, "# T\n\n```sh\n# comment\n``` \n\n## Next\n");
        // Only fence lines change; tabs elsewhere stay.
        assert_eq!(github_compatible("a\tb\n  ~~~~ \t\n"), "a\tb\n  ~~~~  \n");
        assert!(
            matches!(github_compatible("    ```\t\n"), std::borrow::Cow::Borrowed(_)),
            "indented code"
        );
        assert!(
            matches!(github_compatible("```rust\t\n"), std::borrow::Cow::Borrowed(_)),
            "an info string"
        );
        let (parsed, _) = crate::parse(doc);
        let titles: Vec<&str> = parsed.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["T", "Next"]);
    }

    #[test]
    fn heading_closing_runs_after_tabs_end_as_on_github() {
        assert_eq!(github_compatible("## Title\t##\t\n"), "## Title ## \n");
        assert_eq!(github_compatible("# C#\t\n"), "# C# \n");
        // Tabs inside the text stay, and so do lines inside code blocks.
        assert_eq!(github_compatible("## a\tb\n"), "## a\tb\n");
        assert_eq!(github_compatible("```\n# x\t#\n```\n"), "```\n# x\t#\n```\n");
        let (parsed, _) = crate::parse("## Closing\t##\n");
        assert_eq!(parsed.sections[0].title, "Closing");
    }
}
