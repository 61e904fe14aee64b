//! Notifications end to end, with real receivers: a real SMTP server (aiosmtpd from PyPI,
//! on loopback) and a real HTTP webhook receiver that refuses its first calls. A review
//! story on SQLite and on PostgreSQL checks who gets which e-mail with which link, that
//! webhook calls are signed and retried, and that each notification arrives once. Two hub
//! instances on one PostgreSQL, one killed with SIGKILL mid-stream, lose none.

mod common;

use common::{form, input_value, send, start_hub};
use hmac::{Hmac, KeyInit, Mac};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The SMTP server: a child process writing each message it gets to a file.
struct SmtpSink {
    child: Child,
    port: u16,
    out: std::path::PathBuf,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One message the SMTP server received.
#[derive(Debug, Clone)]
struct Mail {
    to: Vec<String>,
    subject: String,
    message_id: String,
    text: String,
}

impl SmtpSink {
    /// Starts it, or says which part is missing.
    fn start(dir: &Path) -> Option<SmtpSink> {
        if !designdoc_testkit::require_python_module("aiosmtpd", "pip install aiosmtpd; .ci/run installs it") {
            return None;
        }
        let port = free_port();
        let out = dir.join("mail.jsonl");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(&out)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the SMTP server");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout).read_line(&mut line).expect("SMTP server ready");
        assert_eq!(line.trim(), "ready");
        Some(SmtpSink { child, port, out })
    }

    fn mails(&self) -> Vec<Mail> {
        let text = std::fs::read_to_string(&self.out).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| {
                let data = v["data"].as_str().unwrap_or("").replace("\r\n", "\n");
                let header = |name: &str| {
                    data.lines()
                        .take_while(|l| !l.is_empty())
                        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                        .unwrap_or("")
                        .to_string()
                };
                Mail {
                    to: v["to"]
                        .as_array()
                        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
                        .unwrap_or_default(),
                    subject: header("Subject"),
                    message_id: header("Message-ID"),
                    text: data.split_once("\n\n").map(|(_, b)| b.to_string()).unwrap_or_default(),
                }
            })
            .collect()
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One call the webhook receiver got.
#[derive(Debug, Clone)]
struct Call {
    delivery: String,
    event: String,
    signature: String,
    body: String,
    /// What the receiver answered.
    status: u16,
}

/// A real HTTP server on loopback that answers 500 to its first `fail_first` calls, then
/// 200, taking `delay` per call; it keeps every call.
struct Receiver {
    addr: String,
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Receiver {
    fn start(fail_first: usize, delay: Duration) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let calls: Arc<Mutex<Vec<Call>>> = Arc::default();
        let kept = Arc::clone(&calls);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut reader = BufReader::new(stream);
                let mut headers = BTreeMap::new();
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                loop {
                    line.clear();
                    if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        headers.insert(k.trim().to_lowercase(), v.trim().to_string());
                    }
                }
                let length: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    continue;
                }
                std::thread::sleep(delay);
                let mut calls = kept.lock().expect("calls");
                let status = if calls.len() < fail_first { 500 } else { 200 };
                calls.push(Call {
                    delivery: headers.get("x-designdoc-delivery").cloned().unwrap_or_default(),
                    event: headers.get("x-designdoc-event").cloned().unwrap_or_default(),
                    signature: headers.get("x-designdoc-signature").cloned().unwrap_or_default(),
                    body: String::from_utf8_lossy(&body).into_owned(),
                    status,
                });
                drop(calls);
                let reason = if status == 200 { "OK" } else { "Internal Server Error" };
                let mut stream = reader.into_inner();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} {reason}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        Receiver { addr, calls }
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().expect("calls").clone()
    }

    /// The deliveries answered 200, each with how many times it was.
    fn accepted(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for c in self.calls().into_iter().filter(|c| c.status == 200) {
            *out.entry(c.delivery).or_insert(0) += 1;
        }
        out
    }
}

