//! Hub security end to end, on a real SQLite file and on PostgreSQL when
//! DESIGNDOC_TEST_POSTGRES_URL is set: an authorization matrix (every route family x
//! anonymous, reader, author, reviewer, admin, member of another space), private spaces
//! never leaking through lists, search, registers, diffs or metrics, CSRF and same-origin
//! checks on forms, login throttling, token revocation taking effect at once, and the
//! audit log with its JSON lines export.

mod common;

use common::{Killed, form, input_value, send, set_cookie};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A hub and the database arguments that reach its store.
struct Hub {
    _child: Killed,
    addr: String,
    dir: PathBuf,
    db: Vec<String>,
}

impl Hub {
    fn start(dir: &Path, db: &[String]) -> Hub {
        Hub::start_with(dir, db, &[])
    }

    /// Starts with more `serve` arguments (beside the database ones).
    fn start_with(dir: &Path, db: &[String], extra: &[&str]) -> Hub {
        let mut args: Vec<&str> = db.iter().map(String::as_str).collect();
        args.extend_from_slice(extra);
        let (child, addr) = common::start_hub(dir, &args);
        Hub {
            _child: child,
            addr,
            dir: dir.to_path_buf(),
            db: db.to_vec(),
        }
    }

    /// `designdoc user add ...`, then the new user's first sign-in replacing the one-time
    /// password; the password they chose.
    fn add_user(&self, args: &[&str]) -> String {
        let otp = self.cli(args);
        common::first_sign_in(&self.addr, args[2], &otp).1
    }

    /// Runs `designdoc ARGS --database ...`, whatever its outcome.
    fn cli_output(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_designdoc"))
            .current_dir(&self.dir)
            .args(args)
            .args(&self.db)
            .env_remove("DESIGNDOC_DATABASE_URL")
            .output()
            .expect("run designdoc")
    }

    /// Runs `designdoc ARGS --database ...`; its stdout, trimmed.
    fn cli(&self, args: &[&str]) -> String {
        let out = self.cli_output(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout).trim().to_string()
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        who: &Who,
        extra: &[(&str, &str)],
        body: &str,
    ) -> (u16, String, String) {
        let mut headers: Vec<(&str, String)> = extra.iter().map(|(k, v)| (*k, v.to_string())).collect();
        match who {
            Who::Anonymous => {}
            Who::Session { cookie, .. } => headers.push(("Cookie", format!("designdoc_session={cookie}"))),
            Who::Token(t) => headers.push(("Authorization", format!("Bearer {t}"))),
        }
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        send(&self.addr, method, path, &headers, body)
    }

    fn get(&self, path: &str, who: &Who) -> (u16, String) {
        let (status, _, body) = self.request("GET", path, who, &[], "");
        (status, body)
    }

    /// Signs in through the form; the session.
    fn login(&self, user: &str, password: &str) -> Who {
        let (status, head, page) = self.request("GET", "/login", &Who::Anonymous, &[], "");
        assert_eq!(status, 200);
        let csrf_cookie = set_cookie(&head, "designdoc_login_csrf").expect("login csrf cookie");
        let csrf = input_value(&page, "csrf").expect("csrf field");
        assert_eq!(csrf, csrf_cookie);
        let body = form(&[
            ("username", user),
            ("password", password),
            ("csrf", &csrf),
            ("next", "/account"),
        ]);
        let cookie = format!("designdoc_login_csrf={csrf_cookie}");
        let (status, head, _) = self.request(
            "POST",
            "/login",
            &Who::Anonymous,
            &[
                ("Cookie", &cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            &body,
        );
        assert_eq!(status, 303, "login of {user}: {head}");
        assert!(head.to_lowercase().contains("location: /account"), "{head}");
        let session = set_cookie(&head, "designdoc_session").expect("session cookie");
        assert!(head.contains("HttpOnly") && head.contains("SameSite=Lax"), "{head}");
        let (_, page) = self.get(
            "/account",
            &Who::Session {
                cookie: session.clone(),
                csrf: String::new(),
            },
        );
        let csrf = input_value(&page, "csrf").expect("session csrf");
        Who::Session { cookie: session, csrf }
    }

    /// Posts a form as `who` (same-origin, with its CSRF token unless `csrf` overrides).
    fn post_form(&self, path: &str, who: &Who, fields: &[(&str, &str)], extra: &[(&str, &str)]) -> (u16, String) {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if let (Who::Session { csrf, .. }, false) = (who, fields.iter().any(|(k, _)| *k == "csrf")) {
            all.push(("csrf", csrf));
        }
        let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
        headers.extend_from_slice(extra);
        let (status, _, body) = self.request("POST", path, who, &headers, &form(&all));
        (status, body)
    }

    fn publish(&self, who: &Who, space: &str, path: &str, content: &str) -> u16 {
        let body = serde_json::json!({"space": space, "docs": [{"path": path, "content": content}]}).to_string();
        self.request(
            "POST",
            "/api/v1/publish",
            who,
            &[("Content-Type", "application/json")],
            &body,
        )
        .0
    }
}

#[derive(Clone)]
enum Who {
    Anonymous,
    Session { cookie: String, csrf: String },
    Token(String),
}

fn example(name: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(name)).expect("example")
}

/// Users, spaces and tokens for the matrix. Returns (name, session, token) per caller.
fn setup(hub: &Hub) -> Vec<(&'static str, Who, Who)> {
    let service = hub.cli(&["token", "create", "--name", "ci"]);
    let service = Who::Token(service);
    assert_eq!(
        hub.publish(
            &service,
            "secret",
            "0001-rate-limiter.md",
            &example("0001-rate-limiter.md")
        ),
        200
    );
    assert_eq!(
        hub.publish(
            &service,
            "open",
            "0002-search-service.md",
            &example("0002-search-service.md")
        ),
        200
    );
    let mut callers = vec![("anonymous", Who::Anonymous, Who::Anonymous)];
    for (name, global, space_role) in [
        ("rita", "reader", Some(("secret", "reader"))),
        ("aldo", "reader", Some(("secret", "author"))),
        ("vera", "reader", Some(("secret", "reviewer"))),
        ("root", "admin", None),
        ("otto", "author", Some(("other", "author"))),
    ] {
        let password = hub.add_user(&["user", "add", name, "--role", global]);
        assert!(password.len() >= 12, "{password}");
        if let Some((space, role)) = space_role {
            hub.cli(&["user", "grant", name, role, "--space", space]);
        }
        let token = hub.cli(&["token", "create", "--name", &format!("{name}-laptop"), "--user", name]);
        let session = hub.login(name, &password);
        callers.push((name, session, Who::Token(token)));
    }
    // The admin makes two spaces private through the admin page (a form with CSRF).
    let admin = callers[4].1.clone();
    for space in ["secret", "other"] {
        let (status, body) = hub.post_form(
            "/admin/spaces",
            &admin,
            &[("space", space), ("visibility", "private")],
            &[],
        );
        assert_eq!(status, 200, "{body}");
    }
    callers
}

/// A form post: path, fields, expected status per caller.
type FormRow<'a> = (&'a str, Vec<(&'a str, &'a str)>, [u16; 6]);

const SECRET_DOC: &str = "0001-rate-limiter.md";

