//! `/metrics` in the Prometheus text format. Request counts and latencies are per process
//! (Prometheus sums instances); document, revision and finding figures are read from the
//! database at scrape time, so every instance reports the same values. Labels are route
//! templates, never raw paths or space names, so they stay few and leak nothing.

use super::Hub;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Counters {
    /// (method, route, status) -> requests
    requests: BTreeMap<(String, String, u16), u64>,
    /// route -> latency histogram
    latency: BTreeMap<String, Histogram>,
    /// result -> publishes
    publishes: BTreeMap<&'static str, u64>,
    /// Connections closed at accept because of a connection limit.
    connections_refused: u64,
}

#[derive(Default)]
pub struct Metrics {
    counters: Mutex<Counters>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut c) = self.counters.lock() else { return };
        *c.requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let h = c.latency.entry(route.to_string()).or_default();
        if let Some(i) = BUCKETS.iter().position(|&b| seconds <= b) {
            h.counts[i] += 1;
        }
        h.sum += seconds;
        h.count += 1;
    }

    /// Counts one document publish by result (`created`, `unchanged`, `error`).
    pub fn published(&self, result: &'static str) {
        if let Ok(mut c) = self.counters.lock() {
            *c.publishes.entry(result).or_default() += 1;
        }
    }

    /// Counts a connection closed at accept because of a limit.
    pub fn refused_connection(&self) {
        if let Ok(mut c) = self.counters.lock() {
            c.connections_refused += 1;
        }
    }

    fn render_counters(&self, out: &mut String) {
        let Ok(c) = self.counters.lock() else { return };
        let _ = writeln!(
            out,
            "# HELP designdoc_connections_refused_total Connections closed at accept because of a connection limit.\n# TYPE designdoc_connections_refused_total counter\ndesigndoc_connections_refused_total {}",
            c.connections_refused
        );
        let _ = writeln!(
            out,
            "# HELP designdoc_diagram_drawings_abandoned Diagram drawings that overran their time budget and still run.\n# TYPE designdoc_diagram_drawings_abandoned gauge\ndesigndoc_diagram_drawings_abandoned {}",
            designdoc_render::diagram::abandoned_drawings()
        );
        let _ = writeln!(
            out,
            "# HELP designdoc_diagram_drawings_stopped_for_memory Diagram drawings stopped at their memory budget (their threads stay parked).\n# TYPE designdoc_diagram_drawings_stopped_for_memory gauge\ndesigndoc_diagram_drawings_stopped_for_memory {}",
            designdoc_render::diagram::drawings_stopped_for_memory()
        );
        out.push_str("# HELP designdoc_http_requests_total HTTP requests by method, route and status.\n# TYPE designdoc_http_requests_total counter\n");
        for ((method, route, status), n) in &c.requests {
            let _ = writeln!(
                out,
                "designdoc_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                label(method),
                label(route)
            );
        }
        out.push_str("# HELP designdoc_http_request_duration_seconds HTTP request latency by route.\n# TYPE designdoc_http_request_duration_seconds histogram\n");
        for (route, h) in &c.latency {
            let route = label(route);
            let mut cumulative = 0;
            for (b, n) in BUCKETS.iter().zip(h.counts) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "designdoc_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "designdoc_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\ndesigndoc_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\ndesigndoc_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count, h.sum, h.count
            );
        }
        out.push_str("# HELP designdoc_publish_total Documents published through this instance, by result.\n# TYPE designdoc_publish_total counter\n");
        for result in ["created", "unchanged", "error"] {
            let n = c.publishes.get(result).copied().unwrap_or(0);
            let _ = writeln!(out, "designdoc_publish_total{{result=\"{result}\"}} {n}");
        }
    }
}

/// Escapes a label value (backslash, quote, newline).
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Middleware: times every request, counts it by route template and status, and writes
/// the access log line.
pub async fn track(State(hub): State<Arc<Hub>>, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let client = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
        .zip(request.extensions().get::<Arc<super::client::TrustedProxies>>())
        .map(|(peer, proxies)| proxies.client(peer, request.headers()).to_string())
        .unwrap_or_default();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let response = next.run(request).await;
    let seconds = start.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    hub.metrics.observe(&method, &route, status, seconds);
    tracing::info!(
        method,
        path,
        route,
        client,
        status,
        ms = (seconds * 1e6).round() / 1e3,
        "request"
    );
    response
}

