//! The typed document: sections, blocks, inline text, links, placeholders, metadata.
//!
//! Everything is stored in flat vectors indexed by position so that a document is cheap
//! to build, to drop (no deep recursion even for pathological nesting) and to share.

use crate::span::Span;
use serde::Serialize;

/// A parsed design document. Built by [`crate::parse`]; never fails to exist.
#[derive(Debug, Default)]
pub struct Document {
    /// Byte length of the source this was parsed from.
    pub len: usize,
    pub front_matter: Option<FrontMatter>,
    /// Metadata fields from the front matter and from `**Status:** Draft` style lines.
    pub metadata: Vec<MetaField>,
    /// All headings that start a section, in document order.
    pub sections: Vec<Section>,
    /// Indices into `sections` of headings with no enclosing section.
    pub roots: Vec<usize>,
    /// Every block in document order.
    pub blocks: Vec<Block>,
    /// Blocks before the first heading.
    pub preamble: Vec<usize>,
    pub links: Vec<Link>,
    /// Bracketed text such as `[Goal 1]`, outside code, that is not a link.
    pub placeholders: Vec<Placeholder>,
    /// Every fenced `mermaid` block, parsed.
    pub diagrams: Vec<Diagram>,
    /// The anchor of every heading in document order, those inside quotes and lists
    /// included (the renderer gives the n-th heading it meets the n-th anchor).
    pub heading_anchors: Vec<String>,
    /// Where the Markdown body starts (after any front matter).
    pub body_start: usize,
}

#[derive(Debug, Clone)]
pub struct FrontMatter {
    /// The whole block including its `---` fences.
    pub span: Span,
    /// The YAML text between the fences.
    pub yaml_span: Span,
    /// Top-level keys, in order, with their spans; values parsed from YAML.
    pub entries: Vec<FrontMatterEntry>,
}

#[derive(Debug, Clone)]
pub struct FrontMatterEntry {
    pub key: String,
    pub key_span: Span,
    /// The rest of the key's line (and continuation lines) in the source.
    pub value_span: Span,
    pub value: serde_json::Value,
}

impl FrontMatter {
    pub fn get(&self, key: &str) -> Option<&FrontMatterEntry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

/// Where a metadata field was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetaSource {
    FrontMatter,
    /// `**Status:** Draft`, `- Status: Draft` or `| Status | Draft |` near the top.
    Inline,
}

/// One metadata field under its canonical key (`status`, `authors`, `created`, ...).
#[derive(Debug, Clone, Serialize)]
pub struct MetaField {
    pub key: String,
    pub values: Vec<String>,
    pub key_span: Span,
    pub value_span: Span,
    pub source: MetaSource,
}

impl MetaField {
    pub fn first(&self) -> &str {
        self.values.first().map_or("", String::as_str)
    }
}

#[derive(Debug, Clone)]
pub struct Section {
    pub level: u8,
    /// Heading text as rendered (inline markup removed).
    pub title: String,
    /// Tolerant comparable form, see [`crate::heading_key`].
    pub key: String,
    /// Unique anchor id within the document.
    pub anchor: String,
    pub heading_span: Span,
    /// From the heading to the next heading of the same or higher level.
    pub span: Span,
    /// Own content: after the heading up to the first child heading.
    pub body_span: Span,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Indices into `Document::blocks` of this section's own blocks.
    pub blocks: Vec<usize>,
    pub setext: bool,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub span: Span,
    pub section: Option<usize>,
    /// Inside a block quote.
    pub quoted: bool,
    pub kind: BlockKind,
}

#[derive(Debug, Clone)]
pub enum BlockKind {
    Paragraph(InlineText),
    List(List),
    Table(Table),
    Code(CodeBlock),
    Html(String),
    /// A heading nested in a container (list item, quote): kept as text, not a section.
    NestedHeading(InlineText),
    Rule,
}

#[derive(Debug, Clone)]
pub struct List {
    pub ordered: bool,
    /// Items of this list and of lists nested in it, flattened, with their depth.
    pub items: Vec<ListItem>,
}

#[derive(Debug, Clone)]
pub struct ListItem {
    pub span: Span,
    pub depth: u32,
    /// The item's own text (nested lists excluded).
    pub text: InlineText,
    pub task: Option<bool>,
    /// `Purpose: ...` items: the label and the text after the colon.
    pub label: Option<Label>,
    /// Has nested list items.
    pub has_children: bool,
}

#[derive(Debug, Clone)]
pub struct Label {
    pub name: String,
    pub name_span: Span,
    pub value: String,
    pub value_span: Span,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub header: Vec<Cell>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub span: Span,
    pub text: InlineText,
}

