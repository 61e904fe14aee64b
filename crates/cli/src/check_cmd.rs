//! `designdoc check` and `designdoc fix`: read files in parallel, check each, run the
//! cross-document rules, apply fixes, print in the chosen format.

use crate::{CommonArgs, Format, Outcome, settings};
use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use designdoc_check::output::{self, FileReport};
use designdoc_check::project::{DocSummary, findings_by_doc};
use designdoc_check::rules::InvalidInput;
use designdoc_check::{Checker, Diagnostic, Level};
use designdoc_model::Span;
use designdoc_workspace::project::{DiskLookup, repository_root};
use designdoc_workspace::{Content, files};
use rayon::prelude::*;
use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Markdown files or folders (folders are searched recursively for `.md`). Default:
    /// `dir` from designdoc.toml, else the current folder.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Apply safe fixes, then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// With --fix (or `fix`): also apply fixes marked unsafe.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Report only files changed since this git revision (all files are still read, so
    /// cross-document rules see the whole folder).
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
    /// When to use colors in human output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

struct FileResult {
    path: PathBuf,
    /// `None` for a clean file: its text is dropped to keep memory flat on large folders
    /// and read again only if a cross-document rule reports on it.
    report: Option<FileReport>,
    summary: Option<DocSummary>,
    fixes_applied: usize,
}

