//! Fuzzes `designdoc_check::Checker` built from the default template: checking arbitrary
//! text (bytes converted lossily to UTF-8) must not panic.
#![no_main]

use designdoc_check::Checker;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;
use std::sync::OnceLock;

fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(Checker::with_default_template)
}

fuzz_target!(init: common::install_known_panic_filter(), |data: &[u8]| {
    common::run(data, || {
        let text = String::from_utf8_lossy(data);
        let checked = checker().check(&text);
        std::hint::black_box(&checked);
    });
});
