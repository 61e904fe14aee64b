//! What the escape tests of the page parts share: a hostile text and a check that it shows
//! as text. Also used by the hub's tests of its own parts (by path: one definition of what
//! "hostile" means for both crates).

use maud::Markup;

/// Closes an attribute, opens elements with handlers, and holds a bare `&`.
pub const HOSTILE: &str = r#"<script>alert(1)</script>"><img src=x onerror=alert(2)>&x"#;
/// The same, escaped.
pub const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;x";

/// `part` shows `expect` (the hostile text, escaped) and none of the hostile markup.
pub fn check(part: &str, html: Markup, expect: &str) {
    let html = html.into_string();
    assert!(html.contains(expect), "{part}: `{expect}` missing in\n{html}");
    for raw in ["<script>alert", "\"><img", "<img", "&x"] {
        assert!(!html.contains(raw), "{part}: `{raw}` unescaped in\n{html}");
    }
}
