//! The hub's logs are `tracing` events: a message and `key = value` fields, at info for
//! what happened (a request, a publish), warn for a document refused, error for a failure
//! of ours. The binary installs the subscriber that writes them (`key=value` text or one
//! JSON object per line); the hub prints nothing itself. Events never carry secrets:
//! database URLs are redacted before they get here, and tokens are never logged.

/// How the binary writes log lines (`[hub] log_format`, `--log-format`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// `2026-11-25T10:00:00.000Z INFO  request path="/doc/a b" status=200`, for people.
    Text,
    /// One JSON object per line with `ts`, `level` and `msg` first, for log pipelines.
    Json,
}
