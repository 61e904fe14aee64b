//! Rule documentation pages: one Markdown file per rule (`docs/rules/DD001.md`) and an
//! index, generated from the rules' own doc comments, and the stable URL of each page that
//! SARIF (`helpUri`) and the language server link to.

use super::RuleMeta;

/// The project's home, from `repository` in Cargo.toml: the one place the URL is spelled.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// Where the pages live in the repository, relative to its root.
pub const DOCS_DIR: &str = "docs/rules";

/// The file name of the index page in [`DOCS_DIR`].
pub const INDEX: &str = "README.md";

/// The stable URL of a rule's documentation page (codes are never reused, so the link
/// keeps meaning the same rule).
pub fn docs_url(code: &str) -> String {
    format!("{REPOSITORY}/blob/main/{DOCS_DIR}/{code}.md")
}

/// The default level as a sentence part: `error (warning while the document is a draft)`.
fn level_text(m: &RuleMeta) -> String {
    if m.lifecycle {
        format!(
            "{} (a warning while the document's status is draft or unset)",
            m.default_level.as_str()
        )
    } else {
        m.default_level.as_str().to_string()
    }
}

/// One rule's page.
pub fn page(m: &RuleMeta) -> String {
    format!(
        "<!-- Generated from the rule's doc comment: `designdoc rules --markdown {DOCS_DIR}`. Do not edit. -->\n\
         # {code} {name}\n\n\
         Default level: {level}. Set it in designdoc.toml: `[rules] {name} = \"off\"` \
         (or `{code} = ...`; levels: off, info, warning, error).\n\n\
         {doc}\n",
        code = m.code,
        name = m.name,
        level = level_text(m),
        doc = m.doc_text(),
    )
}

/// The index page: every rule with its summary and a link to its page.
pub fn index(all: &[RuleMeta]) -> String {
    let mut out = format!(
        "<!-- Generated from the rules' doc comments: `designdoc rules --markdown {DOCS_DIR}`. Do not edit. -->\n\
         # designdoc rules\n\n\
         Each finding of `designdoc check` names one of these rules. \
         `designdoc rules CODE` prints the same text.\n\n\
         | code | name | default level | summary |\n|---|---|---|---|\n"
    );
    for m in all {
        let summary = m.summary().replace('|', "\\|");
        out.push_str(&format!(
            "| [{code}]({code}.md) | {name} | {level} | {summary} |\n",
            code = m.code,
            name = m.name,
            level = if m.lifecycle {
                format!("{}*", m.default_level.as_str())
            } else {
                m.default_level.as_str().to_string()
            },
        ));
    }
    out.push_str("\n\\* a warning while the document's status is draft (or unset), an error in review, approved or implemented.\n");
    out
}

/// Every page as (file name in [`DOCS_DIR`], contents): one per rule, then the index.
pub fn pages() -> Vec<(String, String)> {
    let all = super::all();
    let mut out: Vec<(String, String)> = all.iter().map(|m| (format!("{}.md", m.code), page(m))).collect();
    out.push((INDEX.to_string(), index(&all)));
    out
}
