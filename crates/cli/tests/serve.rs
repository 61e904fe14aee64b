//! `designdoc serve` over real HTTP on loopback with a real SQLite file: publishes the
//! folder at start, serves the API, republishes a changed doc as a new revision.

mod common;

use common::Killed;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Status and body of a GET.
fn get(addr: &str, path: &str) -> (u16, String) {
    let (status, _, body) = common::get(addr, path);
    (status, body)
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

#[test]
fn serve_publishes_serves_and_follows_changes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let docs = tmp.path().join("platform");
    std::fs::create_dir_all(&docs).expect("mkdir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for f in ["0001-rate-limiter.md", "0002-search-service.md"] {
        std::fs::copy(root.join("examples").join(f), docs.join(f)).expect("copy");
    }
    let db = format!("sqlite://{}", tmp.path().join("hub.db").display());
    let child = Command::new(env!("CARGO_BIN_EXE_designdoc"))
        .current_dir(tmp.path())
        .args(["serve", "platform", "--database", &db, "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hub");
    let mut child = Killed::new(child);
    let addr = child.address();

    assert_eq!(get(&addr, "/healthz"), (200, "ok".to_string()));
    assert_eq!(get(&addr, "/readyz").0, 200);
    let (status, body) = get(&addr, "/api/v1/docs");
    assert_eq!(status, 200);
    assert_eq!(json(&body).as_array().map(Vec::len), Some(2));
    let (_, body) = get(&addr, "/api/v1/docs?status=approved");
    assert_eq!(json(&body)[0]["title"], "API rate limiter");
    let (status, body) = get(&addr, "/api/v1/docs/platform/0001-rate-limiter.md");
    assert_eq!(status, 200);
    let v = json(&body);
    assert_eq!(v["document"]["current_revision"], 1);
    assert!(v["revision"]["content"].as_str().unwrap_or("").contains("token-bucket"));
    assert_eq!(get(&addr, "/api/v1/docs/platform/missing.md").0, 404);
    let (_, body) = get(&addr, "/api/v1/search?q=token%20bucket");
    assert_eq!(json(&body)[0]["id"], "platform:0001-rate-limiter.md");
    let (_, body) = get(&addr, "/api/v1/risks");
    assert!(json(&body).as_array().map(Vec::len).unwrap_or(0) >= 5);
    let (status, html) = get(&addr, "/");
    assert_eq!(status, 200);
    assert!(html.contains("API rate limiter") && html.contains("Search service"));

    // An edit becomes revision 2.
    let doc = docs.join("0001-rate-limiter.md");
    let text = std::fs::read_to_string(&doc).expect("read");
    std::fs::write(&doc, text.replace("status: approved", "status: review")).expect("write");
    let start = Instant::now();
    loop {
        let (_, body) = get(&addr, "/api/v1/docs/platform/0001-rate-limiter.md");
        if json(&body)["document"]["current_revision"] == 2 {
            assert_eq!(json(&body)["document"]["status"], "review");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "change not published");
        std::thread::sleep(Duration::from_millis(50));
    }
}
