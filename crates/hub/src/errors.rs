//! Error answers for people: a browser that asked for a page (and not the API) gets an
//! HTML page saying what went wrong and what to do next; the API, and any client that did
//! not ask for HTML, gets the JSON `{"error": ...}` the handlers made. Handlers stay
//! unaware: this layer turns their JSON into the page.

use super::pages::frame_page;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use designdoc_check::facts::Blocking;
use designdoc_render::parts::{Markup, html};

/// The most of an error body read back (handlers' errors are a line or a list).
const MAX_ERROR_BODY: usize = 256 * 1024;

/// Whether the request is a browser asking for a page.
fn wants_page(req: &Request) -> bool {
    let path = req.uri().path();
    !path.starts_with("/api/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
}

/// The layer: JSON errors of page requests become HTML error pages, status kept.
pub async fn html_errors(req: Request, next: Next) -> Response {
    let page = wants_page(&req);
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if !page || !is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let (message, blocking) = match to_bytes(body, MAX_ERROR_BODY).await {
        Ok(bytes) => read_error(&bytes),
        Err(_) => (String::new(), Vec::new()),
    };
    let html = error_page(status, &message, &blocking, &path).into_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Response::from_parts(parts, Body::from(html)).into_response()
}

/// The message and the blocking findings of a JSON error body.
fn read_error(bytes: &[u8]) -> (String, Vec<Blocking>) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return (String::new(), Vec::new());
    };
    let message = v["error"].as_str().unwrap_or_default().to_string();
    let blocking = serde_json::from_value(v["blocking"].clone()).unwrap_or_default();
    (message, blocking)
}

/// The page that went wrong's way back: a review form's document, else the index.
fn back_to(path: &str) -> (String, &'static str) {
    match path.strip_prefix("/review/") {
        Some(rest) => (format!("/doc/{rest}#review"), "Back to the document"),
        None => ("/".to_string(), "Go to the documents"),
    }
}

/// What went wrong (`status`, the handler's `message`, the findings that block) and what
/// to do about it.
pub fn error_page(status: StatusCode, message: &str, blocking: &[Blocking], path: &str) -> Markup {
    let (title, advice) = match status.as_u16() {
        400 => (
            "The request was not understood",
            "Go back, correct the form and send it again.",
        ),
        401 => ("Sign in first", "Sign in, then open the page again."),
        403 => (
            "Not allowed",
            "Your role does not allow this here. An admin can grant you a role in this space.",
        ),
        404 => (
            "Not found",
            "Check the address, or find the document from the list of documents or with search.",
        ),
        409 => (
            "Not possible now",
            "The document is not in a state that allows this, or changed since you loaded it. \
             Reload the document page, read what it says now, and try again.",
        ),
        413 => ("Too large", "Send less at once."),
        429 => ("Too many requests", "Wait a minute and try again."),
        500..=599 => (
            "Something went wrong on the hub",
            "The error is logged for the hub's admins. Try again in a moment.",
        ),
        _ => ("The request failed", "Go back and try again."),
    };
    let (back, back_label) = back_to(path);
    let doc = back.split('#').next().unwrap_or("/").to_string();
    let body = html! {
        section #error .panel role="alert" {
            h1 { (title) } "\n"
            p.meta { "HTTP " (status.as_u16()) } "\n"
            @if !message.is_empty() { p #error-message { strong { (message) } } "\n" }
            @if !blocking.is_empty() {
                ul #blocking {
                    @for b in blocking {
                        (super::review::blocking_item(b, &doc))
                    }
                }
                "\n"
            }
            p { (advice) } "\n"
            p {
                a href=(back) { (back_label) }
                @if status == StatusCode::UNAUTHORIZED { " · " a href="/login" { "Sign in" } }
                " · " a href="/search" { "Search" }
            }
        }
    };
    frame_page(html! {}, title, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_page_says_what_and_what_to_do_and_escapes_the_message() {
        let blocking = [Blocking {
            code: "DD010".into(),
            message: "placeholder <left> in".into(),
            line: 9,
            section: Some("Goals".into()),
            anchor: Some("goals".into()),
        }];
        let html = error_page(
            StatusCode::CONFLICT,
            "1 error finding blocks <review>",
            &blocking,
            "/review/team/a.md",
        )
        .into_string();
        assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
        assert!(html.contains("1 error finding blocks &lt;review&gt;"), "{html}");
        assert!(html.contains("href=\"/doc/team/a.md#goals\""), "{html}");
        assert!(html.contains("Reload the document page"), "{html}");
        assert!(html.contains("href=\"/doc/team/a.md#review\""), "{html}");
        let html = error_page(StatusCode::NOT_FOUND, "no such document", &[], "/doc/x/y.md").into_string();
        assert!(html.contains("Not found") && html.contains("href=\"/\""), "{html}");
    }
}
