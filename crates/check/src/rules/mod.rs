//! The rule registry: one file per rule, each declaring its stable code, kebab-case name,
//! default level and documentation (the doc comment on its declaration).

use crate::align::Alignment;
use crate::diagnostic::{Diagnostic, Level};
use crate::rule_config::RuleConfig;
use crate::schema::Schema;
use designdoc_model::{Document, Span};

mod broken_relative_link;
mod component_graph_mismatch;
mod diagram_kind_mismatch;
mod diagram_too_large;
mod docs;
mod duplicate_doc_id;
mod empty_field;
mod empty_list;
mod empty_section;
mod er_entity_undefined;
mod front_matter;
mod invalid_input;
mod mermaid_syntax_error;
mod missing_diagram;
mod missing_section;
mod missing_table_column;
mod section_out_of_order;
mod section_wrong_level;
mod sequence_participant_undocumented;
mod supersedes_not_found;
mod unclosed_code_fence;
mod unedited_sample_diagram;
mod unexpected_section;
mod unfilled_placeholder;
mod unused_suppression;
mod value_not_allowed;

pub use broken_relative_link::BrokenRelativeLink;
pub use component_graph_mismatch::DEFAULT_EXEMPT;
pub use docs::{DOCS_DIR, REPOSITORY, docs_url, page, pages};
pub use duplicate_doc_id::DuplicateDocId;
pub use front_matter::{InvalidDate, InvalidFrontMatter, MissingAuthors, MissingMetadata, MissingTitle, UnknownStatus};
pub use invalid_input::InvalidInput;
pub use supersedes_not_found::SupersedesNotFound;
pub use unused_suppression::UnusedSuppression;

/// What every rule declares about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable code, never reused: `DD001`.
    pub code: &'static str,
    /// Stable kebab-case name: `missing-section`.
    pub name: &'static str,
    pub default_level: Level,
    /// A completeness rule: errors in `review`/`approved`, warnings in `draft`.
    pub lifecycle: bool,
    /// The rule's documentation (What it does / Why / Example / Fix).
    pub doc: &'static str,
}

impl RuleMeta {
    /// First paragraph of the documentation, on one line.
    pub fn summary(&self) -> String {
        self.doc
            .lines()
            .map(str::trim)
            .skip_while(|l| l.is_empty())
            .take_while(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The documentation as Markdown: the doc comment without the one-space indent of
    /// `///`. What `designdoc rules NAME` prints and the editor's hover shows.
    pub fn doc_text(&self) -> String {
        self.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }
}

/// Declares a rule: its doc comment becomes both rustdoc and the text `designdoc rules`
/// prints, so the two cannot drift apart.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            code: $code:literal,
            name: $kebab:literal,
            level: $level:ident,
            lifecycle: $lifecycle:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;
        impl $name {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                code: $code,
                name: $kebab,
                default_level: $crate::diagnostic::Level::$level,
                lifecycle: $lifecycle,
                doc: concat!($($doc, "\n"),*),
            };
        }
    };
}
pub(crate) use declare_rule;

/// Everything a per-document rule may look at. Built once per document.
pub struct Context<'a> {
    pub source: &'a str,
    pub doc: &'a Document,
    pub schema: &'a Schema,
    pub alignment: &'a Alignment<'a>,
    pub parse_errors: &'a [designdoc_model::ParseError],
    /// `review`/`approved`/`implemented` or no draft-like status: completeness is required.
    pub strict: bool,
    pub config: &'a RuleConfig,
    pub options: &'a crate::CheckOptions,
}

impl Context<'_> {
    /// The first line of `span` (a fenced block's opening line, where a finding about the
    /// whole block points).
    pub fn first_line(&self, span: Span) -> Span {
        let end = self.source[span.start..span.end]
            .find('\n')
            .map_or(span.end, |i| span.start + i);
        Span::new(span.start, end)
    }

    /// The level this rule reports at for this document, after configuration and
    /// lifecycle.
    pub fn level(&self, meta: &RuleMeta) -> Level {
        let level = self.config.level(meta);
        if meta.lifecycle && !self.strict && level == Level::Error {
            Level::Warning
        } else {
            level
        }
    }

    pub fn diag(&self, meta: &RuleMeta, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: meta.code,
            name: meta.name,
            level: self.level(meta),
            message: message.into(),
            span,
            label: None,
            help: None,
            fix: None,
        }
    }

    pub fn text(&self, span: Span) -> &str {
        self.source.get(span.start..span.end).unwrap_or("")
    }
}

pub type CheckFn = fn(&Context, &mut Vec<Diagnostic>);

