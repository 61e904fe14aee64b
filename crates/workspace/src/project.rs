//! The file system as the cross-document rules see it: which link targets exist, and the
//! repository root that root-relative links (`/docs/x.md`) start from.

use designdoc_check::project::FileLookup;
use std::path::{Path, PathBuf};

/// Answers [`FileLookup`] from the disk. Documents' paths are relative to `base` (empty:
/// the current folder), so a message names a file as the user wrote it.
#[derive(Debug, Clone, Default)]
pub struct DiskLookup {
    base: PathBuf,
    root: Option<PathBuf>,
}

impl DiskLookup {
    /// `root` is relative to `base`, like the documents' paths (see [`repository_root`]).
    pub fn new(base: PathBuf, root: Option<PathBuf>) -> DiskLookup {
        DiskLookup { base, root }
    }
}

impl FileLookup for DiskLookup {
    fn exists(&self, path: &Path) -> bool {
        self.base.join(path).exists()
    }
    fn root(&self) -> Option<PathBuf> {
        self.root.clone()
    }
}

/// The repository root as a path relative to `start` (`.`, `..`, `../..`): the nearest
/// folder at or above `start` holding `.git`, else `config_base` (the configuration's
/// folder). A relative answer keeps the documents' paths and the root in one form.
pub fn repository_root(start: &Path, config_base: Option<&Path>) -> Option<PathBuf> {
    let mut relative = PathBuf::from(".");
    for dir in start.ancestors() {
        if dir.join(".git").exists() {
            return Some(relative);
        }
        relative = if relative == Path::new(".") {
            PathBuf::from("..")
        } else {
            relative.join("..")
        };
    }
    config_base.map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_relative_to_the_start() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        assert_eq!(repository_root(dir.path(), None), Some(PathBuf::from(".")));
        assert_eq!(
            repository_root(&dir.path().join("a/b"), None),
            Some(PathBuf::from("../.."))
        );
        let lookup = DiskLookup::new(dir.path().join("a"), Some(PathBuf::from("..")));
        assert!(lookup.exists(Path::new("b")));
        assert!(!lookup.exists(Path::new("c")));
    }
}
