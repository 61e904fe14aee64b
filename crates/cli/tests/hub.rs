//! The hub as its users run it: real processes on loopback, a real SQLite file, the real
//! PostgreSQL when DESIGNDOC_TEST_POSTGRES_URL is set (CI sets it), `designdoc publish`
//! with tokens from `designdoc token`, kill -9 in the middle of publishing, SIGTERM in the
//! middle of a request, two instances on one database, and pages in headless chromium.

mod common;

use common::{Killed, get, post};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn designdoc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_designdoc"))
        .current_dir(dir)
        .args(args)
        .env_remove("DESIGNDOC_DATABASE_URL")
        .env_remove("DESIGNDOC_TOKEN")
        .output()
        .expect("run designdoc")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A hub process with its log file.
struct Hub {
    child: Killed,
    addr: String,
    log: PathBuf,
}

impl Hub {
    fn start(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Hub {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let log = dir.join(format!(
            "hub-{}.log",
            N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        let child = Command::new(env!("CARGO_BIN_EXE_designdoc"))
            .current_dir(dir)
            .arg("serve")
            .args(args)
            .env_remove("DESIGNDOC_DATABASE_URL")
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start hub");
        let mut child = Killed::new(child);
        let addr = child.address();
        Hub { child, addr, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let (status, _, body) = get(&self.addr, path);
        (status, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
    }

    fn pid(&self) -> String {
        self.child.0.id().to_string()
    }

    /// Waits for the process to exit; its exit code.
    fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(status)) = self.child.0.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

fn signal(pid: &str, sig: &str) {
    let ok = Command::new("kill").args([sig, pid]).status().expect("kill").success();
    assert!(ok, "kill {sig} {pid}");
}

fn examples(into: &Path) {
    std::fs::create_dir_all(into).expect("mkdir");
    for f in ["0001-rate-limiter.md", "0002-search-service.md"] {
        std::fs::copy(root().join("examples").join(f), into.join(f)).expect("copy");
    }
}

fn create_token(dir: &Path, db_args: &[&str], name: &str) -> String {
    let mut args = vec!["token", "create", "--name", name, "--create"];
    args.extend_from_slice(db_args);
    let out = designdoc(dir, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

fn publish(dir: &Path, hub: &str, token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_designdoc"))
        .current_dir(dir)
        .args(["publish", "--hub", &format!("http://{hub}")])
        .args(args)
        .env("DESIGNDOC_TOKEN", token)
        .output()
        .expect("run publish")
}

fn openapi_paths() -> BTreeSet<String> {
    let spec: serde_json::Value =
        serde_json::from_str(include_str!("../../hub/src/openapi.json")).expect("openapi.json is JSON");
    spec["paths"].as_object().expect("paths").keys().cloned().collect()
}

#[test]
fn api_pages_metrics_and_openapi_on_sqlite() {
    let tmp = tempfile::tempdir().expect("tempdir");
    examples(&tmp.path().join("platform"));
    let db = format!("sqlite://{}", tmp.path().join("hub.db").display());
    let db_args = ["--database", db.as_str()];
    let token = create_token(tmp.path(), &db_args, "ci-payments");
    assert!(token.starts_with("ddt_"), "{token}");
    let hub = Hub::start(
        tmp.path(),
        &[
            "platform",
            "--database",
            &db,
            "--addr",
            "127.0.0.1:0",
            "--log-format",
            "json",
        ],
        &[],
    );
    let addr = hub.addr.clone();

    // Another repository's docs arrive through `designdoc publish`.
    let other = tmp.path().join("payments");
    std::fs::create_dir_all(&other).expect("mkdir");
    std::fs::copy(root().join("docs/design.md"), other.join("design.md")).expect("copy");
    let out = publish(tmp.path(), &addr, &token, &["payments"]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 new revision(s), 0 unchanged"),
        "{}",
        text(&out.stdout)
    );
    let out = publish(tmp.path(), &addr, &token, &["payments"]);
    assert!(
        text(&out.stdout).contains("0 new revision(s), 1 unchanged"),
        "{}",
        text(&out.stdout)
    );

    let (status, spaces) = hub.get_json("/api/v1/spaces");
    assert_eq!(status, 200);
    let names: Vec<&str> = spaces
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["payments", "platform"]);
    let (_, list) = hub.get_json("/api/v1/docs");
    assert_eq!(list["total"], 3);
    let (_, list) = hub.get_json("/api/v1/docs?author=Dana%20Reyes");
    assert_eq!(list["documents"][0]["id"], "platform:0002-search-service.md");
    let (_, list) = hub.get_json("/api/v1/docs?tag=reliability&space=platform&status=approved");
    assert_eq!(list["total"], 1);
    let (_, list) = hub.get_json("/api/v1/docs?limit=1&offset=2");
    assert_eq!(
        (list["total"].as_i64(), list["documents"].as_array().map(Vec::len)),
        (Some(3), Some(1))
    );
    let (_, doc) = hub.get_json("/api/v1/docs/payments/design.md");
    assert_eq!(doc["revision"]["published_by"], "token:ci-payments");
    assert!(doc["revision"]["findings"].is_array());
    let (_, hits) = hub.get_json("/api/v1/search?q=token%20bucket&space=platform");
    assert_eq!(hits[0]["id"], "platform:0001-rate-limiter.md");
    let (_, risks) = hub.get_json("/api/v1/registers/risks");
    assert!(risks.as_array().map_or(0, Vec::len) >= 5);
    let (_, comps) = hub.get_json("/api/v1/registers/components");
    assert!(comps.as_array().expect("array").iter().any(|c| c["name"] == "Limiter"));
    let (_, ents) = hub.get_json("/api/v1/registers/entities");
    assert!(!ents.as_array().expect("array").is_empty());

    // An edit through the watched folder: revision 2, history, diff.
    let doc_file = tmp.path().join("platform/0001-rate-limiter.md");
    let old = std::fs::read_to_string(&doc_file).expect("read");
    std::fs::write(&doc_file, old.replace("status: approved", "status: review")).expect("write");
    let start = Instant::now();
    while hub.get_json("/api/v1/docs/platform/0001-rate-limiter.md").1["document"]["current_revision"] != 2 {
        assert!(start.elapsed() < Duration::from_secs(10), "edit not published");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (_, history) = hub.get_json("/api/v1/history/platform/0001-rate-limiter.md");
    assert_eq!(history[0]["number"], 2);
    assert_eq!(history[1]["published_by"], "watcher");
    let (_, rev1) = hub.get_json("/api/v1/revisions/platform/1/0001-rate-limiter.md");
    assert_eq!(rev1["content"].as_str(), Some(old.as_str()));
    let (_, diff) = hub.get_json("/api/v1/diff/platform/0001-rate-limiter.md");
    let changed: Vec<String> = diff["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter(|l| l["op"] != "same")
        .map(|l| {
            format!(
                "{} {}",
                l["op"].as_str().unwrap_or(""),
                l["line"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(changed, ["removed status: approved", "added status: review"]);
    assert_eq!(
        hub.get_json("/api/v1/diff/platform/0001-rate-limiter.md?from=1&to=9").0,
        404
    );
    assert_eq!(hub.get_json("/api/v1/docs/platform/missing.md").0, 404);
    assert_eq!(hub.get_json("/api/v1/docs?unknown=1").0, 400);

    // Pages: every one answers with the security headers and shows what it is for.
    for (path, expect) in [
        ("/", "API rate limiter"),
        ("/?status=draft", "Search service"),
        ("/doc/platform/0001-rate-limiter.md", "<svg"),
        ("/doc/platform/0002-search-service.html", "Search service"),
        ("/history/platform/0001-rate-limiter.md", "diff with 1"),
        (
            "/diff/platform/0001-rate-limiter.md?from=1&to=2",
            "1 lines added, 1 removed",
        ),
        ("/search?q=indexer", "Search service"),
        ("/risks", "High"),
        ("/components", "Limiter"),
        ("/entities", "defines it"),
    ] {
        let (status, head, body) = get(&addr, path);
        assert_eq!(status, 200, "{path}");
        assert!(body.contains(expect), "{path} lacks {expect}");
        let head = head.to_lowercase();
        assert!(
            head.contains("content-security-policy: default-src 'none'"),
            "{path}: {head}"
        );
        assert!(
            head.contains("x-content-type-options: nosniff") && head.contains("x-frame-options: deny"),
            "{path}"
        );
        assert!(!body.contains("<script"), "{path} has script");
    }
    let (_, _, index) = get(&addr, "/?status=draft");
    assert!(!index.contains("API rate limiter"), "filter ignored");
    assert_eq!(get(&addr, "/doc/platform/nope.md").0, 404);

    // Review state and the audit log (admins only) answer too.
    assert_eq!(
        hub.get_json("/api/v1/review/platform/0001-rate-limiter.md").1["state"]["status"],
        "review"
    );
    assert_eq!(hub.get_json("/api/v1/audit").0, 401);

    // Operations.
    let (status, _, spec) = get(&addr, "/api/v1/openapi.json");
    assert_eq!(status, 200);
    assert!(spec.contains("\"openapi\": \"3.1.0\""));
    assert_eq!(get(&addr, "/healthz").0, 200);
    assert_eq!(get(&addr, "/readyz").0, 200);
    let (status, _, metrics) = get(&addr, "/metrics");
    assert_eq!(status, 200);
    for needle in [
        "designdoc_documents{status=\"review\"} 2",
        "designdoc_documents{status=\"draft\"} 1",
        "designdoc_publish_total{result=\"created\"} ",
        "designdoc_publish_total{result=\"unchanged\"} ",
        "designdoc_http_requests_total{method=\"GET\",route=\"/doc/{space}/{*path}\",status=\"200\"} 2",
        "designdoc_http_requests_total{method=\"GET\",route=\"/doc/{space}/{*path}\",status=\"404\"} 1",
        "designdoc_http_request_duration_seconds_bucket{route=\"/api/v1/search\",le=\"+Inf\"} 1",
        "designdoc_findings{rule=\"DD0",
        "designdoc_revisions 4",
    ] {
        assert!(metrics.contains(needle), "metrics lack {needle}:\n{metrics}");
    }

    // Every metric the shipped alert rules use is one the hub exports.
    let alerts = std::fs::read_to_string(root().join("deploy/prometheus-alerts.yml")).expect("alerts");
    let used: BTreeSet<&str> = alerts
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("designdoc_"))
        .collect();
    assert!(used.len() >= 5, "{used:?}");
    for name in used {
        assert!(
            metrics.contains(&format!("\n{name}")),
            "alert rules use {name}, which /metrics lacks"
        );
    }

    // The OpenAPI document names exactly the API routes the hub served.
    let documented = openapi_paths();
    let served: BTreeSet<String> = metrics
        .lines()
        .filter_map(|l| l.strip_prefix("designdoc_http_requests_total{"))
        .filter_map(|l| l.split("route=\"").nth(1)?.split('"').next())
        .filter(|r| r.starts_with("/api/") || ["/healthz", "/readyz", "/metrics"].contains(r))
        .map(|r| r.replace("{*path}", "{path}"))
        .collect();
    let missing: Vec<&String> = served.difference(&documented).collect();
    assert!(missing.is_empty(), "served but not in openapi.json: {missing:?}");
    let unexercised: Vec<&String> = documented.difference(&served).filter(|p| *p != "/metrics").collect();
    assert!(
        unexercised.is_empty(),
        "documented but not exercised here: {unexercised:?}"
    );

    // Logs are JSON lines, one per request, and never hold the token.
    let log = hub.log();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["msg"] == "request" && l["route"] == "/api/v1/publish" && l["status"] == 200)
    );
    assert!(!log.contains(&token), "token in the log");
}

#[test]
fn publish_needs_a_live_token_and_rejects_bad_input() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", tmp.path().join("hub.db").display());
    let db_args = ["--database", db.as_str()];
    let token = create_token(tmp.path(), &db_args, "ci");
    let hub = Hub::start(tmp.path(), &["--database", &db, "--addr", "127.0.0.1:0"], &[]);
    let body = serde_json::json!({"space": "team", "docs": [{"path": "a.md", "content": "# A\n"}]}).to_string();

    assert_eq!(post(&hub.addr, "/api/v1/publish", &[], &body).0, 401);
    let bearer = format!("Bearer {token}");
    assert_eq!(
        post(
            &hub.addr,
            "/api/v1/publish",
            &[("Authorization", "Bearer ddt_nope")],
            &body
        )
        .0,
        401
    );
    let (status, reply) = post(&hub.addr, "/api/v1/publish", &[("Authorization", &bearer)], &body);
    assert_eq!(status, 200, "{reply}");

    // Invalid names reject the whole request; nothing is written.
    let bad = serde_json::json!({"space": "team", "docs": [{"path": "b.md", "content": "# B\n"}, {"path": "../../etc/passwd", "content": "x"}]}).to_string();
    let (status, reply) = post(&hub.addr, "/api/v1/publish", &[("Authorization", &bearer)], &bad);
    assert_eq!(status, 400, "{reply}");
    assert!(reply.contains("../../etc/passwd"), "{reply}");
    assert_eq!(hub.get_json("/api/v1/docs/team/b.md").0, 404);
    for (body, want) in [("{not json", 400), (r#"{"space":"team","docs":[],"extra":1}"#, 422)] {
        let (status, reply) = post(&hub.addr, "/api/v1/publish", &[("Authorization", &bearer)], body);
        assert_eq!(status, want, "{body}: {reply}");
        assert!(reply.contains("error"), "{reply}");
    }

    // Revocation takes effect on the next request.
    let out = designdoc(tmp.path(), &["token", "list", "--database", &db]);
    let id = text(&out.stdout).split('\t').next().unwrap_or_default().to_string();
    let out = designdoc(tmp.path(), &["token", "revoke", &id, "--database", &db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        post(&hub.addr, "/api/v1/publish", &[("Authorization", &bearer)], &body).0,
        401
    );
    let out = designdoc(tmp.path(), &["token", "revoke", &id, "--database", &db]);
    assert!(!out.status.success() && text(&out.stderr).contains("no live token"));

    // The CLI reports a refused token clearly and fails.
    std::fs::create_dir_all(tmp.path().join("docs")).expect("mkdir");
    std::fs::write(tmp.path().join("docs/x.md"), "# X\n").expect("write");
    let out = publish(tmp.path(), &hub.addr, &token, &["docs"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("HTTP 401: unknown or revoked token"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn sigterm_finishes_the_request_in_flight() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", tmp.path().join("hub.db").display());
    let token = create_token(tmp.path(), &["--database", &db], "ci");
    let mut hub = Hub::start(tmp.path(), &["--database", &db, "--addr", "127.0.0.1:0"], &[]);
    let body = serde_json::json!({"space": "team", "docs": [{"path": "slow.md", "content": "# Slow\n\nArrives in two parts.\n"}]}).to_string();
    let mut s = TcpStream::connect(&hub.addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    write!(
        s,
        "POST /api/v1/publish HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .expect("head");
    let (first, rest) = body.split_at(body.len() / 2);
    s.write_all(first.as_bytes()).expect("first half");
    std::thread::sleep(Duration::from_millis(300));
    signal(&hub.pid(), "-TERM");
    std::thread::sleep(Duration::from_millis(300));
    s.write_all(rest.as_bytes()).expect("second half");
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    assert!(
        reply.starts_with("HTTP/1.1 200"),
        "in-flight request was not finished: {reply}"
    );
    assert_eq!(hub.wait_exit(Duration::from_secs(10)), Some(0), "{}", hub.log());
    let log = hub.log();
    assert!(log.contains("shutting down") && log.contains("stopped"), "{log}");
    // Nothing listens any more, and the publish is in the database.
    assert!(TcpStream::connect(&hub.addr).is_err());
    let out = designdoc(tmp.path(), &["db", "check", "--database", &db]);
    assert_eq!(text(&out.stdout).trim(), "ok");
}

#[test]
fn a_watched_folder_is_republished_on_change_and_sigterm_still_stops_the_hub() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let docs = tmp.path().join("docs");
    examples(&docs);
    let db = format!("sqlite://{}", tmp.path().join("hub.db").display());
    let mut hub = Hub::start(tmp.path(), &["docs", "--database", &db, "--addr", "127.0.0.1:0"], &[]);
    let doc = docs.join("0002-search-service.md");
    let text = std::fs::read_to_string(&doc).expect("read");
    std::fs::write(&doc, text.replace("title: Search service", "title: Search service v2")).expect("write");
    let start = Instant::now();
    while !hub.log().contains("new_revisions=1") && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(hub.log().contains("new_revisions=1"), "{}", hub.log());
    // The watcher's waiting thread must not keep the process alive once the hub stopped.
    signal(&hub.pid(), "-TERM");
    assert_eq!(hub.wait_exit(Duration::from_secs(10)), Some(0), "{}", hub.log());
}

#[test]
fn settings_come_from_flags_env_and_designdoc_toml() {
    let tmp = tempfile::tempdir().expect("tempdir");
    examples(&tmp.path().join("docs"));
    std::fs::write(
        tmp.path().join("designdoc.toml"),
        "[hub]\naddr = \"127.0.0.1:0\"\ndatabase = \"sqlite://from-toml.db\"\nwatch = [\"docs\"]\nlog_format = \"json\"\n",
    )
    .expect("config");
    let hub = Hub::start(tmp.path(), &[], &[]);
    assert!(tmp.path().join("from-toml.db").exists());
    assert_eq!(hub.get_json("/api/v1/docs").1["total"], 2, "watch from designdoc.toml");
    assert!(hub.log().starts_with('{'), "log_format from designdoc.toml");
    drop(hub);
    // The environment wins over the file, and a flag over the environment.
    let hub = Hub::start(
        tmp.path(),
        &["--log-format", "text"],
        &[
            ("DESIGNDOC_DATABASE_URL", "sqlite://from-env.db"),
            ("DESIGNDOC_LOG_FORMAT", "json"),
        ],
    );
    assert!(tmp.path().join("from-env.db").exists());
    assert!(hub.log().contains(" INFO "), "{}", hub.log());
    drop(hub);
    // A typo in [hub] is an error that names the file and position.
    std::fs::write(tmp.path().join("designdoc.toml"), "[hub]\nadress = \"x\"\n").expect("config");
    let out = designdoc(tmp.path(), &["serve"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("designdoc.toml:2:1") && err.contains("adress"), "{err}");
}

/// Publishes docs one request at a time until the hub dies; returns what was acknowledged.
fn publish_until_killed(addr: &str, token: &str) -> Vec<(String, String)> {
    let bearer = format!("Bearer {token}");
    let mut acked = Vec::new();
    for i in 0.. {
        let path = format!("doc-{i:05}.md");
        let content = format!(
            "---\ntitle: Doc {i}\nstatus: draft\n---\n\n# Doc {i}\n\n{}\n",
            "Some text. ".repeat(i % 50 + 1)
        );
        let body = serde_json::json!({"space": "crash", "docs": [{"path": path, "content": content}]}).to_string();
        let Ok(mut s) = TcpStream::connect(addr) else { break };
        let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
        let req = format!(
            "POST /api/v1/publish HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {bearer}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if s.write_all(req.as_bytes()).is_err() {
            break;
        }
        let mut reply = String::new();
        let _ = s.read_to_string(&mut reply);
        if reply.starts_with("HTTP/1.1 200") {
            acked.push((path, content));
        } else if i > 10 {
            break;
        }
    }
    acked
}

fn crash_story(tmp: &Path, db: &str, schema: &[&str]) {
    let mut db_args = vec!["--database", db];
    db_args.extend_from_slice(schema);
    let token = create_token(tmp, &db_args, "crash");
    let mut args = db_args.clone();
    args.extend(["--addr", "127.0.0.1:0"]);
    let hub = Hub::start(tmp, &args, &[]);
    let addr = hub.addr.clone();
    let sender = {
        let (addr, token) = (addr.clone(), token.clone());
        std::thread::spawn(move || publish_until_killed(&addr, &token))
    };
    // Let a stream of publishes run, then kill -9 in the middle of it.
    let start = Instant::now();
    loop {
        let (_, _, metrics) = get(&addr, "/metrics");
        let created = metrics
            .lines()
            .find_map(|l| l.strip_prefix("designdoc_publish_total{result=\"created\"} "))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .unwrap_or(0);
        // The counter moves before the reply is sent and the sender has one publish in
        // flight, so 41 created means at least 40 acknowledged.
        if created >= 41 || start.elapsed() > Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    signal(&hub.pid(), "-KILL");
    let acked = sender.join().expect("sender");
    drop(hub);
    assert!(acked.len() >= 40, "only {} publishes acknowledged", acked.len());

    let hub = Hub::start(tmp, &args, &[]);
    for (path, content) in &acked {
        let (status, doc) = hub.get_json(&format!("/api/v1/docs/crash/{path}"));
        assert_eq!(status, 200, "acknowledged {path} is missing after kill -9");
        assert_eq!(doc["revision"]["content"].as_str(), Some(content.as_str()), "{path}");
    }
    drop(hub);
    let out = designdoc(tmp, &[&["db", "check"][..], &db_args].concat());
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "ok");
}

#[test]
fn kill_9_during_publishing_loses_nothing_acknowledged_sqlite() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("hub.db");
    crash_story(tmp.path(), &format!("sqlite://{}", file.display()), &[]);
    // And SQLite's own tool agrees.
    if !designdoc_testkit::require_command("sqlite3", "Debian package sqlite3") {
        return;
    }
    let out = Command::new("sqlite3")
        .arg(&file)
        .arg("PRAGMA integrity_check;")
        .output()
        .expect("sqlite3");
    assert_eq!(text(&out.stdout).trim(), "ok");
}

/// The PostgreSQL URL and a fresh schema name, or None (after one skip line) without one.
fn postgres(test: &str) -> Option<(String, String)> {
    let url = designdoc_testkit::require_postgres()?;
    Some((url, format!("hub_{test}_{}", std::process::id())))
}

fn drop_schema(url: &str, schema: &str) {
    let _ = Command::new("psql")
        .args([url, "-q", "-c", &format!("DROP SCHEMA IF EXISTS {schema} CASCADE")])
        .output();
}

#[test]
fn kill_9_during_publishing_loses_nothing_acknowledged_postgres() {
    let Some((url, schema)) = postgres("crash") else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    crash_story(tmp.path(), &url, &["--schema", &schema]);
    drop_schema(&url, &schema);
}

#[test]
fn two_hubs_share_one_postgres() {
    let Some((url, schema)) = postgres("two") else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = ["--database", url.as_str(), "--schema", schema.as_str()];
    let token = create_token(tmp.path(), &db, "ci");
    let mut args = db.to_vec();
    args.extend(["--addr", "127.0.0.1:0"]);
    let a = Hub::start(tmp.path(), &args, &[]);
    let b = Hub::start(tmp.path(), &args, &[]);
    examples(&tmp.path().join("platform"));
    let out = publish(tmp.path(), &a.addr, &token, &["platform"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Served by the other instance, pages and search included.
    let (status, doc) = b.get_json("/api/v1/docs/platform/0001-rate-limiter.md");
    assert_eq!(status, 200);
    assert_eq!(doc["revision"]["published_by"], "token:ci");
    assert_eq!(
        b.get_json("/api/v1/search?q=indexer").1[0]["id"],
        "platform:0002-search-service.md"
    );
    let (status, _, page) = get(&b.addr, "/doc/platform/0001-rate-limiter.md");
    assert_eq!(status, 200);
    assert!(page.contains("<svg"));
    // Both report the same document figures.
    let figures = |addr: &str| -> Vec<String> {
        get(addr, "/metrics")
            .2
            .lines()
            .filter(|l| l.starts_with("designdoc_documents{"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(figures(&a.addr), figures(&b.addr));
    assert!(!figures(&a.addr).is_empty());
    // Publishing the same docs through both at once: no duplicate revisions.
    let (pa, pb) = (tmp.path().to_path_buf(), tmp.path().to_path_buf());
    std::fs::write(tmp.path().join("platform/0003-new.md"), "# New\n\nRaced.\n").expect("write");
    let (ta, tb) = (token.clone(), token.clone());
    let (aa, ba) = (a.addr.clone(), b.addr.clone());
    let x = std::thread::spawn(move || publish(&pa, &aa, &ta, &["platform"]));
    let y = std::thread::spawn(move || publish(&pb, &ba, &tb, &["platform"]));
    for out in [x.join().expect("x"), y.join().expect("y")] {
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    assert_eq!(
        a.get_json("/api/v1/history/platform/0003-new.md")
            .1
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    drop((a, b));
    let out = designdoc(tmp.path(), &[&["db", "check"][..], &db].concat());
    assert_eq!(text(&out.stdout).trim(), "ok", "{}", text(&out.stderr));
    drop_schema(&url, &schema);
}

#[test]
fn hub_pages_in_a_browser() {
    if designdoc_testkit::require_chromium().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let docs = tmp.path().join("platform");
    examples(&docs);
    std::fs::write(
        docs.join("0003-hostile.md"),
        "---\ntitle: Hostile <script>document.title='pwned'</script>\nstatus: draft\n---\n\n# Hostile\n\n<script>document.title='pwned'</script>\n<img src=x onerror=\"document.title='pwned'\">\n[click](javascript:document.title='pwned')\n\n```mermaid\ngraph TD\n  A[\"<img src=x onerror=document.title='pwned'>\"] --> B\n```\n",
    )
    .expect("hostile doc");
    let db = format!("sqlite://{}", tmp.path().join("hub.db").display());
    let hub = Hub::start(
        tmp.path(),
        &["platform", "--database", &db, "--addr", "127.0.0.1:0"],
        &[],
    );
    let profile = tmp.path().join("profile");
    let dom = |path: &str| common::browser(&profile, &["--dump-dom", &format!("http://{}{path}", hub.addr)]);

    let page = dom("/doc/platform/0001-rate-limiter.md");
    assert!(page.matches("<svg").count() >= 2, "diagrams drawn inline");
    assert!(page.contains("Table of contents") && page.contains("history"), "{page}");
    let index = dom("/?status=draft");
    assert!(index.contains("Search service") && !index.contains("API rate limiter"));
    let history = dom("/history/platform/0001-rate-limiter.md");
    assert!(history.contains("<table id=\"revisions\""));
    for path in ["/doc/platform/0003-hostile.md", "/", "/search?q=hostile"] {
        let page = dom(path);
        assert!(!page.contains("<title>pwned"), "{path}: a payload ran");
        assert!(
            !page.contains("<script>document") && !page.contains("onerror=\"document"),
            "{path}: payload in DOM"
        );
    }
    let shots = root().join("target/site-screenshots");
    std::fs::create_dir_all(&shots).expect("mkdir");
    common::browser(
        &profile,
        &[
            &format!("--screenshot={}", shots.join("hub-doc.png").display()),
            "--window-size=1280,1600",
            &format!("http://{}/doc/platform/0001-rate-limiter.md", hub.addr),
        ],
    );
    assert!(shots.join("hub-doc.png").exists());
}

#[test]
fn alert_rules_pass_promtool() {
    if !designdoc_testkit::require_command("promtool", "Debian package prometheus") {
        return;
    }
    let deploy = root().join("deploy");
    for args in [
        &["check", "rules", "prometheus-alerts.yml"][..],
        &["test", "rules", "alerts-test.yml"],
    ] {
        let out = Command::new("promtool")
            .current_dir(&deploy)
            .args(args)
            .output()
            .expect("promtool");
        assert!(
            out.status.success(),
            "promtool {args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
}
