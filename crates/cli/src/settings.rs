//! Loading `designdoc.toml` and the template: discovery, relative paths, clear errors.

use crate::CommonArgs;
use anyhow::{Context, Result, bail};
use designdoc_check::{Checker, Config, DEFAULT_TEMPLATE, RuleConfig};
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "designdoc.toml";

/// Configuration plus where it came from (paths in it are relative to that folder).
pub struct Settings {
    pub config: Config,
    pub base: PathBuf,
    pub config_path: Option<PathBuf>,
}

pub fn load(args: &CommonArgs) -> Result<Settings> {
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => discover(&std::env::current_dir().context("cannot read the current folder")?),
    };
    let Some(path) = path else {
        return Ok(Settings {
            config: Config::default(),
            base: PathBuf::from("."),
            config_path: None,
        });
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read config `{}`", path.display()))?;
    let config: Config = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let index = designdoc_model::LineIndex::new(&text);
                let lc = index.line_col(&text, s.start);
                format!(":{}:{}", lc.line, lc.col)
            })
            .unwrap_or_default();
        anyhow::anyhow!("{}{at}: {}", path.display(), e.message())
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
    })
}

fn discover(start: &Path) -> Option<PathBuf> {
    start.ancestors().map(|d| d.join(CONFIG_FILE)).find(|p| p.is_file())
}

/// Where the template comes from: `--template`, else designdoc.toml, else built in.
pub fn template_path(args: &CommonArgs, settings: &Settings) -> Option<PathBuf> {
    match (&args.template, &settings.config.template) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(p)) => Some(settings.base.join(p)),
        (None, None) => None,
    }
}

/// The template text and where it came from (`None` = built in).
pub fn template(args: &CommonArgs, settings: &Settings) -> Result<(String, Option<PathBuf>)> {
    match template_path(args, settings) {
        None => Ok((DEFAULT_TEMPLATE.to_string(), None)),
        Some(p) => {
            let bytes = std::fs::read(&p).with_context(|| format!("cannot read template `{}`", p.display()))?;
            match String::from_utf8(bytes) {
                Ok(text) => Ok((text, Some(p))),
                Err(e) => bail!(
                    "template `{}` is not UTF-8 (byte {})",
                    p.display(),
                    e.utf8_error().valid_up_to()
                ),
            }
        }
    }
}

/// A checker for the configured template and rule levels. Problems in the template's
/// override comments are printed as warnings with their position.
pub fn checker(args: &CommonArgs, settings: &Settings) -> Result<Checker> {
    let rules =
        RuleConfig::from_map(settings.config.rules.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(|e| {
            let at = settings
                .config_path
                .as_ref()
                .map_or_else(|| CONFIG_FILE.to_string(), |p| p.display().to_string());
            anyhow::anyhow!("{at}: [rules]: {e}")
        })?;
    let (text, path) = template(args, settings)?;
    let (mut checker, errors) = Checker::new(&text, rules);
    for title in checker.schema.add_aliases(&settings.config.aliases) {
        eprintln!("warning: [aliases]: `{title}` names no section of the template");
    }
    checker
        .options
        .exempt_nodes
        .extend(settings.config.components.exempt.iter().cloned());
    let name = path
        .as_ref()
        .map_or_else(|| "<built-in template>".to_string(), |p| p.display().to_string());
    let index = designdoc_model::LineIndex::new(&text);
    for e in errors {
        let lc = index.line_col(&text, e.span.start);
        eprintln!("warning: {name}:{}:{}: {}", lc.line, lc.col, e.message);
    }
    if checker.schema.sections.is_empty() {
        bail!("template `{name}` has no sections (no headings below its title)");
    }
    Ok(checker)
}
