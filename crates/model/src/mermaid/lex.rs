//! Line and statement splitting shared by the diagram parsers.

/// Statements of a diagram body after its header: `(text, byte offset)`, split on new
/// lines and on `;` outside quotes and brackets, comments and blank parts dropped.
pub(crate) fn statements(src: &str, body_start: usize) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut offset = body_start;
    let mut pending: Option<usize> = None; // start of a line whose quote is still open
    for raw in src[body_start..].split_inclusive('\n') {
        let line_start = pending.unwrap_or(offset);
        offset += raw.len();
        let line = src[line_start..offset].trim_end_matches(['\n', '\r']);
        if pending.is_none() && line.trim_start().starts_with("%%") {
            continue;
        }
        let mut depth = 0i32;
        let mut quoted = false;
        let mut part_start = 0;
        let mut parts = Vec::new();
        for (i, ch) in line.char_indices() {
            match ch {
                '"' => quoted = !quoted,
                '[' | '(' | '{' if !quoted => depth += 1,
                ']' | ')' | '}' if !quoted => depth -= 1,
                ';' if !quoted && depth <= 0 => {
                    parts.push((part_start, i));
                    part_start = i + 1;
                }
                _ => {}
            }
        }
        // A quoted label may run over several lines (markdown strings): keep reading.
        if quoted && offset < src.len() {
            pending = Some(line_start);
            continue;
        }
        pending = None;
        parts.push((part_start, line.len()));
        for (a, b) in parts {
            push_part(&mut out, line, a, b, line_start);
        }
    }
    out
}

fn push_part<'a>(out: &mut Vec<(&'a str, usize)>, line: &'a str, start: usize, end: usize, line_start: usize) {
    let part = &line[start..end];
    let trimmed = part.trim_start();
    let lead = part.len() - trimmed.len();
    let trimmed = trimmed.trim_end();
    if !trimmed.is_empty() {
        out.push((trimmed, line_start + start + lead));
    }
}

/// Where the body starts: after the header line (and any front matter before it).
pub(crate) fn body_start(src: &str) -> usize {
    match super::header_line(src) {
        Some((_, at)) => src[at..].find('\n').map_or(src.len(), |i| at + i + 1),
        None => src.len(),
    }
}

/// A character that may appear in a node or entity identifier.
pub(crate) fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}
