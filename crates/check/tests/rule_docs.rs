//! The rule pages checked into docs/rules are what the rules' doc comments generate, and
//! every link SARIF and the language server give points at one of them.

use std::collections::BTreeSet;
use std::path::Path;

const REGENERATE: &str = "regenerate with `cargo run -- rules --markdown docs/rules`";

#[test]
fn checked_in_rule_docs_match_the_code() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(designdoc_check::rules::DOCS_DIR);
    let pages = designdoc_check::rules::pages();
    for (name, text) in &pages {
        let on_disk = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(on_disk == *text, "docs/rules/{name} is out of date: {REGENERATE}");
    }
    let expected: BTreeSet<String> = pages.into_iter().map(|(name, _)| name).collect();
    let found: BTreeSet<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let stale: Vec<&String> = found.difference(&expected).collect();
    assert!(
        stale.is_empty(),
        "docs/rules has pages of no rule: {stale:?}; {REGENERATE}"
    );
}

#[test]
fn every_rule_links_to_its_page() {
    for m in designdoc_check::rules::all() {
        let url = designdoc_check::rules::docs_url(m.code);
        let page = format!("{}/{}.md", designdoc_check::rules::DOCS_DIR, m.code);
        assert!(url.starts_with("https://github.com/"), "{url}");
        assert!(url.ends_with(&page), "{url} does not name {page}");
        assert!(designdoc_check::rules::page(&m).contains(&format!("# {} {}", m.code, m.name)));
    }
}
