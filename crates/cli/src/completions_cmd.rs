//! `designdoc completions SHELL` and `designdoc man`: shell completions and man pages made
//! from the same clap definition the binary parses with, so they never drift from it.

use crate::{Cli, Outcome};
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    pub shell: clap_complete::Shell,
}

#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// Folder to write `designdoc.1` and one page per subcommand (`designdoc-check.1`, ...)
    /// into; without it, `designdoc.1` goes to standard output.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

pub fn completions(args: CompletionsArgs) -> Result<Outcome> {
    let mut cmd = Cli::command();
    // Into memory first: the generator panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "designdoc", &mut script);
    write_stdout(&script)
}

/// Writes to standard output; a reader that stops early (`| head`) is not an error.
fn write_stdout(bytes: &[u8]) -> Result<Outcome> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("cannot write to standard output"),
        _ => Ok(Outcome::Clean),
    }
}

pub fn man(args: ManArgs) -> Result<Outcome> {
    let cmd = Cli::command();
    match args.out_dir {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut page)
                .context("cannot make the man page")?;
            return write_stdout(&page);
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
            clap_mangen::generate_to(cmd, &dir)
                .with_context(|| format!("cannot write man pages into `{}`", dir.display()))?;
        }
    }
    Ok(Outcome::Clean)
}
