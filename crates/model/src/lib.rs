//! designdoc's document model: Markdown + YAML front matter -> a typed [`Document`] with
//! byte spans and line:col positions. Pure: no IO, no printing. Parsing never fails; it
//! returns the document together with the problems found while reading it.

mod date;
mod document;
mod front_matter;
pub mod mermaid;
mod normalize;
mod parse;
mod span;
pub mod status;

pub use date::civil_date;
pub use document::*;
pub use front_matter::canonical_meta_key;
pub use normalize::{file_slug, github_compatible, heading_key, slug, split_counter, strip_optional_marker};
pub use span::{LineCol, LineIndex, Span, floor_char_boundary};
pub use status::Status;

/// The largest document designdoc reads (bytes). Real design docs, inline images
/// included, stay far below it; above it, parsing and drawing would cost seconds and
/// hundreds of megabytes, so every reader (check, build, publish, the hub) refuses the
/// file with this figure instead.
pub const MAX_DOCUMENT_BYTES: usize = 2 * 1024 * 1024;

/// Why a document of `len` bytes is refused, or `None` when it is within
/// [`MAX_DOCUMENT_BYTES`].
pub fn too_large(len: usize) -> Option<String> {
    (len > MAX_DOCUMENT_BYTES).then(|| {
        format!(
            "document is {:.1} MiB; designdoc reads documents up to {} MiB",
            len as f64 / 1_048_576.0,
            MAX_DOCUMENT_BYTES / 1_048_576
        )
    })
}

/// What kind of problem the parser met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParseErrorKind {
    FrontMatter,
}

/// A problem met while reading a document. The document is still produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub message: String,
    pub help: Option<String>,
    pub span: Span,
}

/// Parses a design document. Never fails and never panics: problems come back as
/// [`ParseError`]s beside the best document that could be read.
pub fn parse(source: &str) -> (Document, Vec<ParseError>) {
    parse::parse(source)
}
