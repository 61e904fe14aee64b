//! designdoc findings as LSP diagnostics: positions in UTF-16, the rule's code, and a
//! link to the rule's documentation.

use crate::position::Text;
use designdoc_check::{Diagnostic, Level};
use lsp_types::{CodeDescription, DiagnosticSeverity, NumberOrString, Url};

/// The `source` every diagnostic carries, so editors can tell whose finding it is.
pub const SOURCE: &str = "designdoc";

/// Where a rule's documentation lives: the page SARIF's `helpUri` names too
/// (`docs/rules/DD001.md` in the repository, `designdoc rules DD001`'s text).
pub fn rule_url(code: &str) -> Option<Url> {
    Url::parse(&designdoc_check::rules::docs_url(code)).ok()
}

/// One finding in the editor's terms; `None` for a rule turned off.
pub fn to_lsp(text: &Text, d: &Diagnostic) -> Option<lsp_types::Diagnostic> {
    let severity = match d.level {
        Level::Off => return None,
        Level::Info => DiagnosticSeverity::INFORMATION,
        Level::Warning => DiagnosticSeverity::WARNING,
        Level::Error => DiagnosticSeverity::ERROR,
    };
    let mut message = d.message.clone();
    if let Some(label) = d.label.as_deref().filter(|l| !l.is_empty()) {
        message.push_str(&format!(" ({label})"));
    }
    if let Some(help) = d.help.as_deref().filter(|h| !h.is_empty()) {
        message.push_str(&format!("\nhelp: {help}"));
    }
    Some(lsp_types::Diagnostic {
        range: text.range(d.span),
        severity: Some(severity),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: rule_url(d.code).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        related_information: None,
        tags: None,
        data: None,
    })
}
