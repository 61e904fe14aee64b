//! Tolerant heading keys: the comparable form of a heading's text.
//!
//! Real documents number their headings ("1.", "6.1.1", "A."), wrap them in bold, prefix
//! them with emoji and vary case and punctuation. A key drops all of that so that
//! "## 🎯 2. Goals & Non-Goals:" and "## Goals and Non-Goals" compare equal.

/// The comparable key of a heading: lowercase words, numbering, emoji and punctuation
/// removed, `&` read as "and". One pass, one allocation: it runs for every heading.
pub fn heading_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut tokens = text.split_whitespace().peekable();
    // Leading numbering ("1.", "6.1.1", "A.", "IV.") is not part of the name.
    while let Some(&t) = tokens.peek() {
        let more = tokens.clone().nth(1).is_some();
        if is_numbering(t, more) {
            tokens.next();
        } else {
            break;
        }
    }
    let mut in_word = false;
    for token in tokens {
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

/// Is `token` a section number such as `1.`, `1.2.3`, `1)`, `A.`, `IV.`, `§3` or a bare
/// `1` that is followed by more words?
fn is_numbering(token: &str, more_follows: bool) -> bool {
    let t = token.trim_start_matches('§');
    let trimmed = t.trim_end_matches(['.', ')', ':']);
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
    single_letter || roman || letter_dotted
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
