//! Markdown events -> [`Document`]. One pass over pulldown-cmark's offset iterator with an
//! explicit container stack: no recursion, so nesting depth costs memory, not stack.

use crate::ParseError;
use crate::document::*;
use crate::front_matter;
use crate::normalize::{heading_key, slug};
use crate::span::{LineIndex, Span};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// Open containers while walking events.
enum Open {
    Heading {
        level: u8,
        span: Span,
        text: InlineText,
    },
    Paragraph {
        span: Span,
        text: InlineText,
    },
    /// `block` is the list block all nested items flatten into.
    List {
        block: usize,
        depth: u32,
    },
    Item {
        block: usize,
        item: usize,
    },
    Table {
        block: usize,
    },
    Head,
    Row,
    Cell {
        block: usize,
        span: Span,
        text: InlineText,
        head: bool,
    },
    Code {
        span: Span,
        info: String,
        fenced: bool,
        content: String,
        content_span: Option<Span>,
    },
    Html {
        span: Span,
        text: String,
    },
    Quote,
    Other,
    /// A link, with where its text starts in the enclosing inline text.
    Link {
        text_start: Option<usize>,
    },
    /// An image: its alt text is not part of a heading's text (GitHub shows the image).
    Image,
}

pub(crate) fn parse(source: &str) -> (Document, Vec<ParseError>) {
    let mut errors = Vec::new();
    let mut doc = Document {
        len: source.len(),
        ..Document::default()
    };
    // A leading byte-order mark is not content.
    let bom = if source.starts_with('\u{feff}') { 3 } else { 0 };
    let mut body_start = bom;
    match front_matter::split(&source[bom..]) {
        Ok(Some((span, yaml_span))) => {
            let (span, yaml_span) = (span.shift(bom), yaml_span.shift(bom));
            // Positions inside the front matter only (YAML errors); a full line index is
            // built later, and only for files that have findings.
            let head = &source[..span.end];
            let fm = front_matter::parse(head, &LineIndex::new(head), span, yaml_span, &mut errors);
            doc.metadata = front_matter::fields_from_front_matter(&fm, head);
            doc.front_matter = Some(fm);
            body_start = span.end;
        }
        Ok(None) => {}
        Err(err) => {
            let span = err.span.shift(bom);
            errors.push(ParseError { span, ..err });
        }
    }
    doc.body_start = body_start;
    let body = &source[body_start..];
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM;
    let mut walker = Walker {
        source,
        doc: &mut doc,
        stack: Vec::new(),
        current_section: None,
        section_stack: Vec::new(),
    };
    let read_as = crate::normalize::github_compatible(body);
    for (event, range) in Parser::new_ext(&read_as, opts).into_offset_iter() {
        let span = Span::new(range.start + body_start, range.end + body_start);
        walker.event(event, span);
    }
    finish_sections(&mut doc, source);
    // Inline metadata lines live before the first section below the title.
    let preamble_end = doc
        .sections
        .iter()
        .find(|s| s.level > 1 || doc.sections.iter().filter(|x| x.level == 1).count() > 1)
        .map_or(source.len(), |s| s.heading_span.start)
        .min(body_start + 8 * 1024);
    let preamble_end = crate::span::floor_char_boundary(source, preamble_end.max(body_start));
    for field in front_matter::inline_fields(source, body_start, preamble_end) {
        if !doc.metadata.iter().any(|f| f.key == field.key) {
            doc.metadata.push(field);
        }
    }
    (doc, errors)
}

struct Walker<'d> {
    source: &'d str,
    doc: &'d mut Document,
    stack: Vec<Open>,
    current_section: Option<usize>,
    /// (level, section index) of open sections.
    section_stack: Vec<(u8, usize)>,
}

