//! What teams adopt designdoc through: shell completions and man pages made from the real
//! command line, and the pre-commit hooks run by the real `pre-commit try-repo` against a
//! temporary repository.

mod common;

use std::path::Path;
use std::process::Command;

fn designdoc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_designdoc"))
}

fn repo_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn completions_for_bash_zsh_and_fish_name_every_subcommand() {
    for (shell, marker) in [
        ("bash", "_designdoc()"),
        ("zsh", "#compdef designdoc"),
        ("fish", "complete -c designdoc"),
    ] {
        let out = designdoc().args(["completions", shell]).output().unwrap();
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: no `{marker}`");
        for sub in ["check", "fix", "serve", "completions", "man"] {
            assert!(script.contains(sub), "{shell} completion lacks `{sub}`");
        }
    }
    // bash itself reads the script without a syntax error.
    let out = designdoc().args(["completions", "bash"]).output().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("designdoc.bash");
    std::fs::write(&file, &out.stdout).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(syntax.status.success(), "{}", String::from_utf8_lossy(&syntax.stderr));
}

#[test]
fn man_pages_cover_each_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = designdoc().arg("man").arg("-o").arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for page in [
        "designdoc.1",
        "designdoc-check.1",
        "designdoc-serve.1",
        "designdoc-user-add.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join(page)).unwrap_or_default();
        assert!(text.contains(".TH "), "{page} is not a man page");
    }
    let check = std::fs::read_to_string(dir.path().join("designdoc-check.1")).unwrap();
    assert!(check.contains("changed\\-since"), "the check page documents its flags");
}

/// Runs `pre-commit try-repo` with the repository's hooks in a new git repository holding
/// one good and one incomplete design doc.
#[test]
fn pre_commit_hooks_run_through_try_repo() {
    if !designdoc_testkit::require_command("git", "Debian package git")
        || !designdoc_testkit::require_command("pre-commit", "pip install pre-commit")
    {
        return;
    }
    let manifest = Command::new("pre-commit")
        .args(["validate-manifest", ".pre-commit-hooks.yaml"])
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(
        manifest.status.success(),
        "{}",
        String::from_utf8_lossy(&manifest.stdout)
    );

    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    std::fs::create_dir(dir.path().join("docs")).unwrap();
    for example in ["0001-rate-limiter.md", "0002-search-service.md"] {
        std::fs::copy(
            repo_root().join("examples").join(example),
            dir.path().join("docs").join(example),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("docs/bad.md"),
        "---\nstatus: approved\n---\n# Half a doc\n\n## Overview\n\nOnly this.\n",
    )
    .unwrap();
    git(&["add", "."]);
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_designdoc"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let try_repo = |hook: &str, file: &str| {
        Command::new("pre-commit")
            .args(["try-repo", &repo_root().to_string_lossy(), hook, "--files", file])
            .current_dir(dir.path())
            .env("PATH", &path)
            // pre-commit keeps its environments here; a fresh one per test run.
            .env("PRE_COMMIT_HOME", dir.path().join(".pre-commit-home"))
            .output()
            .unwrap()
    };
    let out = try_repo("designdoc-check-system", "docs/0001-rate-limiter.md");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the good doc passes:\n{text}");
    assert!(text.contains("Passed"), "{text}");
    let out = try_repo("designdoc-check-system", "docs/bad.md");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "the incomplete approved doc fails:\n{text}");
    assert!(text.contains("missing-section") || text.contains("DD001"), "{text}");
}
