//! The form pieces the hub's pages repeat: the hidden CSRF field, POST forms that carry it,
//! small one-button forms and the message shown above a page after a form. Here and not in
//! the shared page parts because the static site posts nothing (its CSP forbids forms).

use maud::{Markup, html};

/// The hidden field every POST form carries; [`crate::auth::Caller::check_form`] compares
/// it with the session's token.
pub fn csrf_field(token: &str) -> Markup {
    // `name` before `value`: tests find the token by that order.
    html! { input type="hidden" name="csrf" value=(token); }
}

/// A hidden field with a fixed value (which action a button posts, which thread).
pub fn hidden_field(name: &str, value: &str) -> Markup {
    html! { input type="hidden" name=(name) value=(value); }
}

/// A POST form to `action` carrying the CSRF token `csrf`, around `fields`.
pub fn post_form(action: &str, csrf: &str, class: Option<&str>, id: Option<&str>, fields: Markup) -> Markup {
    html! {
        form method="post" action=(action) class=[class] id=[id] {
            (csrf_field(csrf))
            (fields)
        }
    }
}

/// A form that is one button: posts `hidden` to `action`, shown inline beside its peers.
pub fn button_form(action: &str, csrf: &str, hidden: &[(&str, &str)], button_id: Option<&str>, label: &str) -> Markup {
    let fields = html! {
        @for (name, value) in hidden { (hidden_field(name, value)) }
        button type="submit" id=[button_id] { (label) }
    };
    post_form(action, csrf, Some("inline"), None, fields)
}

/// What a form did, above the page it leads back to: `body` says it.
pub fn flash_done(body: Markup) -> Markup {
    html! { p.panel role="status" { (body) } "\n" }
}

/// Why a form did nothing, above the page it leads back to.
pub fn flash_error(message: &str) -> Markup {
    html! { p.finding.error role="alert" { (message) } "\n" }
}

/// The hostile text and check of the render crate's escape tests, shared by path so both
/// crates test against the same attack.
#[cfg(test)]
#[path = "../../render/tests/escape/mod.rs"]
mod hostile;

#[cfg(test)]
mod escape_tests;