impl Walker<'_> {
    fn in_quote(&self) -> bool {
        self.stack.iter().any(|o| matches!(o, Open::Quote))
    }

    fn push_block(&mut self, span: Span, kind: BlockKind) -> usize {
        let index = self.doc.blocks.len();
        let quoted = self.in_quote();
        self.doc.blocks.push(Block {
            span,
            section: self.current_section,
            quoted,
            kind,
        });
        match self.current_section {
            Some(s) => self.doc.sections[s].blocks.push(index),
            None => self.doc.preamble.push(index),
        }
        index
    }

    /// The inline text sink of the innermost container, if any.
    fn sink(&mut self) -> Option<&mut InlineText> {
        let mut in_image = false;
        for open in self.stack.iter_mut().rev() {
            match open {
                Open::Heading { .. } if in_image => return None,
                Open::Heading { text, .. } | Open::Paragraph { text, .. } | Open::Cell { text, .. } => {
                    return Some(text);
                }
                Open::Image => in_image = true,
                Open::Item { block, item } => {
                    let (b, i) = (*block, *item);
                    return match &mut self.doc.blocks[b].kind {
                        BlockKind::List(list) => list.items.get_mut(i).map(|it| &mut it.text),
                        _ => None,
                    };
                }
                Open::Code { .. } | Open::Html { .. } => return None,
                Open::List { .. } | Open::Quote | Open::Other | Open::Link { .. } => {}
                Open::Table { .. } | Open::Head | Open::Row => return None,
            }
        }
        None
    }

    fn inside_item(&self) -> bool {
        self.stack.iter().any(|o| matches!(o, Open::Item { .. }))
    }

    fn event(&mut self, event: Event<'_>, span: Span) {
        match event {
            Event::Start(tag) => self.start(tag, span),
            Event::End(tag) => self.end(tag, span),
            Event::Text(t) => {
                if let Some(Open::Code {
                    content, content_span, ..
                }) = self.stack.last_mut()
                {
                    content.push_str(&t);
                    *content_span = Some(content_span.map_or(span, |s| s.cover(span)));
                } else if let Some(sink) = self.sink() {
                    sink.push(&t, span, false);
                }
            }
            Event::Code(t) => {
                if let Some(sink) = self.sink() {
                    sink.push(&t, span, true);
                }
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                if let Some(sink) = self.sink() {
                    sink.push(&t, span, true);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(sink) = self.sink() {
                    sink.push_space(span.start);
                }
            }
            Event::Html(t) => {
                if let Some(Open::Html { text, span: s }) = self.stack.last_mut() {
                    text.push_str(&t);
                    *s = s.cover(span);
                } else {
                    self.push_block(span, BlockKind::Html(t.to_string()));
                }
            }
            Event::InlineHtml(_) | Event::FootnoteReference(_) => {}
            Event::TaskListMarker(checked) => {
                if let Some(Open::Item { block, item }) =
                    self.stack.iter().rev().find(|o| matches!(o, Open::Item { .. }))
                {
                    let (b, i) = (*block, *item);
                    if let BlockKind::List(list) = &mut self.doc.blocks[b].kind
                        && let Some(it) = list.items.get_mut(i)
                    {
                        it.task = Some(checked);
                    }
                }
            }
            Event::Rule => {
                if !self.inside_item() {
                    self.push_block(span, BlockKind::Rule);
                }
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>, span: Span) {
        let open = match tag {
            Tag::Heading { level, .. } => Open::Heading {
                level: level as u8,
                span,
                text: InlineText::default(),
            },
            Tag::Paragraph => {
                if self.inside_item() || matches!(self.stack.last(), Some(Open::Cell { .. })) {
                    if let Some(sink) = self.sink() {
                        sink.push_space(span.start);
                    }
                    Open::Other
                } else {
                    Open::Paragraph {
                        span,
                        text: InlineText::default(),
                    }
                }
            }
            Tag::List(first) => {
                let parent = self.stack.iter().rev().find_map(|o| match o {
                    Open::List { block, depth } => Some((*block, *depth)),
                    _ => None,
                });
                match parent {
                    Some((block, depth)) if self.inside_item() => {
                        if let Some(Open::Item { block: b, item }) =
                            self.stack.iter().rev().find(|o| matches!(o, Open::Item { .. }))
                        {
                            let (b, i) = (*b, *item);
                            if let BlockKind::List(list) = &mut self.doc.blocks[b].kind
                                && let Some(it) = list.items.get_mut(i)
                            {
                                it.has_children = true;
                            }
                        }
                        Open::List {
                            block,
                            depth: depth + 1,
                        }
                    }
                    _ => {
                        let block = self.push_block(
                            span,
                            BlockKind::List(List {
                                ordered: first.is_some(),
                                items: Vec::new(),
                            }),
                        );
                        Open::List { block, depth: 0 }
                    }
                }
            }
            Tag::Item => {
                let Some((block, depth)) = self.stack.iter().rev().find_map(|o| match o {
                    Open::List { block, depth } => Some((*block, *depth)),
                    _ => None,
                }) else {
                    self.stack.push(Open::Other);
                    return;
                };
                let mut item_index = 0;
                if let BlockKind::List(list) = &mut self.doc.blocks[block].kind {
                    item_index = list.items.len();
                    list.items.push(ListItem {
                        span,
                        depth,
                        text: InlineText::default(),
                        task: None,
                        label: None,
                        has_children: false,
                    });
                }
                Open::Item {
                    block,
                    item: item_index,
                }
            }
            Tag::Table(_) => {
                let block = self.push_block(
                    span,
                    BlockKind::Table(Table {
                        header: Vec::new(),
                        rows: Vec::new(),
                    }),
                );
                Open::Table { block }
            }
            Tag::TableHead => Open::Head,
            Tag::TableRow => {
                if let Some(block) = self.table_block()
                    && let BlockKind::Table(t) = &mut self.doc.blocks[block].kind
                {
                    t.rows.push(Vec::new());
                }
                Open::Row
            }
            Tag::TableCell => {
                let head = matches!(self.stack.last(), Some(Open::Head));
                match self.table_block() {
                    Some(block) => Open::Cell {
                        block,
                        span,
                        text: InlineText::default(),
                        head,
                    },
                    None => Open::Other,
                }
            }
            Tag::CodeBlock(kind) => {
                let (info, fenced) = match kind {
                    CodeBlockKind::Fenced(info) => (info.to_string(), true),
                    CodeBlockKind::Indented => (String::new(), false),
                };
                Open::Code {
                    span,
                    info,
                    fenced,
                    content: String::new(),
                    content_span: None,
                }
            }
            Tag::HtmlBlock => Open::Html {
                span,
                text: String::new(),
            },
            Tag::BlockQuote(_) => Open::Quote,
            Tag::Link { dest_url, .. } => {
                self.push_link(LinkKind::Link, dest_url.to_string(), span);
                let text_start = self.sink().map(|t| t.text.len());
                Open::Link { text_start }
            }
            Tag::Image { dest_url, .. } => {
                self.push_link(LinkKind::Image, dest_url.to_string(), span);
                Open::Image
            }
            _ => Open::Other,
        };
        self.stack.push(open);
    }

    fn push_link(&mut self, kind: LinkKind, dest: String, span: Span) {
        self.doc.links.push(Link {
            kind,
            dest,
            span,
            section: self.current_section,
        });
    }

    fn table_block(&self) -> Option<usize> {
        self.stack.iter().rev().find_map(|o| match o {
            Open::Table { block } => Some(*block),
            _ => None,
        })
    }

    fn end(&mut self, _tag: TagEnd, _span: Span) {
        let Some(open) = self.stack.pop() else { return };
        match open {
            Open::Heading { level, span, text } => {
                let trimmed = self.source[span.start..span.end].trim_end().len();
                let span = Span::new(span.start, span.start + trimmed);
                if self.stack.is_empty() {
                    self.open_section(level, span, text);
                } else {
                    self.push_block(span, BlockKind::NestedHeading(text));
                }
            }
            Open::Paragraph { span, text } => {
                self.push_block(span, BlockKind::Paragraph(text));
            }
            Open::Item { block, item } => {
                if let BlockKind::List(list) = &mut self.doc.blocks[block].kind
                    && let Some(it) = list.items.get_mut(item)
                {
                    it.label = label_of(&it.text);
                }
            }
            Open::Cell {
                block,
                span,
                text,
                head,
            } => {
                let raw = &self.source[span.start..span.end];
                let lead = raw.len() - raw.trim_start().len();
                let span = Span::new(span.start + lead, span.start + raw.trim_end().len().max(lead));
                if let BlockKind::Table(t) = &mut self.doc.blocks[block].kind {
                    let cell = Cell { span, text };
                    if head {
                        t.header.push(cell);
                    } else if let Some(row) = t.rows.last_mut() {
                        row.push(cell);
                    }
                }
            }
            Open::Code {
                span,
                info,
                fenced,
                content,
                content_span,
            } => {
                // GitHub's language is the info string's first word, as written: ```` ```mermaid,x ````
                // is not a diagram there.
                let lang = info.split_whitespace().next().unwrap_or("").to_lowercase();
                let content_span =
                    content_span.unwrap_or_else(|| Span::point(line_after(span, &self.source[span.start..span.end])));
                if !self.inside_item() {
                    self.push_block(
                        span,
                        BlockKind::Code(CodeBlock {
                            info,
                            lang,
                            content,
                            content_span,
                            fenced,
                        }),
                    );
                }
            }
            Open::Html { span, text } => {
                self.push_block(span, BlockKind::Html(text));
            }
            Open::Link { text_start } => {
                if let (Some(start), Some(sink)) = (text_start, self.sink()) {
                    let end = sink.text.len();
                    sink.link_text.push((start, end));
                }
            }
            Open::List { .. }
            | Open::Table { .. }
            | Open::Head
            | Open::Row
            | Open::Quote
            | Open::Other
            | Open::Image => {}
        }
    }

    fn open_section(&mut self, level: u8, span: Span, text: InlineText) {
        let index = self.doc.sections.len();
        while self.section_stack.last().is_some_and(|&(l, _)| l >= level) {
            self.section_stack.pop();
        }
        let parent = self.section_stack.last().map(|&(_, i)| i);
        match parent {
            Some(p) => self.doc.sections[p].children.push(index),
            None => self.doc.roots.push(index),
        }
        // Placeholders inside headings count too: `# Design: [Feature Name]`.
        scan_placeholders(&text, usize::MAX, &mut self.doc.placeholders);
        let title = text.text.trim().to_string();
        self.doc.sections.push(Section {
            level,
            key: heading_key(&title),
            anchor: String::new(),
            title,
            heading_span: span,
            span,
            body_span: Span::point(span.end),
            parent,
            children: Vec::new(),
            blocks: Vec::new(),
            setext: false,
        });
        self.section_stack.push((level, index));
        self.current_section = Some(index);
    }
}

/// Where an empty code block's content would start: after the opening fence line.
fn line_after(source_offset_of_block: Span, block_text: &str) -> usize {
    block_text
        .find('\n')
        .map_or(source_offset_of_block.end, |i| source_offset_of_block.start + i + 1)
}

/// `Purpose: text` -> label "Purpose", value "text". Short labels only, so ordinary
/// sentences with a colon are not mistaken for fields.
fn label_of(text: &InlineText) -> Option<Label> {
    let s = &text.text;
    let colon = s.find(':')?;
    let name = s[..colon].trim();
    if name.is_empty()
        || name.len() > 48
        || name.split_whitespace().count() > 5
        || name.contains(['[', ']', '(', ')', '`', '/'])
        || text.in_code(colon)
        || s[colon + 1..].starts_with("//")
    {
        return None;
    }
    let name_start = s.len() - s.trim_start().len();
    let value_raw = &s[colon + 1..];
    let value = value_raw.trim();
    let value_start = colon + 1 + (value_raw.len() - value_raw.trim_start().len());
    Some(Label {
        name: name.to_string(),
        name_span: text.source_span(name_start, name_start + name.len()),
        value: value.to_string(),
        value_span: text.source_span(value_start, value_start + value.len()),
    })
}

/// Fills in section spans, setext flags, unique anchors and placeholders.
fn finish_sections(doc: &mut Document, source: &str) {
    let n = doc.sections.len();
    for i in 0..n {
        let level = doc.sections[i].level;
        let end = doc.sections[i + 1..]
            .iter()
            .find(|s| s.level <= level)
            .map_or(source.len(), |s| s.heading_span.start);
        let body_end = doc.sections.get(i + 1).map_or(source.len(), |s| s.heading_span.start);
        let s = &mut doc.sections[i];
        s.span = Span::new(s.heading_span.start, end);
        s.body_span = Span::new(s.heading_span.end, body_end.max(s.heading_span.end));
        s.setext = !source[s.heading_span.start..].starts_with('#');
    }
    assign_anchors(doc);
    collect_placeholders(doc);
    collect_diagrams(doc, source);
}

/// Gives every heading its anchor, as GitHub does: the slug of its text, made unique by
/// `-1`, `-2`, ... in document order. Headings inside quotes and lists count too (GitHub
/// gives them ids), so a section after such a heading gets the anchor GitHub gives it.
/// The one place anchors are made; the renderer reads them from here.
fn assign_anchors(doc: &mut Document) {
    // (where the heading starts, its text, the section it starts if any)
    let mut headings: Vec<(usize, String, Option<usize>)> = doc
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| (s.heading_span.start, s.title.clone(), Some(i)))
        .collect();
    headings.extend(doc.blocks.iter().filter_map(|b| match &b.kind {
        BlockKind::NestedHeading(text) => Some((b.span.start, text.text.trim().to_string(), None)),
        _ => None,
    }));
    headings.sort_by_key(|h| h.0);
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    doc.heading_anchors = Vec::with_capacity(headings.len());
    for (_, title, section) in headings {
        let base = slug(&title);
        let count = seen.entry(base.clone()).or_insert(0);
        let anchor = if *count == 0 { base } else { format!("{base}-{count}") };
        *count += 1;
        if let Some(i) = section {
            doc.sections[i].anchor.clone_from(&anchor);
        }
        doc.heading_anchors.push(anchor);
    }
}

/// Parses every mermaid block. Error ranges are mapped to document spans; for a block
/// whose text is not a verbatim slice of the source (inside a quote), a position is
/// mapped to the start of its line in the block.
fn collect_diagrams(doc: &mut Document, source: &str) {
    let mut diagrams = Vec::new();
    for (i, block) in doc.blocks.iter().enumerate() {
        let BlockKind::Code(code) = &block.kind else { continue };
        if code.lang != "mermaid" {
            continue;
        }
        let parsed = crate::mermaid::parse_diagram(&code.content);
        let start = code.content_span.start;
        let verbatim = source.get(start..start + code.content.len()) == Some(code.content.as_str());
        let errors = parsed
            .errors
            .iter()
            .map(|e| {
                let span = if verbatim {
                    Span::new(start + e.range.start, start + e.range.end)
                } else {
                    let line = code.content[..e.range.start.min(code.content.len())]
                        .matches('\n')
                        .count();
                    let offset = nth_line_start(source, start, line).min(block.span.end);
                    Span::point(offset)
                };
                (e.message.clone(), span)
            })
            .collect();
        diagrams.push(Diagram {
            block: i,
            section: block.section,
            parsed,
            errors,
            content_start: start,
            verbatim,
        });
    }
    doc.diagrams = diagrams;
}

fn nth_line_start(source: &str, from: usize, n: usize) -> usize {
    let mut at = from;
    for _ in 0..n {
        match source[at..].find('\n') {
            Some(i) => at += i + 1,
            None => return source.len(),
        }
    }
    at
}

fn collect_placeholders(doc: &mut Document) {
    let mut found = Vec::new();
    for (bi, block) in doc.blocks.iter().enumerate() {
        match &block.kind {
            BlockKind::Paragraph(t) | BlockKind::NestedHeading(t) => scan_placeholders(t, bi, &mut found),
            BlockKind::List(list) => {
                for item in &list.items {
                    scan_placeholders(&item.text, bi, &mut found);
                }
            }
            BlockKind::Table(table) => {
                for cell in table.header.iter().chain(table.rows.iter().flatten()) {
                    scan_placeholders(&cell.text, bi, &mut found);
                }
            }
            _ => {}
        }
    }
    // Heading placeholders were found while the sections were opened.
    doc.placeholders.extend(found);
}

/// Finds `[text]` runs in inline text. Links never reach here as brackets (the parser
/// consumed them), task boxes are markers, and code spans are skipped.
fn scan_placeholders(text: &InlineText, block: usize, out: &mut Vec<Placeholder>) {
    let s = &text.text;
    if !s.contains('[') {
        return;
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'[' && !text.in_code(i) && !text.in_link_text(i) {
            if let Some(rel) = s[i + 1..].find([']', '[']) {
                let close = i + 1 + rel;
                if bytes[close] == b']' {
                    let inner = &s[i + 1..close];
                    let next = bytes.get(close + 1).copied();
                    let plausible = !inner.trim().is_empty()
                        && !inner.starts_with(['^', '!', ' '])
                        && inner.trim() != "x"
                        && inner.chars().any(|c| c.is_alphabetic())
                        && inner.len() <= 200
                        && next != Some(b'(')
                        && next != Some(b'[');
                    if plausible {
                        let whole = s[..i].trim().is_empty() && s[close + 1..].trim().is_empty();
                        out.push(Placeholder {
                            text: inner.to_string(),
                            span: text.source_span(i, close + 1),
                            block,
                            whole,
                        });
                    }
                    i = close + 1;
                    continue;
                }
                i = close;
                continue;
            }
            break;
        }
        i += 1;
    }
}
