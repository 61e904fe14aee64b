//! `designdoc preview` over real HTTP on loopback: serves the site, rebuilds when a doc
//! changes, and wakes the long-poll the pages use to reload.

mod common;

use common::{Killed, get};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn preview_serves_and_reloads_on_change() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let docs = tmp.path().join("docs");
    std::fs::create_dir_all(&docs).expect("mkdir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for f in ["0001-rate-limiter.md", "0002-search-service.md"] {
        std::fs::copy(root.join("examples").join(f), docs.join(f)).expect("copy");
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
