//! The command line's view of the workspace: `--config` and `--template` into
//! [`designdoc_workspace::Settings`], and its warnings printed.

use crate::CommonArgs;
use anyhow::{Context, Result};
use designdoc_check::Checker;
use designdoc_workspace::Settings;

pub fn load(args: &CommonArgs) -> Result<Settings> {
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    load_at(args, &cwd)
}

/// As [`load`], designdoc.toml looked for in `start` and above.
pub fn load_at(args: &CommonArgs, start: &std::path::Path) -> Result<Settings> {
    Ok(Settings::load(args.config.as_deref(), args.template.as_deref(), start)?)
}

/// The checker for these settings; problems that do not stop it are printed as warnings.
pub fn checker(settings: &Settings) -> Result<Checker> {
    let loaded = settings.checker()?;
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(loaded.checker)
}
