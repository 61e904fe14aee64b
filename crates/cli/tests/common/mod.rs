//! Helpers for tests that run a `designdoc` server: a child killed on drop, a raw HTTP GET,
//! and reading the address the server prints.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout};
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

/// GET over a fresh connection; returns status code, head and body.
pub fn get(addr: &str, path: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("send");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    let status = raw.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    (status, head.to_string(), body.to_string())
}
