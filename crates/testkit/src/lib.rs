//! What a test needs from outside the repository, said one way.
//!
//! A test that needs an external part (PostgreSQL, chromium, the sqlite3 CLI, promtool,
//! git, Node, a Python module, the corpora in `../shared`) asks for it first:
//!
//! ```no_run
//! let Some(url) = designdoc_testkit::require_postgres() else { return };
//! if !designdoc_testkit::require_command("sqlite3", "Debian package sqlite3") {
//!     return;
//! }
//! ```
//!
//! When the part is here the call returns it. When it is missing the call prints one line,
//! `skipped: TEST needs PART (HOW TO INSTALL)`, and returns `None` or `false`, so the test
//! returns early. With `DESIGNDOC_TEST_REQUIRE_ALL=1` (set by `.ci/run`, which installs
//! every part) it panics with that line instead, so there a skip is a failure.
//!
//! Programs are looked up on `PATH` only, never at fixed locations: hiding a program from
//! `PATH` hides it from the tests (`.ci/fresh-clone` runs the suite that way).
//!
//! Dev-only: crates list it under `[dev-dependencies]`, never as a normal dependency.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Set to `1`, a missing part fails the test instead of skipping it.
pub const REQUIRE_ALL: &str = "DESIGNDOC_TEST_REQUIRE_ALL";

/// The PostgreSQL database URL the tests use (a schema of their own in it).
pub const POSTGRES_URL: &str = "DESIGNDOC_TEST_POSTGRES_URL";

/// The root of the repository (the workspace this crate is built in).
pub fn repo_root() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .parent()
        .and_then(Path::parent)
        .unwrap_or(crate_dir)
        .to_path_buf()
}

/// The `shared` folder beside the repository, where the large corpora live.
pub fn shared_root() -> PathBuf {
    let root = repo_root();
    match root.parent() {
        Some(parent) => parent.join("shared"),
        None => root.join("../shared"),
    }
}

/// The running test's name: libtest names each test's thread after the test. Outside a
/// test thread, the name of the test binary.
pub fn test_name() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_string(),
        _ => std::env::args_os()
            .next()
            .and_then(|a| Path::new(&a).file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "test".to_string()),
    }
}

/// The line a test prints when it skips.
pub fn skip_line(test: &str, part: &str, install: &str) -> String {
    format!("skipped: {test} needs {part} ({install})")
}

/// Whether `DESIGNDOC_TEST_REQUIRE_ALL` asks that every part be present.
pub fn require_all() -> bool {
    std::env::var_os(REQUIRE_ALL).is_some_and(|v| !v.is_empty() && v != "0")
}

/// Says the running test lacks `part`: prints the skip line, or panics with it under
/// `DESIGNDOC_TEST_REQUIRE_ALL` (at the test's line: every function here tracks its
/// caller). For needs the `require_*` functions do not cover.
#[track_caller]
pub fn missing(part: &str, install: &str) {
    report(require_all(), &skip_line(&test_name(), part, install));
}

#[track_caller]
fn report(require_all: bool, line: &str) {
    if require_all {
        panic!("{line}");
    }
    println!("{line}");
}

/// `program` found on `PATH` (an executable file), without reporting anything.
pub fn find_program(program: &str) -> Option<PathBuf> {
    find_in_path(program, &std::env::var_os("PATH")?)
}

fn find_in_path(program: &str, path: &OsStr) -> Option<PathBuf> {
    if program.is_empty() || program.contains(['/', '\\']) {
        return None;
    }
    std::env::split_paths(path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .flat_map(|dir| candidates(&dir, program))
        .find(|c| is_executable(c))
}

#[cfg(unix)]
fn candidates(dir: &Path, program: &str) -> Vec<PathBuf> {
    vec![dir.join(program)]
}

#[cfg(not(unix))]
fn candidates(dir: &Path, program: &str) -> Vec<PathBuf> {
    vec![dir.join(format!("{program}.exe")), dir.join(program)]
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// True when `program` is on `PATH`; otherwise says the test needs it (`install`: how to
/// get it, e.g. `Debian package sqlite3`) and returns false.
#[track_caller]
pub fn require_command(program: &str, install: &str) -> bool {
    if find_program(program).is_some() {
        return true;
    }
    missing(program, install);
    false
}

/// The PostgreSQL URL from `DESIGNDOC_TEST_POSTGRES_URL`, with the `psql` client on `PATH`
/// (the tests drop their schemas with it); otherwise says which is missing and returns None.
#[track_caller]
pub fn require_postgres() -> Option<String> {
    let Some(url) = std::env::var(POSTGRES_URL).ok().filter(|u| !u.trim().is_empty()) else {
        missing(
            "PostgreSQL",
            "set DESIGNDOC_TEST_POSTGRES_URL, e.g. postgres://postgres@127.0.0.1:5432/test; .ci/run starts a server and sets it",
        );
        return None;
    };
    require_command("psql", "Debian package postgresql-client").then_some(url)
}

/// Chromium on `PATH` (`chromium` or `chromium-browser`), without reporting anything.
pub fn chromium() -> Option<PathBuf> {
    find_program("chromium").or_else(|| find_program("chromium-browser"))
}

/// Headless chromium; otherwise says the test needs it and returns None.
#[track_caller]
pub fn require_chromium() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        missing("chromium", "Debian package chromium");
    }
    found
}

