//! Shared by the targets: an opt-in filter for bugs already found, so that a long run can
//! look past them. `FUZZ_KNOWN_PANICS` holds `|`-separated substrings; a panic whose
//! `file:line:col: message` contains one of them is a known bug: it is not reported
//! (libFuzzer's abort-on-panic hook is skipped) and the input simply counts as done.
//! Unset (the default), every panic is a crash.

use std::sync::OnceLock;

fn known() -> &'static [String] {
    static KNOWN: OnceLock<Vec<String>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        std::env::var("FUZZ_KNOWN_PANICS")
            .map(|v| v.split('|').filter(|s| !s.is_empty()).map(str::to_string).collect())
            .unwrap_or_default()
    })
}

/// Call from `fuzz_target!(init: ...)`, after libFuzzer's hook is installed.
pub fn install_known_panic_filter() {
    if known().is_empty() {
        return;
    }
    eprintln!("FUZZ_KNOWN_PANICS: ignoring panics matching {:?}", known());
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let location = info.location().map(|l| l.to_string()).unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let full = format!("{location}: {message}");
        if !known().iter().any(|k| full.contains(k.as_str())) {
            report(info);
        }
    }));
}

/// Runs one input; a known panic (the only kind that unwinds this far) is swallowed.
/// With `FUZZ_LAST_INPUT=FILE`, each input is first written to FILE, so that an input
/// that kills the process without libFuzzer noticing (a fault on an exhausted stack, an
/// external kill) is still on disk afterwards.
pub fn run(data: &[u8], body: impl FnOnce()) {
    static LAST: OnceLock<Option<String>> = OnceLock::new();
    if let Some(path) = LAST.get_or_init(|| std::env::var("FUZZ_LAST_INPUT").ok()) {
        std::fs::write(path, data).ok();
    }
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
}
