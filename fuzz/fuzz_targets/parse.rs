//! Fuzzes `designdoc_model::parse` on arbitrary text (bytes converted lossily to UTF-8):
//! parsing is documented never to fail and never to panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(init: common::install_known_panic_filter(), |data: &[u8]| {
    common::run(data, || {
        let text = String::from_utf8_lossy(data);
        let (doc, errors) = designdoc_model::parse(&text);
        // Touch the results so nothing is optimised away.
        std::hint::black_box((&doc, &errors));
    });
});
