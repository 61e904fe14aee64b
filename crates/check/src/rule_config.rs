//! Rule levels: what `[rules]` in designdoc.toml sets, resolved against the rule table.

use crate::diagnostic::Level;
use crate::rules::{self, RuleMeta};
use std::collections::HashMap;

/// Resolved rule levels.
#[derive(Debug, Clone, Default)]
pub struct RuleConfig {
    levels: HashMap<&'static str, Level>,
}

impl RuleConfig {
    /// Builds levels from `rule = level` pairs; an unknown rule or level is an error
    /// that names it.
    pub fn from_map<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<RuleConfig, String> {
        let mut levels = HashMap::new();
        for (rule, level) in entries {
            let meta =
                rules::by_name_or_code(rule).ok_or_else(|| format!("unknown rule `{rule}` (see `designdoc rules`)"))?;
            let level = Level::parse(level).ok_or_else(|| {
                format!("unknown level `{level}` for rule `{rule}` (expected off, info, warning or error)")
            })?;
            levels.insert(meta.code, level);
        }
        Ok(RuleConfig { levels })
    }

    pub fn level(&self, meta: &RuleMeta) -> Level {
        self.levels.get(meta.code).copied().unwrap_or(meta.default_level)
    }

    /// The level configuration gives this rule, if it names it at all. Rules that
    /// depend on the template (`missing-metadata`, `missing-authors`) run regardless of the
    /// template when `[rules]` switches them on.
    pub fn explicit(&self, meta: &RuleMeta) -> Option<Level> {
        self.levels.get(meta.code).copied()
    }

    pub fn set(&mut self, meta: &RuleMeta, level: Level) {
        self.levels.insert(meta.code, level);
    }
}
