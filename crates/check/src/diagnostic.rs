//! Diagnostics, levels and fixes. Fixes are data: edits plus how safe they are to apply.

use designdoc_model::Span;
use serde::{Deserialize, Serialize};

/// How serious a finding is. `Off` disables a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Some(match s.to_ascii_lowercase().as_str() {
            "off" | "allow" | "none" => Level::Off,
            "info" | "note" => Level::Info,
            "warning" | "warn" => Level::Warning,
            "error" | "deny" => Level::Error,
            _ => return None,
        })
    }
}

/// One replacement of `span` by `text`; an empty span inserts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// Whether a fix may be applied without a human looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    /// Keeps the author's content and only adds what the template asks for.
    Safe,
    /// Changes meaning or needs review; only applied with `--unsafe-fixes`.
    Unsafe,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub message: String,
    pub safety: Safety,
    pub edits: Vec<Edit>,
}

/// A finding of one rule at one place in one document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    pub message: String,
    pub span: Span,
    /// Short text shown under the caret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}
