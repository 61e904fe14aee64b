//! `designdoc check` and `fix` for pipelines and editors, through the real binary in
//! temporary folders: standard input, exit policies, --quiet, --statistics, SARIF rule
//! links, --changed-since in another repository, default paths, CRLF files.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `designdoc ARGS` in `dir`, `stdin` piped in when given.
fn run_with(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_designdoc"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start designdoc");
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // A child that exits before reading all of it closes the pipe: what it printed
        // then tells why (the assertions below show it), not a broken-pipe panic here.
        if let Err(e) = pipe.write_all(text.as_bytes())
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            panic!("write stdin: {e}");
        }
    }
    let out = child.wait_with_output().expect("run designdoc");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "designdoc panicked:\n{}", run.stderr);
    run
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_with(dir, args, None)
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr))
}

/// (code, line) of every finding in a JSON report.
fn findings(v: &serde_json::Value) -> Vec<(String, u64)> {
    v["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    (
                        d["code"].as_str().unwrap_or("").to_string(),
                        d["start"]["line"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    findings(v).into_iter().map(|(c, _)| c).collect()
}

/// A scaffolded draft doc (only warnings: its completeness findings) in `dir/docs`.
fn scaffold(dir: &Path, title: &str) -> PathBuf {
    let r = run(dir, &["new", title, "--dir", "docs", "--author", "Ann"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    dir.join(r.stdout.trim())
}

fn set_id(path: &Path, id: &str) {
    let text = std::fs::read_to_string(path).expect("doc");
    let (_, rest) = text.split_once('\n').expect("front matter");
    let rest = rest.split_once('\n').map(|(_, r)| r).expect("id line");
    std::fs::write(path, format!("---\nid: \"{id}\"\n{rest}")).expect("write");
}

const ALPHA_FROM_STDIN: &[&str] = &[
    "check",
    "-",
    "--stdin-filename",
    "docs/0001-alpha.md",
    "--format",
    "json",
];

#[test]
fn stdin_is_checked_under_its_name_with_its_projects_config_and_docs() {
    let root = tempfile::tempdir().expect("tempdir");
    let proj = root.path().join("proj");
    std::fs::create_dir_all(&proj).expect("mkdir");
    std::fs::write(
        proj.join("designdoc.toml"),
        "dir = \"docs\"\n[rules]\nDD011 = \"off\"\n",
    )
    .expect("config");
    let a = scaffold(&proj, "Alpha");
    let b = scaffold(&proj, "Beta");
    set_id(&a, "7");
    set_id(&b, "8");
    let text = std::fs::read_to_string(&a).expect("a");

    // Without a name: `<stdin>`, settings from the current folder (no DD011 = off there).
    let r = run_with(root.path(), &["check", "-", "--format", "json"], Some(&text));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r);
    assert!(
        v["diagnostics"]
            .as_array()
            .is_some_and(|d| d.iter().all(|d| d["file"] == "<stdin>"))
    );
    assert!(codes(&v).iter().any(|c| c == "DD011"), "{v}");

    // Named from another folder: the name in the report, the project's designdoc.toml.
    let name = "proj/docs/0001-alpha.md";
    let r = run_with(
        root.path(),
        &["check", "--stdin", "--stdin-filename", name, "--format", "json"],
        Some(&text),
    );
    let v = json(&r);
    assert!(
        !codes(&v).contains(&"DD011".to_string()),
        "designdoc.toml not read: {v}"
    );
    assert!(
        v["diagnostics"]
            .as_array()
            .is_some_and(|d| d.iter().all(|d| d["file"] == name)),
        "{v}"
    );
    assert_eq!(v["summary"]["files"], 1, "only standard input is reported: {v}");

    // The project rules see the text in place of the file: the same id as Beta's is a
    // duplicate although the file on disk says 7; the disk's duplicate is not reported.
    let as_beta = text.replacen("id: \"7\"", "id: \"8\"", 1);
    assert_ne!(as_beta, text);
    let r = run_with(&proj, ALPHA_FROM_STDIN, Some(&as_beta));
    assert_eq!(r.code, 1, "a duplicate id is an error: {}", r.stdout);
    assert!(codes(&json(&r)).contains(&"DD030".to_string()), "{}", r.stdout);
    set_id(&a, "8");
    let r = run_with(&proj, ALPHA_FROM_STDIN, Some(&text));
    assert!(!codes(&json(&r)).contains(&"DD030".to_string()), "{}", r.stdout);

    // `-` with other paths, or a name without standard input, is a usage error.
    assert_eq!(run_with(&proj, &["check", "-", "docs"], Some(&text)).code, 2);
    assert_eq!(run(&proj, &["check", "--stdin-filename", "x.md", "docs"]).code, 2);
}

#[test]
fn fix_stdin_prints_the_fixed_text_and_leaves_the_file_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = scaffold(dir.path(), "Gamma");
    let text = std::fs::read_to_string(&doc).expect("doc");
    let without_security = remove_section(&text, "## Testing Strategy");
    std::fs::write(&doc, &without_security).expect("write");
    let r = run_with(
        dir.path(),
        &["fix", "-", "--stdin-filename", "docs/0001-gamma.md"],
        Some(&without_security),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("\n## Testing Strategy\n"),
        "fixed text on stdout:\n{}",
        r.stdout
    );
    assert!(!r.stdout.contains("checked 1 file"), "the report goes to stderr");
    assert!(r.stderr.contains("fixed 1 problem"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&doc).expect("doc"), without_security);
}

/// `text` without the section under `heading` (up to the next heading of its level).
fn remove_section(text: &str, heading: &str) -> String {
    let start = text.find(&format!("\n{heading}\n")).expect("section") + 1;
    let level = heading.split(' ').next().unwrap_or("##");
    let end = text[start + heading.len()..]
        .find(&format!("\n{level} "))
        .map_or(text.len(), |i| start + heading.len() + i + 1);
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn exit_policies_follow_the_flags() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = scaffold(dir.path(), "Delta");
    // A draft: its findings are warnings. Count them.
    let r = run(dir.path(), &["check", "docs", "--format", "json"]);
    assert_eq!(r.code, 0);
    let warnings = json(&r)["summary"]["warnings"].as_u64().expect("warnings") as usize;
    assert!(warnings > 2);
    let more = (warnings - 1).to_string();
    let r = run(dir.path(), &["check", "docs", "--max-warnings", &more]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains(&format!("{warnings} warnings found, more than --max-warnings {more}")),
        "{}",
        r.stderr
    );
    assert_eq!(
        run(dir.path(), &["check", "docs", "--max-warnings", &warnings.to_string()]).code,
        0
    );
    assert_eq!(
        run(dir.path(), &["check", "docs", "--max-warnings", &more, "--exit-zero"]).code,
        0
    );

    // An error (a link to nothing) fails, except with --exit-zero; usage and IO errors
    // still exit 2.
    let mut text = std::fs::read_to_string(&doc).expect("doc");
    text.push_str("\nSee [the old design](missing.md).\n");
    std::fs::write(&doc, text).expect("write");
    assert_eq!(run(dir.path(), &["check", "docs"]).code, 1);
    assert_eq!(run(dir.path(), &["check", "docs", "--exit-zero"]).code, 0);
    assert_eq!(run(dir.path(), &["check", "nowhere", "--exit-zero"]).code, 2);
    assert_eq!(
        run(dir.path(), &["check", "docs", "--exit-zero", "--max-warnings", "x"]).code,
        2
    );

    // --quiet: errors only, in every format; the warnings still count for --max-warnings.
    let r = run(dir.path(), &["check", "docs", "--quiet"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("error[DD031]"), "{}", r.stdout);
    assert!(!r.stdout.contains("warning["), "{}", r.stdout);
    assert!(r.stdout.contains("checked 1 file: 1 error\n"), "{}", r.stdout);
    let v = json(&run(dir.path(), &["check", "docs", "--quiet", "--format", "json"]));
    assert_eq!(codes(&v), ["DD031"], "{v}");
    let r = run(
        dir.path(),
        &["check", "docs", "--quiet", "--max-warnings", &more, "--format", "json"],
    );
    assert!(r.stderr.contains("more than --max-warnings"), "{}", r.stderr);
}

#[test]
fn statistics_count_each_rules_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    scaffold(dir.path(), "Epsilon");
    scaffold(dir.path(), "Zeta");
    let v = json(&run(dir.path(), &["check", "docs", "--format", "json"]));
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for code in codes(&v) {
        *expected.entry(code).or_default() += 1;
    }
    assert!(expected.len() > 1, "{expected:?}");
    let r = run(dir.path(), &["check", "docs", "--statistics"]);
    assert_eq!(r.code, 0);
    let lines: Vec<&str> = r.stdout.lines().filter(|l| !l.starts_with("checked ")).collect();
    assert_eq!(lines.len(), expected.len(), "{}", r.stdout);
    let mut last = usize::MAX;
    for line in lines {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let count: usize = parts[0].parse().expect("count");
        assert_eq!(expected.get(parts[1]), Some(&count), "{line}");
        let name = designdoc_check::rules::by_name_or_code(parts[1]).expect("rule").name;
        assert_eq!(parts[2], name, "{line}");
        assert!(count <= last, "most frequent first:\n{}", r.stdout);
        last = count;
    }
    let stats = json(&run(dir.path(), &["check", "docs", "--statistics", "--format", "json"]));
    let total: u64 = stats
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["count"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total as usize, expected.values().sum::<usize>());
    assert_eq!(
        run(dir.path(), &["check", "docs", "--statistics", "--format", "sarif"]).code,
        2
    );
}

#[test]
fn sarif_rules_link_to_their_checked_in_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    scaffold(dir.path(), "Eta");
    let r = run(dir.path(), &["check", "docs", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("SARIF");
    let driver = &v["runs"][0]["tool"]["driver"];
    assert_eq!(driver["informationUri"], designdoc_check::rules::REPOSITORY);
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), designdoc_check::rules::all().len());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for rule in rules {
        let id = rule["id"].as_str().expect("id");
        let uri = rule["helpUri"].as_str().expect("helpUri");
        let page = uri
            .strip_prefix(&format!("{}/blob/main/", designdoc_check::rules::REPOSITORY))
            .unwrap_or_else(|| panic!("{uri} is not a page of the repository"));
        assert!(page.ends_with(&format!("/{id}.md")), "{uri}");
        let text = std::fs::read_to_string(repo.join(page)).unwrap_or_default();
        assert!(text.contains(&format!("# {id} ")), "{page} is not {id}'s page");
    }
}

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn changed_since_asks_the_repository_of_the_checked_paths() {
    if !designdoc_testkit::require_command("git", "Debian package git") {
        return;
    }
    let root = tempfile::tempdir().expect("tempdir");
    let repo = root.path().join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    assert!(git(&repo, &["init", "-q"]));
    let a = scaffold(&repo, "Theta");
    scaffold(&repo, "Iota");
    assert!(git(&repo, &["add", "."]) && git(&repo, &["commit", "-qm", "docs"]));
    let mut text = std::fs::read_to_string(&a).expect("a");
    text.push_str("\nA new line.\n");
    std::fs::write(&a, text).expect("write");
    // Run from a folder outside the repository (not a git repository at all).
    let elsewhere = root.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    let r = run(
        &elsewhere,
        &["check", "../repo/docs", "--changed-since", "HEAD", "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r);
    let files: std::collections::BTreeSet<&str> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        ["../repo/docs/0001-theta.md"],
        "{v}"
    );
}

#[test]
fn default_paths_are_the_configured_dir_else_what_looks_like_a_design_doc() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    scaffold(d, "Kappa");
    std::fs::write(
        d.join("README.md"),
        "# Tool\n\n## Overview\n\n[TODO]\n\n## Install\n\nRun it.\n",
    )
    .expect("readme");
    std::fs::write(d.join("CHANGELOG.md"), "# Changelog\n\n## [0.1.0]\n\n- first\n").expect("changelog");
    std::fs::write(d.join("CONTRIBUTING.md"), "How to help.\n").expect("contributing");
    // A doc without front matter that follows the template's outline.
    let kappa = std::fs::read_to_string(d.join("docs/0001-kappa.md")).expect("kappa");
    let body = kappa.splitn(3, "---\n").nth(2).expect("body");
    std::fs::create_dir_all(d.join("notes")).expect("mkdir");
    std::fs::write(d.join("notes/plain.md"), body).expect("plain");
    let r = run(d, &["check", "--format", "json"]);
    let v = json(&r);
    let files: std::collections::BTreeSet<String> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["file"].as_str().map(str::to_string))
        .collect();
    assert_eq!(v["summary"]["files"], 2, "{files:?}");
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        ["docs/0001-kappa.md", "notes/plain.md"]
    );
    // `fix` with no paths does not touch the README either.
    run(d, &["fix"]);
    assert!(
        std::fs::read_to_string(d.join("README.md"))
            .expect("readme")
            .starts_with("# Tool\n\n## Overview\n\n[TODO]")
    );
    // With `dir`, every Markdown file there is a doc, and nothing else is read.
    std::fs::write(d.join("designdoc.toml"), "dir = \"notes\"\n").expect("config");
    std::fs::write(d.join("notes/short.md"), "# Short\n").expect("short");
    let v = json(&run(d, &["check", "--format", "json"]));
    assert_eq!(v["summary"]["files"], 2, "{v}");
    let files: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    // (named from the config's folder, which is where `dir` starts)
    assert!(files.iter().any(|f| f.ends_with("notes/short.md")), "{files:?}");
    assert!(files.iter().all(|f| f.contains("notes/")), "{files:?}");
}

