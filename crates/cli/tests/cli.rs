//! End-to-end tests: the real `designdoc` binary in temporary folders.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_designdoc"));
    c.env("NO_COLOR", "1");
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let start = Instant::now();
    let out: Output = bin().current_dir(dir).args(args).output().expect("run designdoc");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: start.elapsed(),
    };
    assert!(!run.stderr.contains("panicked"), "designdoc panicked:\n{}", run.stderr);
    run
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout))
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .map(|a| a.iter().map(|d| d["code"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn new_then_check_then_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let r = run(d, &["new", "Rate limiter", "--dir", "docs", "--author", "Ann"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "docs/0001-rate-limiter.md");
    let r = run(d, &["new", "Second: the sequel", "--dir", "docs", "--author", "Bob"]);
    assert_eq!(r.stdout.trim(), "docs/0002-second-the-sequel.md");
    let text = std::fs::read_to_string(d.join("docs/0001-rate-limiter.md")).expect("scaffolded");
    assert!(
        text.starts_with("---\nid: \"0001\"\ntitle: \"Rate limiter\"\nstatus: draft\nauthors:\n  - \"Ann\"\ncreated: ")
    );
    assert!(text.contains("\n# Rate limiter\n\n## Overview\n"));

    // A fresh draft has gaps: warnings, exit 0.
    let r = run(d, &["check", "docs", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let v = json(&r);
    assert_eq!(v["summary"]["files"], 2);
    assert_eq!(v["summary"]["errors"], 0);
    assert!(codes(&v).contains(&"DD010".to_string()));
    assert!(codes(&v).contains(&"DD016".to_string()));

    // The same doc in review must be complete: errors, exit 1, rustc-style output.
    std::fs::write(
        d.join("docs/0001-rate-limiter.md"),
        text.replace("status: draft", "status: review"),
    )
    .expect("write");
    let r = run(d, &["check", "docs/0001-rate-limiter.md"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("error[DD010]: unfilled placeholder `[Goal 1]`"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(" --> docs/0001-rate-limiter.md:"), "{}", r.stdout);
    assert!(
        r.stdout.contains("|   ^^^^^^^^ replace this with real content"),
        "{}",
        r.stdout
    );

    // Remove two sections; fix puts skeletons back where the template wants them.
    let doc = d.join("docs/0002-second-the-sequel.md");
    let original = std::fs::read_to_string(&doc).expect("read");
    let cut = original
        .replace(
            "## Background\n[Context and background information about why this design is needed]\n\n",
            "",
        )
        .replace("## Rollout Plan\n1. [Step 1]\n2. [Step 2]\n3. [Step 3]\n\n", "");
    std::fs::write(&doc, &cut).expect("write");
    let before = json(&run(
        d,
        &["check", "--format", "json", "docs/0002-second-the-sequel.md"],
    ));
    assert_eq!(codes(&before).iter().filter(|c| *c == "DD001").count(), 2);
    let r = run(d, &["fix", "docs/0002-second-the-sequel.md"]);
    assert!(r.stdout.contains("fixed 2 problems in 1 file"), "{}", r.stdout);
    let after = json(&run(
        d,
        &["check", "--format", "json", "docs/0002-second-the-sequel.md"],
    ));
    assert!(!codes(&after).contains(&"DD001".to_string()));
    let fixed = std::fs::read_to_string(&doc).expect("read");
    assert_eq!(fixed, original, "fix restores the template's sections in place");
}

#[test]
fn machine_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("a.md"), "---\ntitle: A\nstatus: review\nauthors: [x]\n---\n# A\n\n## Overview\n[Brief description of the design and its purpose]\n").expect("write");
    let sarif = run(d, &["check", "--format", "sarif", "a.md"]);
    assert_eq!(sarif.code, 1);
    let v: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("sarif json");
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "DD010" && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 9)
    );
    assert!(
        results
            .iter()
            .all(|r| r["partialFingerprints"]["designdoc/v1"].is_string())
    );
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.len() >= 20);
    let gh = run(d, &["check", "--format", "github", "a.md"]);
    assert!(
        gh.stdout
            .lines()
            .any(|l| l.starts_with("::error file=a.md,line=9,col=1,")
                && l.contains("title=DD010 unfilled-placeholder::")),
        "{}",
        gh.stdout
    );
}

#[test]
fn exit_codes_and_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let r = run(d, &["check", "missing-folder"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no such file or folder: `missing-folder`"),
        "{}",
        r.stderr
    );

    std::fs::write(
        d.join("designdoc.toml"),
        "template = \"t.md\"\n[rules]\nmissing-sektion = \"off\"\n",
    )
    .expect("write");
    let r = run(d, &["check", "."]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown rule `missing-sektion`"), "{}", r.stderr);

    std::fs::write(d.join("designdoc.toml"), "templte = \"t.md\"\n").expect("write");
    let r = run(d, &["check", "."]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("designdoc.toml:1:1") && r.stderr.contains("unknown field `templte`"),
        "{}",
        r.stderr
    );

    // A custom template, a rule switched off, an excluded folder.
    std::fs::write(
        d.join("t.md"),
        "# [Title]\n\n## Summary\n[What]\n\n## Decision\n[Why]\n",
    )
    .expect("write");
    std::fs::write(
        d.join("designdoc.toml"),
        "template = \"t.md\"\nexclude = [\"drafts/**\"]\n[rules]\nmissing-metadata = \"off\"\n",
    )
    .expect("write");
    std::fs::create_dir_all(d.join("drafts")).expect("mkdir");
    std::fs::write(d.join("drafts/x.md"), "nothing here").expect("write");
    std::fs::write(
        d.join("adr.md"),
        "# Use Postgres\n\n## Summary\nWe pick Postgres.\n\n## Decision\nBecause of JSONB.\n",
    )
    .expect("write");
    let r = run(d, &["check", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("checked 1 file: no problems"), "{}", r.stdout);
    std::fs::write(d.join("adr.md"), "# Use Postgres\n\n## Summary\nWe pick Postgres.\n").expect("write");
    let r = run(d, &["check", "adr.md"]);
    assert_eq!(r.code, 0, "missing section is a warning without a status: {}", r.stdout);
    assert!(
        r.stdout.contains("warning[DD001]: missing section `Decision`"),
        "{}",
        r.stdout
    );
}

#[test]
fn rules_command_documents_every_rule() {
    let r = run(&workspace_root(), &["rules", "--json"]);
    assert_eq!(r.code, 0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let rules = v.as_array().expect("array");
    assert!(rules.len() >= 23);
    for rule in rules {
        let doc = rule["doc"].as_str().unwrap_or("");
        for part in ["**What it does.**", "**Why.**", "**Example.**", "**Fix.**"] {
            assert!(doc.contains(part), "{} lacks {part}", rule["name"]);
        }
    }
    let one = run(&workspace_root(), &["rules", "missing-section"]);
    assert!(
        one.stdout
            .starts_with("DD001 missing-section (default: error, warning in drafts)"),
        "{}",
        one.stdout
    );
}

/// Hostile inputs: every one gives a diagnostic or an error naming the file, never a
/// panic, and finishes promptly (the bound is loose; timings live in BENCHMARKS.md).
#[test]
fn bad_input_never_panics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let big_line = format!(
        "# T\n\n## Overview\n\n![img](data:image/png;base64,{})\n",
        "A".repeat(70_000)
    );
    let ten_mb: String = {
        let unit = "## Section\n\nSome prose with a [link](x.md) and `code` and [Goal 1].\n\n- item\n- Purpose: x\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n";
        unit.repeat(10 * 1024 * 1024 / unit.len())
    };
    // (file, content, expected code, expected exit: 1 for errors, 0 when only warnings
    // since a document without status is checked as a draft)
    let cases: Vec<(&str, Vec<u8>, &str, i32)> = vec![
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(), "DD099", 1),
        ("latin1.md", b"# Caf\xe9\n\nna\xefve\n".to_vec(), "DD099", 1),
        ("empty.md", Vec::new(), "DD001", 1),
        (
            "unterminated.md",
            b"---\ntitle: x\nstatus: draft\n\n# Heading\n".to_vec(),
            "DD020",
            1,
        ),
        (
            "nested-list.md",
            format!("# T\n\n{}deep\n", "- ".repeat(10_000)).into_bytes(),
            "DD001",
            0,
        ),
        (
            "nested-quote.md",
            format!("{} deep\n", ">".repeat(10_000)).into_bytes(),
            "DD001",
            1,
        ),
        ("long-line.md", big_line.into_bytes(), "DD001", 0),
        // Over the 2 MiB limit: refused with its size (DD099), not parsed.
        ("ten-mb.md", ten_mb.into_bytes(), "DD099", 1),
        (
            "brackets.md",
            format!("{}\n{}\n", "[".repeat(100_000), "[a".repeat(50_000)).into_bytes(),
            "DD001",
            1,
        ),
    ];
    for (name, bytes, expect, exit) in cases {
        std::fs::write(d.join(name), &bytes).expect("write");
        let r = run(d, &["check", "--format", "json", name]);
        assert_eq!(
            r.code,
            exit,
            "{name}: {}\n{}",
            r.stderr,
            r.stdout.chars().take(2000).collect::<String>()
        );
        let v = json(&r);
        assert!(
            codes(&v).iter().any(|c| c == expect),
            "{name}: expected {expect}, got {:?}",
            codes(&v)
        );
        assert!(r.took < Duration::from_secs(20), "{name} took {:?}", r.took);
        // Nothing is lost: check never writes.
        assert_eq!(
            std::fs::read(d.join(name)).expect("read back"),
            bytes,
            "{name} was modified"
        );
    }
    let r = run(d, &["check", "binary.md"]);
    assert!(
        r.stdout
            .contains("error[DD099]: binary file (NUL byte), not a Markdown document"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("--> binary.md:"), "{}", r.stdout);
    let r = run(d, &["check", "latin1.md"]);
    assert!(r.stdout.contains("--> latin1.md:1:6"), "{}", r.stdout);
    // fix refuses nothing silently: files it cannot read as text stay untouched.
    let r = run(d, &["fix", "binary.md", "latin1.md"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        std::fs::read(d.join("binary.md")).expect("read"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    );
}

/// The Rust RFC corpus checked against its own template: no panic, and the findings an
/// RFC reviewer would expect.
#[test]
fn rust_rfc_corpus_against_its_template() {
    let Some(corpus) = designdoc_testkit::require_shared("corpus/rust-rfcs/0000-template.md") else {
        return;
    };
    let corpus = corpus.parent().expect("the corpus folder").to_path_buf();
    let r = run(
        &corpus,
        &["check", "--template", "0000-template.md", "--format", "json", "text"],
    );
    assert_eq!(r.code, 1);
    let v = json(&r);
    assert!(v["summary"]["files"].as_u64().unwrap_or(0) >= 640);
    let diags = v["diagnostics"].as_array().expect("diagnostics");
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for d in diags {
        *counts
            .entry(format!(
                "{} {}",
                d["code"].as_str().unwrap_or(""),
                d["name"].as_str().unwrap_or("")
            ))
            .or_default() += 1;
    }
    let mut top: Vec<_> = counts.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1));
    eprintln!("RFC corpus findings by rule: {top:?}");
    // Old RFCs predate the template's newer sections.
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "DD001" && d["message"] == "missing section `Future possibilities`")
    );
    // RFC 2071 exists twice in the corpus (a real numbering collision).
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "DD030" && d["file"].as_str().is_some_and(|f| f.contains("2071-")))
    );
    // A well-formed early RFC is not reported missing the sections it has.
    let private_fields: Vec<&serde_json::Value> = diags
        .iter()
        .filter(|d| d["file"] == "text/0001-private-fields.md")
        .collect();
    assert!(
        !private_fields
            .iter()
            .any(|d| d["message"] == "missing section `Summary`" || d["message"] == "missing section `Motivation`")
    );
    assert!(!counts.keys().any(|k| k.starts_with("DD099")), "no RFC is unreadable");
    // The RFC template asks for no status, authors or front matter: none is demanded.
    for code in ["DD025", "DD023", "DD022"] {
        assert!(!counts.keys().any(|k| k.starts_with(code)), "{code} on RFCs: {top:?}");
    }
}