pub fn run(args: CheckArgs, fix_command: bool) -> Result<Outcome> {
    let settings = settings::load(&args.common)?;
    let checker = settings::checker(&settings)?;
    let paths = if args.paths.is_empty() {
        vec![settings.docs_dir()]
    } else {
        args.paths.clone()
    };
    // The template is not a design doc, even when it lives among them; named on its own, it
    // is checked against itself (what is left are its placeholders).
    let files = settings.docs(&paths)?;
    if let Some(template) = files.iter().find(|f| settings.is_template(f)) {
        eprintln!(
            "note: `{}` is the template; checked against itself it reports only what an author fills in",
            template.display()
        );
    }
    if files.is_empty() {
        eprintln!(
            "warning: no Markdown files found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(Outcome::Clean);
    }
    let fix = args.fix || fix_command;
    let results: Vec<Result<FileResult>> = files
        .par_iter()
        .map(|p| check_file(&checker, p, fix, args.unsafe_fixes))
        .collect();
    let mut ok = Vec::with_capacity(results.len());
    let mut io_errors = Vec::new();
    for r in results {
        match r {
            Ok(r) => ok.push(r),
            Err(e) => io_errors.push(e),
        }
    }
    // Cross-document rules over every readable document.
    let with_summary: Vec<usize> = (0..ok.len()).filter(|&i| ok[i].summary.is_some()).collect();
    let summaries: Vec<DocSummary> = with_summary.iter().filter_map(|&i| ok[i].summary.clone()).collect();
    let fs = DiskLookup::new(
        PathBuf::new(),
        std::env::current_dir()
            .ok()
            .and_then(|cwd| repository_root(&cwd, settings.config_path.as_ref().map(|_| settings.base.as_path()))),
    );
    for (k, found) in findings_by_doc(&summaries, &fs, &checker.config) {
        let r = &mut ok[with_summary[k]];
        if r.report.is_none() {
            let source =
                std::fs::read_to_string(&r.path).with_context(|| format!("cannot read `{}`", r.path.display()))?;
            r.report = Some(FileReport::new(display(&r.path), source, Vec::new()));
        }
        if let Some(report) = &mut r.report {
            report.diagnostics.extend(found);
        }
    }
    let fixes: usize = ok.iter().map(|r| r.fixes_applied).sum();
    let fixed_files = ok.iter().filter(|r| r.fixes_applied > 0).count();
    let changed = match &args.changed_since {
        Some(rev) => Some(changed_files(rev)?),
        None => None,
    };
    let files_checked = ok.len();
    let mut reports: Vec<FileReport> = ok
        .into_iter()
        .filter(|r| changed.as_ref().is_none_or(|c| c.contains(&absolute(&r.path))))
        .filter_map(|r| r.report)
        .map(|mut report| {
            report.diagnostics.retain(|d| d.level != Level::Off);
            designdoc_check::sort(&mut report.diagnostics);
            report
        })
        .collect();
    reports.retain(|r| !r.diagnostics.is_empty());
    let totals = output::totals(&reports);
    let text = match args.format {
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            let mut t = output::human(&reports, color);
            if fix {
                t.push_str(&format!(
                    "fixed {fixes} problem{} in {fixed_files} file{}\n",
                    plural(fixes),
                    plural(fixed_files)
                ));
            }
            t.push_str(&summary_line(files_checked, &totals));
            t
        }
        Format::Json => output::json(&reports, files_checked) + "\n",
        Format::Sarif => output::sarif(&reports, env!("CARGO_PKG_VERSION")) + "\n",
        Format::Github => output::github(&reports),
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    if let Some(first) = io_errors.first() {
        for e in &io_errors {
            eprintln!("error: {e:#}");
        }
        bail!(
            "{} file{} could not be read (first: {first:#})",
            io_errors.len(),
            plural(io_errors.len())
        );
    }
    Ok(if totals.errors > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn summary_line(files: usize, t: &output::Totals) -> String {
    let mut parts = Vec::new();
    if t.errors > 0 {
        parts.push(format!("{} error{}", t.errors, plural(t.errors)));
    }
    if t.warnings > 0 {
        parts.push(format!("{} warning{}", t.warnings, plural(t.warnings)));
    }
    if t.infos > 0 {
        parts.push(format!("{} info", t.infos));
    }
    let found = if parts.is_empty() {
        "no problems".to_string()
    } else {
        parts.join(", ")
    };
    let fixable = if t.fixable > 0 {
        format!(" ({} fixable with `designdoc fix`)", t.fixable)
    } else {
        String::new()
    };
    format!("checked {files} file{}: {found}{fixable}\n", plural(files))
}

fn display(path: &Path) -> String {
    let s = path.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn check_file(checker: &Checker, path: &Path, fix: bool, unsafe_fixes: bool) -> Result<FileResult> {
    let content = files::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let (shown, offset, reason, label, help) = match content {
        Content::Text(source) => return check_text(checker, path, source, fix, unsafe_fixes),
        Content::Invalid {
            shown,
            offset,
            reason,
            label,
            help,
        } => (shown, offset, reason, label, help),
    };
    let end = shown[offset..].chars().next().map_or(offset, |c| offset + c.len_utf8());
    let d = Diagnostic {
        code: InvalidInput::META.code,
        name: InvalidInput::META.name,
        level: checker.config.level(&InvalidInput::META),
        message: reason,
        span: Span::new(offset, end),
        label: Some(label.to_string()),
        help: Some(help.to_string()),
        fix: None,
    };
    Ok(FileResult {
        path: path.to_path_buf(),
        report: Some(FileReport::new(display(path), shown, vec![d])),
        summary: None,
        fixes_applied: 0,
    })
}

fn check_text(checker: &Checker, path: &Path, mut source: String, fix: bool, unsafe_fixes: bool) -> Result<FileResult> {
    let mut fixes_applied = 0;
    if fix {
        let (fixed, applied) = checker.fix(&source, unsafe_fixes);
        if !applied.is_empty() {
            files::write_atomic(path, &fixed)?;
            fixes_applied = applied.len();
            source = fixed;
        }
    }
    let checked = checker.check(&source);
    let summary = Some(DocSummary::new(path, &checked.doc));
    let report = (!checked.diagnostics.is_empty()).then(|| FileReport::new(display(path), source, checked.diagnostics));
    Ok(FileResult {
        path: path.to_path_buf(),
        report,
        summary,
        fixes_applied,
    })
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Files changed since `rev` (committed, staged, unstaged and untracked), absolute.
fn changed_files(rev: &str) -> Result<HashSet<PathBuf>> {
    // A revision that starts with `-` would be read by git as an option
    // (`--output=FILE` writes a file).
    if rev.is_empty() || rev.starts_with('-') {
        bail!("--changed-since: `{rev}` is not a git revision");
    }
    let git = |args: &[&str]| -> Result<String> {
        let out = std::process::Command::new("git")
            .args(args)
            .output()
            .context("cannot run git")?;
        if !out.status.success() {
            bail!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?.trim());
    let mut set = HashSet::new();
    let diff = git(&["diff", "--name-only", "--end-of-options", rev, "--"])?;
    let untracked = git(&["ls-files", "--others", "--exclude-standard"])?;
    for line in diff.lines().chain(untracked.lines()) {
        let p = top.join(line);
        set.insert(absolute(&p));
    }
    Ok(set)
}
