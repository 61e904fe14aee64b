//! The review workflow in a real browser: Debian's chromium driven headless through
//! chromedriver's WebDriver protocol (plain HTTP + JSON, no client library). Three people
//! sign in through the form, request a review, comment on a section and approve; the
//! status changes on the page; script in a doc or a comment never runs.

mod common;

use common::Killed;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One JSON request to chromedriver.
fn wd(port: u16, method: &str, path: &str, body: &Value) -> Value {
    let body = if method == "GET" || method == "DELETE" {
        String::new()
    } else {
        body.to_string()
    };
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect chromedriver");
    s.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    // Read the head, then exactly the body: chromedriver may keep the connection open.
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut buf).expect("read head");
        assert!(n > 0, "chromedriver closed the connection");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let text = match length {
        Some(len) => {
            while raw.len() < head_end + len {
                let n = s.read(&mut buf).expect("read body");
                assert!(n > 0, "chromedriver closed the connection early");
                raw.extend_from_slice(&buf[..n]);
            }
            String::from_utf8_lossy(&raw[head_end..head_end + len]).into_owned()
        }
        None => {
            // Chunked: read until the last chunk, then decode.
            while !raw.ends_with(b"0\r\n\r\n") {
                let n = s.read(&mut buf).expect("read chunks");
                if n == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
            }
            let mut out = String::new();
            let body = String::from_utf8_lossy(&raw[head_end..]).into_owned();
            let mut rest = body.as_str();
            while let Some((size, tail)) = rest.split_once("\r\n") {
                let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
                if n == 0 {
                    break;
                }
                out.push_str(&tail[..n.min(tail.len())]);
                rest = tail.get(n + 2..).unwrap_or("");
            }
            out
        }
    };
    let raw = String::from_utf8_lossy(&raw).into_owned();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("chromedriver answered non-JSON ({e}): {raw}"))
}

struct Browser {
    port: u16,
    session: String,
    _driver: Killed,
}

