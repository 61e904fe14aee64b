//! A conservative YAML check for front matter and `@{...}` node data: Mermaid loads both
//! with js-yaml and fails on a YAML error. Only the errors we are sure of are reported
//! (bad indentation, a line that is not `key: value` among mapping entries, unbalanced
//! flow brackets); anything more elaborate (sequences, anchors, tags) is accepted.

/// A byte offset in the checked text and what is wrong there.
pub(super) type YamlError = (usize, &'static str);

/// Unbalanced `{}`/`[]` outside quotes in a flow collection, or text after a quoted
/// scalar before the next `,`/`}`/`]` (`{ icon: "x" loop }`: js-yaml wants a comma).
pub(super) fn check_flow(text: &str) -> Result<(), YamlError> {
    let mut stack = Vec::new();
    let mut quote: Option<char> = None;
    // The last character outside quotes that was not white space.
    let mut last = None;
    let mut after_quoted = false;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                after_quoted = true;
            }
            Some(_) => {}
            None => {
                if c.is_whitespace() {
                    continue;
                }
                if after_quoted && !matches!(c, ',' | '}' | ']' | ':' | '#') {
                    return Err((i, "text after a quoted value; entries are separated by `,`"));
                }
                after_quoted = false;
                match c {
                    // Only a quote that starts a scalar opens one (`it's` is plain text).
                    '"' | '\'' if matches!(last, None | Some('{' | '[' | ',' | ':')) => quote = Some(c),
                    '{' | '[' => stack.push(c),
                    '}' | ']' => {
                        let open = if c == '}' { '{' } else { '[' };
                        if stack.pop() != Some(open) {
                            return Err((i, "a closing bracket without its opening one"));
                        }
                    }
                    _ => {}
                }
                last = Some(c);
            }
        }
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err((text.len(), "a `{` or `[` that is never closed"))
    }
}

/// Where the mapping colon of a line is (`:` followed by a space or the line end,
/// outside quotes), if the line is `key: value`.
fn mapping_colon(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut quote: Option<u8> = None;
    for (i, &c) in b.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'"' | b'\'' if i == 0 => quote = Some(c),
                b':' if i > 0 && b.get(i + 1).is_none_or(|n| *n == b' ' || *n == b'\t') => return Some(i),
                b'#' if i > 0 && b.get(i - 1) == Some(&b' ') => return None,
                _ => {}
            },
        }
    }
    None
}

#[derive(Clone, Copy, PartialEq)]
enum Value {
    /// `key:` with nothing after: a nested block may follow.
    Empty,
    /// A plain scalar, which may go on over deeper lines.
    Plain,
    /// A quoted or flow value, complete on its line.
    Done,
    /// `|` or `>`: deeper lines are its text.
    Block,
}

/// A block mapping document (front matter, or node data over several lines).
pub(super) fn check_block(text: &str) -> Result<(), YamlError> {
    let mut indents: Vec<usize> = Vec::new();
    let mut prev = Value::Done;
    let mut block_at: Option<usize> = None;
    let mut first_plain = false;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let at = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        let content = content.trim_end();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if let Some(b) = block_at {
            if indent > b {
                continue;
            }
            block_at = None;
        }
        if content.starts_with('-') && (content.len() == 1 || content.as_bytes().get(1) == Some(&b' ')) {
            return Ok(()); // sequences: not checked
        }
        if content.starts_with(['&', '!', '*', '\t', '{', '[', '?', '|', '>']) && indents.is_empty() {
            return Ok(());
        }
        let colon = mapping_colon(content);
        let Some(&top) = indents.last() else {
            if colon.is_none() {
                first_plain = true;
                indents.push(indent);
                prev = Value::Plain;
                continue;
            }
            indents.push(indent);
            prev = value_kind(content, colon);
            if prev == Value::Block {
                block_at = Some(indent);
            }
            continue;
        };
        if first_plain {
            if colon.is_some() {
                return Err((at + indent, "a mapping entry after a plain text line"));
            }
            continue;
        }
        if indent > top {
            match (prev, colon) {
                (Value::Empty, Some(_)) => indents.push(indent),
                (Value::Empty | Value::Plain, None) => {
                    prev = Value::Plain;
                    continue;
                }
                _ => return Err((at + indent, "bad indentation of a mapping entry")),
            }
        } else {
            while indents.last().is_some_and(|&t| t > indent) {
                indents.pop();
            }
            if indents.last() != Some(&indent) {
                return Err((at + indent, "bad indentation of a mapping entry"));
            }
            if colon.is_none() {
                return Err((at + indent, "a line that is not `key: value` (a colon is missing)"));
            }
        }
        prev = value_kind(content, colon);
        if prev == Value::Block {
            block_at = Some(indent);
        }
    }
    Ok(())
}

fn value_kind(content: &str, colon: Option<usize>) -> Value {
    let v = colon.and_then(|c| content.get(c + 1..)).unwrap_or("").trim();
    let v = v.find(" #").map_or(v, |i| v.get(..i).unwrap_or(v)).trim_end();
    if v.is_empty() {
        return Value::Empty;
    }
    match v.as_bytes().first() {
        Some(b'|' | b'>') => Value::Block,
        Some(b'"') if v.len() > 1 && v.ends_with('"') => Value::Done,
        Some(b'\'') if v.len() > 1 && v.ends_with('\'') => Value::Done,
        // A quote or bracket left open runs over lines: not checked further.
        Some(b'"' | b'\'' | b'{' | b'[' | b'&' | b'*' | b'!') => Value::Block,
        _ => Value::Plain,
    }
}
