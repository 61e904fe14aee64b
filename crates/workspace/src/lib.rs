//! The project on disk: `designdoc.toml` ([`Config`], `[hub]` included), which files are
//! design docs ([`Settings::docs`]: one rule for `check`, `build`, `publish` and `serve`,
//! the template excluded everywhere), reading files without losing anything, and atomic
//! writes. Everything here may touch the file system; nothing here prints.

pub mod config;
mod error;
pub mod files;
pub mod project;
mod settings;

pub use config::{ComponentsConfig, Config, HubConfig, NotifyConfig, SmtpConfig};
pub use error::{Result, WorkspaceError};
pub use files::{Content, Stamps, write_atomic};
pub use settings::{CONFIG_FILE, LoadedChecker, Settings};

/// The space a folder of docs is published into: the folder's own name (`docs` for a
/// root with none). `serve` and `publish` agree on it.
pub fn space_name(dir: &std::path::Path) -> String {
    files::absolute(dir)
        .file_name()
        .map_or_else(|| "docs".to_string(), |n| n.to_string_lossy().into_owned())
}
