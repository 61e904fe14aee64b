//! Differential fuzzing of the SVG sanitizer against html5ever's tokenizer: whatever the
//! would-be SVG, `sanitize_svg`'s output must (1) pass the crate's own re-read,
//! `active_content`, and (2) when tokenized here, hold no script-like, embedding,
//! linking or animation start tag, no `on*` attribute, no attribute whose name contains
//! `href`, and no value with `javascript:` or a `url(` that does not go to `#fragment`.
#![no_main]

use designdoc_render::diagram::{active_content, sanitize_svg};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;
use std::cell::RefCell;

const FORBIDDEN_TAGS: &[&str] = &[
    "script",
    "foreignobject",
    "iframe",
    "object",
    "embed",
    "a",
    "animate",
    "set",
    "image",
    "use",
    "style",
];

/// Collects every violation the tokenizer sees.
struct Auditor {
    problems: RefCell<Vec<String>>,
}

/// A value as a URL or CSS parser reads it: case-folded, whitespace and controls gone
/// (`java\tscript:` and `url( x)` still count).
fn squash(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect()
}

impl TokenSink for Auditor {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind != TagKind::StartTag {
            return TokenSinkResult::Continue;
        }
        let mut problems = self.problems.borrow_mut();
        let name = tag.name.to_ascii_lowercase();
        if FORBIDDEN_TAGS.contains(&&*name) {
            problems.push(format!("start tag <{name}>"));
        }
        for attr in &tag.attrs {
            let key = attr.name.local.to_ascii_lowercase();
            let value = squash(&attr.value);
            if key.starts_with("on") {
                problems.push(format!("<{name}>: event handler attribute {key}={:?}", &*attr.value));
            }
            if key.contains("href") {
                problems.push(format!("<{name}>: link attribute {key}={:?}", &*attr.value));
            }
            if value.contains("javascript:") {
                problems.push(format!("<{name}>: javascript: in {key}={:?}", &*attr.value));
            }
            if value.split("url(").skip(1).any(|rest| !rest.starts_with('#')) {
                problems.push(format!("<{name}>: url() not to a fragment in {key}={:?}", &*attr.value));
            }
        }
        TokenSinkResult::Continue
    }
}

fn audit(markup: &str) -> Vec<String> {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(markup));
    let tokenizer = Tokenizer::new(
        Auditor {
            problems: RefCell::new(Vec::new()),
        },
        TokenizerOpts::default(),
    );
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.problems.into_inner()
}

fuzz_target!(init: common::install_known_panic_filter(), |data: &[u8]| {
    common::run(data, || {
        let dirty = String::from_utf8_lossy(data);
        let clean = sanitize_svg(&dirty);
        if let Some(what) = active_content(&clean) {
            panic!("active_content found {what} in sanitized output\n  input: {dirty:?}\n  clean: {clean:?}");
        }
        let problems = audit(&clean);
        if !problems.is_empty() {
            panic!("tokenizer found {problems:?} in sanitized output\n  input: {dirty:?}\n  clean: {clean:?}");
        }
    });
});