#[derive(Debug, Clone)]
pub struct CodeBlock {
    /// Full info string after the fence.
    pub info: String,
    /// First word of the info string, lowercase (`mermaid`, `rust`, ...).
    pub lang: String,
    pub content: String,
    /// Where `content` starts in the document; line `n` of the content is document line
    /// `line_of(content_span.start) + n`.
    pub content_span: Span,
    pub fenced: bool,
}

/// A mermaid block of the document with its model; error spans are document offsets.
#[derive(Debug, Clone)]
pub struct Diagram {
    /// Index into `Document::blocks`.
    pub block: usize,
    pub section: Option<usize>,
    pub parsed: crate::mermaid::ParsedDiagram,
    /// `parsed.errors` mapped to document spans.
    pub errors: Vec<(String, Span)>,
    /// Where the diagram's text starts in the document (see [`Diagram::span_of`]).
    pub content_start: usize,
    /// The content is a verbatim slice of the source (not inside a quote or list), so
    /// offsets map one to one.
    pub verbatim: bool,
}

impl Diagram {
    /// A document span for a range inside the diagram's text.
    pub fn span_of(&self, range: &std::ops::Range<usize>) -> Span {
        Span::new(self.content_start + range.start, self.content_start + range.end)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkKind {
    Link,
    Image,
}

#[derive(Debug, Clone)]
pub struct Link {
    pub kind: LinkKind,
    pub dest: String,
    pub span: Span,
    pub section: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Placeholder {
    /// Text between the brackets.
    pub text: String,
    /// Span including the brackets.
    pub span: Span,
    pub block: usize,
    /// The placeholder is all the text of its paragraph, item or cell.
    pub whole: bool,
}

/// Inline text with a map back to source offsets, so findings inside text (a placeholder,
/// a label) can point at the exact bytes.
#[derive(Debug, Clone, Default)]
pub struct InlineText {
    pub text: String,
    /// `(text offset, source start, source end)` of each appended piece.
    segments: Vec<(usize, usize, usize)>,
    /// Text ranges that came from inline code (never placeholders).
    pub code: Vec<(usize, usize)>,
    /// Text ranges that are a link's text: `[Drawbacks [optional]](#drawbacks)` shows
    /// "Drawbacks [optional]", and its brackets are the author's, not a placeholder.
    pub link_text: Vec<(usize, usize)>,
}

impl InlineText {
    pub fn push(&mut self, piece: &str, source: Span, is_code: bool) {
        let at = self.text.len();
        self.segments.push((at, source.start, source.end));
        self.text.push_str(piece);
        if is_code {
            self.code.push((at, self.text.len()));
        }
    }

    pub fn push_space(&mut self, source_offset: usize) {
        if !self.text.is_empty() && !self.text.ends_with(' ') {
            self.push(" ", Span::point(source_offset), false);
        }
    }

    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// Source offset of text offset `at`.
    pub fn source_offset(&self, at: usize) -> usize {
        let i = match self.segments.binary_search_by(|s| s.0.cmp(&at)) {
            Ok(i) => i,
            Err(0) => return self.segments.first().map_or(0, |s| s.1),
            Err(i) => i - 1,
        };
        let (text_at, start, end) = self.segments[i];
        (start + (at - text_at)).min(end)
    }

    pub fn source_span(&self, start: usize, end: usize) -> Span {
        let s = self.source_offset(start);
        let e = if end > start {
            self.source_offset(end - 1) + 1
        } else {
            s
        };
        Span::new(s, e.max(s))
    }

    pub fn in_code(&self, at: usize) -> bool {
        self.code.iter().any(|&(s, e)| s <= at && at < e)
    }

    pub fn in_link_text(&self, at: usize) -> bool {
        self.link_text.iter().any(|&(s, e)| s <= at && at < e)
    }
}

impl Document {
    /// Metadata field by canonical key; front matter wins over inline lines.
    pub fn meta(&self, key: &str) -> Option<&MetaField> {
        self.metadata
            .iter()
            .find(|f| f.key == key && f.source == MetaSource::FrontMatter)
            .or_else(|| self.metadata.iter().find(|f| f.key == key))
    }

    /// Lifecycle status, lowercase, if the document declares one.
    pub fn status(&self) -> Option<String> {
        self.meta("status")
            .map(|f| f.first().trim().to_lowercase())
            .filter(|s| !s.is_empty())
    }

    /// The document title: front matter `title`, else the first level-1 heading.
    pub fn title(&self) -> Option<String> {
        self.meta("title")
            .map(|f| f.first().to_string())
            .filter(|t| !t.trim().is_empty())
            .or_else(|| self.sections.iter().find(|s| s.level == 1).map(|s| s.title.clone()))
    }

    /// All sections below `index` (depth-first, document order).
    pub fn descendants(&self, index: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.sections[index].children.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            out.push(i);
            stack.extend(self.sections[i].children.iter().rev().copied());
        }
        out
    }

    pub fn section_by_anchor(&self, anchor: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.anchor == anchor)
    }
}
