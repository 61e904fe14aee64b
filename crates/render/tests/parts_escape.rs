//! Hostile text in every shared page part comes out escaped: a title, author, tag, status,
//! section title, finding message or register cell holding markup shows as text.

use designdoc_check::{Diagnostic, Level};
use designdoc_model::Span;
use designdoc_render::parts::{self, DocColumns, DocLink, DocRow, Filters, Frame, Heading, html};

mod escape;
use escape::{ESCAPED, HOSTILE, check};

fn link() -> DocLink<'static> {
    DocLink {
        href: HOSTILE.to_string(),
        title: HOSTILE,
    }
}

#[test]
fn hostile_text_is_escaped_in_every_part() {
    let tags = vec![HOSTILE.to_string()];
    let frame = Frame {
        brand: HOSTILE,
        home: HOSTILE,
        assets: "/",
        nav: &[(HOSTILE, HOSTILE.to_string())],
        account: html! { span { (HOSTILE) } },
        csp: None,
        scripts: &[],
    };
    check("frame", parts::page(&frame, HOSTILE, html! {}), ESCAPED);
    check("badge", parts::badge(HOSTILE), ESCAPED);

    let source = "# Title\n\n## Section\n\nText.\n".to_string();
    let (mut doc, _) = designdoc_model::parse(&source);
    for s in &mut doc.sections {
        s.title = HOSTILE.to_string();
        s.anchor = HOSTILE.to_string();
    }
    check("toc", parts::toc(&doc), ESCAPED);
    let finding = Diagnostic {
        code: "DD001",
        name: "test",
        level: Level::Warning,
        message: HOSTILE.to_string(),
        span: Span { start: 20, end: 21 },
        label: None,
        help: None,
        fix: None,
    };
    check("findings", parts::findings(&source, Some(&doc), &[finding]), ESCAPED);
    check(
        "details",
        parts::details(HOSTILE, [parts::text_detail("Authors", HOSTILE)]),
        ESCAPED,
    );
    check(
        "doc view",
        parts::doc_view(Heading::Add(HOSTILE), "<p>sanitized</p>", html! {}),
        ESCAPED,
    );

    for scripted in [true, false] {
        let row = DocRow {
            href: HOSTILE.to_string(),
            space: HOSTILE,
            id: HOSTILE,
            title: HOSTILE,
            status: HOSTILE,
            authors: &tags,
            tags: &tags,
            updated: HOSTILE.to_string(),
            findings: (1, 2),
            revision: 3,
        };
        let columns = DocColumns {
            space: true,
            findings: true,
            revision: true,
            scripted,
        };
        // The filter script's attributes hold the title lowercased.
        check("doc table", parts::doc_table(&[row], &columns), ESCAPED);
    }
    let spaces = [HOSTILE];
    let filters = Filters {
        action: Some(HOSTILE),
        spaces: Some((&spaces, Some(HOSTILE))),
        statuses: &spaces,
        status: Some(HOSTILE),
        author: HOSTILE,
        tag: HOSTILE,
        text: Some(HOSTILE),
    };
    check(
        "doc index",
        parts::doc_index(&filters, html! {}, html! {}, html! {}),
        ESCAPED,
    );

    let risk = parts::Risk {
        risk: HOSTILE,
        impact: HOSTILE,
        likelihood: HOSTILE,
        mitigation: HOSTILE,
        doc: link(),
    };
    check("risks", parts::risks(vec![risk], true), ESCAPED);
    let component = parts::Component {
        name: HOSTILE,
        purpose: HOSTILE,
        anchor: HOSTILE,
        doc: link(),
    };
    check("components", parts::components(vec![component], false), ESCAPED);
    let entity = parts::Entity {
        name: HOSTILE,
        defined: true,
        doc: link(),
    };
    check("entities", parts::entities(vec![entity], true), ESCAPED);
}

#[test]
fn the_doc_view_keeps_the_sanitized_body_as_markup() {
    // The one raw insertion: the body, already sanitized when rendered.
    check(
        "doc body",
        parts::doc_view(Heading::InBody(Some("t")), "<h1 id=\"t\">T</h1>", html! { (ESCAPED) }),
        "<h1 id=\"t\">T</h1>",
    );
}
