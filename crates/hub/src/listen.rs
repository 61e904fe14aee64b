//! The hub's HTTP listener: hyper's HTTP/1 server with the limits a public service needs,
//! so that idle or slow clients cannot exhaust file descriptors or hold requests open:
//! a connection limit overall and per client address, a timeout for reading a request's
//! head (which also closes idle keep-alive connections), a timeout for each request as a
//! whole (body included), and a bound on how long an answer may wait for a client that
//! does not read it. Shutdown is graceful: in-flight requests finish.

use super::client::TrustedProxies;
use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tower_service::Service;

/// Connection and time limits (`[hub]` in designdoc.toml can change each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Open connections in all; more are closed as soon as they are accepted.
    pub max_connections: usize,
    /// Open connections from one client address (proxies in `trusted_proxies` excepted).
    pub max_connections_per_client: usize,
    /// Time to send a request's head, and the longest a kept-alive connection stays idle.
    pub header_timeout: Duration,
    /// Time for a whole request, body and answer included.
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 768,
            max_connections_per_client: 64,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// A connection whose writes must make progress: a write that stays pending (the client
/// does not read) for longer than `stall` fails, and hyper closes the connection. Without
/// it a client reading an answer a byte a minute would hold its slot for hours.
struct WriteDeadline<T> {
    inner: T,
    stall: Duration,
    /// Running while a write is pending; reset whenever one completes.
    timer: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl<T> WriteDeadline<T> {
    fn poll_stalled(&mut self, cx: &mut std::task::Context<'_>) -> bool {
        let stall = self.stall;
        let timer = self.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(stall)));
        timer.as_mut().poll(cx).is_ready()
    }
}

impl<T: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for WriteDeadline<T> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for WriteDeadline<T> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        data: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        match std::pin::Pin::new(&mut self.inner).poll_write(cx, data) {
            std::task::Poll::Pending => {
                if self.poll_stalled(cx) {
                    return std::task::Poll::Ready(Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the client stopped reading",
                    )));
                }
                std::task::Poll::Pending
            }
            ready => {
                self.timer = None;
                ready
            }
        }
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Open connections per client address.
#[derive(Default)]
struct Open {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// One admitted connection; counted until dropped.
struct Admitted {
    open: Arc<Mutex<Open>>,
    client: IpAddr,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        // A poisoned lock means a panic elsewhere while counting; the counts are still
        // the best we have.
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_client.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                open.by_client.remove(&self.client);
            }
        }
    }
}

/// The unit connections are counted by: an IPv4 address, or an IPv6 /64 (one host usually
/// holds a whole /64).
fn client_block(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
        v4 => v4,
    }
}

fn admit(open: &Arc<Mutex<Open>>, client: IpAddr, limits: &Limits, exempt: bool) -> Option<Admitted> {
    let mut o = open.lock().unwrap_or_else(|p| p.into_inner());
    let mine = o.by_client.get(&client).copied().unwrap_or(0);
    if o.total >= limits.max_connections || (!exempt && mine >= limits.max_connections_per_client) {
        return None;
    }
    o.total += 1;
    *o.by_client.entry(client).or_insert(0) += 1;
    Some(Admitted {
        open: Arc::clone(open),
        client,
    })
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets in-flight requests
/// finish (at most `request_timeout`). `refused` is called for each connection closed
/// at accept because of a limit.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    proxies: Arc<TrustedProxies>,
    shutdown: impl Future<Output = ()>,
    refused: impl Fn() + Send + Sync + 'static,
) {
    let open = Arc::new(Mutex::new(Open::default()));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true)
        .max_buf_size(64 * 1024);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(_) => {
                // Out of file descriptors (or a connection reset before accept): wait a
                // little instead of spinning; connections closing will free descriptors.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let exempt = proxies.trusts(peer.ip());
        let Some(admitted) = admit(&open, client_block(peer.ip()), &limits, exempt) else {
            refused();
            drop(stream);
            continue;
        };
        // Small writes (answers) go out at once.
        stream.set_nodelay(true).ok();
        let app = app.clone();
        let proxies = Arc::clone(&proxies);
        let request_timeout = limits.request_timeout;
        let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req.extensions_mut().insert(Arc::clone(&proxies));
            let mut app = app.clone();
            async move {
                match tokio::time::timeout(request_timeout, app.call(req)).await {
                    Ok(answer) => answer,
                    Err(_) => Ok((
                        StatusCode::REQUEST_TIMEOUT,
                        [(axum::http::header::CONNECTION, "close")],
                        "the request took too long\n",
                    )
                        .into_response()),
                }
            }
        });
        let stream = WriteDeadline {
            inner: stream,
            stall: limits.header_timeout,
            timer: None,
        };
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away mid-request is not an error of ours.
            connection.await.ok();
            drop(admitted);
        });
    }
    drop(listener);
    // In-flight requests finish; idle connections close at once.
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.request_timeout) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_to_a_client_that_does_not_read_fail_after_the_stall_bound() {
        use tokio::io::AsyncWriteExt;
        // A peer that never reads, with room for 64 bytes in flight.
        let (near, _far) = tokio::io::duplex(64);
        let mut conn = WriteDeadline {
            inner: near,
            stall: Duration::from_millis(200),
            timer: None,
        };
        let started = std::time::Instant::now();
        let result = conn.write_all(&[b'x'; 10_000]).await;
        assert_eq!(result.map_err(|e| e.kind()), Err(std::io::ErrorKind::TimedOut));
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        // A reader that keeps up is never cut off.
        let (near, mut far) = tokio::io::duplex(64);
        let mut conn = WriteDeadline {
            inner: near,
            stall: Duration::from_millis(200),
            timer: None,
        };
        let reader = tokio::spawn(async move {
            let mut sink = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut far, &mut sink)
                .await
                .map(|_| sink.len())
        });
        conn.write_all(&[b'y'; 10_000]).await.expect("written");
        conn.shutdown().await.expect("shut down");
        assert_eq!(reader.await.expect("reader").expect("read"), 10_000);
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("ip");
        assert_eq!(client_block(a), client_block(b));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().expect("ip");
        assert_eq!(client_block(mapped), "192.0.2.1".parse::<IpAddr>().expect("ip"));
    }

    #[test]
    fn connections_are_limited_overall_and_per_client() {
        let limits = Limits {
            max_connections: 3,
            max_connections_per_client: 2,
            ..Limits::default()
        };
        let open = Arc::new(Mutex::new(Open::default()));
        let a: IpAddr = "192.0.2.1".parse().expect("ip");
        let b: IpAddr = "192.0.2.2".parse().expect("ip");
        let a1 = admit(&open, a, &limits, false).expect("first");
        let a2 = admit(&open, a, &limits, false).expect("second");
        assert!(admit(&open, a, &limits, false).is_none(), "third from one client");
        let b1 = admit(&open, b, &limits, false).expect("another client");
        assert!(
            admit(&open, b, &limits, true).is_none(),
            "over the total even for a proxy"
        );
        drop(a1);
        let a3 = admit(&open, a, &limits, false).expect("a slot freed");
        drop((a2, a3, b1));
        let o = open.lock().expect("lock");
        assert_eq!((o.total, o.by_client.len()), (0, 0));
    }
}
