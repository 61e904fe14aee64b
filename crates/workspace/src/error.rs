//! What can go wrong reading a project: every error names the file, and where it can,
//! the line and column.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// A file or folder could not be read.
    #[error("cannot read {what} `{}`: {source}", path.display())]
    Read {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file could not be written or replaced.
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// designdoc.toml does not parse or names something unknown.
    #[error("{}{}: {message}", path.display(), at.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
    Config {
        path: PathBuf,
        /// Line and column (1-based), when the parser knows them.
        at: Option<(usize, usize)>,
        message: String,
    },
    /// The template cannot be used.
    #[error("template `{name}`: {message}")]
    Template { name: String, message: String },
    /// A path given on the command line or in designdoc.toml does not exist.
    #[error("no such file or folder: `{}`", .0.display())]
    NotFound(PathBuf),
    /// An `exclude` pattern is not a valid glob.
    #[error("bad exclude pattern `{pattern}` in designdoc.toml: {message}")]
    Glob { pattern: String, message: String },
}

pub type Result<T> = std::result::Result<T, WorkspaceError>;
