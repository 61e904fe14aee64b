//! Fuzzes `designdoc_model::mermaid::parse_diagram` on arbitrary text: every diagram
//! parser (flowchart, sequence, class, state, ER, kind detection) must return, never
//! panic, and keep its error ranges inside the source on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(init: common::install_known_panic_filter(), |data: &[u8]| {
    common::run(data, || {
        let text = String::from_utf8_lossy(data);
        let parsed = designdoc_model::mermaid::parse_diagram(&text);
        for e in &parsed.errors {
            assert!(e.range.start <= e.range.end && e.range.end <= text.len(), "{e:?}");
            assert!(text.is_char_boundary(e.range.start) && text.is_char_boundary(e.range.end), "{e:?}");
        }
        std::hint::black_box(&parsed);
    });
});
