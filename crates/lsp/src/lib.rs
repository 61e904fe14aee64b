//! designdoc's language server: the checker's findings (file and cross-document rules)
//! as diagnostics while a doc is edited, its fixes and suppressions as code actions, the
//! rules' documentation and the template's guidance on hover, the outline, folding,
//! completion of what the template asks for, and go to definition across docs.
//!
//! Built on `lsp-server` (rust-analyzer's synchronous scaffold): one thread owns every
//! buffer and the workspace, so there are no locks around the documents, and debouncing
//! is a deadline on the message loop's receive (see ARCHITECTURE.md, "The language
//! server"). Nothing here prints: over stdio, stdout is the protocol.

mod actions;
mod completion;
mod definition;
pub mod diagnostics;
mod hover;
pub mod position;
mod project;
mod server;
mod symbols;

pub use diagnostics::rule_url;
pub use lsp_server::Connection;
pub use server::{Options, serve};

/// Why the server stopped other than by the client's `exit`.
#[derive(Debug, thiserror::Error)]
pub enum LspError {
    #[error("language server protocol: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    #[error("language server I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// Serves one client over stdin/stdout until it exits or closes the connection.
pub fn serve_stdio(options: Options) -> Result<(), LspError> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection, options)?;
    // The writer thread ends when the last sender is gone; join it so every message
    // queued (the last diagnostics, the shutdown answer) reaches the client.
    drop(connection);
    io_threads.join()?;
    Ok(())
}

/// A checker for unit tests: `template`, with the metadata rules off (what the tests are
/// about is elsewhere).
#[cfg(test)]
pub(crate) fn test_checker(template: &str) -> designdoc_check::Checker {
    use designdoc_check::{Level, rules};
    let mut config = designdoc_check::RuleConfig::default();
    config.set(&rules::MissingMetadata::META, Level::Off);
    config.set(&rules::MissingAuthors::META, Level::Off);
    designdoc_check::Checker::new(template, config).0
}
