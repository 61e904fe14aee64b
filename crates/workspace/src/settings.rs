//! Loading `designdoc.toml` and the template: discovery, relative paths, clear errors.

use crate::config::Config;
use crate::error::{Result, WorkspaceError};
use crate::files;
use designdoc_check::{Checker, DEFAULT_TEMPLATE, RuleConfig, Schema};
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "designdoc.toml";

/// Configuration plus where it came from (paths in it are relative to that folder).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub config: Config,
    /// The folder of the config file (`.` without one): paths in the config start here.
    pub base: PathBuf,
    pub config_path: Option<PathBuf>,
    /// A template named on the command line; it wins over the config's.
    pub template_override: Option<PathBuf>,
}

/// A checker and the problems found in the template and configuration that did not stop
/// it (a warning each, with its position).
pub struct LoadedChecker {
    pub checker: Checker,
    pub warnings: Vec<String>,
}

impl Settings {
    /// Reads `config` if given, else the first designdoc.toml in `start` or above it; no
    /// file at all means the defaults.
    pub fn load(config: Option<&Path>, template: Option<&Path>, start: &Path) -> Result<Settings> {
        let path = match config {
            Some(p) => Some(p.to_path_buf()),
            None => discover(start),
        };
        let Some(path) = path else {
            return Ok(Settings {
                base: PathBuf::from("."),
                template_override: template.map(Path::to_path_buf),
                ..Settings::default()
            });
        };
        let text = std::fs::read_to_string(&path).map_err(|source| WorkspaceError::Read {
            what: "config",
            path: path.clone(),
            source,
        })?;
        let config = Config::parse(&text).map_err(|(at, message)| WorkspaceError::Config {
            path: path.clone(),
            at,
            message,
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let base = if base.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            base
        };
        Ok(Settings {
            config,
            base,
            config_path: Some(path),
            template_override: template.map(Path::to_path_buf),
        })
    }

    /// Where the template comes from: the override, else designdoc.toml, else built in
    /// (`None`).
    pub fn template_path(&self) -> Option<PathBuf> {
        match (&self.template_override, &self.config.template) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(p)) => Some(self.base.join(p)),
            (None, None) => None,
        }
    }

    /// The template text and where it came from (`None` = built in).
    pub fn template(&self) -> Result<(String, Option<PathBuf>)> {
        let Some(p) = self.template_path() else {
            return Ok((DEFAULT_TEMPLATE.to_string(), None));
        };
        let bytes = std::fs::read(&p).map_err(|source| WorkspaceError::Read {
            what: "template",
            path: p.clone(),
            source,
        })?;
        match String::from_utf8(bytes) {
            Ok(text) => Ok((text, Some(p))),
            Err(e) => Err(WorkspaceError::Template {
                name: p.display().to_string(),
                message: format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to()),
            }),
        }
    }

    /// The template's name for messages.
    pub fn template_name(&self) -> String {
        self.template_path()
            .map_or_else(|| "<built-in template>".to_string(), |p| p.display().to_string())
    }

    /// A checker for the configured template and rule levels. Problems in the template's
    /// override comments and unknown `[aliases]` come back as warnings with their position.
    pub fn checker(&self) -> Result<LoadedChecker> {
        let config_name = || {
            self.config_path
                .as_ref()
                .map_or_else(|| CONFIG_FILE.to_string(), |p| p.display().to_string())
        };
        let rules = RuleConfig::from_map(self.config.rules.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(
            |message| WorkspaceError::Config {
                path: PathBuf::from(config_name()),
                at: None,
                message: format!("[rules]: {message}"),
            },
        )?;
        let (text, _) = self.template()?;
        let (mut checker, errors) = Checker::new(&text, rules);
        let mut warnings = Vec::new();
        for title in checker.schema.add_aliases(&self.config.aliases) {
            warnings.push(format!(
                "{}: [aliases]: `{title}` names no section of the template",
                config_name()
            ));
        }
        checker
            .options
            .exempt_nodes
            .extend(self.config.components.exempt.iter().cloned());
        let name = self.template_name();
        let index = designdoc_model::LineIndex::new(&text);
        for e in errors {
            let lc = index.line_col(&text, e.span.start);
            warnings.push(format!("{name}:{}:{}: {}", lc.line, lc.col, e.message));
        }
        if checker.schema.sections.is_empty() {
            return Err(WorkspaceError::Template {
                name,
                message: "has no sections (no headings below its title)".to_string(),
            });
        }
        Ok(LoadedChecker { checker, warnings })
    }

    /// The docs folder: `dir` from designdoc.toml, else the current folder.
    pub fn docs_dir(&self) -> PathBuf {
        self.config
            .dir
            .as_ref()
            .map_or_else(|| PathBuf::from("."), |d| self.base.join(d))
    }

    /// Which files are design docs: the Markdown files of `paths` (folders searched
    /// recursively, honouring `.gitignore`, minus `exclude`), sorted. The template is not
    /// a design doc even when it lives among them, except when it is named on its own
    /// (then it is checked against itself). The one rule every command uses.
    pub fn docs(&self, paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
        let mut found = files::collect(paths, &self.config.exclude, &self.base)?;
        if let Some(template) = self.template_path().map(|p| files::absolute(&p)) {
            let named = paths.iter().any(|p| p.is_file() && files::absolute(p) == template);
            if !named {
                found.retain(|f| files::absolute(f) != template);
            }
        }
        Ok(found)
    }

    /// Which files are design docs when a command is named no paths: every doc under `dir`
    /// from designdoc.toml; without `dir`, those Markdown files in the current folder (and
    /// below) that [look like design docs](looks_like_design_doc), so README.md,
    /// CHANGELOG.md and friends are not checked against the template. With paths, the same
    /// as [`Settings::docs`]. A file that cannot be read as text is left out by the sniff (it
    /// is no design doc by this rule); named on its own, it is reported.
    pub fn docs_or_default(&self, paths: &[PathBuf], schema: &Schema) -> Result<Vec<PathBuf>> {
        if !paths.is_empty() {
            return self.docs(paths);
        }
        let found = self.docs(&[self.docs_dir()])?;
        if self.config.dir.is_some() {
            return Ok(found);
        }
        Ok(found
            .into_iter()
            .filter(
                |p| matches!(files::read(p), Ok(files::Content::Text(text)) if looks_like_design_doc(&text, schema)),
            )
            .collect())
    }

    /// Whether `path` is the template file.
    pub fn is_template(&self, path: &Path) -> bool {
        self.template_path()
            .is_some_and(|t| files::absolute(&t) == files::absolute(path))
    }
}