/// `GET /metrics`: for the Prometheus servers in `[hub] metrics_from` (by TCP peer, never
/// by a forwarded header) and signed-in admins; to anyone else it does not exist.
pub async fn endpoint(
    State(hub): State<Arc<Hub>>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    caller: super::auth::Caller,
) -> Response {
    if !hub.metrics_from.trusts(peer.ip()) && caller.require_admin().is_err() {
        return super::api::not_found().await.into_response();
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP designdoc_build_info The running version.\n# TYPE designdoc_build_info gauge\ndesigndoc_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    hub.metrics.render_counters(&mut out);
    match hub.store.figures().await {
        Ok(f) => {
            out.push_str("# HELP designdoc_database_up Whether the last scrape could read the database.\n# TYPE designdoc_database_up gauge\ndesigndoc_database_up 1\n");
            out.push_str("# HELP designdoc_documents Documents by status.\n# TYPE designdoc_documents gauge\n");
            for (status, n, _) in &f.by_status {
                let _ = writeln!(out, "designdoc_documents{{status=\"{}\"}} {n}", label(status));
            }
            out.push_str("# HELP designdoc_documents_oldest_update_seconds Unix time of the least recently updated document, by status.\n# TYPE designdoc_documents_oldest_update_seconds gauge\n");
            for (status, _, oldest) in &f.by_status {
                let _ = writeln!(
                    out,
                    "designdoc_documents_oldest_update_seconds{{status=\"{}\"}} {}",
                    label(status),
                    oldest / 1000
                );
            }
            out.push_str("# HELP designdoc_findings Findings in current revisions, by rule and level.\n# TYPE designdoc_findings gauge\n");
            for (code, level, n) in &f.findings {
                let _ = writeln!(
                    out,
                    "designdoc_findings{{rule=\"{}\",level=\"{}\"}} {n}",
                    label(code),
                    label(level)
                );
            }
            let _ = writeln!(
                out,
                "# HELP designdoc_revisions Revisions stored.\n# TYPE designdoc_revisions gauge\ndesigndoc_revisions {}",
                f.revisions
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "metrics: cannot read the database");
            out.push_str("# HELP designdoc_database_up Whether the last scrape could read the database.\n# TYPE designdoc_database_up gauge\ndesigndoc_database_up 0\n");
        }
    }
    let mut response = (StatusCode::OK, out).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_labels_escaped() {
        let m = Metrics::default();
        m.observe("GET", "/doc/{space}/{*path}", 200, 0.0007);
        m.observe("GET", "/doc/{space}/{*path}", 200, 0.02);
        m.observe("GET", "/a\"b", 404, 30.0);
        m.published("created");
        let mut out = String::new();
        m.render_counters(&mut out);
        assert!(
            out.contains(
                "designdoc_http_requests_total{method=\"GET\",route=\"/doc/{space}/{*path}\",status=\"200\"} 2"
            ),
            "{out}"
        );
        assert!(
            out.contains("route=\"/doc/{space}/{*path}\",le=\"0.001\"} 1\n"),
            "{out}"
        );
        assert!(out.contains("route=\"/doc/{space}/{*path}\",le=\"0.01\"} 1\n"), "{out}");
        assert!(
            out.contains("route=\"/doc/{space}/{*path}\",le=\"0.025\"} 2\n"),
            "{out}"
        );
        // Slower than the last bound: only in +Inf.
        assert!(out.contains("route=\"/a\\\"b\",le=\"10\"} 0\n"), "{out}");
        assert!(out.contains("route=\"/a\\\"b\",le=\"+Inf\"} 1\n"), "{out}");
        assert!(out.contains("designdoc_publish_total{result=\"created\"} 1\n"), "{out}");
        assert!(out.contains("designdoc_publish_total{result=\"error\"} 0\n"), "{out}");
    }
}
