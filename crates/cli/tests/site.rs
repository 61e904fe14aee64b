//! The static site in a real browser: Debian's chromium, headless, started by the test.
//! `--dump-dom` gives the DOM after scripts ran, so filters and injected script (which must
//! not run) are observable without a driver. Screenshots go to target/site-screenshots/.

mod common;

use common::browser;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn build(docs: &Path, out: &Path) {
    let o = Command::new(env!("CARGO_BIN_EXE_designdoc"))
        .current_dir(root())
        .args(["build"])
        .arg(docs)
        .arg("-o")
        .arg(out)
        .output()
        .expect("build");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn url(path: &Path, query: &str) -> String {
    format!("file://{}{query}", path.display())
}

#[test]
fn site_in_a_browser() {
    if designdoc_testkit::require_chromium().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    build(&root().join("examples"), &out);
    let profile = tmp.path().join("profile");

    // The index lists every doc; a status filter from the URL hides the others.
    let dom = browser(&profile, &["--dump-dom", &url(&out.join("index.html"), "")]);
    assert!(
        dom.contains("API rate limiter") && dom.contains("Search service"),
        "{dom}"
    );
    assert!(dom.contains("<span id=\"shown-count\">2</span>"), "{dom}");
    let dom = browser(
        &profile,
        &["--dump-dom", &url(&out.join("index.html"), "?status=approved")],
    );
    assert!(
        dom.contains("<span id=\"shown-count\">1</span>"),
        "filter did not apply:\n{dom}"
    );
    let draft_row = dom
        .lines()
        .find(|l| l.contains("data-status=\"draft\""))
        .expect("draft row");
    assert!(draft_row.contains("hidden"), "draft row still shown: {draft_row}");

    // A doc page shows its diagrams as inline SVG, a table of contents and its findings.
    let page = out.join("docs/0001-rate-limiter.html");
    let dom = browser(&profile, &["--dump-dom", &url(&page, "")]);
    assert!(
        dom.matches("<figure class=\"diagram\"").count() >= 2,
        "diagrams missing"
    );
    assert!(dom.contains("<svg") && dom.contains(">Gateway</tspan>"), "SVG missing");
    assert!(dom.contains("aria-label=\"Table of contents\""));
    let dom = browser(&profile, &["--dump-dom", &url(&out.join("risks.html"), "")]);
    assert!(dom.contains("Risk register") && dom.contains("API rate limiter"));

    let shots = root().join("target/site-screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    for (name, file) in [("index", out.join("index.html")), ("doc", page)] {
        let png = shots.join(format!("{name}.png"));
        browser(
            &profile,
            &[
                "--window-size=1280,1100",
                &format!("--screenshot={}", png.display()),
                &url(&file, ""),
            ],
        );
        assert!(
            std::fs::metadata(&png).map(|m| m.len() > 10_000).unwrap_or(false),
            "no screenshot {}",
            png.display()
        );
    }
}

#[test]
fn injected_script_never_runs() {
    if designdoc_testkit::require_chromium().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let docs = tmp.path().join("docs");
    std::fs::create_dir_all(&docs).expect("mkdir");
    let mark = |how: &str| format!("document.documentElement.setAttribute('data-pwned','{how}')");
    let doc = format!(
        "---\ntitle: Hostile\nstatus: draft\n---\n# Hostile\n\n## Overview\n\n<script>{}</script>\n\n<img src=x onerror=\"{}\">\n\n\
         [click me](javascript:{})\n\n<svg onload=\"{}\"><script>{}</script></svg>\n\n<iframe src=\"javascript:{}\"></iframe>\n\n\
         ![remote](http://127.0.0.1:9/x.png)\n\n## Background\n\n```mermaid\ngraph TD\n    A[\"<img src=x onerror={}>\"] -->|\"<a href='javascript:{}'>go</a>\"| B\n```\n",
        mark("script"),
        mark("onerror"),
        mark("js-link"),
        mark("svg-onload"),
        mark("svg-script"),
        mark("iframe"),
        mark("mermaid-label"),
        mark("mermaid-link"),
    );
    std::fs::write(docs.join("hostile.md"), doc).expect("write");
    let out = tmp.path().join("site");
    build(&docs, &out);
    let html = std::fs::read_to_string(out.join("docs/hostile.html")).expect("page");
    assert!(html.contains("Content-Security-Policy"), "CSP meta missing");
    for bad in ["<script>document", "onerror=", "onload=", "javascript:", "<iframe"] {
        assert!(!html.contains(bad), "`{bad}` survived into the page:\n{html}");
    }
    let profile = tmp.path().join("profile");
    // Control: the same marker from a page that does run script is seen, so the check
    // below can fail.
    let control = tmp.path().join("control.html");
    std::fs::write(
        &control,
        format!(
            "<!doctype html><html><body><script>{}</script>ok</body></html>",
            mark("control")
        ),
    )
    .expect("write");
    let dom = browser(&profile, &["--dump-dom", &url(&control, "")]);
    assert!(
        dom.contains("data-pwned=\"control\""),
        "the browser check cannot see script effects:\n{dom}"
    );
    let dom = browser(&profile, &["--dump-dom", &url(&out.join("docs/hostile.html"), "")]);
    assert!(dom.contains("Hostile"), "page did not load:\n{dom}");
    let html_tag = dom.lines().find(|l| l.contains("<html")).unwrap_or("");
    assert!(!html_tag.contains("data-pwned"), "a payload ran: {html_tag}");
}
