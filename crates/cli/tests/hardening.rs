//! The smaller ways a client or a document could hurt the hub or the CLI, each shut:
//! NUL bytes in content, a password typed as the user name reaching the audit log, any
//! author moving anyone's doc along, anonymous `/metrics`, the database password in
//! `--help`, a `--changed-since` value read by git as an option, thousands of findings on
//! one line, unbounded request heads in `preview`, and (on PostgreSQL) parallel publishes
//! of one document failing on the revision key.

mod common;

use common::{designdoc, form, get, input_value, send, set_cookie, start_hub};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output};
use std::time::Duration;

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn publish(addr: &str, token: &str, space: &str, path: &str, content: &str) -> (u16, String) {
    let body = serde_json::json!({"space": space, "docs": [{"path": path, "content": content}]}).to_string();
    common::post(
        addr,
        "/api/v1/publish",
        &[("Authorization", &format!("Bearer {token}"))],
        &body,
    )
}

/// Signs in through the form; the session cookie header value.
fn login(addr: &str, user: &str, password: &str) -> Option<String> {
    let (_, head, page) = get(addr, "/login");
    let csrf = input_value(&page, "csrf")?;
    let cookie = format!("designdoc_login_csrf={}", set_cookie(&head, "designdoc_login_csrf")?);
    let body = form(&[("username", user), ("password", password), ("csrf", &csrf)]);
    let (status, head, _) = send(
        addr,
        "POST",
        "/login",
        &[
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &body,
    );
    (status == 303).then(|| {
        format!(
            "designdoc_session={}",
            set_cookie(&head, "designdoc_session").unwrap_or_default()
        )
    })
}

#[test]
fn hub_refuses_nul_keeps_passwords_out_of_audit_and_guards_metrics() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("designdoc.toml"),
        "[hub]\nmetrics_from = [\"10.0.0.0/8\"]\n",
    )
    .expect("config");
    let db = format!("sqlite://{}", tmp.path().join("hub.db").display());
    let cli = |args: &[&str]| {
        let mut all = args.to_vec();
        // The database is made here, before the hub starts.
        all.extend(["--database", db.as_str(), "--create"]);
        let out = designdoc(tmp.path(), &all);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout(&out)
    };
    let token = cli(&["token", "create", "--name", "ci"]);
    let admin_pw = cli(&["user", "add", "root", "--admin"]);
    let ann_pw = cli(&["user", "add", "ann", "--role", "author"]);
    let (_hub, addr) = start_hub(tmp.path(), &["--database", &db]);
    let admin_pw = common::first_sign_in(&addr, "root", &admin_pw).1;
    let ann_pw = common::first_sign_in(&addr, "ann", &ann_pw).1;

    // NUL: refused with its position (422), not a retryable 500.
    let (status, body) = publish(&addr, &token, "team", "nul.md", "# A\n\0\n");
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("NUL byte at byte 4"), "{body}");

    // A password typed into the user-name box never reaches the audit log.
    assert!(login(&addr, "correct-horse-battery-staple", "whatever").is_none());
    let admin = login(&addr, "root", &admin_pw).expect("admin signs in");
    let (_, _, audit) = send(&addr, "GET", "/api/v1/audit", &[("Cookie", &admin)], "");
    assert!(audit.contains("login.failed"), "{audit}");
    assert!(!audit.contains("correct-horse-battery-staple"), "{audit}");

    // /metrics: not for anonymous peers outside `metrics_from`; admins may read it.
    assert_eq!(get(&addr, "/metrics").0, 404);
    let (status, _, metrics) = send(&addr, "GET", "/metrics", &[("Cookie", &admin)], "");
    assert_eq!(status, 200);
    assert!(metrics.contains("designdoc_connections_refused_total"), "{metrics}");

    // Only a doc's own authors (or reviewers) move it along.
    let mut trusted_args = vec!["token", "create", "--name", "folder", "--trusted-status"];
    trusted_args.extend(["--database", db.as_str()]);
    let trusted = stdout(&designdoc(tmp.path(), &trusted_args));
    let in_review = "---\ntitle: B\nstatus: review\nauthors: [bob]\n---\n# B\n";
    assert_eq!(publish(&addr, &trusted, "team", "b.md", in_review).0, 200);
    let ann = login(&addr, "ann", &ann_pw).expect("ann signs in");
    let (_, _, account) = send(&addr, "GET", "/account", &[("Cookie", &ann)], "");
    let csrf = input_value(&account, "csrf").expect("csrf");
    let (status, _, body) = send(
        &addr,
        "POST",
        "/review/team/b.md",
        &[("Cookie", &ann), ("Content-Type", "application/x-www-form-urlencoded")],
        &form(&[("action", "withdraw"), ("revision", "1"), ("csrf", &csrf)]),
    );
    assert_eq!(status, 403, "another author withdrew the doc: {body}");
}

