//! `designdoc lsp`: the language server on stdin/stdout (see `designdoc-lsp`). The
//! workspace and its designdoc.toml come from the editor's workspace folder.

use crate::Outcome;
use anyhow::Result;

#[derive(clap::Args, Debug)]
pub struct LspArgs {
    /// Accepted for editors that pass it by habit; stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_args: LspArgs) -> Result<Outcome> {
    designdoc_lsp::serve_stdio(designdoc_lsp::Options::default())?;
    Ok(Outcome::Clean)
}
