//! `designdoc preview` over real HTTP on loopback: serves the site, rebuilds when a doc
//! changes, and wakes the long-poll the pages use to reload.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(addr: &str, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").expect("send");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    (head.to_string(), body.to_string())
}

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
    let mut child = Killed(child);
    let mut lines = BufReader::new(child.0.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("address")
        .to_string();

    let (head, body) = get(&addr, "/");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.contains("API rate limiter"));
    let (head, _) = get(&addr, "/../../etc/passwd");
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    let (_, js) = get(&addr, "/assets/site.js");
    assert!(js.contains("/__designdoc/version"), "live reload script missing");
    let (_, version) = get(&addr, "/__designdoc/version");

    // A page waiting for a new build is woken by an edit.
    let poll_addr = addr.clone();
    let seen = version.trim().to_string();
    let waiter = std::thread::spawn(move || get(&poll_addr, &format!("/__designdoc/version?seen={seen}")).1);
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
    let (_, page) = get(&addr, "/docs/0002-search-service.html");
    assert!(page.contains("Search service v2"), "page not rebuilt");
    let (_, index) = get(&addr, "/index.html");
    assert!(index.contains("Search service v2"), "index not rebuilt");
}
