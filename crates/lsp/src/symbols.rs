//! The outline (document symbols) and folding ranges, both from the section tree.

use crate::position::Text;
use designdoc_model::Document;
use lsp_types::{DocumentSymbol, FoldingRange, FoldingRangeKind, SymbolKind};

/// Nested symbols, one per section. Built from the flat section vector with an explicit
/// stack (sections nest as deep as headings do, never deeper than six, but the model's
/// invariant is no recursion over input).
pub fn document_symbols(text: &Text, doc: &Document) -> Vec<DocumentSymbol> {
    // Children first (reverse document order), so each parent finds its built children.
    let mut built: Vec<Option<DocumentSymbol>> = vec![None; doc.sections.len()];
    for i in (0..doc.sections.len()).rev() {
        let s = &doc.sections[i];
        let children: Vec<DocumentSymbol> = s
            .children
            .iter()
            .filter_map(|&c| built.get_mut(c).and_then(Option::take))
            .collect();
        let name = if s.title.trim().is_empty() {
            "(untitled)".to_string()
        } else {
            s.title.clone()
        };
        #[allow(deprecated)] // `deprecated` is a required field of the type, deprecated itself.
        let symbol = DocumentSymbol {
            name,
            detail: Some("#".repeat(usize::from(s.level.clamp(1, 6)))),
            kind: SymbolKind::STRING,
            tags: None,
            deprecated: None,
            range: text.range(s.span),
            selection_range: text.range(s.heading_span),
            children: (!children.is_empty()).then_some(children),
        };
        built[i] = Some(symbol);
    }
    doc.roots
        .iter()
        .filter_map(|&r| built.get_mut(r).and_then(Option::take))
        .collect()
}

/// One fold per section that spans more than its heading line, and one for front matter.
pub fn folding_ranges(text: &Text, doc: &Document) -> Vec<FoldingRange> {
    let mut out = Vec::new();
    let mut push = |start: usize, end: usize, kind: Option<FoldingRangeKind>| {
        let first = text.line_of(start);
        // A section's span ends where the next heading starts: fold up to the line before.
        let last = text.line_of(end.saturating_sub(1).max(start));
        if last > first {
            out.push(FoldingRange {
                start_line: u32::try_from(first).unwrap_or(u32::MAX),
                start_character: None,
                end_line: u32::try_from(last).unwrap_or(u32::MAX),
                end_character: None,
                kind,
                collapsed_text: None,
            });
        }
    };
    if let Some(fm) = &doc.front_matter {
        push(fm.span.start, fm.span.end, Some(FoldingRangeKind::Comment));
    }
    for s in &doc.sections {
        push(
            s.span.start,
            trim_blank_end(text.as_str(), s.span.end),
            Some(FoldingRangeKind::Region),
        );
    }
    out
}

/// The end of a span without the blank lines before the next heading.
fn trim_blank_end(source: &str, end: usize) -> usize {
    let head = source.get(..end).unwrap_or(source);
    head.trim_end().len()
}