#[test]
fn fix_keeps_crlf_line_endings_and_counts_what_it_applies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = scaffold(dir.path(), "Lambda");
    let lf = std::fs::read_to_string(&doc).expect("doc");
    // Two sections gone (safe fixes insert them) and a status only an unsafe fix maps.
    let lf = remove_section(&remove_section(&lf, "## Testing Strategy"), "## Background");
    let lf = lf.replacen("status: draft", "status: Draftt", 1);
    let crlf = lf.replace('\n', "\r\n");
    std::fs::write(&doc, &crlf).expect("write");
    let before = json(&run(dir.path(), &["check", "docs", "--format", "json"]));
    let safe = before["summary"]["fixable"].as_u64().expect("fixable");
    let unsafe_ = before["summary"]["unsafe_fixable"].as_u64().expect("unsafe_fixable");
    assert!(safe >= 2 && unsafe_ >= 1, "{}", before["summary"]);

    let r = run(dir.path(), &["fix", "docs"]);
    let fixed = std::fs::read_to_string(&doc).expect("doc");
    assert!(
        fixed.contains("\r\n## Testing Strategy\r\n") && fixed.contains("\r\n## Background\r\n"),
        "{fixed:?}"
    );
    let lone_lf = fixed
        .match_indices('\n')
        .filter(|(i, _)| !fixed[..*i].ends_with('\r'))
        .count();
    assert_eq!(lone_lf, 0, "every line of a CRLF file ends in CRLF:\n{fixed:?}");
    assert!(
        fixed.contains("status: Draftt"),
        "an unsafe fix waits for --unsafe-fixes"
    );
    assert!(
        r.stdout.contains(&format!(
            "fixed {safe} problems in 1 file ({unsafe_} more with --unsafe-fixes)"
        )),
        "{}",
        r.stdout
    );
    let r = run(dir.path(), &["fix", "docs", "--unsafe-fixes"]);
    assert!(r.stdout.contains(&format!("fixed {unsafe_} problem")), "{}", r.stdout);
    assert!(!std::fs::read_to_string(&doc).expect("doc").contains("status: Draftt"));
}

#[test]
fn fix_in_a_mixed_file_keeps_each_lines_ending() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = scaffold(dir.path(), "Mu");
    let lf = remove_section(&std::fs::read_to_string(&doc).expect("doc"), "## Testing Strategy");
    // The front matter and title in LF, the rest in CRLF.
    let split = lf.find("## Overview").expect("overview");
    let mixed = format!("{}{}", &lf[..split], lf[split..].replace('\n', "\r\n"));
    std::fs::write(&doc, &mixed).expect("write");
    run(dir.path(), &["fix", "docs"]);
    let fixed = std::fs::read_to_string(&doc).expect("doc");
    assert!(fixed.starts_with(&lf[..split]), "the LF head is untouched");
    assert!(
        fixed.contains("\r\n## Testing Strategy\r\n"),
        "inserted among CRLF lines, in CRLF:\n{fixed:?}"
    );
    let lone_lf_after_head = fixed[split..]
        .match_indices('\n')
        .filter(|(i, _)| !fixed[split..][..*i].ends_with('\r'))
        .count();
    assert_eq!(lone_lf_after_head, 0, "{fixed:?}");
}
