//! The frame around every page: head (the page's own CSP where it has no headers, the
//! stylesheet), the header with brand and navigation, the main region, and the page's
//! scripts, which are always files (the CSP forbids inline script).

use maud::{DOCTYPE, Markup, html};

/// The register pages every navigation links to: label and the name their URL is made of.
pub const REGISTERS: [(&str, &str); 3] = [
    ("Risks", "risks"),
    ("Components", "components"),
    ("Entities", "entities"),
];

/// What differs between the static site's frame and the hub's.
pub struct Frame<'a> {
    /// Shown in the header and after each page title.
    pub brand: &'a str,
    /// Where the brand links to.
    pub home: &'a str,
    /// Put before `assets/…`: `../` steps on a static page (opened from disk, so links are
    /// relative), `/` on the hub.
    pub assets: &'a str,
    /// Navigation links: label and href.
    pub nav: &'a [(&'a str, String)],
    /// Navigation after the links (the hub's account links and sign-out form).
    pub account: Markup,
    /// A policy for a `<meta>`: a static page has no response headers to carry one.
    pub csp: Option<&'a str>,
    /// Script files under `assets/`, loaded at the end of the body.
    pub scripts: &'a [&'a str],
}

/// A whole page: `body` inside the frame, titled `title`.
pub fn page(frame: &Frame, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE) "\n"
        html lang="en" {
            "\n"
            head {
                "\n" meta charset="utf-8";
                "\n" meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(csp) = frame.csp {
                    "\n" meta http-equiv="Content-Security-Policy" content=(csp);
                }
                "\n" title { (title) " · " (frame.brand) }
                "\n" link rel="stylesheet" href={ (frame.assets) "assets/site.css" };
                "\n"
            }
            "\n"
            body {
                "\n"
                header.site role="banner" {
                    a.brand href=(frame.home) { (frame.brand) }
                    "\n"
                    nav aria-label="Site" {
                        @for (label, href) in frame.nav {
                            a href=(href) { (label) }
                        }
                        (frame.account)
                    }
                }
                "\n"
                main #main { "\n" (body) "\n" }
                @for script in frame.scripts {
                    "\n" script src={ (frame.assets) "assets/" (script) } {}
                }
                "\n"
            }
            "\n"
        }
        "\n"
    }
}
