//! The command line's view of the workspace: `--config` and `--template` into
//! [`designdoc_workspace::Settings`], and its warnings printed.

use crate::CommonArgs;
use anyhow::{Context, Result};
use designdoc_check::Checker;
use designdoc_workspace::Settings;

pub fn load(args: &CommonArgs) -> Result<Settings> {
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    Ok(Settings::load(args.config.as_deref(), args.template.as_deref(), &cwd)?)
}

/// The checker for these settings; problems that do not stop it are printed as warnings.
pub fn checker(settings: &Settings) -> Result<Checker> {
    let loaded = settings.checker()?;
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(loaded.checker)
}
