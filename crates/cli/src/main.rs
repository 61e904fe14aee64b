//! The `designdoc` binary: argument parsing, file IO, printing and exit codes. The only
//! crate that touches the terminal or the file system.

mod build_cmd;
mod check_cmd;
mod completions_cmd;
mod db_cmd;
mod diagram_cmd;
mod logging;
mod lsp_cmd;
mod new_cmd;
mod preview;
mod publish_cmd;
mod rules_cmd;
mod serve_cmd;
mod settings;

use clap::{Parser, Subcommand, ValueEnum};

// Checking allocates many small strings per document; mimalloc measured faster than
// the system allocator on the 10,000-doc benchmark (see BENCHMARKS.md).
// mimalloc, with the memory budget of diagram drawings on top.
#[global_allocator]
static GLOBAL: designdoc_render::diagram::Budgeted<mimalloc::MiMalloc> =
    designdoc_render::diagram::Budgeted(mimalloc::MiMalloc);
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "designdoc",
    version,
    about = "Design documents as first-class artifacts: scaffold, check, render, publish."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scaffold a new design doc from the template.
    New(new_cmd::NewArgs),
    /// Check docs against their template.
    Check(check_cmd::CheckArgs),
    /// Apply safe fixes (same as `check --fix`).
    Fix(check_cmd::CheckArgs),
    /// List the rules, or show one rule's documentation.
    Rules(rules_cmd::RulesArgs),
    /// Render a mermaid diagram (a .mmd file or a doc's diagram) to SVG, without a browser.
    RenderDiagram(diagram_cmd::RenderArgs),
    /// Export a doc's Data Model as SQL DDL or its component graph as Graphviz DOT.
    Export(diagram_cmd::ExportArgs),
    /// Build a static site: every doc with diagrams, an index with status, and registers.
    Build(build_cmd::BuildArgs),
    /// Serve the site on 127.0.0.1, rebuild when a doc changes, reload open pages.
    Preview(preview::PreviewArgs),
    /// Run the hub: publish and watch doc folders, serve the JSON API and pages.
    Serve(serve_cmd::ServeArgs),
    /// Send docs to a hub over its API (for CI jobs in other repositories).
    Publish(publish_cmd::PublishArgs),
    /// Create, list and revoke the hub's API tokens.
    Token(db_cmd::TokenArgs),
    /// Add and list the hub's users and grant roles.
    User(db_cmd::UserArgs),
    /// Hub database maintenance (integrity check).
    Db(db_cmd::DbArgsCmd),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions(completions_cmd::CompletionsArgs),
    /// Print the man page, or write one per subcommand with --out-dir.
    Man(completions_cmd::ManArgs),
    /// Run the language server on stdin/stdout (diagnostics, fixes, hover, completion).
    Lsp(lsp_cmd::LspArgs),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

/// Options shared by commands that load a template and configuration.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CommonArgs {
    /// Template to check against / scaffold from (default: from designdoc.toml, else the
    /// built-in seed template).
    #[arg(long, global = true, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Configuration file (default: designdoc.toml in the current folder or above).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Exit status: 0 clean, 1 findings at error level, 2 usage or I/O error.
pub enum Outcome {
    Clean,
    Findings,
}

/// Small pages for a process that lives milliseconds. mimalloc asks for transparent huge
/// pages, and the kernel zeroes 2 MiB on each first touch: a one-diagram `render-diagram`
/// spent a third of its time there (BENCHMARKS.md, "Diagrams: native SVG vs mermaid-cli").
/// The hub keeps them: a long-lived heap gains from fewer page-table walks.
fn short_lived_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag on this process;
    // it touches no memory of ours. A kernel without it returns an error, which changes
    // nothing but speed, so it is not reported.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_) | Command::Preview(_) | Command::Lsp(_)) {
        short_lived_pages();
    }
    // `serve` installs the logger itself, in the format its settings ask for; the other
    // commands log only what the libraries under them warn of (sqlx, say), as text.
    if !matches!(cli.command, Command::Serve(_))
        && let Err(e) = logging::init(designdoc_hub::LogFormat::Text)
    {
        eprintln!("warning: {e:#}");
    }
    let result = match cli.command {
        Command::New(args) => new_cmd::run(args),
        Command::Check(args) => check_cmd::run(args, false),
        Command::Fix(args) => check_cmd::run(args, true),
        Command::Rules(args) => rules_cmd::run(args),
        Command::RenderDiagram(args) => diagram_cmd::render(args),
        Command::Export(args) => diagram_cmd::export(args),
        Command::Build(args) => build_cmd::run(args),
        Command::Preview(args) => preview::run(args),
        Command::Serve(args) => serve_cmd::run(args),
        Command::Publish(args) => publish_cmd::run(args),
        Command::Token(args) => db_cmd::token(args),
        Command::User(args) => db_cmd::user(args),
        Command::Db(args) => db_cmd::db(args),
        Command::Completions(args) => completions_cmd::completions(args),
        Command::Man(args) => completions_cmd::man(args),
        Command::Lsp(args) => lsp_cmd::run(args),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
