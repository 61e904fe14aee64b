//! designdoc's checker: compiles a template into a schema, aligns documents with it and
//! runs the rules. Pure: no IO, no printing; output formats render to strings.

pub mod align;
pub mod diagnostic;
pub mod facts;
pub mod fix;
pub mod lifecycle;
pub mod matching;
pub mod metadata;
pub mod output;
pub mod project;
pub mod registers;
pub mod rule_config;
pub mod rules;
pub mod schema;
pub mod suppress;
pub mod template;

pub use diagnostic::{Diagnostic, Edit, Fix, Level, Safety};
pub use facts::DocFacts;
pub use rule_config::RuleConfig;
pub use schema::Schema;
pub use template::{DEFAULT_TEMPLATE, TemplateError};

use designdoc_model::{Document, ParseError};

/// A compiled template plus rule configuration: check as many documents as you like,
/// from as many threads as you like.
#[derive(Debug, Clone)]
pub struct Checker {
    pub schema: Schema,
    pub config: RuleConfig,
    pub options: CheckOptions,
}

/// Settings that rules read beyond their level.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Graph node names that need no component section (`[components] exempt`).
    pub exempt_nodes: Vec<String>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            exempt_nodes: rules::DEFAULT_EXEMPT.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// A checked document: the model and its findings (sorted by position).
#[derive(Debug)]
pub struct Checked {
    pub doc: Document,
    pub parse_errors: Vec<ParseError>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checker {
    /// Compiles `template`. Problems in the template's override comments come back beside
    /// the checker (the rest of the template still applies).
    pub fn new(template: &str, config: RuleConfig) -> (Checker, Vec<TemplateError>) {
        let (schema, errors) = template::compile(template);
        (
            Checker {
                schema,
                config,
                options: CheckOptions::default(),
            },
            errors,
        )
    }

    /// The built-in seed template with default rule levels.
    pub fn with_default_template() -> Checker {
        Checker::new(DEFAULT_TEMPLATE, RuleConfig::default()).0
    }

    pub fn check(&self, source: &str) -> Checked {
        let (doc, parse_errors) = designdoc_model::parse(source);
        let diagnostics = self.check_parsed(source, &doc, &parse_errors);
        Checked {
            doc,
            parse_errors,
            diagnostics,
        }
    }

    pub fn check_parsed(&self, source: &str, doc: &Document, parse_errors: &[ParseError]) -> Vec<Diagnostic> {
        let alignment = align::align_source(doc, source, &self.schema);
        // A status still the template's choice list (`Draft | In Review`) is no status yet.
        let status = doc
            .meta("status")
            .filter(|f| !metadata::is_placeholder(f))
            .and_then(|_| doc.status());
        let ctx = rules::Context {
            source,
            doc,
            schema: &self.schema,
            alignment: &alignment,
            parse_errors,
            strict: lifecycle::is_strict(status.as_deref()),
            config: &self.config,
            options: &self.options,
        };
        let mut out = Vec::new();
        for (meta, run) in rules::DOCUMENT_RULES {
            if self.config.level(meta) != Level::Off {
                run(&ctx, &mut out);
            }
        }
        suppress::apply(source, doc, &self.config, &mut out);
        sort(&mut out);
        cap_per_rule(&mut out, MAX_PER_RULE);
        out
    }
}

impl Checker {
    /// The level finding `d` has once its document is in review (or further): a
    /// lifecycle rule configured as an error reports at warning level in a draft and at
    /// error level there. What the hub's review gate evaluates a draft at.
    pub fn level_when_strict(&self, d: &Diagnostic) -> Level {
        let lifecycle_error = rules::DOCUMENT_RULES
            .iter()
            .find(|(meta, _)| meta.code == d.code)
            .is_some_and(|(meta, _)| meta.lifecycle && self.config.level(meta) == Level::Error);
        if lifecycle_error && d.level == Level::Warning {
            Level::Error
        } else {
            d.level
        }
    }
}

impl Checker {
    /// Applies fixes round by round (each round re-checks the new text) until none is
    /// left or `MAX_FIX_ROUNDS` is reached. Returns the new text and the fixes applied.
    pub fn fix(&self, source: &str, include_unsafe: bool) -> (String, Vec<String>) {
        let mut text = source.to_string();
        let mut applied = Vec::new();
        for _ in 0..MAX_FIX_ROUNDS {
            let diagnostics = self.check(&text).diagnostics;
            let Some(fixed) = fix::apply_fixes(&text, &diagnostics, include_unsafe) else {
                break;
            };
            applied.extend(fixed.messages);
            text = fixed.source;
        }
        (text, applied)
    }
}

/// Rounds of fixing before giving up on fixes that keep producing fixes.
pub const MAX_FIX_ROUNDS: usize = 4;

/// Findings of one rule kept per document; the rest are summarised in one finding. A
/// pathological document (a template pasted a thousand times) stays readable and cheap.
pub const MAX_PER_RULE: usize = 500;

/// Keeps the first [`MAX_PER_RULE`] findings of each rule (in the order given) and adds
/// one summary finding per rule for the rest. For findings made outside
/// [`Checker::check`], such as the project rules; apply once per list.
pub fn cap_findings(diagnostics: &mut Vec<Diagnostic>) {
    cap_per_rule(diagnostics, MAX_PER_RULE);
}

fn cap_per_rule(diagnostics: &mut Vec<Diagnostic>, max: usize) {
    let mut counts: std::collections::HashMap<&'static str, usize> = std::collections::HashMap::new();
    for d in diagnostics.iter() {
        *counts.entry(d.code).or_insert(0) += 1;
    }
    if counts.values().all(|&n| n <= max) {
        return;
    }
    let mut seen: std::collections::HashMap<&'static str, usize> = std::collections::HashMap::new();
    let mut last_kept: std::collections::HashMap<&'static str, Diagnostic> = std::collections::HashMap::new();
    diagnostics.retain(|d| {
        let n = seen.entry(d.code).or_insert(0);
        *n += 1;
        if *n == max {
            last_kept.insert(d.code, d.clone());
        }
        *n <= max
    });
    let mut summaries: Vec<Diagnostic> = last_kept
        .into_iter()
        .map(|(code, last)| {
            let more = counts[code] - max;
            Diagnostic {
                message: format!("{more} more `{}` findings in this document are not shown", last.name),
                label: Some(format!("showing the first {max}")),
                help: Some("fix the ones shown and check again".to_string()),
                fix: None,
                ..last
            }
        })
        .collect();
    summaries.sort_by_key(|d| d.code);
    diagnostics.extend(summaries);
}

/// Sorts findings by position, then code, for stable output.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| (a.span.start, a.code, &a.message).cmp(&(b.span.start, b.code, &b.message)));
}