/// Chromium and chromedriver (a WebDriver session); chromium's path, or None after saying
/// which is missing.
#[track_caller]
pub fn require_chromium_with_driver() -> Option<PathBuf> {
    let chromium = require_chromium()?;
    require_command("chromedriver", "Debian package chromium-driver").then_some(chromium)
}

/// `../shared/RELATIVE` (a corpus beside the repository); otherwise says the test needs it
/// and returns None.
#[track_caller]
pub fn require_shared(relative: &str) -> Option<PathBuf> {
    let path = shared_root().join(relative);
    if path.exists() {
        return Some(path);
    }
    missing(
        &format!("../shared/{relative}"),
        &format!(
            "the shared corpora folder beside the repository, at {}",
            shared_root().display()
        ),
    );
    None
}

/// True when `python3` on `PATH` imports `module`; otherwise says the test needs it
/// (`install`: e.g. `pip install -r tools/cmark-oracle/requirements.txt`) and returns false.
#[track_caller]
pub fn require_python_module(module: &str, install: &str) -> bool {
    let importable = module.split('.').all(|part| {
        part.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    let imports = importable
        && find_program("python3").is_some()
        && Command::new("python3")
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success());
    if !imports {
        missing(&format!("python3 with {module}"), install);
    }
    imports
}

/// Real Mermaid: `node` on `PATH` and the oracle's packages installed in
/// tools/mermaid-oracle/node_modules. The oracle's folder, or None after saying so.
#[track_caller]
pub fn require_node_oracle() -> Option<PathBuf> {
    let harness = repo_root().join("tools/mermaid-oracle");
    if find_program("node").is_none() {
        missing(
            "node",
            "Debian packages nodejs and npm, then: cd tools/mermaid-oracle && npm ci",
        );
        return None;
    }
    if !harness.join("node_modules/mermaid").is_dir() {
        missing("tools/mermaid-oracle/node_modules", "cd tools/mermaid-oracle && npm ci");
        return None;
    }
    Some(harness)
}

/// Mermaid's own renderer, `tools/mermaid-cli` (npm `@mermaid-js/mermaid-cli` driving
/// Debian's chromium), with node and chromium; the `mmdc` program, or None after saying
/// which part is missing.
#[track_caller]
pub fn require_mermaid_cli() -> Option<PathBuf> {
    let install =
        "Debian packages nodejs, npm and chromium, then: cd tools/mermaid-cli && PUPPETEER_SKIP_DOWNLOAD=1 npm ci";
    if find_program("node").is_none() {
        missing("node", install);
        return None;
    }
    require_chromium()?;
    let mmdc = repo_root().join("tools/mermaid-cli/node_modules/.bin/mmdc");
    if !is_executable(&mmdc) {
        missing("tools/mermaid-cli/node_modules", install);
        return None;
    }
    Some(mmdc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_skip_line_names_the_test_the_part_and_the_install() {
        assert_eq!(
            skip_line("hub::pages", "sqlite3", "Debian package sqlite3"),
            "skipped: hub::pages needs sqlite3 (Debian package sqlite3)"
        );
    }

    #[test]
    fn a_test_is_named_after_its_thread() {
        assert!(
            test_name().ends_with("a_test_is_named_after_its_thread"),
            "{}",
            test_name()
        );
    }

    #[test]
    #[should_panic(expected = "t needs x (y)")]
    fn with_require_all_a_missing_part_fails_the_test() {
        // Not a `skipped:` line: .ci/run fails on those in the test output.
        report(true, "t needs x (y)");
    }

    #[cfg(unix)]
    #[test]
    fn programs_are_found_on_path_only_when_executable() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tempdir");
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        std::fs::create_dir_all(&a).expect("mkdir");
        std::fs::create_dir_all(b.join("tool-dir")).expect("mkdir");
        // In the first folder a plain file and a folder by the names; the tools in the second.
        std::fs::write(a.join("tool"), "not executable").expect("write");
        std::fs::create_dir_all(a.join("tool-dir")).expect("mkdir");
        std::fs::write(b.join("tool"), "#!/bin/sh\n").expect("write");
        std::fs::set_permissions(b.join("tool"), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let path = std::env::join_paths([&a, &b]).expect("PATH");
        assert_eq!(find_in_path("tool", &path), Some(b.join("tool")));
        assert_eq!(find_in_path("tool-dir", &path), None);
        assert_eq!(find_in_path("absent", &path), None);
        // Only bare names are looked up: a path is not a PATH lookup.
        assert_eq!(find_in_path(&b.join("tool").to_string_lossy(), &path), None);
        assert_eq!(find_in_path("tool", OsStr::new("")), None);
    }

    #[test]
    fn shared_is_beside_the_repository() {
        let root = repo_root();
        assert!(root.join("crates/testkit/Cargo.toml").is_file(), "{}", root.display());
        assert_eq!(shared_root().parent(), root.parent());
        assert_eq!(shared_root().file_name(), Some(OsStr::new("shared")));
    }
}
