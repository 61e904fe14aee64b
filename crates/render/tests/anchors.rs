//! The page's heading ids are the model's anchors: the contents panel, stored sections and
//! review comments link to the ids the page really has, headings in quotes and lists
//! included (GitHub counts them).

use designdoc_render::site::{PageInput, body_html, toc_html};

fn check(source: &str, expect_ids: &[&str]) {
    let (doc, _) = designdoc_model::parse(source);
    let html = body_html(&PageInput {
        rel_path: "x.md".to_string(),
        source,
        doc: &doc,
        diagnostics: &[],
        modified: None,
    });
    let ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert_eq!(ids, expect_ids, "{html}");
    // Every section the contents panel links to is an id of the page.
    for s in doc.sections.iter().filter(|s| (2..=3).contains(&s.level)) {
        assert!(ids.contains(&s.anchor.as_str()), "{} not on the page", s.anchor);
        assert!(toc_html(&doc).contains(&format!("#{}", s.anchor)));
    }
}

#[test]
fn nested_headings_shift_the_suffixes_of_later_sections() {
    check(
        "# T\n\n> ## Notes\n\n## Notes\n\n- ## Notes\n\n## Notes\n",
        &["t", "notes", "notes-1", "notes-2", "notes-3"],
    );
}

#[test]
fn repeated_titles_count_up() {
    check(
        "# A\n\n## Risks\n\n### Risks\n\n## Other\n",
        &["a", "risks", "risks-1", "other"],
    );
}