/// Per-document rules in the order they run.
pub const DOCUMENT_RULES: &[(RuleMeta, CheckFn)] = &[
    (front_matter::InvalidFrontMatter::META, front_matter::check_invalid),
    (
        front_matter::MissingMetadata::META,
        front_matter::check_missing_metadata,
    ),
    (front_matter::UnknownStatus::META, front_matter::check_status),
    (front_matter::MissingTitle::META, front_matter::check_title),
    (front_matter::MissingAuthors::META, front_matter::check_authors),
    (front_matter::InvalidDate::META, front_matter::check_dates),
    (missing_section::MissingSection::META, missing_section::check),
    (
        section_out_of_order::SectionOutOfOrder::META,
        section_out_of_order::check,
    ),
    (section_wrong_level::SectionWrongLevel::META, section_wrong_level::check),
    (unexpected_section::UnexpectedSection::META, unexpected_section::check),
    (unclosed_code_fence::UnclosedCodeFence::META, unclosed_code_fence::check),
    (empty_section::EmptySection::META, empty_section::check),
    (
        unfilled_placeholder::UnfilledPlaceholder::META,
        unfilled_placeholder::check,
    ),
    (empty_field::EmptyField::META, empty_field::check),
    (
        missing_table_column::MissingTableColumn::META,
        missing_table_column::check,
    ),
    (value_not_allowed::ValueNotAllowed::META, value_not_allowed::check),
    (empty_list::EmptyList::META, empty_list::check),
    (missing_diagram::MissingDiagram::META, missing_diagram::check),
    (
        diagram_kind_mismatch::DiagramKindMismatch::META,
        diagram_kind_mismatch::check,
    ),
    (
        unedited_sample_diagram::UneditedSampleDiagram::META,
        unedited_sample_diagram::check,
    ),
    (
        mermaid_syntax_error::MermaidSyntaxError::META,
        mermaid_syntax_error::check,
    ),
    (diagram_too_large::DiagramTooLarge::META, diagram_too_large::check),
    (
        component_graph_mismatch::ComponentGraphMismatch::META,
        component_graph_mismatch::check,
    ),
    (er_entity_undefined::ErEntityUndefined::META, er_entity_undefined::check),
    (
        sequence_participant_undocumented::SequenceParticipantUndocumented::META,
        sequence_participant_undocumented::check,
    ),
    (
        broken_relative_link::BrokenRelativeLink::META,
        broken_relative_link::check_anchors,
    ),
];

/// Every rule, for `designdoc rules`, SARIF and configuration checks.
pub fn all() -> Vec<RuleMeta> {
    let mut all: Vec<RuleMeta> = DOCUMENT_RULES
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| m.code != BrokenRelativeLink::META.code)
        .collect();
    all.extend([
        DuplicateDocId::META,
        BrokenRelativeLink::META,
        SupersedesNotFound::META,
        InvalidInput::META,
        UnusedSuppression::META,
    ]);
    all.sort_by_key(|m| m.code);
    all
}

pub fn by_name_or_code(key: &str) -> Option<RuleMeta> {
    all()
        .into_iter()
        .find(|m| m.code.eq_ignore_ascii_case(key) || m.name == key)
}

/// The mermaid source of a document diagram (its fenced block's content).
pub(crate) fn diagram_source<'a>(ctx: &Context<'a>, diagram: &designdoc_model::Diagram) -> Option<&'a str> {
    match &ctx.doc.blocks.get(diagram.block)?.kind {
        designdoc_model::BlockKind::Code(code) => Some(code.content.as_str()),
        _ => None,
    }
}

/// Heading-level-adjusted skeleton for inserting a template section.
pub(crate) fn relevel(skeleton: &str, delta: i32) -> String {
    let mut out = String::with_capacity(skeleton.len());
    let mut fence: Option<&str> = None;
    for line in skeleton.split_inclusive('\n') {
        let t = line.trim_start();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
            out.push_str(line);
            continue;
        }
        if t.starts_with("```") {
            fence = Some("```");
        } else if t.starts_with("~~~") {
            fence = Some("~~~");
        }
        let hashes = line.bytes().take_while(|&b| b == b'#').count();
        if hashes > 0 && matches!(line.as_bytes().get(hashes), Some(b' ' | b'\n') | None) {
            let level = (hashes as i32 + delta).clamp(1, 6) as usize;
            out.push_str(&"#".repeat(level));
            out.push_str(&line[hashes..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Text that stands in for content without being any: `TBD`, `TODO`, `...`.
pub(crate) fn is_filler(text: &str) -> bool {
    // Every filler word is short; most text is not, and needs no lowercasing.
    if text.len() > 32 {
        return false;
    }
    let t = text.trim().trim_matches(['*', '_', '.', ' ']).to_lowercase();
    let t = t.trim_end_matches(['.', '!', ':']);
    text.trim().is_empty()
        || matches!(
            t,
            "" | "tbd"
                | "todo"
                | "tba"
                | "fixme"
                | "wip"
                | "?"
                | "??"
                | "???"
                | "-"
                | "…"
                | "coming soon"
                | "to be written"
                | "to be determined"
                | "to do"
        )
}