impl Browser {
    fn start(profile: &Path) -> Browser {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().expect("addr").port()
        };
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver; .ci/run installs it)");
        let driver = Killed::new(driver);
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": common::chromium(),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1600",
                     format!("--user-data-dir={}", profile.display())]
        }}}});
        let v = wd(port, "POST", "/session", &caps);
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        let b = Browser {
            port,
            session,
            _driver: driver,
        };
        // Finding an element waits for it (pages load after a click).
        b.call("POST", "/timeouts", json!({"implicit": 10_000, "pageLoad": 30_000}));
        b
    }

    /// Waits until the element's text (case-insensitive) is `want`; the last text seen.
    fn wait_text(&self, css: &str, want: &str) -> String {
        let start = Instant::now();
        loop {
            // During a navigation the element may vanish between finding and reading it.
            let got = self.try_text(css).unwrap_or_default().to_lowercase();
            if got == want || start.elapsed() > Duration::from_secs(10) {
                return got;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn try_text(&self, css: &str) -> Option<String> {
        let base = format!("/session/{}", self.session);
        let found = wd(
            self.port,
            "POST",
            &format!("{base}/element"),
            &json!({"using": "css selector", "value": css}),
        );
        let id = found["value"].as_object()?.values().next()?.as_str()?.to_string();
        let text = wd(self.port, "GET", &format!("{base}/element/{id}/text"), &json!({}));
        text["value"].as_str().map(str::to_string)
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let v = wd(self.port, method, &format!("/session/{}{path}", self.session), &body);
        if v["value"]["error"].is_string() {
            panic!("WebDriver {method} {path}: {v}");
        }
        v["value"].clone()
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", json!({"url": url}));
    }

    fn find(&self, css: &str) -> String {
        let v = self.call("POST", "/element", json!({"using": "css selector", "value": css}));
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/value"), json!({"text": text}));
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.call("POST", &format!("/element/{e}/click"), json!({}));
    }

    /// Waits until the element's text contains `needle` (pages change after a click).
    fn wait_contains(&self, css: &str, needle: &str) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if self.try_text(css).is_some_and(|t| t.contains(needle)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    fn title(&self) -> String {
        self.call("GET", "/title", json!({})).as_str().unwrap_or("").to_string()
    }

    /// Whether any payload ran: each sets this flag or the title.
    fn pwned(&self) -> bool {
        let v = self.call(
            "POST",
            "/execute/sync",
            json!({"script": "return window.__pwned === true || document.title === 'pwned'", "args": []}),
        );
        v.as_bool().unwrap_or(true)
    }

    fn sign_in(&self, base: &str, user: &str, password: &str, next: &str) {
        self.call("DELETE", "/cookie", json!({}));
        self.open(&format!("{base}/login?next={next}"));
        self.type_into("input[name=username]", user);
        self.type_into("input[name=password]", password);
        self.click("form[action='/login'] button[type=submit]");
        assert_eq!(self.wait_text("#signed-in", user), user, "signed in as {user}");
    }

    fn screenshot(&self, to: &Path) {
        let png = self.call("GET", "/screenshot", json!({}));
        let b64 = png.as_str().unwrap_or("");
        std::fs::write(to, decode_base64(b64)).expect("write screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = wd(self.port, "DELETE", &format!("/session/{}", self.session), &json!({}));
    }
}

fn decode_base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = s
        .bytes()
        .filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let v: Vec<u32> = chunk.iter().map(|&c| u32::from(val(c))).collect();
        let n = v.iter().enumerate().fold(0u32, |acc, (i, x)| acc | (x << (18 - 6 * i)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

fn cli(dir: &Path, db: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_designdoc"))
        .current_dir(dir)
        .args(args)
        // The database is made here, before the hub starts.
        .args(["--database", db, "--create"])
        .output()
        .expect("designdoc");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn review_in_a_browser() {
    if designdoc_testkit::require_chromium_with_driver().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", tmp.path().join("hub.db").display());
    let mut pw = std::collections::HashMap::new();
    for (name, role) in [("aldo", "author"), ("vera", "reviewer"), ("wes", "reviewer")] {
        pw.insert(name, cli(tmp.path(), &db, &["user", "add", name]));
        cli(tmp.path(), &db, &["user", "grant", name, role, "--space", "team"]);
    }
    let token = cli(
        tmp.path(),
        &db,
        &["token", "create", "--name", "aldo", "--user", "aldo"],
    );
    let child = Command::new(env!("CARGO_BIN_EXE_designdoc"))
        .current_dir(tmp.path())
        .args(["serve", "--database", &db, "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("hub");
    let mut hub = Killed::new(child);
    let addr = hub.address();
    let base = format!("http://{addr}");
    // Each signs in once with the one-time password and chooses their own.
    for (name, otp) in pw.iter_mut() {
        *otp = common::first_sign_in(&addr, name, otp).1;
    }
    // A doc with script in it, published by aldo.
    let doc = std::fs::read_to_string(root().join("examples/0001-rate-limiter.md")).expect("example")
        + "\n<img src=x onerror=\"window.__pwned=true\">\n<script>window.__pwned=true</script>\n";
    let body = json!({"space": "team", "docs": [{"path": "limiter.md", "content": doc}]}).to_string();
    let (status, reply) = common::post(
        &addr,
        "/api/v1/publish",
        &[("Authorization", &format!("Bearer {token}"))],
        &body,
    );
    assert_eq!(status, 200, "{reply}");

    let browser = Browser::start(&tmp.path().join("profile"));
    // aldo asks vera and wes for a review.
    browser.sign_in(&base, "aldo", &pw["aldo"], "/doc/team/limiter.md");
    assert!(browser.title().starts_with("API rate limiter"), "{}", browser.title());
    assert_eq!(browser.wait_text("#review-status", "draft"), "draft");
    browser.click("#reviewer-vera");
    browser.click("#reviewer-wes");
    browser.click("#do-request-review");
    assert_eq!(browser.wait_text("#review-status", "review"), "review");
    assert!(browser.wait_contains("#requested", "vera, wes"));
    assert!(!browser.pwned(), "script in the doc ran");

    // vera finds the request on "awaiting my review" (the header counts it), opens the
    // doc, comments under Overview (with a payload) and requests changes with a reason.
    browser.sign_in(&base, "vera", &pw["vera"], "/");
    assert_eq!(
        browser.wait_text("#awaiting-count", "1"),
        "1",
        "the header counts the request"
    );
    browser.click("#awaiting-link");
    assert!(
        browser.wait_contains("#queue", "API rate limiter"),
        "the queue lists the doc"
    );
    let shots = root().join("target/site-screenshots");
    std::fs::create_dir_all(&shots).expect("mkdir");
    browser.screenshot(&shots.join("hub-queue.png"));
    browser.click("#queue a[href='/doc/team/limiter.md']");
    assert!(browser.title().starts_with("API rate limiter") || browser.wait_contains("h1", "API rate limiter"));
    let anchor = browser.find("#comment-anchor option[value=overview]");
    browser.call("POST", &format!("/element/{anchor}/click"), json!({}));
    browser.type_into(
        "#comment-body",
        "What about <img src=x onerror=\"window.__pwned=true\"> **internal** callers?",
    );
    browser.click("#do-comment");
    assert!(
        browser.wait_contains(
            "#threads-overview",
            "What about <img src=x onerror=\"window.__pwned=true\"> internal callers?"
        ),
        "the thread shows under its section, Markdown drawn, markup as text"
    );
    browser.click("#changes-form-open");
    browser.type_into("#changes-reason", "Say which callers count as internal.");
    browser.click("#do-changes");
    assert!(browser.wait_contains("#blocked", "requested changes"));
    assert!(!browser.pwned(), "script in a comment ran");
    browser.open(&format!("{base}/reviews"));
    assert!(
        browser.wait_contains("main", "Nothing waits for your review"),
        "the verdict took it off the queue"
    );

    // aldo sees the verdict with its reason, and the thread under its section.
    browser.sign_in(&base, "aldo", &pw["aldo"], "/doc/team/limiter.md");
    assert!(browser.wait_contains("#verdicts", "vera requested changes"));
    assert!(browser.wait_contains("#verdicts", "Say which callers count as internal."));
    assert!(browser.wait_contains("#threads-overview", "internal callers?"));
    assert!(
        browser.wait_contains("#threads-jump", "Overview"),
        "the jump list names the section"
    );
    browser.screenshot(&shots.join("hub-review.png"));

    // vera is satisfied and approves; wes's approval meets the policy.
    browser.sign_in(&base, "vera", &pw["vera"], "/doc/team/limiter.md");
    browser.click("#do-approve");
    assert!(browser.wait_contains("#blocked", "1 of 2 approvals"));
    browser.sign_in(&base, "wes", &pw["wes"], "/doc/team/limiter.md");
    browser.click("#do-approve");
    let status = browser.wait_text("#review-status", "approved");
    assert_eq!(status, "approved", "{:?}", browser.try_text("#review"));
    assert!(!browser.pwned());
    browser.open(&format!("{base}/?status=approved"));
    assert!(
        browser.wait_contains("#docs", "API rate limiter"),
        "the index shows the new status"
    );
    // An error page a browser gets: HTML, saying what to do.
    browser.open(&format!("{base}/doc/team/no-such-doc.md"));
    assert!(browser.wait_contains("#error", "Check the address"));
    browser.screenshot(&shots.join("hub-error.png"));
    for shot in ["hub-review.png", "hub-queue.png", "hub-error.png"] {
        let size = std::fs::metadata(shots.join(shot)).map(|m| m.len()).unwrap_or(0);
        assert!(size > 10_000, "{shot}: {size} bytes");
        println!("screenshot: {}", shots.join(shot).display());
    }
    // Control: the check does see script that runs.
    browser.call(
        "POST",
        "/execute/sync",
        json!({"script": "window.__pwned = true", "args": []}),
    );
    assert!(browser.pwned(), "the XSS check cannot see script effects");
    drop(browser);
    drop(hub);
}