#[test]
fn help_hides_the_database_password() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_designdoc"))
        .current_dir(tmp.path())
        .args(["serve", "--help"])
        .env("DESIGNDOC_DATABASE_URL", "postgres://hub:s3cret-pw@db/hub")
        .output()
        .expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("DESIGNDOC_DATABASE_URL"), "{help}");
    assert!(!help.contains("s3cret-pw"), "{help}");
}

#[test]
fn changed_since_cannot_smuggle_git_options() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("a.md"), "# A\n").expect("doc");
    if !designdoc_testkit::require_command("git", "Debian package git") {
        return;
    }
    let git = |args: &[&str]| Command::new("git").current_dir(tmp.path()).args(args).output();
    assert!(git(&["init", "-q"]).is_ok_and(|o| o.status.success()), "git init");
    let out = designdoc(tmp.path(), &["check", "--changed-since=--output=stolen.txt", "a.md"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a git revision"));
    assert!(!tmp.path().join("stolen.txt").exists(), "git wrote a file");
}

#[test]
fn thousands_of_findings_on_one_line_are_capped_per_rule() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let links: String = (0..5_000).map(|i| format!("[x](missing{i}.md) ")).collect();
    std::fs::write(tmp.path().join("a.md"), format!("# T\n\n{links}\n")).expect("doc");
    let out = designdoc(tmp.path(), &["check", "--format", "json", "a.md"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let dd031: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "DD031")
        .collect();
    assert_eq!(dd031.len(), 501, "500 shown and one summary");
    assert!(
        dd031
            .iter()
            .any(|d| d["message"].as_str().is_some_and(|m| m.starts_with("4500 more"))),
        "summary finding"
    );
    let human = designdoc(tmp.path(), &["check", "a.md"]);
    assert_eq!(String::from_utf8_lossy(&human.stdout).matches("[DD031]").count(), 501);
}

#[test]
fn preview_bounds_request_heads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let docs = tmp.path().join("docs");
    std::fs::create_dir_all(&docs).expect("mkdir");
    std::fs::write(docs.join("a.md"), "# A\n").expect("doc");
    let (_preview, addr) = common::start_preview(tmp.path(), &["docs", "-o", "out"]);
    let mut s = TcpStream::connect(&addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let huge = format!("GET / HTTP/1.1\r\nX-Big: {}", "a".repeat(200_000));
    // The preview stops reading at its bound and answers; the rest may be refused.
    s.write_all(huge.as_bytes()).ok();
    let mut answer = String::new();
    s.read_to_string(&mut answer).ok();
    assert!(
        answer.starts_with("HTTP/1.1 431"),
        "{}",
        &answer[..answer.len().min(200)]
    );
    assert!(get(&addr, "/").1.starts_with("HTTP/1.1 200"), "still serving");
}

#[test]
fn parallel_publishes_of_one_doc_all_succeed_on_postgres() {
    let Some(url) = designdoc_testkit::require_postgres() else {
        return;
    };
    let schema = format!("hub_parallel_{}", std::process::id());
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = ["--database", url.as_str(), "--schema", schema.as_str()];
    let mut args = vec!["token", "create", "--name", "ci"];
    args.extend_from_slice(&db);
    let token = stdout(&designdoc(tmp.path(), &args));
    let (hub, addr) = start_hub(tmp.path(), &db);
    for round in 0..3 {
        let threads: Vec<_> = (0..16)
            .map(|i| {
                let (addr, token) = (addr.clone(), token.clone());
                std::thread::spawn(move || {
                    publish(&addr, &token, "team", "same.md", &format!("# Same\n\n{round} {i}\n"))
                })
            })
            .collect();
        for t in threads {
            let (status, body) = t.join().expect("thread");
            assert_eq!(status, 200, "{body}");
        }
    }
    let (_, _, history) = get(&addr, "/api/v1/history/team/same.md");
    let v: serde_json::Value = serde_json::from_str(&history).unwrap_or_default();
    assert_eq!(v.as_array().map(Vec::len), Some(48), "48 revisions, none lost");
    drop(hub);
    let dropped = Command::new("psql")
        .args([
            url.as_str(),
            "-q",
            "-c",
            &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
        ])
        .output();
    assert!(dropped.is_ok_and(|o| o.status.success()), "drop schema");
}

/// Forwards TCP connections to `target` until `cut` is set; from then on it accepts and
/// reads but forwards nothing, like a database host that stopped answering.
fn blackhole_proxy(target: &str, cut: std::sync::Arc<std::sync::atomic::AtomicBool>) -> String {
    use std::sync::atomic::Ordering;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let target = target.to_string();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let cut = std::sync::Arc::clone(&cut);
            let target = target.clone();
            std::thread::spawn(move || {
                let pipe = |mut from: TcpStream,
                            mut to: Option<TcpStream>,
                            cut: std::sync::Arc<std::sync::atomic::AtomicBool>| {
                    let mut buf = [0u8; 16 * 1024];
                    while let Ok(n) = from.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        if !cut.load(Ordering::SeqCst)
                            && let Some(to) = to.as_mut()
                            && to.write_all(&buf[..n]).is_err()
                        {
                            break;
                        }
                    }
                    // One side gone: close both, or the database keeps the hub's session
                    // (and any transaction it had open) and the schema cannot be dropped.
                    // A socket already closed fails to shut down, which is what we want.
                    let _closed = from.shutdown(std::net::Shutdown::Both);
                    if let Some(to) = to {
                        let _closed = to.shutdown(std::net::Shutdown::Both);
                    }
                };
                if cut.load(Ordering::SeqCst) {
                    pipe(client, None, cut);
                    return;
                }
                let Ok(server) = TcpStream::connect(&target) else {
                    return;
                };
                let (c2, s2) = (client.try_clone().expect("clone"), server.try_clone().expect("clone"));
                let cut2 = std::sync::Arc::clone(&cut);
                std::thread::spawn(move || pipe(s2, Some(c2), cut2));
                pipe(client, Some(server), cut);
            });
        }
    });
    addr
}

#[test]
fn readyz_says_not_ready_quickly_when_the_database_stops_answering() {
    let Some(url) = designdoc_testkit::require_postgres() else {
        return;
    };
    // postgres://USER[:PW]@HOST:PORT/DB -> the same through our proxy.
    let (before, after) = url.split_once('@').expect("a URL with user@host");
    let (hostport, rest) = after.split_once('/').expect("a URL with a database");
    let cut = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let proxy = blackhole_proxy(hostport, std::sync::Arc::clone(&cut));
    let via_proxy = format!("{before}@{proxy}/{rest}");
    let schema = format!("hub_readyz_{}", std::process::id());
    let tmp = tempfile::tempdir().expect("tempdir");
    let (hub, addr) = start_hub(tmp.path(), &["--database", &via_proxy, "--schema", &schema]);
    assert_eq!(get(&addr, "/readyz").0, 200);
    cut.store(true, std::sync::atomic::Ordering::SeqCst);
    let started = std::time::Instant::now();
    let (status, _, _) = get(&addr, "/readyz");
    assert_eq!(status, 503);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(get(&addr, "/healthz").0, 200, "the process itself is fine");
    drop(hub);
    common::drop_pg_schema(&url, &schema);
}