/// Whether a Markdown text is a design doc of this template, when nobody said so: it has
/// front matter, or at least half of the template's required top-level sections are
/// headings of it (matched as `check` matches them). Precision before recall: a README with
/// an Overview and an Installation section is not one, so it never gets template findings.
pub fn looks_like_design_doc(text: &str, schema: &Schema) -> bool {
    let (doc, _) = designdoc_model::parse(text);
    if doc.front_matter.is_some() {
        return true;
    }
    let alignment = designdoc_check::align::align(&doc, schema);
    let required: Vec<_> = alignment
        .entries
        .iter()
        .filter(|e| e.parent_entry.is_none() && !e.spec.optional)
        .collect();
    let found = required.iter().filter(|e| !e.instances.is_empty()).count();
    !required.is_empty() && found * 2 >= required.len()
}

fn discover(start: &Path) -> Option<PathBuf> {
    start.ancestors().map(|d| d.join(CONFIG_FILE)).find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::Settings;
    use std::path::PathBuf;

    fn project(config: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("designdoc.toml"), config).unwrap();
        std::fs::create_dir(dir.path().join("docs")).unwrap();
        std::fs::write(dir.path().join("docs/template.md"), "# T\n\n## Overview\n").unwrap();
        std::fs::write(dir.path().join("docs/a.md"), "# A\n").unwrap();
        std::fs::write(dir.path().join("docs/b.md"), "# B\n").unwrap();
        dir
    }

    #[test]
    fn the_template_is_not_a_doc_unless_named_alone() {
        let dir = project("template = \"docs/template.md\"\ndir = \"docs\"\n");
        let settings = Settings::load(None, None, dir.path()).unwrap();
        let names = |found: Vec<PathBuf>| -> Vec<String> {
            found
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(names(settings.docs(&[settings.docs_dir()]).unwrap()), ["a.md", "b.md"]);
        let template = dir.path().join("docs/template.md");
        assert_eq!(names(settings.docs(&[template]).unwrap()), ["template.md"]);
    }

    #[test]
    fn design_docs_are_told_from_readmes() {
        let checker = Settings::default().checker().unwrap().checker;
        let looks = |text: &str| super::looks_like_design_doc(text, &checker.schema);
        assert!(!looks(
            "# Tool\n\n## Overview\n\nIt does things.\n\n## Install\n\nRun it.\n"
        ));
        assert!(!looks("# Changelog\n\n## 0.1.0\n\n- first\n"));
        assert!(looks("---\ntitle: An ADR\n---\n# An ADR\n"));
        let headings = [
            "Overview",
            "Background",
            "Goals and Non-Goals",
            "System Design",
            "Components",
            "Data Model",
            "APIs",
            "Security",
            "Implementation Plan",
            "Testing Strategy",
        ];
        let body: String = headings.iter().map(|h| format!("## {h}\n\nText.\n\n")).collect();
        assert!(looks(&format!("# Cache\n\n{body}")));
        // Three of the template's sections are not half of them.
        let few: String = headings[..3].iter().map(|h| format!("## {h}\n\nText.\n\n")).collect();
        assert!(!looks(&format!("# Notes\n\n{few}")));
    }

    #[test]
    fn config_errors_name_the_file_and_position() {
        let dir = project("template = \"docs/template.md\"\nbogus = 1\n");
        let err = Settings::load(None, None, dir.path()).unwrap_err().to_string();
        assert!(err.contains("designdoc.toml:2:1"), "{err}");
        assert!(err.contains("bogus"), "{err}");
    }

    #[test]
    fn unknown_alias_is_a_warning_not_an_error() {
        let dir = project("template = \"docs/template.md\"\n[aliases]\n\"Nope\" = [\"x\"]\n");
        let settings = Settings::load(None, None, dir.path()).unwrap();
        let loaded = settings.checker().unwrap();
        assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
        assert!(loaded.warnings[0].contains("`Nope`"), "{:?}", loaded.warnings);
    }
}