/// HMAC-SHA256 of `body` under `secret`, as the signature header writes it.
fn expected_signature(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body.as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// A hub started in `dir` over `db` (serve's database arguments).
struct Hub {
    _child: common::Killed,
    addr: String,
    dir: std::path::PathBuf,
    db: Vec<String>,
}

/// A browser session: its cookie and CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

impl Hub {
    fn start(dir: &Path, db: &[String]) -> Hub {
        let args: Vec<&str> = db.iter().map(String::as_str).collect();
        let (child, addr) = start_hub(dir, &args);
        Hub {
            _child: child,
            addr,
            dir: dir.to_path_buf(),
            db: db.to_vec(),
        }
    }

    fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_designdoc"))
            .current_dir(&self.dir)
            .args(args)
            .args(&self.db)
            .env_remove("DESIGNDOC_DATABASE_URL")
            .output()
            .expect("run designdoc");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Signs in for the first time with the one-time password `otp` (choosing a new one,
    /// as every new user must).
    fn login(&self, user: &str, otp: &str) -> Session {
        let (cookie, _) = common::first_sign_in(&self.addr, user, otp);
        let (_, _, account) = send(&self.addr, "GET", "/account", &[("Cookie", &cookie)], "");
        let csrf = input_value(&account, "csrf").expect("csrf");
        Session { cookie, csrf }
    }

    fn post_form(&self, path: &str, who: &Session, fields: &[(&str, &str)]) -> (u16, String) {
        let mut all = fields.to_vec();
        all.push(("csrf", &who.csrf));
        let (status, _, body) = send(
            &self.addr,
            "POST",
            path,
            &[
                ("Cookie", &who.cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            &form(&all),
        );
        (status, body)
    }

    fn get(&self, path: &str, who: &Session) -> String {
        send(&self.addr, "GET", path, &[("Cookie", &who.cookie)], "").2
    }

    fn api(&self, token: &str, method: &str, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let (status, _, text) = send(
            &self.addr,
            method,
            path,
            &[
                ("Authorization", &format!("Bearer {token}")),
                ("Content-Type", "application/json"),
            ],
            &body.to_string(),
        );
        (status, serde_json::from_str(&text).unwrap_or_default())
    }

    fn revision(&self, token: &str, doc: &str) -> i64 {
        let (_, v) = self.api(
            token,
            "GET",
            &format!("/api/v1/review/team/{doc}"),
            &serde_json::Value::Null,
        );
        v["state"]["revision"].as_i64().unwrap_or(0)
    }

    /// Waits until the outbox has nothing waiting (`0 waiting` on the admin page).
    fn drain(&self, admin: &Session, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let page = self.get("/admin/notifications", admin);
            if page.contains(">0 waiting") || start.elapsed() > timeout {
                return page;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The designdoc.toml of a hub that mails through `smtp` (port) and paces its worker
/// for a test.
fn config(smtp: Option<u16>, lease_ms: u64) -> String {
    let mut c = format!(
        "[hub]\npublic_url = \"https://hub.example.test\"\n\n[hub.notify]\npoll_ms = 50\nretry_ms = 100\nlease_ms = {lease_ms}\n"
    );
    if let Some(port) = smtp {
        c.push_str(&format!(
            "\n[hub.smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nfrom = \"designdoc <hub@example.test>\"\n"
        ));
    }
    c
}

fn example() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/0001-rate-limiter.md"))
        .expect("example doc")
        .replace("status: approved", "status: draft")
}

/// The review story with notifications, on the hub in `dir` over `db`.
fn story(dir: &Path, db: &[String]) {
    let Some(smtp) = SmtpSink::start(dir) else {
        return;
    };
    // The receiver refuses its first two calls: those are retried.
    let receiver = Receiver::start(2, Duration::ZERO);
    std::fs::write(dir.join("designdoc.toml"), config(Some(smtp.port), 5_000)).expect("config");
    let hub = Hub::start(dir, db);
    let mut pw = BTreeMap::new();
    for (name, role) in [
        ("aldo", "author"),
        ("vera", "reviewer"),
        ("wes", "reviewer"),
        ("nia", "reviewer"),
    ] {
        pw.insert(name, hub.cli(&["user", "add", name]));
        hub.cli(&["user", "grant", name, role, "--space", "team"]);
    }
    let root_pw = hub.cli(&["user", "add", "root", "--admin"]);
    let root = hub.login("root", &root_pw);
    let sessions: BTreeMap<&str, Session> = pw.iter().map(|(n, p)| (*n, hub.login(n, p))).collect();
    // Everyone gives an address; wes turns e-mail off.
    for (name, s) in sessions.iter().filter(|(n, _)| **n != "nia") {
        let address = format!("{name}@example.test");
        let on = if *name == "wes" { "" } else { "on" };
        let (status, page) = hub.post_form("/account/notifications", s, &[("address", &address), ("email", on)]);
        assert_eq!(status, 200, "{page}");
    }
    // The admin adds a webhook to the space; its secret is shown once.
    let url = format!("http://{}/hook", receiver.addr);
    let (status, page) = hub.post_form("/admin/webhooks", &root, &[("space", "team"), ("url", &url)]);
    assert_eq!(status, 200, "{page}");
    let secret = page
        .split("id=\"webhook-secret\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the secret on the page")
        .to_string();
    let token = hub.cli(&["token", "create", "--name", "aldo-ci", "--user", "aldo"]);
    let publish = |content: &str| {
        let body = serde_json::json!({"space": "team", "docs": [{"path": "limiter.md", "content": content}]});
        assert_eq!(hub.api(&token, "POST", "/api/v1/publish", &body).0, 200);
    };
    let review_as = |who: &str, fields: &[(&str, &str)]| {
        let revision = hub.revision(&token, "limiter.md").to_string();
        let mut fields = fields.to_vec();
        fields.push(("revision", &revision));
        hub.post_form("/review/team/limiter.md", &sessions[who], &fields)
    };
    let review = |who: &str, fields: &[(&str, &str)]| {
        let (status, body) = review_as(who, fields);
        assert_eq!(status, 303, "{who} {fields:?}: {body}");
    };
    // An incomplete draft (placeholders left, sections missing) cannot go to review: the
    // answer names what blocks.
    publish(
        "---\ntitle: API rate limiter\nstatus: draft\nauthors: [\"@nia\"]\n---\n\n# API rate limiter\n\n## Overview\n\nTODO\n",
    );
    let (status, body) = review_as("aldo", &[("action", "request-review"), ("reviewers", "vera")]);
    assert_eq!(status, 409, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert!(v["blocking"].as_array().is_some_and(|b| !b.is_empty()), "{v}");
    // Fixed; nia is named among its authors (and may review in the space).
    let fixed = example().replacen("authors:", "authors:\n  - \"@nia\"", 1);
    publish(&fixed);
    review(
        "aldo",
        &[
            ("action", "request-review"),
            ("reviewers", "vera"),
            ("reviewers", "wes"),
        ],
    );
    let (status, body) = review_as("nia", &[("action", "approve")]);
    assert_eq!(status, 403, "an author in authors: may not approve: {body}");
    review(
        "vera",
        &[
            ("action", "comment"),
            ("anchor", "overview"),
            ("body", "Which *internal* callers?"),
        ],
    );
    review("vera", &[("action", "approve")]);
    review("wes", &[("action", "approve")]);
    // An edit after approval: back to review, the approvals stale.
    publish(&format!("{fixed}\nOne more paragraph.\n"));
    let (_, v) = hub.api(
        &token,
        "GET",
        "/api/v1/review/team/limiter.md",
        &serde_json::Value::Null,
    );
    assert_eq!(v["state"]["status"], "review", "{v}");
    assert_eq!(v["state"]["stale"].as_array().map(Vec::len), Some(2), "{v}");

    let admin_page = hub.drain(&root, Duration::from_secs(30));
    assert!(admin_page.contains(">0 waiting"), "{admin_page}");
    assert!(admin_page.contains("0 given up"), "{admin_page}");
    assert!(
        admin_page.contains("HTTP 500"),
        "the log shows the refused attempts: {admin_page}"
    );

    // E-mail: who, about what, linking where; nobody about their own action, nobody who
    // turned it off; every message once.
    let mails = smtp.mails();
    let mut got: Vec<(String, String)> = mails.iter().map(|m| (m.to.join(","), m.subject.clone())).collect();
    got.sort();
    let want = [
        ("aldo@example.test", "API rate limiter is now approved"),
        ("aldo@example.test", "vera approved API rate limiter"),
        ("aldo@example.test", "vera commented on API rate limiter"),
        ("aldo@example.test", "wes approved API rate limiter"),
        ("vera@example.test", "API rate limiter is now approved"),
        ("vera@example.test", "API rate limiter is now review"),
        ("vera@example.test", "Review requested: API rate limiter"),
    ];
    let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(got, want, "{mails:#?}");
    let request = mails
        .iter()
        .find(|m| m.subject.starts_with("Review requested"))
        .expect("request mail");
    assert!(
        request
            .text
            .contains("https://hub.example.test/doc/team/limiter.md#review"),
        "{}",
        request.text
    );
    let comment = mails
        .iter()
        .find(|m| m.subject.contains("commented"))
        .expect("comment mail");
    assert!(comment.text.contains("Which *internal* callers?"), "{}", comment.text);
    assert!(
        comment
            .text
            .contains("https://hub.example.test/doc/team/limiter.md#overview"),
        "{}",
        comment.text
    );
    let mut ids: Vec<&str> = mails.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), mails.len(), "one Message-ID per notification");

    // Webhooks: every event of the space, signed, the refused ones retried, each
    // accepted once.
    let calls = receiver.calls();
    for c in &calls {
        assert_eq!(
            c.signature,
            expected_signature(&secret, &c.body),
            "signature of {}",
            c.delivery
        );
        let v: serde_json::Value = serde_json::from_str(&c.body).expect("JSON body");
        assert_eq!(v["event"], c.event.as_str());
        assert_eq!(v["delivery"].to_string(), c.delivery);
        assert_eq!(v["document"]["id"], "team:limiter.md");
    }
    let accepted = receiver.accepted();
    assert!(accepted.values().all(|n| *n == 1), "each accepted once: {accepted:?}");
    let mut events: Vec<String> = calls
        .iter()
        .filter(|c| c.status == 200)
        .map(|c| c.event.clone())
        .collect();
    events.sort();
    assert_eq!(
        events,
        [
            "comment",
            "review.requested",
            "review.verdict",
            "review.verdict",
            "status.changed",
            "status.changed",
            "status.changed"
        ],
        "{calls:#?}"
    );
    let refused: Vec<&Call> = calls.iter().filter(|c| c.status == 500).collect();
    assert_eq!(refused.len(), 2);
    for r in refused {
        assert_eq!(
            accepted.get(&r.delivery),
            Some(&1),
            "refused delivery {} was retried",
            r.delivery
        );
    }
}

#[test]
fn notifications_reach_smtp_and_webhooks_once_on_sqlite() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = vec![
        "--database".to_string(),
        format!("sqlite://{}", tmp.path().join("hub.db").display()),
    ];
    story(tmp.path(), &db);
}

/// The database arguments of a PostgreSQL schema of its own, when the tests have one.
fn postgres(name: &str) -> Option<(String, String, Vec<String>)> {
    let url = designdoc_testkit::require_postgres()?;
    let schema = format!("{name}_{}", std::process::id());
    let db = vec![
        "--database".to_string(),
        url.clone(),
        "--schema".to_string(),
        schema.clone(),
    ];
    Some((url, schema, db))
}

#[test]
fn notifications_reach_smtp_and_webhooks_once_on_postgres() {
    let Some((url, schema, db)) = postgres("notify") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    story(tmp.path(), &db);
    common::drop_pg_schema(&url, &schema);
}

/// Two instances share one PostgreSQL and its outbox; a stream of review actions goes
/// to both; one is killed with SIGKILL mid-stream. Every notification reaches the
/// receiver, and none twice (but one the killed instance was sending: a receiver knows
/// such a repeat by its delivery id, which is what the test counts).
#[test]
fn two_instances_send_each_notification_once_through_a_kill() {
    let Some((url, schema, db)) = postgres("notify_two") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    // A slow receiver, so that a send is often in flight when the kill comes.
    let receiver = Receiver::start(0, Duration::from_millis(30));
    std::fs::write(tmp.path().join("designdoc.toml"), config(None, 1_500)).expect("config");
    let a = Hub::start(tmp.path(), &db);
    let b = Hub::start(tmp.path(), &db);
    let root_pw = a.cli(&["user", "add", "root", "--admin"]);
    let root = b.login("root", &root_pw);
    let hook = format!("http://{}/hook", receiver.addr);
    assert_eq!(
        b.post_form("/admin/webhooks", &root, &[("space", "team"), ("url", &hook)])
            .0,
        200
    );
    a.cli(&["user", "add", "ana"]);
    a.cli(&["user", "grant", "ana", "author", "--space", "team"]);
    let token = a.cli(&["token", "create", "--name", "ana-ci", "--user", "ana"]);
    let publish = serde_json::json!({"space": "team", "docs": [{"path": "limiter.md", "content": example()}]});
    assert_eq!(a.api(&token, "POST", "/api/v1/publish", &publish).0, 200);
    let comments = 60;
    let mut a = Some(a);
    for i in 0..comments {
        // Alternate between the instances while both live.
        let via = match (&a, i % 2) {
            (Some(a), 0) => a,
            _ => &b,
        };
        let body = serde_json::json!({"action": "comment", "anchor": "overview", "body": format!("note {i}")});
        let (status, v) = via.api(&token, "POST", "/api/v1/review/team/limiter.md", &body);
        assert_eq!(status, 200, "{v}");
        if i == comments / 2 {
            // SIGKILL, mid-stream: whatever it had claimed waits for its lease to end.
            drop(a.take());
        }
    }
    let start = Instant::now();
    while receiver.accepted().len() < comments && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let accepted = receiver.accepted();
    assert_eq!(
        accepted.len(),
        comments,
        "every comment's notification arrived: {accepted:?}"
    );
    let repeats: usize = accepted.values().map(|n| n - 1).sum();
    println!("{comments} notifications, {repeats} repeat(s) of a send in flight at the kill");
    assert!(
        repeats <= 1,
        "at most the one send in flight at the kill repeats: {accepted:?}"
    );
    drop(b);
    common::drop_pg_schema(&url, &schema);
}
