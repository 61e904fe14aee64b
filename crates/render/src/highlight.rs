//! A small, dependency-free syntax highlighter for code blocks on the static site: strings,
//! comments, numbers and keywords of the languages design docs use most. Output is escaped
//! HTML with `<span class="hl-...">`; unknown languages are only escaped.

use maud::{Markup, html};

struct Lang {
    keywords: &'static [&'static str],
    line_comments: &'static [&'static str],
    block_comment: Option<(&'static str, &'static str)>,
}

fn lang(name: &str) -> Option<Lang> {
    let c_like = Some(("/*", "*/"));
    Some(match name {
        "rust" | "rs" => Lang {
            keywords: &[
                "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "false", "fn",
                "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
                "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
                "while",
            ],
            line_comments: &["//"],
            block_comment: c_like,
        },
        "go" | "golang" => Lang {
            keywords: &[
                "break",
                "case",
                "chan",
                "const",
                "continue",
                "default",
                "defer",
                "else",
                "false",
                "for",
                "func",
                "go",
                "if",
                "import",
                "interface",
                "map",
                "nil",
                "package",
                "range",
                "return",
                "select",
                "struct",
                "switch",
                "true",
                "type",
                "var",
            ],
            line_comments: &["//"],
            block_comment: c_like,
        },
        "python" | "py" => Lang {
            keywords: &[
                "and", "as", "async", "await", "class", "def", "elif", "else", "except", "False", "finally", "for",
                "from", "if", "import", "in", "is", "lambda", "None", "not", "or", "pass", "raise", "return", "True",
                "try", "while", "with", "yield",
            ],
            line_comments: &["#"],
            block_comment: None,
        },
        "js" | "javascript" | "ts" | "typescript" | "java" | "kotlin" | "c" | "cpp" | "csharp" | "cs" => Lang {
            keywords: &[
                "async",
                "await",
                "break",
                "case",
                "catch",
                "class",
                "const",
                "continue",
                "default",
                "else",
                "export",
                "extends",
                "false",
                "final",
                "for",
                "function",
                "if",
                "implements",
                "import",
                "interface",
                "let",
                "new",
                "null",
                "private",
                "public",
                "return",
                "static",
                "switch",
                "this",
                "throw",
                "true",
                "try",
                "var",
                "void",
                "while",
            ],
            line_comments: &["//"],
            block_comment: c_like,
        },
        "sql" => Lang {
            keywords: &[
                "ALTER",
                "AND",
                "AS",
                "BY",
                "CREATE",
                "DELETE",
                "FOREIGN",
                "FROM",
                "GROUP",
                "INDEX",
                "INSERT",
                "INTO",
                "JOIN",
                "KEY",
                "LIMIT",
                "NOT",
                "NULL",
                "ON",
                "OR",
                "ORDER",
                "PRIMARY",
                "REFERENCES",
                "SELECT",
                "SET",
                "TABLE",
                "UNIQUE",
                "UPDATE",
                "VALUES",
                "WHERE",
            ],
            line_comments: &["--"],
            block_comment: c_like,
        },
        "sh" | "bash" | "shell" | "console" | "yaml" | "yml" | "toml" => Lang {
            keywords: &[
                "if", "then", "else", "fi", "for", "do", "done", "case", "esac", "export", "true", "false", "null",
            ],
            line_comments: &["#"],
            block_comment: None,
        },
        _ => return None,
    })
}

/// Highlighted, escaped HTML for `code` in language `name`.
pub fn highlight(name: &str, code: &str) -> String {
    highlighted(name, code).into_string()
}

/// [`highlight`] as markup.
pub fn highlighted(name: &str, code: &str) -> Markup {
    let pieces = tokens(name, code);
    html! {
        @for (class, text) in &pieces {
            @if let Some(class) = class { span class={ "hl-" (class) } { (text) } } @else { (text) }
        }
    }
}

/// `code` cut into pieces, each with its highlight class (`None`: plain text).
fn tokens<'a>(name: &str, code: &'a str) -> Vec<(Option<&'static str>, &'a str)> {
    let Some(l) = lang(&name.to_ascii_lowercase()) else {
        return vec![(None, code)];
    };
    let sql = name.eq_ignore_ascii_case("sql");
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(c) = rest.chars().next() {
        if let Some(lc) = l.line_comments.iter().find(|p| rest.starts_with(**p)) {
            let _ = lc;
            let end = rest.find('\n').unwrap_or(rest.len());
            out.push((Some("comment"), &rest[..end]));
            rest = &rest[end..];
        } else if let Some((open, close)) = l.block_comment.filter(|(o, _)| rest.starts_with(*o)) {
            let end = rest[open.len()..]
                .find(close)
                .map_or(rest.len(), |e| open.len() + e + close.len());
            out.push((Some("comment"), &rest[..end]));
            rest = &rest[end..];
        } else if c == '"' || c == '\'' || c == '`' {
            let mut end = rest.len();
            let mut escaped = false;
            for (i, ch) in rest.char_indices().skip(1) {
                if escaped {
                    escaped = false;
                } else if ch == '\\' {
                    escaped = true;
                } else if ch == c {
                    end = i + 1;
                    break;
                } else if ch == '\n' && c != '`' {
                    end = i;
                    break;
                }
            }
            out.push((Some("string"), &rest[..end]));
            rest = &rest[end..];
        } else if c.is_ascii_digit() {
            let end = rest
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.' || ch == '_'))
                .unwrap_or(rest.len());
            out.push((Some("number"), &rest[..end]));
            rest = &rest[end..];
        } else if c.is_alphabetic() || c == '_' {
            let end = rest
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .unwrap_or(rest.len());
            let word = &rest[..end];
            let is_kw = if sql {
                l.keywords.iter().any(|k| k.eq_ignore_ascii_case(word))
            } else {
                l.keywords.contains(&word)
            };
            if is_kw {
                out.push((Some("keyword"), word));
            } else {
                out.push((None, word));
            }
            rest = &rest[end..];
        } else {
            out.push((None, &rest[..c.len_utf8()]));
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::highlight;

    #[test]
    fn rust_and_sql() {
        assert_eq!(
            highlight("rust", "let x = \"<a>\"; // hi"),
            "<span class=\"hl-keyword\">let</span> x = <span class=\"hl-string\">&quot;&lt;a&gt;&quot;</span>; <span class=\"hl-comment\">// hi</span>"
        );
        assert_eq!(
            highlight("sql", "select 1"),
            "<span class=\"hl-keyword\">select</span> <span class=\"hl-number\">1</span>"
        );
        assert_eq!(highlight("unknown", "<b>"), "&lt;b&gt;");
    }
}
