//! Structured logs on standard error: `key=value` text for people, or one JSON object per
//! line for log pipelines (`--log-format json`). Never given secrets: database URLs are
//! redacted before they get here, and tokens are never logged.

use serde_json::Value;
use std::io::Write;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

pub struct Log {
    format: LogFormat,
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

impl Log {
    pub fn new(format: LogFormat) -> Log {
        Log { format }
    }

    pub fn info(&self, msg: &str, fields: &[(&str, Value)]) {
        self.write("info", msg, fields);
    }

    pub fn warn(&self, msg: &str, fields: &[(&str, Value)]) {
        self.write("warn", msg, fields);
    }

    pub fn error(&self, msg: &str, fields: &[(&str, Value)]) {
        self.write("error", msg, fields);
    }

    fn write(&self, level: &str, msg: &str, fields: &[(&str, Value)]) {
        let line = self.format_line(&timestamp(), level, msg, fields);
        // A closed stderr must not take the server down.
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }

    fn format_line(&self, ts: &str, level: &str, msg: &str, fields: &[(&str, Value)]) -> String {
        match self.format {
            LogFormat::Json => {
                // Written by hand to keep ts, level and msg first.
                let mut line = format!(
                    "{{\"ts\":{},\"level\":{},\"msg\":{}",
                    Value::from(ts),
                    Value::from(level),
                    Value::from(msg)
                );
                for (k, v) in fields {
                    line.push_str(&format!(",{}:{v}", Value::from(*k)));
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
                            line.push_str(&format!(" {k}={}", Value::String(s.clone())));
                        }
                        Value::String(s) => line.push_str(&format!(" {k}={s}")),
                        other => line.push_str(&format!(" {k}={other}")),
                    }
                }
                line
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(format: LogFormat, expect: &str) {
        let fields = [("path", Value::from("/doc/a b")), ("status", Value::from(200))];
        let got = Log::new(format).format_line("2026-11-25T10:00:00.000Z", "info", "request", &fields);
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
}
