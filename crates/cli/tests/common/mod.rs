//! Helpers for tests that run a `designdoc` server or a browser: a child killed on drop,
//! raw HTTP GET and POST, reading the address the server prints, headless chromium.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdout, Command};
use std::time::Duration;

/// A server process, killed when the test ends (also on panic). Its standard output stays
/// open for the whole test, so the server can keep printing.
pub struct Killed(pub Child, Option<BufReader<ChildStdout>>);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Killed {
    pub fn new(child: Child) -> Killed {
        Killed(child, None)
    }

    /// The next line the server prints after its address line (trimmed).
    pub fn next_line(&mut self) -> String {
        let reader = self.1.as_mut().expect("address read first");
        let mut line = String::new();
        reader.read_line(&mut line).expect("a line");
        line.trim().to_string()
    }

    /// The `host:port` from the first line the server prints (`... http://ADDR/ ...`).
    pub fn address(&mut self) -> String {
        let stdout = self.0.stdout.take().expect("stdout piped");
        let reader = self.1.insert(BufReader::new(stdout));
        let mut line = String::new();
        reader.read_line(&mut line).expect("a line");
        line.split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .expect("address")
            .to_string()
    }
}

/// Runs `designdoc ARGS` in `dir` to the end (no database URL from the environment).
pub fn designdoc(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_designdoc"))
        .current_dir(dir)
        .args(args)
        .env_remove("DESIGNDOC_DATABASE_URL")
        .output()
        .expect("run designdoc")
}

/// Starts a `designdoc` server (`serve` or `preview` with its arguments) in `dir`, its log
/// discarded; the process and the address it prints.
fn start_server(dir: &Path, args: &[&str]) -> (Killed, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_designdoc"))
        .current_dir(dir)
        .args(args)
        .env_remove("DESIGNDOC_DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start designdoc");
    let mut child = Killed::new(child);
    let addr = child.address();
    (child, addr)
}

/// Starts `designdoc serve ARGS --addr 127.0.0.1:0` in `dir`.
pub fn start_hub(dir: &Path, args: &[&str]) -> (Killed, String) {
    let mut all = vec!["serve"];
    all.extend_from_slice(args);
    all.extend(["--addr", "127.0.0.1:0"]);
    start_server(dir, &all)
}

/// Starts `designdoc preview ARGS --port 0` in `dir`.
pub fn start_preview(dir: &Path, args: &[&str]) -> (Killed, String) {
    let mut all = vec!["preview"];
    all.extend_from_slice(args);
    all.extend(["--port", "0"]);
    start_server(dir, &all)
}

/// Drops a PostgreSQL schema a test made (with psql: `designdoc_testkit::require_postgres`
/// asks for it).
pub fn drop_pg_schema(url: &str, schema: &str) {
    let dropped = Command::new("psql")
        .args([url, "-q", "-c", &format!("DROP SCHEMA IF EXISTS {schema} CASCADE")])
        .output();
    assert!(dropped.is_ok_and(|o| o.status.success()), "drop schema {schema}");
}

/// GET over a fresh connection; returns status code, head and body.
pub fn get(addr: &str, path: &str) -> (u16, String, String) {
    send(addr, "GET", path, &[], "")
}

/// POST a JSON body over a fresh connection; returns status code and body.
pub fn post(addr: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    let (status, _, body) = send(addr, "POST", path, &all, body);
    (status, body)
}

/// Chromium as found on PATH (tests ask `designdoc_testkit::require_chromium` first).
pub fn chromium() -> String {
    designdoc_testkit::chromium().map_or_else(|| "chromium".to_string(), |p| p.display().to_string())
}

pub fn browser(profile: &Path, args: &[&str]) -> String {
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--allow-file-access-from-files",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("run chromium");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Any request over a fresh connection; returns status, head (lower-cased names kept as
/// sent) and body. `headers` are added as given.
pub fn send(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("send head");
    s.write_all(body.as_bytes()).expect("send body");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    let status = raw.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    (status, head.to_string(), body.to_string())
}

/// `application/x-www-form-urlencoded` body.
pub fn form(fields: &[(&str, &str)]) -> String {
    let enc = |v: &str| {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of cookie `name` set by a response head.
pub fn set_cookie(head: &str, name: &str) -> Option<String> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, v)| v.trim().split(';').next()?.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The `value` of the first `<input ... name="NAME" value="...">` in a page.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    rest.split('"').next().map(str::to_string)
}

/// Signs in with a one-time password `otp` (from `user add` or a reset) and replaces it,
/// as a new user must first; the session with the chosen password (cookie `name=value`)
/// and the password chosen (derived from `otp`, so it passes the policy).
pub fn first_sign_in(addr: &str, user: &str, otp: &str) -> (String, String) {
    let chosen = format!("{otp}-Chosen!");
    let (_, head, page) = send(addr, "GET", "/login", &[], "");
    let csrf = input_value(&page, "csrf").expect("login csrf");
    let cookie = format!(
        "designdoc_login_csrf={}",
        set_cookie(&head, "designdoc_login_csrf").expect("login csrf cookie")
    );
    let body = form(&[("username", user), ("password", otp), ("csrf", &csrf)]);
    let form_type = ("Content-Type", "application/x-www-form-urlencoded");
    let (status, head, _) = send(addr, "POST", "/login", &[("Cookie", &cookie), form_type], &body);
    assert_eq!(status, 303, "first sign-in of {user}: {head}");
    assert!(head.contains("location: /account/password"), "{head}");
    let session = format!(
        "designdoc_session={}",
        set_cookie(&head, "designdoc_session").expect("session cookie")
    );
    let (status, _, page) = send(addr, "GET", "/account/password", &[("Cookie", &session)], "");
    assert_eq!(status, 200, "{page}");
    let csrf = input_value(&page, "csrf").expect("password form csrf");
    let body = form(&[("new", &chosen), ("csrf", &csrf)]);
    let (status, head, page) = send(
        addr,
        "POST",
        "/account/password",
        &[("Cookie", &session), form_type],
        &body,
    );
    assert_eq!(status, 303, "{head}\n{page}");
    (session, chosen)
}
