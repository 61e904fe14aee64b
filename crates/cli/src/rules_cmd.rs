//! `designdoc rules`: the rule table, or one rule's documentation.

use crate::Outcome;
use anyhow::{Context, Result, bail};
use designdoc_check::rules;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct RulesArgs {
    /// A rule code or name to show in full (e.g. DD001 or missing-section).
    pub rule: Option<String>,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
    /// Write the rule documentation pages (one `CODE.md` per rule and a README.md index)
    /// into this folder; the repository keeps them in docs/rules, the pages SARIF's
    /// `helpUri` and the language server link to.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["rule", "json"])]
    pub markdown: Option<PathBuf>,
}

pub fn run(args: RulesArgs) -> Result<Outcome> {
    if let Some(dir) = &args.markdown {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
        for (name, text) in rules::pages() {
            let path = dir.join(name);
            designdoc_workspace::files::write_atomic(&path, &text)
                .with_context(|| format!("cannot write `{}`", path.display()))?;
        }
        return Ok(Outcome::Clean);
    }
    let all = rules::all();
    let selected: Vec<_> = match &args.rule {
        Some(key) => match rules::by_name_or_code(key) {
            Some(m) => vec![m],
            None => bail!("unknown rule `{key}`; `designdoc rules` lists them all"),
        },
        None => all,
    };
    if args.json {
        let v: Vec<serde_json::Value> = selected
            .iter()
            .map(|m| {
                serde_json::json!({
                    "code": m.code, "name": m.name, "level": m.default_level.as_str(),
                    "lifecycle": m.lifecycle, "summary": m.summary(), "doc": m.doc_text(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else if args.rule.is_some() {
        for m in &selected {
            println!(
                "{} {} (default: {}{})\n",
                m.code,
                m.name,
                m.default_level.as_str(),
                if m.lifecycle { ", warning in drafts" } else { "" }
            );
            println!("{}", m.doc_text());
        }
    } else {
        println!("{:<6} {:<26} {:<8} summary", "code", "name", "level");
        for m in &selected {
            let level = if m.lifecycle {
                format!("{}*", m.default_level.as_str())
            } else {
                m.default_level.as_str().to_string()
            };
            println!("{:<6} {:<26} {:<8} {}", m.code, m.name, level, m.summary());
        }
        println!(
            "\n* completeness rule: warning while the doc's status is draft (or unset), error in review/approved/implemented"
        );
        println!("`designdoc rules CODE` shows a rule's documentation; set levels in designdoc.toml under [rules].");
    }
    Ok(Outcome::Clean)
}
