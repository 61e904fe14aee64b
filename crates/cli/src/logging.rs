//! Log lines on standard error: the `tracing` subscriber for the hub and the libraries
//! under it (sqlx, hyper). `key=value` text for people, or one JSON object per line for log
//! pipelines (`--log-format json`); `RUST_LOG` filters, by default info for designdoc's
//! crates and warn for the others.

use anyhow::{Context, Result};
use designdoc_hub::LogFormat;
use serde_json::Value;
use std::fmt::Write as _;
use tracing::field::{Field, Visit};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Targets match by prefix: `designdoc` covers `designdoc_hub`, `designdoc_store`, ...
const DEFAULT_FILTER: &str = "warn,designdoc=info";

/// Installs the subscriber for the whole process (once, before anything logs).
pub fn init(format: LogFormat) -> Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => tracing_subscriber::EnvFilter::try_new(&spec)
            .with_context(|| format!("RUST_LOG `{spec}` is not a valid filter"))?,
        _ => tracing_subscriber::EnvFilter::new(DEFAULT_FILTER),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .event_format(Lines(format))
        .try_init()
        .map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))
}

/// Writes each event as one line in the chosen format (the fmt layer's own formats put the
/// message under `fields.message` and spell levels in capitals; pipelines and tests read
/// `msg` and `level` at the top).
struct Lines(LogFormat);

impl<S, N> FormatEvent<S, N> for Lines
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let meta = event.metadata();
        let mut fields = Fields::default();
        event.record(&mut fields);
        // Events of other crates (sqlx, hyper) say where they come from.
        if !meta.target().starts_with("designdoc") {
            fields.pairs.push(("target", Value::from(meta.target())));
        }
        let level = meta.level().as_str().to_ascii_lowercase();
        writeln!(
            writer,
            "{}",
            format_line(self.0, &timestamp(), &level, &fields.message, &fields.pairs)
        )
    }
}

/// An event's message and its other fields in the order they were given.
#[derive(Default)]
struct Fields {
    message: String,
    pairs: Vec<(&'static str, Value)>,
}

impl Fields {
    fn add(&mut self, field: &Field, value: Value) {
        self.pairs.push((field.name(), value));
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        // Also reached for `%value` fields: their Debug is the value's Display.
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.add(field, Value::from(format!("{value:?}")));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.add(field, Value::from(value));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.add(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.add(field, Value::from(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.add(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.add(field, Value::from(value));
    }
}

/// Now as RFC 3339 UTC with milliseconds.
fn timestamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let day = secs % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        designdoc_model::civil_date(secs),
        day / 3600,
        day / 60 % 60,
        day % 60,
        now.subsec_millis()
    )
}

fn format_line(format: LogFormat, ts: &str, level: &str, msg: &str, fields: &[(&str, Value)]) -> String {
    match format {
        LogFormat::Json => {
            // Written by hand to keep ts, level and msg first.
            let mut line = format!(
                "{{\"ts\":{},\"level\":{},\"msg\":{}",
                Value::from(ts),
                Value::from(level),
                Value::from(msg)
            );
            for (k, v) in fields {
                // Writing to a String cannot fail.
                write!(line, ",{}:{v}", Value::from(*k)).ok();
            }
            line.push('}');
            line
        }
        LogFormat::Text => {
            let mut line = format!("{ts} {:<5} {msg}", level.to_uppercase());
            for (k, v) in fields {
                match v {
                    // Quote strings with spaces so lines stay splittable.
                    Value::String(s) if s.contains(char::is_whitespace) || s.is_empty() => {
                        write!(line, " {k}={v}").ok();
                    }
                    Value::String(s) => {
                        write!(line, " {k}={s}").ok();
                    }
                    other => {
                        write!(line, " {k}={other}").ok();
                    }
                }
            }
            line
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(format: LogFormat, expect: &str) {
        let fields = [("path", Value::from("/doc/a b")), ("status", Value::from(200))];
        let got = format_line(format, "2026-11-25T10:00:00.000Z", "info", "request", &fields);
        assert_eq!(got, expect);
    }

    #[test]
    fn text_lines_quote_values_with_spaces() {
        check(
            LogFormat::Text,
            "2026-11-25T10:00:00.000Z INFO  request path=\"/doc/a b\" status=200",
        );
    }

    #[test]
    fn json_lines_are_one_object() {
        check(
            LogFormat::Json,
            r#"{"ts":"2026-11-25T10:00:00.000Z","level":"info","msg":"request","path":"/doc/a b","status":200}"#,
        );
    }

    #[test]
    fn timestamps_are_rfc3339() {
        let ts = timestamp();
        assert_eq!(ts.len(), 24, "{ts}");
        assert!(ts.ends_with('Z') && ts.as_bytes()[10] == b'T', "{ts}");
    }

    /// A real event through the subscriber's formatter: typed fields keep their JSON type,
    /// `%` fields become strings, and a foreign crate's event names its target.
    #[test]
    fn events_become_one_json_object_each() {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Sink(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Sink {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0
                    .lock()
                    .map_err(|_| std::io::Error::other("poisoned"))?
                    .extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let sink = Sink::default();
        let writer = sink.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .event_format(Lines(LogFormat::Json))
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let path = String::from("/doc/a b");
            tracing::info!(target: "designdoc_hub", path = %path, status = 200u16, ms = 1.5, ok = true, "request");
            tracing::warn!(target: "sqlx::query", "slow statement");
        });
        let text = String::from_utf8(sink.0.lock().expect("lock").clone()).expect("utf-8");
        let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).expect(l)).collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(lines[0]["level"], "info");
        assert_eq!(lines[0]["msg"], "request");
        assert_eq!(lines[0]["path"], "/doc/a b");
        assert_eq!(
            (lines[0]["status"].as_u64(), lines[0]["ms"].as_f64()),
            (Some(200), Some(1.5))
        );
        assert_eq!(lines[0]["ok"], true);
        assert!(lines[0].get("target").is_none(), "{text}");
        assert_eq!(
            (&lines[1]["level"], &lines[1]["target"]),
            (&Value::from("warn"), &Value::from("sqlx::query"))
        );
    }
}