#[test]
fn a_template_named_alone_is_checked_against_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("template.md"),
        "# [Feature Name]\n\n**Status:** Draft | In Review | Approved\n\n## Summary\n[One paragraph]\n\n## Design\nHow it works.\n",
    )
    .expect("write template");
    std::fs::write(
        d.join("doc.md"),
        "# Search\n\n**Status:** Draft\n\n## Summary\nText.\n\n## Design\nText.\n",
    )
    .expect("write doc");
    // In a folder the template is skipped; named alone it is checked, and only its blanks remain.
    let folder = run(d, &["check", "--template", "template.md", "."]);
    assert_eq!(folder.code, 0, "{}{}", folder.stdout, folder.stderr);
    assert!(folder.stdout.contains("checked 1 file"), "{}", folder.stdout);
    let alone = run(
        d,
        &["check", "--template", "template.md", "--format", "json", "template.md"],
    );
    assert!(alone.stderr.contains("is the template"), "{}", alone.stderr);
    let v = json(&alone);
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|x| x["code"].as_str())
        .collect();
    assert!(
        !codes.is_empty() && codes.iter().all(|c| *c == "DD010"),
        "{codes:?}\n{}",
        alone.stdout
    );
}

#[test]
fn project_design_doc_passes_its_own_check() {
    let root = workspace_root();
    let r = run(&root, &["check", "docs/design.md"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("checked 1 file: no problems"),
        "docs/design.md must have zero findings:\n{}",
        r.stdout
    );
}

#[test]
fn changed_since_reports_only_changed_files() {
    if !designdoc_testkit::require_command("git", "Debian package git") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .current_dir(d)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .expect("git")
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    let doc = "---\ntitle: A\nstatus: review\nauthors: [x]\n---\n# A\n\n## Overview\n[Brief description of the design and its purpose]\n";
    std::fs::write(d.join("a.md"), doc).expect("write");
    std::fs::write(d.join("b.md"), doc.replace("title: A", "title: B")).expect("write");
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "docs"]);
    std::fs::write(d.join("b.md"), doc.replace("title: A", "title: B2")).expect("write");
    let all = json(&run(d, &["check", "--format", "json", "."]));
    let changed = json(&run(d, &["check", "--format", "json", "--changed-since", "HEAD", "."]));
    let files = |v: &serde_json::Value| {
        let mut f: Vec<String> = v["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .map(|d| d["file"].as_str().unwrap_or("").to_string())
            .collect();
        f.sort();
        f.dedup();
        f
    };
    assert_eq!(files(&all), vec!["a.md", "b.md"]);
    assert_eq!(files(&changed), vec!["b.md"]);
    let r = run(d, &["check", "--changed-since", "no-such-rev", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}
