//! `designdoc new "Title"`: the next numbered file with front matter and the template.

use crate::{CommonArgs, Outcome, settings};
use anyhow::{Context, Result, bail};
use designdoc_model::file_slug;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct NewArgs {
    /// Title of the new design doc.
    pub title: String,
    /// Folder to write into (default: `dir` from designdoc.toml, else the current folder).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Author to record (repeatable; default: `git config user.name`).
    #[arg(long = "author", value_name = "NAME")]
    pub authors: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(args: NewArgs) -> Result<Outcome> {
    let title = args.title.trim();
    if title.is_empty() {
        bail!("the title is empty");
    }
    let settings = settings::load(&args.common)?;
    let (template, _) = settings.template()?;
    let dir = args
        .dir
        .clone()
        .or_else(|| settings.config.dir.as_ref().map(|d| settings.base.join(d)))
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let number = next_number(&dir)?;
    let authors = if args.authors.is_empty() {
        git_user().into_iter().collect()
    } else {
        args.authors.clone()
    };
    let text = scaffold(&template, title, number, &authors, &today());
    let path = dir.join(format!("{number:04}-{}.md", file_slug(title)));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create `{}`", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    println!("{}", path.display());
    Ok(Outcome::Clean)
}

/// One more than the highest `NNNN-` number in `dir`.
fn next_number(dir: &Path) -> Result<u32> {
    let mut max = 0;
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list `{}`", dir.display()))? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse::<u32>()
            && name[digits.len()..].starts_with('-')
        {
            max = max.max(n);
        }
    }
    Ok(max + 1)
}

fn git_user() -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["config", "user.name"])
        .output()
        .ok()?;
    let name = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !name.is_empty()).then_some(name)
}

/// Front matter plus the template body, with the template's title placeholder replaced.
pub fn scaffold(template: &str, title: &str, number: u32, authors: &[String], date: &str) -> String {
    let mut out = String::from("---\n");
    out.push_str(&format!("id: \"{number:04}\"\n"));
    out.push_str(&format!("title: {}\n", json_string(title)));
    out.push_str("status: draft\n");
    if authors.is_empty() {
        out.push_str("authors: []\n");
    } else {
        out.push_str("authors:\n");
        for a in authors {
            out.push_str(&format!("  - {}\n", json_string(a)));
        }
    }
    out.push_str(&format!("created: {date}\n---\n\n"));
    let (doc, _) = designdoc_model::parse(template);
    let body_start = doc.body_start;
    match doc.sections.first().filter(|s| s.level == 1) {
        Some(h1) => {
            out.push_str(&template[body_start..h1.heading_span.start]);
            out.push_str(&format!("# {title}"));
            out.push_str(&template[h1.heading_span.end..]);
        }
        None => {
            out.push_str(&format!("# {title}\n\n"));
            out.push_str(&template[body_start..]);
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// A double-quoted YAML scalar (JSON strings are valid YAML).
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// Today's UTC date as YYYY-MM-DD (civil-from-days, no time zone database needed).
fn today() -> String {
    designdoc_model::civil_date(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    )
}
