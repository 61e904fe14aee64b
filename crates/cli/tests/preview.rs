//! `designdoc preview` over real HTTP on loopback: serves the site, rebuilds when a doc
//! changes, and wakes the long-poll the pages use to reload.

mod common;

use common::{Killed, get, send};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `designdoc preview docs -o out` in a new folder holding two example docs (and `extra`,
/// name and text); the process, its address, the temporary folder and the docs folder.
fn start(extra: &[(&str, &str)]) -> (Killed, String, tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let docs = tmp.path().join("docs");
    std::fs::create_dir_all(&docs).expect("mkdir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for f in ["0001-rate-limiter.md", "0002-search-service.md"] {
        std::fs::copy(root.join("examples").join(f), docs.join(f)).expect("copy");
    }
    for (name, text) in extra {
        std::fs::write(docs.join(name), text).expect("write doc");
    }
    let child = Command::new(env!("CARGO_BIN_EXE_designdoc"))
        .current_dir(tmp.path())
        .args(["preview", "docs", "--port", "0", "-o", "out"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start preview");
    let mut child = Killed::new(child);
    let addr = child.address();
    (child, addr, tmp, docs)
}

/// The value of header `name` in a response head.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

#[test]
fn preview_serves_and_reloads_on_change() {
    let (_child, addr, _tmp, docs) = start(&[]);

    let (_, head, body) = get(&addr, "/");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.contains("API rate limiter"));
    let (_, head, _) = get(&addr, "/../../etc/passwd");
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    let (_, _, js) = get(&addr, "/assets/site.js");
    assert!(js.contains("/__designdoc/version"), "live reload script missing");
    let (_, _, version) = get(&addr, "/__designdoc/version");

    // A page waiting for a new build is woken by an edit.
    let poll_addr = addr.clone();
    let seen = version.trim().to_string();
    let waiter = std::thread::spawn(move || get(&poll_addr, &format!("/__designdoc/version?seen={seen}")).2);
    std::thread::sleep(Duration::from_millis(200));
    let doc = docs.join("0002-search-service.md");
    let text = std::fs::read_to_string(&doc).expect("read");
    let edited = Instant::now();
    std::fs::write(&doc, text.replace("title: Search service", "title: Search service v2")).expect("write");
    let new_version = waiter.join().expect("poll");
    let took = edited.elapsed();
    assert_ne!(new_version.trim(), version.trim());
    eprintln!("change visible after {took:?}");
    assert!(took < Duration::from_secs(10), "rebuild took {took:?}");
    let (_, _, page) = get(&addr, "/docs/0002-search-service.html");
    assert!(page.contains("Search service v2"), "page not rebuilt");
    let (_, _, index) = get(&addr, "/index.html");
    assert!(index.contains("Search service v2"), "index not rebuilt");
}

#[test]
fn names_with_spaces_head_requests_and_image_types_are_served() {
    let (_child, addr, tmp, _docs) = start(&[("design notes.md", "# Design notes\n\nWith a space in the name.\n")]);
    let (status, head, page) = get(&addr, "/docs/design%20notes.html");
    assert_eq!(status, 200, "{head}");
    assert!(page.contains("With a space in the name."), "{page}");
    assert!(
        header(&head, "content-type").is_some_and(|t| t.starts_with("text/html")),
        "{head}"
    );
    assert_eq!(header(&head, "cache-control"), Some("no-store"), "{head}");

    // HEAD: the GET's head, without its body.
    let (_, get_head, body) = get(&addr, "/index.html");
    let (status, head, nothing) = send(&addr, "HEAD", "/index.html", &[], "");
    assert_eq!(status, 200, "{head}");
    assert!(nothing.is_empty(), "HEAD sent a body: {nothing:?}");
    assert_eq!(
        header(&head, "content-length"),
        Some(body.len().to_string().as_str()),
        "{head}"
    );
    assert_eq!(header(&head, "content-type"), header(&get_head, "content-type"));

    // Images in the site folder get their types (asked with HEAD: the test client reads
    // bodies as text, and a PNG's signature is not).
    let png = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    let images = tmp.path().join("out/images");
    std::fs::create_dir_all(&images).expect("mkdir");
    for (name, ty) in [
        ("a.png", "image/png"),
        ("b.jpg", "image/jpeg"),
        ("c.gif", "image/gif"),
        ("d.svg", "image/svg+xml"),
        ("e.webp", "image/webp"),
    ] {
        std::fs::write(images.join(name), png).expect("image");
        let (status, head, _) = send(&addr, "HEAD", &format!("/images/{name}"), &[], "");
        assert_eq!(
            (status, header(&head, "content-type")),
            (200, Some(ty)),
            "{name}: {head}"
        );
    }

    // Other methods, dot files (the build cache) and escapes, encoded or not, are refused.
    assert_eq!(send(&addr, "POST", "/index.html", &[], "").0, 405);
    assert_eq!(get(&addr, "/.designdoc-build-cache.json").0, 404);
    assert_eq!(get(&addr, "/docs/%2e%2e/%2e%2e/etc/passwd").0, 404);
    assert_eq!(get(&addr, "/%2e%2e%2fetc/passwd").0, 404);
}

#[test]
fn an_edit_reaches_the_page_through_the_long_poll() {
    let (_child, addr, _tmp, docs) = start(&[("in a folder.md", "# First words\n")]);
    // The reload script's first request asks without waiting (`seen=` empty).
    let (status, _, first) = get(&addr, "/__designdoc/version?seen=");
    assert_eq!(status, 200);
    let first = first.trim().to_string();
    // A request for the current generation waits; nothing changed, so it is still waiting
    // a second later.
    let poll_addr = addr.clone();
    let seen = first.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        tx.send(get(&poll_addr, &format!("/__designdoc/version?seen={seen}")).2)
            .ok();
    });
    assert!(
        rx.recv_timeout(Duration::from_secs(1)).is_err(),
        "answered with nothing new"
    );
    // An editor saving by writing a new file and renaming it over the doc.
    let doc = docs.join("in a folder.md");
    let saved = docs.join(".in a folder.md.swp");
    std::fs::write(&saved, "# Second words\n").expect("write");
    std::fs::rename(&saved, &doc).expect("rename");
    let next = rx.recv_timeout(Duration::from_secs(10)).expect("woken by the edit");
    assert_ne!(next.trim(), first);
    let (_, _, page) = get(&addr, "/docs/in%20a%20folder.html");
    assert!(page.contains("Second words") && !page.contains("First words"), "{page}");
    // Writing the site woke no one: the generation stays put without edits.
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(get(&addr, "/__designdoc/version").2.trim(), next.trim());
}
