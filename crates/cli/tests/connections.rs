//! Slow and idle clients cannot make the hub unreachable: under a 1,024 file-descriptor
//! limit, one address holds 1,000 idle and 1,000 slowloris connections open for 30 s
//! (reconnecting whenever the hub closes one), and a client from another address still
//! gets every page it asks for; idle connections are closed after the header timeout;
//! a request that announces a body and never sends it is answered by the request timeout.

mod common;

use common::get;
use std::io::Read;
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

const ATTACK: Duration = Duration::from_secs(30);
const HEADER_TIMEOUT_SECS: u64 = 4;
const REQUEST_TIMEOUT_SECS: u64 = 6;

/// Opens a connection from `source` (a loopback address of its own) to `addr`.
async fn connect_from(source: &str, addr: std::net::SocketAddr) -> std::io::Result<tokio::net::TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(format!("{source}:0").parse().map_err(std::io::Error::other)?)?;
    socket.connect(addr).await
}

/// Keeps `n` connections from `source` open until `until`: idle ones send nothing,
/// slowloris ones trickle a never-ending header. Returns how many connections it made.
async fn hold(source: &'static str, addr: std::net::SocketAddr, n: usize, slow: bool, until: Instant) -> usize {
    let mut tasks = Vec::new();
    for _ in 0..n {
        tasks.push(tokio::spawn(async move {
            let mut made = 0usize;
            while Instant::now() < until {
                let Ok(mut stream) = connect_from(source, addr).await else {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                };
                made += 1;
                if slow && stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.is_err() {
                    continue;
                }
                // Trickle (or idle) until the hub closes the connection or time is up.
                loop {
                    if Instant::now() >= until {
                        return made;
                    }
                    tokio::time::sleep(Duration::from_millis(1_000)).await;
                    let step: &[u8] = if slow { b"X-a: b\r\n" } else { b"" };
                    if !step.is_empty() && stream.write_all(step).await.is_err() {
                        break;
                    }
                    // An idle socket learns of the close by trying to read.
                    let mut buf = [0u8; 1];
                    match tokio::time::timeout(Duration::from_millis(10), stream.peek(&mut buf)).await {
                        Ok(Ok(0)) | Ok(Err(_)) => break,
                        _ => {}
                    }
                }
            }
            made
        }));
    }
    let mut made = 0;
    for t in tasks {
        made += t.await.unwrap_or(0);
    }
    made
}

#[test]
fn idle_and_slow_clients_cannot_make_the_hub_unreachable() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("designdoc.toml"),
        format!("[hub]\nheader_timeout_secs = {HEADER_TIMEOUT_SECS}\nrequest_timeout_secs = {REQUEST_TIMEOUT_SECS}\n"),
    )
    .expect("config");
    let docs = tmp.path().join("team");
    std::fs::create_dir_all(&docs).expect("mkdir");
    std::fs::write(docs.join("a.md"), "# A\n\nA doc.\n").expect("doc");
    let db = format!("sqlite://{}", tmp.path().join("hub.db").display());
    // The hub gets the default limit of many systems: 1,024 descriptors.
    let child = Command::new("sh")
        .current_dir(tmp.path())
        .args(["-c", "ulimit -n 1024 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_designdoc"))
        .args(["serve", "--database", &db, "--addr", "127.0.0.1:0", "team"])
        .env_remove("DESIGNDOC_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hub");
    let mut hub = common::Killed::new(child);
    let addr = hub.address();
    let sock: std::net::SocketAddr = addr.parse().expect("address");
    assert_eq!(get(&addr, "/doc/team/a.md").0, 200);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let until = Instant::now() + ATTACK;
    let attack = runtime.spawn(async move {
        let idle = tokio::spawn(hold("127.0.0.2", sock, 1_000, false, until));
        let slow = tokio::spawn(hold("127.0.0.2", sock, 1_000, true, until));
        idle.await.unwrap_or(0) + slow.await.unwrap_or(0)
    });

    // Meanwhile a client from another address reads pages.
    std::thread::sleep(Duration::from_secs(2));
    let mut served = 0;
    let mut slowest = Duration::ZERO;
    while Instant::now() < until {
        let t = Instant::now();
        assert_eq!(get(&addr, "/doc/team/a.md").0, 200, "a page during the attack");
        assert_eq!(get(&addr, "/healthz").0, 200);
        slowest = slowest.max(t.elapsed());
        served += 1;
        std::thread::sleep(Duration::from_millis(200));
    }
    let made = runtime.block_on(attack).expect("attack");
    assert!(served > 50, "only {served} pages served");
    assert!(slowest < Duration::from_secs(2), "a page took {slowest:?}");
    // The limit closed most of the attacker's connections at once: it had to reconnect.
    assert!(made > 2_000, "the attacker made only {made} connections");
    let (_, _, metrics) = get(&addr, "/metrics");
    let refused: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("designdoc_connections_refused_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    assert!(refused > 1_000, "refused {refused}");

    // An idle connection is closed after the header timeout.
    let mut idle = TcpStream::connect(&addr).expect("connect");
    idle.set_read_timeout(Some(Duration::from_secs(HEADER_TIMEOUT_SECS + 5)))
        .expect("timeout");
    let opened = Instant::now();
    let mut buf = [0u8; 64];
    let n = idle.read(&mut buf).unwrap_or(usize::MAX);
    assert!(n == 0 || n < 64, "the hub answered or closed: {n}");
    assert!(
        opened.elapsed() < Duration::from_secs(HEADER_TIMEOUT_SECS + 3),
        "idle connection closed after {:?}",
        opened.elapsed()
    );

    // A body announced and never sent is cut off by the request timeout.
    let mut stuck = TcpStream::connect(&addr).expect("connect");
    std::io::Write::write_all(
        &mut stuck,
        b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\nusername=",
    )
    .expect("send");
    stuck
        .set_read_timeout(Some(Duration::from_secs(REQUEST_TIMEOUT_SECS + 5)))
        .expect("timeout");
    let started = Instant::now();
    let mut answer = Vec::new();
    // The read ends when the hub answers and closes; a read timeout means it held on,
    // which the assertion below reports.
    stuck.read_to_end(&mut answer).ok();
    assert!(
        started.elapsed() < Duration::from_secs(REQUEST_TIMEOUT_SECS + 3),
        "held for {:?}",
        started.elapsed()
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(get(&addr, "/healthz").0, 200);
}