fn matrix(hub: &Hub) {
    let callers = setup(hub);
    let names: Vec<&str> = callers.iter().map(|c| c.0).collect();
    assert_eq!(names, ["anonymous", "rita", "aldo", "vera", "root", "otto"]);
    // Expected status per caller, in that order, for a session (pages, reads) ...
    let rows: Vec<(&str, [u16; 6])> = vec![
        ("/", [200, 200, 200, 200, 200, 200]),
        ("/doc/secret/0001-rate-limiter.md", [404, 200, 200, 200, 200, 404]),
        ("/history/secret/0001-rate-limiter.md", [404, 200, 200, 200, 200, 404]),
        ("/diff/secret/0001-rate-limiter.md", [404, 200, 200, 200, 200, 404]),
        ("/doc/open/0002-search-service.md", [200, 200, 200, 200, 200, 200]),
        (
            "/api/v1/docs/secret/0001-rate-limiter.md",
            [404, 200, 200, 200, 200, 404],
        ),
        (
            "/api/v1/history/secret/0001-rate-limiter.md",
            [404, 200, 200, 200, 200, 404],
        ),
        (
            "/api/v1/revisions/secret/1/0001-rate-limiter.md",
            [404, 200, 200, 200, 200, 404],
        ),
        (
            "/api/v1/diff/secret/0001-rate-limiter.md",
            [404, 200, 200, 200, 200, 404],
        ),
        ("/api/v1/docs", [200, 200, 200, 200, 200, 200]),
        ("/api/v1/search?q=token", [200, 200, 200, 200, 200, 200]),
        ("/api/v1/registers/risks", [200, 200, 200, 200, 200, 200]),
        ("/api/v1/spaces", [200, 200, 200, 200, 200, 200]),
        ("/account", [303, 200, 200, 200, 200, 200]),
        ("/admin", [303, 403, 403, 403, 200, 403]),
        ("/admin/audit", [303, 403, 403, 403, 200, 403]),
        ("/api/v1/audit", [401, 403, 403, 403, 200, 403]),
        ("/metrics", [200, 200, 200, 200, 200, 200]),
        ("/healthz", [200, 200, 200, 200, 200, 200]),
        ("/readyz", [200, 200, 200, 200, 200, 200]),
        ("/api/v1/openapi.json", [200, 200, 200, 200, 200, 200]),
        ("/search?q=token", [200, 200, 200, 200, 200, 200]),
        ("/risks", [200, 200, 200, 200, 200, 200]),
        ("/components", [200, 200, 200, 200, 200, 200]),
        ("/entities", [200, 200, 200, 200, 200, 200]),
        ("/api/v1/registers/components", [200, 200, 200, 200, 200, 200]),
        ("/api/v1/registers/entities", [200, 200, 200, 200, 200, 200]),
        (
            "/api/v1/review/secret/0001-rate-limiter.md",
            [404, 200, 200, 200, 200, 404],
        ),
        (
            "/api/v1/review/open/0002-search-service.md",
            [200, 200, 200, 200, 200, 200],
        ),
        ("/login", [200, 200, 200, 200, 200, 200]),
    ];
    let sees_secret = [false, true, true, true, true, false];
    let mut failures = Vec::new();
    for (path, expected) in &rows {
        for (i, (name, session, token)) in callers.iter().enumerate() {
            for (how, who) in [("session", session), ("token", token)] {
                let (status, body) = hub.get(path, who);
                if status != expected[i] {
                    failures.push(format!("{name} ({how}) GET {path}: {status}, expected {}", expected[i]));
                }
                // Nothing of the private space shows where it must not.
                let leaked =
                    body.contains("secret:") || body.contains("API rate limiter") || body.contains("token bucket");
                if status == 200 && !sees_secret[i] && leaked && !path.contains("/open/") {
                    failures.push(format!("{name} ({how}) GET {path}: private content leaked"));
                }
                if status == 200
                    && sees_secret[i]
                    && ["/api/v1/search?q=token", "/api/v1/registers/risks", "/api/v1/docs"].contains(path)
                    && !body.contains("secret:")
                {
                    failures.push(format!(
                        "{name} ({how}) GET {path}: a member does not see the private space"
                    ));
                }
            }
        }
    }
    // ... for form posts with each caller's session (with its CSRF token); API tokens never
    // pass a form (no session, no CSRF token) ...
    let forms: Vec<FormRow> = vec![
        (
            "/admin/spaces",
            vec![("space", "scratch"), ("visibility", "public")],
            [303, 403, 403, 403, 200, 403],
        ),
        (
            "/admin/policy",
            vec![("space", "scratch"), ("approvals", "1"), ("block_on_errors", "yes")],
            [303, 403, 403, 403, 200, 403],
        ),
        (
            "/admin/grants",
            vec![("username", "rita"), ("space", "scratch"), ("role", "reader")],
            [303, 403, 403, 403, 200, 403],
        ),
        (
            "/review/secret/0001-rate-limiter.md",
            vec![
                ("action", "comment"),
                ("anchor", "overview"),
                ("body", "A note."),
                ("revision", "1"),
            ],
            [303, 403, 303, 303, 303, 404],
        ),
        (
            "/review/open/0002-search-service.md",
            vec![
                ("action", "comment"),
                ("anchor", ""),
                ("body", "A note."),
                ("revision", "1"),
            ],
            [303, 403, 403, 403, 303, 303],
        ),
        (
            "/account/tokens",
            vec![("name", "another")],
            [303, 200, 200, 200, 200, 200],
        ),
    ];
    for (path, fields, expected) in &forms {
        for (i, (name, session, token)) in callers.iter().enumerate() {
            let (status, _) = hub.post_form(path, session, fields, &[]);
            if status != expected[i] {
                failures.push(format!(
                    "{name} (session) POST {path}: {status}, expected {}",
                    expected[i]
                ));
            }
            if matches!(token, Who::Token(_)) {
                let (status, _) = hub.post_form(path, token, fields, &[]);
                if status != 403 {
                    failures.push(format!("{name} (token) POST {path}: {status}, expected 403"));
                }
            }
        }
    }
    let (_, metrics) = hub.get("/metrics", &Who::Anonymous);
    assert!(!metrics.contains("secret"), "a private space's name is in the metrics");

    // ... and publishing with each caller's API token (sessions cannot publish).
    let limiter = example("0001-rate-limiter.md") + "\nEdited.\n";
    let search = example("0002-search-service.md") + "\nEdited.\n";
    let publishes: [(&str, &str, [u16; 6]); 2] = [
        ("secret", SECRET_DOC, [401, 403, 200, 200, 200, 404]),
        ("open", "0002-search-service.md", [401, 403, 403, 403, 200, 200]),
    ];
    for (space, path, expected) in publishes {
        for (i, (name, session, token)) in callers.iter().enumerate() {
            let content = format!("{}\n{name}\n", if space == "secret" { &limiter } else { &search });
            let status = hub.publish(token, space, path, &content);
            if status != expected[i] {
                failures.push(format!(
                    "{name} (token) publish into {space}: {status}, expected {}",
                    expected[i]
                ));
            }
            if matches!(session, Who::Session { .. }) {
                let status = hub.publish(session, space, path, &content);
                if status != 401 {
                    failures.push(format!("{name} (session) publish into {space}: {status}, expected 401"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "authorization matrix:\n{}", failures.join("\n"));

    // The audit log saw it all, and holds no secrets.
    let (status, lines) = hub.get("/api/v1/audit", &callers[4].1);
    assert_eq!(status, 200);
    let events: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    for action in [
        "user.create",
        "role.change",
        "token.create",
        "login",
        "space.visibility",
        "publish",
    ] {
        assert!(
            events.iter().any(|e| e["action"] == action),
            "no {action} in the audit log"
        );
    }
    let publish_by_aldo = events
        .iter()
        .any(|e| e["action"] == "publish" && e["actor"].as_str().is_some_and(|a| a.starts_with("aldo")));
    assert!(publish_by_aldo, "publishes are attributed to the token's user");
    for (_, _, token) in &callers {
        if let Who::Token(t) = token {
            assert!(!lines.contains(t.as_str()), "a token secret is in the audit log");
        }
    }
}

fn sqlite_hub() -> (tempfile::TempDir, Hub) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = vec![
        "--database".to_string(),
        format!("sqlite://{}", tmp.path().join("hub.db").display()),
    ];
    let hub = Hub::start(tmp.path(), &db);
    (tmp, hub)
}

#[test]
fn authorization_matrix_on_sqlite() {
    let (_tmp, hub) = sqlite_hub();
    matrix(&hub);
}

#[test]
fn authorization_matrix_on_postgres() {
    on_postgres("authz", matrix);
}

/// Runs `story` against a hub on PostgreSQL in a schema of its own (dropped after), when
/// DESIGNDOC_TEST_POSTGRES_URL is set.
fn on_postgres(name: &str, story: fn(&Hub)) {
    let Some(url) = designdoc_testkit::require_postgres() else {
        return;
    };
    let schema = format!("{name}_{}", std::process::id());
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = vec![
        "--database".to_string(),
        url.clone(),
        "--schema".to_string(),
        schema.clone(),
    ];
    let hub = Hub::start(tmp.path(), &db);
    story(&hub);
    drop(hub);
    common::drop_pg_schema(&url, &schema);
}

#[test]
fn forms_need_csrf_and_same_origin_and_logins_are_throttled() {
    let (_tmp, hub) = sqlite_hub();
    let password = hub.add_user(&["user", "add", "root", "--admin"]);
    let admin = hub.login("root", &password);
    let set = [("space", "team"), ("visibility", "private")];
    // Wrong token, a token from another site, and cross-site fetch metadata: refused.
    assert_eq!(
        hub.post_form("/admin/spaces", &admin, &[("csrf", "0123"), set[0], set[1]], &[])
            .0,
        403
    );
    assert_eq!(
        hub.post_form("/admin/spaces", &admin, &set, &[("Origin", "http://evil.example")])
            .0,
        403
    );
    assert_eq!(
        hub.post_form("/admin/spaces", &admin, &set, &[("Sec-Fetch-Site", "cross-site")])
            .0,
        403
    );
    let (status, page) = hub.post_form("/admin/spaces", &admin, &set, &[("Sec-Fetch-Site", "same-origin")]);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("private (members only)"));

    // After signing in, only a local path is followed: not `//host`, not `/\t/host`.
    for next in [
        "//evil.example",
        "/\t/evil.example",
        "https://evil.example",
        "/ok/../fine",
    ] {
        let (_, head, page) = hub.request("GET", "/login", &Who::Anonymous, &[], "");
        let csrf = input_value(&page, "csrf").expect("csrf");
        let cookie = format!(
            "designdoc_login_csrf={}",
            set_cookie(&head, "designdoc_login_csrf").expect("cookie")
        );
        let body = form(&[
            ("username", "root"),
            ("password", &password),
            ("csrf", &csrf),
            ("next", next),
        ]);
        let (status, head, _) = hub.request(
            "POST",
            "/login",
            &Who::Anonymous,
            &[
                ("Cookie", &cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            &body,
        );
        assert_eq!(status, 303);
        let location = head.lines().find_map(|l| l.strip_prefix("location: ")).unwrap_or("");
        let expect = if next == "/ok/../fine" { next } else { "/" };
        assert_eq!(location, expect, "next={next:?}");
    }

    // Login without the form's cookie: refused before any password check.
    let body = form(&[("username", "root"), ("password", &password), ("csrf", "x")]);
    let (status, _, _) = hub.request(
        "POST",
        "/login",
        &Who::Anonymous,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &body,
    );
    assert_eq!(status, 403);

    // Five wrong passwords, then even the right one is throttled.
    let (_, head, page) = hub.request("GET", "/login", &Who::Anonymous, &[], "");
    let csrf = input_value(&page, "csrf").expect("csrf");
    let cookie = format!(
        "designdoc_login_csrf={}",
        set_cookie(&head, "designdoc_login_csrf").expect("cookie")
    );
    let attempt = |pw: &str| {
        let body = form(&[("username", "root"), ("password", pw), ("csrf", &csrf)]);
        hub.request(
            "POST",
            "/login",
            &Who::Anonymous,
            &[
                ("Cookie", &cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            &body,
        )
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong password!").0, 401);
    }
    let (status, head, _) = attempt(&password);
    assert_eq!(status, 429);
    assert!(head.to_lowercase().contains("retry-after: 900"), "{head}");

    // Signing out ends the session at once.
    assert_eq!(hub.get("/account", &admin).0, 200);
    assert_eq!(hub.post_form("/logout", &admin, &[], &[]).0, 303);
    assert_eq!(hub.get("/account", &admin).0, 303);
    let (_, events) = hub.get("/api/v1/audit", &hub.login_after_throttle());
    assert!(
        events.contains("\"login.failed\"") && events.contains("\"login.throttled\"") && events.contains("\"logout\"")
    );
    assert!(!events.contains(&password), "a password is in the audit log");
}

impl Hub {
    /// A second admin to read the audit log after `root` got throttled.
    fn login_after_throttle(&self) -> Who {
        let password = self.add_user(&["user", "add", "auditor", "--admin"]);
        self.login("auditor", &password)
    }
}

#[test]
fn tokens_made_on_the_account_page_work_until_revoked() {
    let (_tmp, hub) = sqlite_hub();
    let password = hub.add_user(&["user", "add", "aldo", "--role", "author"]);
    let aldo = hub.login("aldo", &password);
    let (status, page) = hub.post_form("/account/tokens", &aldo, &[("name", "laptop")], &[]);
    assert_eq!(status, 200);
    let secret = page
        .split("<code id=\"new-token\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("token shown once")
        .to_string();
    let token = Who::Token(secret.clone());
    // People publish into spaces that exist: not yet, so it answers like a hidden space.
    assert_eq!(hub.publish(&token, "team", "a.md", "# A\n"), 404);
    hub.cli(&["user", "grant", "aldo", "author", "--space", "team"]);
    assert_eq!(hub.publish(&token, "team", "a.md", "# A\n"), 200);
    let (_, page) = hub.get("/account", &aldo);
    assert!(!page.contains(&secret), "the secret is shown only once");
    let id = page
        .split("/account/tokens/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("token id");
    // Another user cannot revoke it; its owner can, and it stops working at once.
    let other = hub.add_user(&["user", "add", "otto", "--role", "author"]);
    let otto = hub.login("otto", &other);
    assert_eq!(
        hub.post_form(&format!("/account/tokens/{id}/revoke"), &otto, &[], &[])
            .0,
        404
    );
    assert_eq!(hub.publish(&token, "team", "a.md", "# A\n\nagain\n"), 200);
    assert_eq!(
        hub.post_form(&format!("/account/tokens/{id}/revoke"), &aldo, &[], &[])
            .0,
        303
    );
    assert_eq!(hub.publish(&token, "team", "a.md", "# A\n\nonce more\n"), 401);
    // A password change ends every session.
    let (status, _) = hub.post_form(
        "/account/password",
        &aldo,
        &[("current", &password), ("new", "a brand new password")],
        &[],
    );
    assert_eq!(status, 303);
    assert_eq!(hub.get("/account", &aldo).0, 303);
    hub.login("aldo", "a brand new password");
}

/// The review workflow over forms and the API: request review, comment on a section,
/// reply, resolve, approvals by two reviewers (one made stale by a new revision), nobody
/// reviewing their own revision, error findings blocking approval, transitions enforced,
/// the status changed everywhere, an XSS comment escaped, all audited.
fn review_story(hub: &Hub) {
    let mut pw = std::collections::HashMap::new();
    for (name, role) in [("aldo", "author"), ("vera", "reviewer"), ("wes", "reviewer")] {
        pw.insert(name, hub.add_user(&["user", "add", name]));
        hub.cli(&["user", "grant", name, role, "--space", "team"]);
    }
    pw.insert("root", hub.add_user(&["user", "add", "root", "--admin"]));
    let aldo = hub.login("aldo", &pw["aldo"]);
    let vera = hub.login("vera", &pw["vera"]);
    let wes = hub.login("wes", &pw["wes"]);
    let aldo_token = Who::Token(hub.cli(&["token", "create", "--name", "aldo-ci", "--user", "aldo"]));
    let vera_token = Who::Token(hub.cli(&["token", "create", "--name", "vera-ci", "--user", "vera"]));
    let doc = example("0001-rate-limiter.md");
    // A person's publish cannot claim `approved`: the front matter says so, the hub says draft.
    assert_eq!(hub.publish(&aldo_token, "team", "limiter.md", &doc), 200);
    let page = "/doc/team/limiter.md";
    let status = |who: &Who| {
        let (_, body) = hub.get("/api/v1/review/team/limiter.md", who);
        let v: serde_json::Value = serde_json::from_str(&body).expect("review JSON");
        v["state"]["status"].as_str().unwrap_or("").to_string()
    };
    assert_eq!(status(&aldo), "draft");
    // Forms carry the revision they were made for (the page's hidden field).
    let revision_of = |path: &str| {
        let (_, body) = hub.get(&format!("/api/v1/review/team/{path}"), &aldo);
        let v: serde_json::Value = serde_json::from_str(&body).expect("review JSON");
        v["state"]["revision"].as_i64().unwrap_or(0).to_string()
    };
    let act_on = |path: &str, who: &Who, fields: &[(&str, &str)]| {
        let revision = revision_of(path);
        let mut fields = fields.to_vec();
        if !fields.iter().any(|(k, _)| *k == "revision") {
            fields.push(("revision", &revision));
        }
        hub.post_form(&format!("/review/team/{path}"), who, &fields, &[])
    };
    let act = |who: &Who, fields: &[(&str, &str)]| act_on("limiter.md", who, fields).0;
    // A form that does not say which revision it was made for does nothing.
    let (code, body) = hub.post_form("/review/team/limiter.md", &aldo, &[("action", "request-review")], &[]);
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("revision"), "{body}");

    // Transitions out of order are refused.
    assert_eq!(act(&aldo, &[("action", "implemented")]), 409);
    assert_eq!(act(&vera, &[("action", "approve")]), 409);
    // Review requested from two reviewers.
    assert_eq!(
        act(&aldo, &[("action", "request-review"), ("reviewers", "vera, wes")]),
        303
    );
    assert_eq!(status(&aldo), "review");
    // Only reviewers of the space who are not among the doc's authors can be asked; the
    // answer names who could not be, and who can.
    let (code, body) = act_on(
        "limiter.md",
        &aldo,
        &[
            ("action", "request-review"),
            ("reviewers", "vera"),
            ("reviewers", "nobody"),
        ],
    );
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("`nobody`") && body.contains("vera, wes"), "{body}");
    assert!(!body.contains("aldo"), "an author is not offered: {body}");

    // Comments on a section, a reply, an XSS attempt, resolving.
    assert_eq!(
        act(
            &vera,
            &[
                ("action", "comment"),
                ("anchor", "overview"),
                (
                    "body",
                    "Which limits apply to <script>alert(1)</script> internal callers?"
                )
            ]
        ),
        303
    );
    assert_eq!(
        act(
            &vera,
            &[("action", "comment"), ("anchor", "no-such-section"), ("body", "x")]
        ),
        400
    );
    let (_, body) = hub.get("/api/v1/review/team/limiter.md", &vera);
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let thread = v["comments"][0]["id"].as_i64().expect("comment id");
    assert_eq!(v["comments"][0]["anchor"], "overview");
    let thread_s = thread.to_string();
    assert_eq!(
        act(
            &aldo,
            &[
                ("action", "reply"),
                ("comment", &thread_s),
                ("body", "None: internal traffic is out of scope.")
            ]
        ),
        303
    );
    let (_, html) = hub.get(page, &aldo);
    assert!(html.contains("Which limits apply to &lt;script&gt;"), "comment escaped");
    assert!(!html.contains("<script>alert(1)"), "comment markup must not survive");
    assert!(html.contains("None: internal traffic is out of scope."));
    // The thread sits in the body under its section, listed in the panel's jump list.
    let overview = html.find("id=\"overview\"").expect("overview heading");
    let placed = html
        .find(&format!("id=\"thread-{thread}\""))
        .expect("thread on the page");
    let next_section = html[overview..].find("<h2").map(|i| overview + i).unwrap_or(html.len());
    assert!(
        overview < placed && placed < next_section,
        "the thread is under its section"
    );
    assert!(
        html.contains(&format!("href=\"#thread-{thread}\"")),
        "jump list links the thread"
    );
    assert_eq!(act(&aldo, &[("action", "resolve"), ("comment", &thread_s)]), 303);
    assert_eq!(
        act(&aldo, &[("action", "resolve"), ("comment", &thread_s)]),
        404,
        "already resolved"
    );

    // An action on a revision the person has not seen is refused.
    assert_eq!(act(&vera, &[("action", "approve"), ("revision", "7")]), 409);
    // An author cannot approve; requesting changes needs a reason; one reviewer's
    // approval is not enough.
    assert_eq!(act(&aldo, &[("action", "approve")]), 403);
    assert_eq!(act(&wes, &[("action", "changes")]), 400);
    assert_eq!(
        act(
            &wes,
            &[("action", "changes"), ("reason", "Say **which** callers are internal.")]
        ),
        303
    );
    let (_, html) = hub.get(page, &aldo);
    assert!(
        html.contains("Say <strong>which</strong> callers are internal."),
        "reasons are Markdown"
    );
    assert_eq!(act(&vera, &[("action", "approve")]), 303);
    assert_eq!(status(&vera), "review");
    // A new revision makes vera's approval stale.
    assert_eq!(
        hub.publish(&aldo_token, "team", "limiter.md", &format!("{doc}\nClarified scope.\n")),
        200
    );
    let (_, body) = hub.get("/api/v1/review/team/limiter.md", &vera);
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        (
            v["state"]["revision"].as_i64(),
            v["state"]["verdicts"].as_array().map(Vec::len)
        ),
        (Some(2), Some(0))
    );
    let stale: Vec<(&str, &str)> = v["state"]["stale"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|v| {
                    (
                        v["reviewer"].as_str().unwrap_or(""),
                        v["verdict"].as_str().unwrap_or(""),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(stale, [("wes", "changes"), ("vera", "approve")], "{v}");
    assert_eq!(v["blocked"], "0 of 2 approvals");
    // A form made for revision 1 cannot approve revision 2.
    assert_eq!(act(&wes, &[("action", "approve"), ("revision", "1")]), 409);
    let (_, html) = hub.get(page, &wes);
    assert!(
        html.contains("/diff/team/limiter.md?from=1&amp;to=2"),
        "a stale verdict links the changes since"
    );
    // Two fresh approvals (one through the API) approve it, and the status shows everywhere.
    assert_eq!(act(&wes, &[("action", "approve")]), 303);
    let reply = hub.request(
        "POST",
        "/api/v1/review/team/limiter.md",
        &vera_token,
        &[("Content-Type", "application/json")],
        r#"{"action": "approve"}"#,
    );
    assert_eq!(reply.0, 200, "{}", reply.2);
    assert_eq!(status(&aldo), "approved");
    let (_, listed) = hub.get("/api/v1/docs?status=approved", &aldo);
    assert!(listed.contains("team:limiter.md"));
    let (_, metrics) = hub.get("/metrics", &Who::Anonymous);
    assert!(
        metrics.contains("designdoc_documents{status=\"approved\"} 1"),
        "{metrics}"
    );
    // An edit to the approved doc returns it to review, its approvals stale, its history
    // kept; the status changes and their reasons are on the page.
    let edited = format!("{doc}\nClarified scope.\n\nAnd the burst size.\n");
    assert_eq!(hub.publish(&aldo_token, "team", "limiter.md", &edited), 200);
    assert_eq!(status(&aldo), "review");
    let (_, body) = hub.get("/api/v1/review/team/limiter.md", &aldo);
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(v["state"]["verdicts"].as_array().map(Vec::len), Some(0), "{v}");
    assert!(v["state"]["stale"].as_array().is_some_and(|s| s.len() >= 3), "{v}");
    let (_, html) = hub.get(page, &aldo);
    assert!(html.contains("id=\"status-history\""), "status history on the page");
    assert!(
        html.contains("revision 3 published"),
        "why it went back to review: {html}"
    );
    assert_eq!(act(&wes, &[("action", "approve")]), 303);
    assert_eq!(act(&vera, &[("action", "approve")]), 303);
    assert_eq!(status(&aldo), "approved");
    // Approved -> implemented belongs to the doc's authors and admins, not to reviewers.
    assert_eq!(act(&wes, &[("action", "implemented")]), 403);
    assert_eq!(act(&aldo, &[("action", "implemented")]), 303);
    assert_eq!(status(&aldo), "implemented");

    // The gate: an incomplete draft (placeholders, required sections missing) cannot be
    // sent to review nor approved, whatever its front matter says; the answer names the
    // findings that block. Fixed, it goes through.
    let broken = "---\ntitle: Half done\nstatus: draft\nauthors: [\"@vera\"]\n---\n\n# Half done\n\n## Overview\n\nOnly an overview.\n";
    assert_eq!(hub.publish(&aldo_token, "team", "half.md", broken), 200);
    let (code, body) = act_on("half.md", &aldo, &[("action", "request-review"), ("reviewers", "wes")]);
    assert_eq!(code, 409, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let blocking = v["blocking"].as_array().cloned().unwrap_or_default();
    assert!(!blocking.is_empty(), "{v}");
    assert!(
        blocking
            .iter()
            .all(|b| b["code"].as_str().is_some_and(|c| c.starts_with("DD")) && b["line"].as_u64().is_some()),
        "{v}"
    );
    let (_, body) = hub.get("/api/v1/review/team/half.md", &aldo);
    assert!(body.contains("\"status\":\"draft\""), "nothing moved: {body}");
    let (_, html) = hub.get("/doc/team/half.md", &aldo);
    assert!(html.contains("id=\"blocking\""), "the panel lists what blocks");
    // An error page for a browser: HTML, with what to do.
    let (code, html) = hub.post_form(
        "/review/team/half.md",
        &aldo,
        &[("action", "request-review"), ("revision", &revision_of("half.md"))],
        &[("Accept", "text/html,application/xhtml+xml")],
    );
    assert_eq!(code, 409, "{html}");
    assert!(
        html.contains("<!DOCTYPE html>") && html.contains("block review"),
        "{html}"
    );
    let fixed = doc
        .replace("status: approved", "status: draft")
        .replace("authors:", "authors:\n  - \"@vera\"");
    assert_eq!(hub.publish(&aldo_token, "team", "half.md", &fixed), 200);
    assert_eq!(
        act_on("half.md", &aldo, &[("action", "request-review"), ("reviewers", "wes")]).0,
        303
    );
    // vera is named in `authors:`: she may not approve, nor be asked to review.
    assert_eq!(
        act_on("half.md", &vera, &[("action", "approve")]).0,
        403,
        "an author in authors:"
    );
    let (code, body) = act_on("half.md", &aldo, &[("action", "request-review"), ("reviewers", "vera")]);
    assert_eq!(code, 400, "{body}");
    assert_eq!(
        act_on("half.md", &wes, &[("action", "reject")]).0,
        400,
        "rejecting needs a reason"
    );
    assert_eq!(
        act_on(
            "half.md",
            &wes,
            &[("action", "reject"), ("reason", "Out of scope for this team.")]
        )
        .0,
        303
    );
    let (_, body) = hub.get("/api/v1/review/team/half.md", &wes);
    assert!(body.contains("\"status\":\"rejected\""));
    let root = hub.login("root", &pw["root"]);

    // A space whose policy needs one approval: one reviewer suffices there.
    let (status, body) = hub.post_form(
        "/admin/policy",
        &root,
        &[("space", "team"), ("approvals", "1"), ("block_on_errors", "yes")],
        &[],
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        hub.publish(
            &aldo_token,
            "team",
            "small.md",
            &example("0001-rate-limiter.md").replace("status: approved", "status: review")
        ),
        200
    );
    assert_eq!(act_on("small.md", &wes, &[("action", "approve")]).0, 303);
    let (_, body) = hub.get("/api/v1/review/team/small.md", &wes);
    assert!(body.contains("\"status\":\"approved\""), "{body}");
    assert_eq!(
        hub.post_form(
            "/admin/policy",
            &wes,
            &[("space", "team"), ("approvals", "0"), ("block_on_errors", "no")],
            &[]
        )
        .0,
        403
    );

    // The doc page shows the panel to signed-in people, not to anonymous readers.
    let (_, html) = hub.get(page, &wes);
    assert!(html.contains("id=\"review\"") && html.contains("<span id=\"review-status\">"));
    let (_, html) = hub.get(page, &Who::Anonymous);
    assert!(!html.contains("id=\"review\""));

    let (_, audit) = hub.get("/api/v1/audit", &root);
    for needle in [
        "\"review.request-review\"",
        "\"review.comment\"",
        "\"review.approve\"",
        "\"review.resolve\"",
        "\"status.change\"",
        "\"to\":\"approved\"",
    ] {
        assert!(audit.contains(needle), "audit lacks {needle}: {audit}");
    }
}

#[test]
fn review_workflow_on_sqlite() {
    let (_tmp, hub) = sqlite_hub();
    review_story(&hub);
}

#[test]
fn review_workflow_on_postgres() {
    on_postgres("review", review_story);
}

impl Hub {
    /// One sign-in attempt through the form, as a browser at `client` (sent as
    /// `X-Forwarded-For`) holding `cookies`; status and response head.
    fn try_login(&self, user: &str, password: &str, client: &str, cookies: &str) -> (u16, String) {
        let (_, head, page) = self.request("GET", "/login", &Who::Anonymous, &[("X-Forwarded-For", client)], "");
        let csrf = input_value(&page, "csrf").expect("csrf field");
        let mut cookie = format!("designdoc_login_csrf={csrf}");
        if !cookies.is_empty() {
            cookie = format!("{cookie}; {cookies}");
        }
        assert!(set_cookie(&head, "designdoc_login_csrf").is_some());
        let body = form(&[("username", user), ("password", password), ("csrf", &csrf)]);
        let (status, head, _) = self.request(
            "POST",
            "/login",
            &Who::Anonymous,
            &[
                ("Cookie", &cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("X-Forwarded-For", client),
            ],
            &body,
        );
        (status, head)
    }
}

#[test]
fn behind_a_proxy_one_attacker_cannot_lock_out_anyone_else() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = vec![
        "--database".to_string(),
        format!("sqlite://{}", tmp.path().join("hub.db").display()),
    ];
    let hub = Hub::start_with(tmp.path(), &db, &["--trusted-proxy", "127.0.0.1"]);
    let password = hub.add_user(&["user", "add", "maria", "--role", "author"]);
    let paul = hub.add_user(&["user", "add", "paul", "--role", "author"]);
    // Maria signed in from her laptop before: it holds a device cookie.
    let (status, head) = hub.try_login("maria", &password, "198.51.100.7", "");
    assert_eq!(status, 303, "{head}");
    let device = set_cookie(&head, "designdoc_device").expect("device cookie");
    let device = format!("designdoc_device={device}");

    // One attacker address guesses: throttled after five, for itself only.
    for _ in 0..5 {
        assert_eq!(hub.try_login("maria", "wrong password!", "203.0.113.9", "").0, 401);
    }
    let (status, head) = hub.try_login("maria", &password, "203.0.113.9", "");
    assert_eq!(
        status, 429,
        "the attacker's address is throttled even with the password"
    );
    assert!(head.to_lowercase().contains("retry-after: 900"), "{head}");
    // Another client behind the same proxy is not.
    assert_eq!(hub.try_login("maria", &password, "192.0.2.44", "").0, 303);

    // Many attacker addresses against one account: past the per-account bound a new
    // browser must wait, but Maria's own browser still gets in, and other accounts too.
    for i in 0..24 {
        hub.try_login("maria", "wrong password!", &format!("203.0.113.{}", 100 + i), "");
    }
    assert_eq!(
        hub.try_login("maria", &password, "192.0.2.45", "").0,
        429,
        "new browser during the attack"
    );
    assert_eq!(
        hub.try_login("maria", &password, "198.51.100.7", &device).0,
        303,
        "known browser"
    );
    assert_eq!(hub.try_login("paul", &paul, "192.0.2.45", "").0, 303, "another account");
}

#[test]
fn throttling_does_not_tell_which_user_names_exist() {
    let (_tmp, hub) = sqlite_hub();
    let password = hub.add_user(&["user", "add", "real", "--role", "author"]);
    // Five wrong tries for one name nobody has: that name is throttled here ...
    for _ in 0..5 {
        assert_eq!(hub.try_login("ghost-one", "wrong password!", "", "").0, 401);
    }
    assert_eq!(hub.try_login("ghost-one", "wrong password!", "", "").0, 429);
    // ... but another unknown name answers like a real one: 401, not 429.
    assert_eq!(hub.try_login("ghost-two", "wrong password!", "", "").0, 401);
    assert_eq!(hub.try_login("real", "wrong password!", "", "").0, 401);
    assert_eq!(hub.try_login("real", &password, "", "").0, 303);
}

impl Hub {
    /// Makes `space` private, as a fresh admin would on the admin page.
    fn make_private(&self, space: &str) {
        let name = format!("admin-{space}");
        let password = self.add_user(&["user", "add", &name, "--admin"]);
        let admin = self.login(&name, &password);
        let (status, _) = self.post_form(
            "/admin/spaces",
            &admin,
            &[("space", space), ("visibility", "private")],
            &[],
        );
        assert!(status == 200 || status == 303, "make {space} private: {status}");
    }

    /// A new user with `role`, signed in, and an API token made on their account page.
    fn user_token(&self, name: &str, role: &str) -> Who {
        let password = self.add_user(&["user", "add", name, "--role", role]);
        let who = self.login(name, &password);
        let (_, page) = self.post_form("/account/tokens", &who, &[("name", "cli")], &[]);
        Who::Token(new_token(&page))
    }
}

#[test]
fn authors_cannot_probe_which_spaces_exist() {
    let (_tmp, hub) = sqlite_hub();
    hub.make_private("hidden");
    let token = hub.user_token("pia", "author");
    let body =
        |space: &str| serde_json::json!({"space": space, "docs": [{"path": "a.md", "content": "# A\n"}]}).to_string();
    let answer = |space: &str| {
        let (status, _, text) = hub.request(
            "POST",
            "/api/v1/publish",
            &token,
            &[("Content-Type", "application/json")],
            &body(space),
        );
        (status, text)
    };
    // A private space and one that does not exist look the same.
    assert_eq!(answer("hidden"), answer("no-such-space"));
    assert_eq!(answer("hidden").0, 404);
}

#[test]
fn reviewer_names_cannot_be_probed() {
    let (_tmp, hub) = sqlite_hub();
    hub.make_private("vault");
    let token = hub.user_token("ria", "author");
    hub.cli(&["user", "grant", "ria", "author", "--space", "vault"]);
    hub.add_user(&["user", "add", "outsider", "--role", "reviewer"]);
    assert_eq!(hub.publish(&token, "vault", "d.md", "# D\n"), 200);
    let ask = |name: &str| {
        let body = serde_json::json!({"action": "request-review", "reviewers": name}).to_string();
        let (status, _, text) = hub.request(
            "POST",
            "/api/v1/review/vault/d.md",
            &token,
            &[("Content-Type", "application/json")],
            &body,
        );
        (status, text.replace(name, "NAME"))
    };
    // A user who cannot see the space and a name nobody has: the same answer.
    let (status, text) = ask("outsider");
    assert_eq!(status, 400, "{text}");
    assert_eq!(ask("no-such-user"), (status, text));
}

#[test]
fn forwarded_headers_from_an_untrusted_peer_are_ignored() {
    let (_tmp, hub) = sqlite_hub();
    let password = hub.add_user(&["user", "add", "root2", "--admin"]);
    // Without trusted proxies, a client that invents a new X-Forwarded-For for every
    // guess is still one client (the TCP peer).
    for i in 0..5 {
        assert_eq!(
            hub.try_login("root2", "wrong password!", &format!("10.9.9.{i}"), "").0,
            401
        );
    }
    assert_eq!(hub.try_login("root2", &password, "10.9.9.200", "").0, 429);
}

/// The secret the account page shows once after creating a token.
fn new_token(page: &str) -> String {
    shown_once(page, "new-token")
}

/// The text of `<code id="ID">` on a page: a secret shown once.
fn shown_once(page: &str, id: &str) -> String {
    page.split(&format!("<code id=\"{id}\">"))
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("secret shown once")
        .to_string()
}

#[test]
fn password_changes_are_throttled_audited_and_end_tokens() {
    let (tmp, hub) = sqlite_hub();
    let password = hub.add_user(&["user", "add", "nina", "--role", "author"]);
    let nina = hub.login("nina", &password);
    let (_, page) = hub.post_form("/account/tokens", &nina, &[("name", "laptop")], &[]);
    let token = Who::Token(new_token(&page));
    hub.cli(&["user", "grant", "nina", "author", "--space", "team"]);
    assert_eq!(hub.publish(&token, "team", "a.md", "# A\n"), 200);
    // A stolen session guessing the current password is throttled like signing in.
    for _ in 0..5 {
        let (status, _) = hub.post_form(
            "/account/password",
            &nina,
            &[("current", "not it at all"), ("new", "a brand new password")],
            &[],
        );
        assert_eq!(status, 200);
    }
    let (status, _) = hub.post_form(
        "/account/password",
        &nina,
        &[("current", &password), ("new", "a brand new password")],
        &[],
    );
    assert_eq!(status, 429);
    // Its rows in the failure table do not grow while throttled.
    let rows = || -> Option<String> {
        let out = Command::new("sqlite3")
            .arg(tmp.path().join("hub.db"))
            .arg("SELECT COUNT(*) FROM login_failures")
            .output()
            .ok()?;
        Some(text(&out.stdout).trim().to_string())
    };
    let before = rows();
    for _ in 0..10 {
        hub.post_form(
            "/account/password",
            &nina,
            &[("current", "still guessing"), ("new", "a brand new password")],
            &[],
        );
    }
    match (before, rows()) {
        (Some(b), Some(a)) => assert_eq!(a, b, "throttled attempts were stored"),
        _ => assert!(
            !designdoc_testkit::require_command("sqlite3", "Debian package sqlite3"),
            "sqlite3 did not run"
        ),
    }
    let admin_pw = hub.add_user(&["user", "add", "audit2", "--admin"]);
    let admin = hub.login("audit2", &admin_pw);
    let (_, events) = hub.get("/api/v1/audit", &admin);
    assert!(
        events.contains("\"password.change.failed\"") && events.contains("\"password.change.throttled\""),
        "{events}"
    );

    // The change itself (by a fresh client whose throttle is clear): tokens end with it.
    let (_tmp2, hub2) = sqlite_hub();
    let pw = hub2.add_user(&["user", "add", "omar", "--role", "author"]);
    let omar = hub2.login("omar", &pw);
    let (_, page) = hub2.post_form("/account/tokens", &omar, &[("name", "ci")], &[]);
    let token = Who::Token(new_token(&page));
    hub2.cli(&["user", "grant", "omar", "author", "--space", "team"]);
    assert_eq!(hub2.publish(&token, "team", "b.md", "# B\n"), 200);
    let (status, _) = hub2.post_form(
        "/account/password",
        &omar,
        &[("current", &pw), ("new", "another new password")],
        &[],
    );
    assert_eq!(status, 303);
    assert_eq!(
        hub2.publish(&token, "team", "b.md", "# B again\n"),
        401,
        "token survived the change"
    );
    assert_eq!(hub2.get("/account", &omar).0, 303, "session survived the change");
}

#[test]
fn service_tokens_publish_only_where_their_scope_allows() {
    let (_tmp, hub) = sqlite_hub();
    let scoped = Who::Token(hub.cli(&["token", "create", "--name", "ci-team", "--space", "team"]));
    let open = Who::Token(hub.cli(&["token", "create", "--name", "ci-any"]));
    let trusted = Who::Token(hub.cli(&[
        "token",
        "create",
        "--name",
        "ci-trusted",
        "--space",
        "team",
        "--trusted-status",
    ]));
    let approved = "---\ntitle: A\nstatus: approved\n---\n# A\n";
    assert_eq!(hub.publish(&scoped, "team", "a.md", "# A\n"), 200);
    assert_eq!(hub.publish(&scoped, "other", "a.md", "# A\n"), 403, "outside its scope");
    assert_eq!(hub.publish(&open, "other", "a.md", "# A\n"), 200);
    // A private space: no service token writes into it, named or not.
    let admin_pw = hub.add_user(&["user", "add", "boss", "--admin"]);
    let admin = hub.login("boss", &admin_pw);
    let (status, _) = hub.post_form(
        "/admin/spaces",
        &admin,
        &[("space", "secret"), ("visibility", "private")],
        &[],
    );
    assert!(status == 200 || status == 303, "make private: {status}");
    let named = Who::Token(hub.cli(&["token", "create", "--name", "ci-secret", "--space", "secret"]));
    assert_eq!(hub.publish(&named, "secret", "s.md", "# S\n"), 403);
    assert_eq!(hub.publish(&open, "secret", "s.md", "# S\n"), 403);
    // Only a token made with --trusted-status keeps the front matter's status.
    assert_eq!(hub.publish(&scoped, "team", "b.md", approved), 200);
    assert_eq!(hub.publish(&trusted, "team", "c.md", approved), 200);
    let status_of = |path: &str| {
        let (_, body) = hub.get(&format!("/api/v1/docs/team/{path}"), &admin);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        v["document"]["status"].as_str().unwrap_or("").to_string()
    };
    assert_eq!(status_of("b.md"), "draft");
    assert_eq!(status_of("c.md"), "approved");
}

impl Hub {
    /// Runs SQL on the hub's database with the sqlite3 or psql shell (as an operator
    /// would); false when that shell is not installed.
    /// Runs `statement` on the hub's database with its command-line client; false (with
    /// testkit's skip line) when that client is missing.
    #[track_caller]
    fn sql(&self, statement: &str) -> bool {
        let client = if self.db[1].starts_with("sqlite://") {
            "sqlite3"
        } else {
            "psql"
        };
        let install = if client == "sqlite3" {
            "apt-get install sqlite3"
        } else {
            "apt-get install postgresql-client"
        };
        if !designdoc_testkit::require_command(client, install) {
            return false;
        }
        let out = match self.db[1].strip_prefix("sqlite://") {
            Some(path) => Command::new("sqlite3").arg(path).arg(statement).output(),
            None => Command::new("psql")
                .arg(&self.db[1])
                .args(["-v", "ON_ERROR_STOP=1", "-c"])
                .arg(format!("SET search_path TO {}; {statement}", self.db[3]))
                .output(),
        };
        match out {
            Ok(o) => {
                assert!(o.status.success(), "{statement}: {}", text(&o.stderr));
                true
            }
            Err(_) => false,
        }
    }

    /// Signs in with `password`; the session (its CSRF token from `csrf_page`) when
    /// the answer is a redirect to `to`, else the status.
    fn sign_in_to(&self, user: &str, password: &str, to: &str, csrf_page: &str) -> Result<Who, u16> {
        let (status, head) = self.try_login(user, password, "", "");
        if status != 303 {
            return Err(status);
        }
        assert!(head.contains(&format!("location: {to}")), "{head}");
        let cookie = set_cookie(&head, "designdoc_session").expect("session cookie");
        let who = Who::Session {
            cookie,
            csrf: String::new(),
        };
        let (status, page) = self.get(csrf_page, &who);
        assert_eq!(status, 200, "{page}");
        let Who::Session { cookie, .. } = who else {
            unreachable!()
        };
        Ok(Who::Session {
            cookie,
            csrf: input_value(&page, "csrf").expect("csrf"),
        })
    }

    /// Where a GET as `who` is redirected to (`None`: it was not).
    fn redirect_of(&self, path: &str, who: &Who) -> Option<String> {
        let (status, head, _) = self.request("GET", path, who, &[], "");
        (status == 303).then(|| {
            head.lines()
                .find_map(|l| l.strip_prefix("location: "))
                .unwrap_or("")
                .to_string()
        })
    }
}

/// A one-time password signs in once, to a session held at the password form (tokens of
/// the user unaffected), where the policy is applied rule by rule; unused, it expires.
fn one_time_passwords(hub: &Hub) {
    let otp = hub.cli(&["user", "add", "ann", "--role", "author"]);
    let ann = hub
        .sign_in_to("ann", &otp, "/account/password", "/account/password")
        .expect("first sign-in");
    // Used once: the second sign-in is refused like a wrong password.
    let (status, _) = hub.try_login("ann", &otp, "", "");
    assert_eq!(status, 401);
    // Every page leads to the password form; the API refuses the session; forms too.
    for path in ["/", "/account", "/admin", "/doc/team/x.md", "/login"] {
        assert_eq!(
            hub.redirect_of(path, &ann).as_deref(),
            Some("/account/password"),
            "{path}"
        );
    }
    assert_eq!(hub.get("/api/v1/docs", &ann).0, 403);
    let (status, _) = hub.post_form("/account/tokens", &ann, &[("name", "sneaky")], &[]);
    assert_eq!(status, 303, "a restricted session cannot make a token");
    assert_eq!(hub.cli(&["token", "list"]), "", "a token was made");
    // The policy, each rule by its message.
    for (weak, why) in [
        ("short", "at least 12 characters"),
        ("hello, I am Ann!", "user name"),
        ("LeaveMeAlone", "10,000 most common passwords"),
    ] {
        let (status, page) = hub.post_form("/account/password", &ann, &[("new", weak)], &[]);
        assert_eq!(status, 422, "{weak}: {page}");
        assert!(page.contains(why), "{weak}: {page}");
    }
    let (status, _) = hub.post_form("/account/password", &ann, &[("new", "my own long phrase")], &[]);
    assert_eq!(status, 303);
    // The same session goes on, unrestricted; the new password signs in as often as needed.
    assert_eq!(hub.get("/account", &ann).0, 200);
    for _ in 0..2 {
        hub.sign_in_to("ann", "my own long phrase", "/", "/account")
            .expect("sign in");
    }
    // The account page's form applies the policy too.
    let (_, page) = hub.post_form(
        "/account/password",
        &ann,
        &[("current", "my own long phrase"), ("new", "qwerty123456")],
        &[],
    );
    assert!(page.contains("10,000 most common passwords"), "{page}");

    // Unused for 24 hours (here: its expiry moved into the past), it no longer works,
    // with the answer a wrong password gets.
    let otp = hub.cli(&["user", "add", "bea"]);
    if !hub.sql("UPDATE users SET password_expires_at = 1000 WHERE username = 'bea'") {
        return;
    }
    assert_eq!(hub.try_login("bea", &otp, "", "").0, 401);
}

#[test]
fn one_time_passwords_on_sqlite() {
    let (_tmp, hub) = sqlite_hub();
    one_time_passwords(&hub);
}

#[test]
fn one_time_passwords_on_postgres() {
    on_postgres("otp", one_time_passwords);
}

/// An admin resets, disables, enables and deletes a user (UI and CLI): a reset ends
/// sessions, disabling stops a live session and a live token on the next request, a
/// deleted user's name stays on the doc page, in history and in the audit log.
fn account_lifecycle(hub: &Hub) {
    let root_pw = hub.add_user(&["user", "add", "root", "--admin"]);
    let root = hub.login("root", &root_pw);
    let nina_pw = hub.add_user(&["user", "add", "nina", "--role", "reviewer"]);
    hub.cli(&["user", "grant", "nina", "reviewer", "--space", "team"]);
    let nina = hub.login("nina", &nina_pw);
    let (_, page) = hub.post_form("/account/tokens", &nina, &[("name", "laptop")], &[]);
    let token = Who::Token(new_token(&page));
    assert_eq!(hub.publish(&token, "team", "d.md", "# D\n\nBy nina.\n"), 200);
    let (status, _) = hub.post_form(
        "/review/team/d.md",
        &nina,
        &[
            ("action", "comment"),
            ("anchor", ""),
            ("body", "Noted by nina."),
            ("revision", "1"),
        ],
        &[],
    );
    assert_eq!(status, 303);

    // Forms on /admin: CSRF and an admin needed; never on oneself.
    assert_eq!(
        hub.post_form("/admin/users/nina/disable", &root, &[("csrf", "nope")], &[])
            .0,
        403
    );
    assert_eq!(hub.post_form("/admin/users/root/disable", &nina, &[], &[]).0, 403);
    let (_, page) = hub.post_form("/admin/users/root/disable", &root, &[], &[]);
    assert!(page.contains("not on your own account"), "{page}");
    let (_, admin_page) = hub.get("/admin", &root);
    assert!(
        admin_page.contains("action=\"/admin/users/nina/reset\""),
        "{admin_page}"
    );

    // Reset: a new one-time password, shown once; sessions end, the token stays.
    let (status, page) = hub.post_form("/admin/users/nina/reset", &root, &[], &[]);
    assert_eq!(status, 200);
    let otp = shown_once(&page, "new-password");
    assert_eq!(
        hub.redirect_of("/account", &nina).map(|l| l.starts_with("/login")),
        Some(true)
    );
    assert_eq!(hub.try_login("nina", &nina_pw, "", "").0, 401, "the old password");
    assert_eq!(hub.publish(&token, "team", "d.md", "# D\n\nBy nina, again.\n"), 200);
    let (nina, nina_pw) = common::first_sign_in(&hub.addr, "nina", &otp);
    let nina = Who::Session {
        cookie: nina.trim_start_matches("designdoc_session=").to_string(),
        csrf: String::new(),
    };
    assert_eq!(hub.get("/account", &nina).0, 200);

    // Disable: the live session and the live token stop on the next request.
    let (status, _) = hub.post_form("/admin/users/nina/disable", &root, &[], &[]);
    assert_eq!(status, 200);
    assert_eq!(
        hub.redirect_of("/account", &nina).map(|l| l.starts_with("/login")),
        Some(true)
    );
    assert_eq!(hub.publish(&token, "team", "d.md", "# D\n\nDisabled.\n"), 401);
    assert_eq!(hub.try_login("nina", &nina_pw, "", "").0, 401);
    let (_, admin_page) = hub.get("/admin", &root);
    assert!(admin_page.contains("disabled") && admin_page.contains("/admin/users/nina/enable"));
    // Enable (CLI): the token works again, and so does the password.
    hub.cli(&["user", "enable", "nina"]);
    assert_eq!(hub.publish(&token, "team", "d.md", "# D\n\nEnabled.\n"), 200);
    hub.sign_in_to("nina", &nina_pw, "/", "/account")
        .expect("sign in again");

    // Delete (CLI): the name stays on the doc page, in history and in the audit log;
    // the token and password stop; the name is not given to anyone else.
    hub.cli(&["user", "delete", "nina"]);
    assert_eq!(hub.publish(&token, "team", "d.md", "# D\n\nDeleted.\n"), 401);
    assert_eq!(hub.try_login("nina", &nina_pw, "", "").0, 401);
    let (status, doc) = hub.get("/doc/team/d.md", &root);
    assert_eq!(status, 200);
    assert!(doc.contains("Noted by nina.") && doc.contains(">nina<"), "{doc}");
    let (_, history) = hub.get("/history/team/d.md", &root);
    assert!(history.contains("nina (token laptop)"), "{history}");
    let (_, audit) = hub.get("/admin/audit", &root);
    for action in ["user.reset", "user.disable", "user.enable", "user.delete"] {
        assert!(audit.contains(action), "{action} not in the audit log");
    }
    assert!(!audit.contains(&otp), "a one-time password is in the audit log");
    let list = hub.cli(&["user", "list"]);
    assert!(
        list.lines().any(|l| l.starts_with("nina\t") && l.ends_with("deleted")),
        "{list}"
    );
    let out = hub.cli_output(&["user", "add", "nina"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("not reused"), "{}", text(&out.stderr));
    // The last enabled admin stays (`admin`, made at first start, is one more).
    hub.cli(&["user", "disable", "admin"]);
    let out = hub.cli_output(&["user", "disable", "root"]);
    let said = text(&out.stderr);
    assert!(!out.status.success() && said.contains("last enabled admin"), "{said}");
}

#[test]
fn account_lifecycle_on_sqlite() {
    let (_tmp, hub) = sqlite_hub();
    account_lifecycle(&hub);
}

#[test]
fn account_lifecycle_on_postgres() {
    on_postgres("lifecycle", account_lifecycle);
}

#[test]
fn user_commands_never_create_a_database_unless_asked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_designdoc"))
            .current_dir(tmp.path())
            .args(args)
            .env_remove("DESIGNDOC_DATABASE_URL")
            .output()
            .expect("run designdoc")
    };
    for args in [&["user", "list"][..], &["token", "list"], &["user", "add", "zoe"]] {
        let out = run(args);
        let said = text(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            said.contains(".designdoc/hub.db") && said.contains("--create") && said.contains("--database"),
            "{args:?}: {said}"
        );
        assert!(!tmp.path().join(".designdoc").exists(), "{args:?} made a folder");
    }
    let out = run(&["user", "list", "--database", "sqlite://elsewhere.db"]);
    assert!(!out.status.success() && text(&out.stderr).contains("elsewhere.db"));
    assert!(!tmp.path().join("elsewhere.db").exists());
    let out = run(&["user", "list", "--create"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(tmp.path().join(".designdoc/hub.db").is_file());
    assert!(run(&["user", "list"]).status.success(), "an existing database opens");
}

#[test]
fn the_first_start_admin_password_is_one_time_too() {
    let (_tmp, mut hub) = sqlite_hub();
    let said = hub._child.next_line();
    let otp = said
        .split("one-time password ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no password in {said:?}"))
        .to_string();
    let (_, chosen) = common::first_sign_in(&hub.addr, "admin", &otp);
    assert_eq!(hub.try_login("admin", &otp, "", "").0, 401, "used twice");
    let admin = hub.sign_in_to("admin", &chosen, "/", "/admin").expect("admin signs in");
    assert_eq!(hub.get("/admin", &admin).0, 200);
}
