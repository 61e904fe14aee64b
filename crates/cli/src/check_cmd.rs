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
    /// Markdown files or folders (folders are searched recursively for `.md`); `-` reads
    /// one document from standard input. Default: `dir` from designdoc.toml, else the
    /// Markdown files under the current folder that look like design docs (front matter,
    /// or at least half of the template's sections), so README.md and the like are left
    /// alone.
    pub paths: Vec<PathBuf>,
    /// Read one document from standard input (the same as the path `-`). `fix --stdin`
    /// prints the fixed text on standard output and the report on standard error.
    #[arg(long)]
    pub stdin: bool,
    /// The file standard input stands for: the name in reports, where designdoc.toml is
    /// looked for, and the document the cross-document rules see in place of the file's
    /// contents on disk (the other docs of the project are read from disk).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Exit 0 even when errors are found (usage and I/O errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Exit 1 when more than N warnings are found (errors fail anyway).
    #[arg(long, value_name = "N")]
    pub max_warnings: Option<usize>,
    /// Report errors only, as eslint's --quiet does: warnings and infos are neither
    /// printed nor counted in the summary (--max-warnings still counts them).
    #[arg(long, short)]
    pub quiet: bool,
    /// Instead of each finding, print one line per rule: count, code, name, the most
    /// frequent first (JSON with --format json).
    #[arg(long)]
    pub statistics: bool,
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
    /// Whether its findings are reported: with standard input, the other docs of the
    /// project are read only for the cross-document rules.
    shown: bool,
    /// Standard input under `fix`: the fixed text, for standard output.
    fixed: Option<String>,
}

/// The name standard input goes by when `--stdin-filename` gives none.
const STDIN_NAME: &str = "<stdin>";

pub fn run(args: CheckArgs, fix_command: bool) -> Result<Outcome> {
    let fix = args.fix || fix_command;
    if args.statistics && !matches!(args.format, Format::Human | Format::Json) {
        bail!("--statistics prints text or JSON: use it with --format human or --format json");
    }
    let stdin = read_stdin(&args)?;
    let settings = match (&stdin, &args.stdin_filename) {
        // designdoc.toml is looked for where the file stdin stands for lives.
        (Some(_), Some(name)) => {
            let cwd = std::env::current_dir().context("cannot read the current folder")?;
            let start = cwd.join(name);
            settings::load_at(&args.common, start.parent().unwrap_or(&cwd))?
        }
        _ => settings::load(&args.common)?,
    };
    let checker = settings::checker(&settings)?;
    let files = match &stdin {
        // The project's other docs, for the cross-document rules; none for a nameless text.
        Some((name, _)) => match &args.stdin_filename {
            Some(_) => {
                let own = absolute(name);
                let mut found = settings.docs_or_default(&[], &checker.schema)?;
                found.retain(|f| absolute(f) != own);
                found
            }
            None => Vec::new(),
        },
        None => {
            // The template is not a design doc, even when it lives among them; named on its
            // own, it is checked against itself (what is left are its placeholders).
            let files = settings.docs_or_default(&args.paths, &checker.schema)?;
            if let Some(template) = files.iter().find(|f| settings.is_template(f)) {
                eprintln!(
                    "note: `{}` is the template; checked against itself it reports only what an author fills in",
                    template.display()
                );
            }
            if files.is_empty() {
                let searched = if args.paths.is_empty() {
                    vec![settings.docs_dir()]
                } else {
                    args.paths.clone()
                };
                let searched: Vec<String> = searched.iter().map(|p| p.display().to_string()).collect();
                eprintln!("warning: no design docs found in {}", searched.join(", "));
                return Ok(Outcome::Clean);
            }
            files
        }
    };
    let shown = stdin.is_none();
    let results: Vec<Result<FileResult>> = files
        .par_iter()
        .map(|p| check_file(&checker, p, fix && shown, args.unsafe_fixes, shown))
        .collect();
    let mut ok = Vec::with_capacity(results.len() + 1);
    let mut io_errors = Vec::new();
    for r in results {
        match r {
            Ok(r) => ok.push(r),
            Err(e) => io_errors.push(e),
        }
    }
    if let Some((name, content)) = stdin {
        let mut r = check_content(&checker, &name, content, fix, args.unsafe_fixes, false)?;
        r.shown = true;
        ok.push(r);
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
        if !r.shown {
            continue;
        }
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
        Some(rev) if shown => {
            let inputs = if args.paths.is_empty() {
                vec![settings.docs_dir()]
            } else {
                args.paths.clone()
            };
            Some(changed_files(rev, &inputs)?)
        }
        _ => None,
    };
    let files_checked = ok.iter().filter(|r| r.shown).count();
    let fixed_text = ok.iter_mut().find_map(|r| r.fixed.take());
    let mut reports: Vec<FileReport> = ok
        .into_iter()
        .filter(|r| r.shown)
        .filter(|r| changed.as_ref().is_none_or(|c| c.contains(&absolute(&r.path))))
        .filter_map(|r| r.report)
        .map(|mut report| {
            report.diagnostics.retain(|d| d.level != Level::Off);
            designdoc_check::sort(&mut report.diagnostics);
            report
        })
        .collect();
    reports.retain(|r| !r.diagnostics.is_empty());
    // Exit codes count every finding; --quiet only hides the warnings and infos.
    let all = output::totals(&reports);
    if args.quiet {
        for r in &mut reports {
            r.diagnostics.retain(|d| d.level == Level::Error);
        }
        reports.retain(|r| !r.diagnostics.is_empty());
    }
    let totals = output::totals(&reports);
    let text = match args.format {
        _ if args.statistics => statistics(&reports, args.format == Format::Json, files_checked, &totals),
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            let mut t = output::human(&reports, color);
            if fix {
                t.push_str(&fixed_line(fixes, fixed_files, &all, args.unsafe_fixes));
            }
            t.push_str(&summary_line(files_checked, &totals));
            let hidden = all.warnings + all.infos;
            if args.quiet && hidden > 0 {
                t.push_str(&format!("({hidden} warnings and infos not shown: --quiet)\n"));
            }
            t
        }
        Format::Json => output::json(&reports, files_checked) + "\n",
        Format::Sarif => output::sarif(&reports, env!("CARGO_PKG_VERSION")) + "\n",
        Format::Github => output::github(&reports),
    };
    match fixed_text {
        // Editors' format-on-save reads the fixed text from standard output.
        Some(fixed) => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(fixed.as_bytes())
                .and_then(|()| stdout.flush())
                .context("cannot write the fixed text to standard output")?;
            eprint!("{text}");
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
        }
    }
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
    let too_many_warnings = args.max_warnings.filter(|&max| all.warnings > max);
    if let Some(max) = too_many_warnings {
        eprintln!(
            "error: {} warning{} found, more than --max-warnings {max} allows",
            all.warnings,
            plural(all.warnings)
        );
    }
    Ok(if args.exit_zero || (all.errors == 0 && too_many_warnings.is_none()) {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// Standard input as a document when asked for (`-` or `--stdin`): the name it goes by
/// and its content.
fn read_stdin(args: &CheckArgs) -> Result<Option<(PathBuf, Content)>> {
    let dash = args.paths.iter().any(|p| p.as_os_str() == "-");
    if !(dash || args.stdin) {
        if args.stdin_filename.is_some() {
            bail!("--stdin-filename names what standard input stands for: use it with `-` or --stdin");
        }
        return Ok(None);
    }
    if args.paths.iter().any(|p| p.as_os_str() != "-") || args.paths.len() > 1 {
        bail!("standard input is checked on its own: give `-` (or --stdin) without other paths");
    }
    let name = args.stdin_filename.clone().unwrap_or_else(|| PathBuf::from(STDIN_NAME));
    let content = files::read_stream(std::io::stdin().lock()).context("cannot read standard input")?;
    Ok(Some((name, content)))
}

/// `fixed 3 problems in 1 file (2 more with --unsafe-fixes)`.
fn fixed_line(fixes: usize, files: usize, left: &output::Totals, unsafe_fixes: bool) -> String {
    let more = if !unsafe_fixes && left.unsafe_fixable > 0 {
        format!(" ({} more with --unsafe-fixes)", left.unsafe_fixable)
    } else {
        String::new()
    };
    format!(
        "fixed {fixes} problem{} in {files} file{}{more}\n",
        plural(fixes),
        plural(files)
    )
}

/// `--statistics`: per rule, how many findings, the most frequent first (then by code).
fn statistics(reports: &[FileReport], json: bool, files: usize, totals: &output::Totals) -> String {
    let mut counts: std::collections::BTreeMap<(&str, &str), usize> = std::collections::BTreeMap::new();
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        *counts.entry((d.code, d.name)).or_default() += 1;
    }
    let mut rows: Vec<((&str, &str), usize)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if json {
        let rows: Vec<serde_json::Value> = rows
            .iter()
            .map(|((code, name), count)| serde_json::json!({"count": count, "code": code, "name": name}))
            .collect();
        return serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n";
    }
    let width = rows.first().map_or(1, |(_, n)| n.to_string().len());
    let mut out = String::new();
    for ((code, name), count) in &rows {
        out.push_str(&format!("{count:>width$} {code} {name}\n"));
    }
    out.push_str(&summary_line(files, totals));
    out
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
    let fixable = match (t.fixable, t.unsafe_fixable) {
        (0, 0) => String::new(),
        (n, 0) => format!(" ({n} fixable with `designdoc fix`)"),
        (0, k) => format!(" ({k} fixable with `designdoc fix --unsafe-fixes`)"),
        (n, k) => format!(" ({n} fixable with `designdoc fix`, {k} more with --unsafe-fixes)"),
    };
    format!("checked {files} file{}: {found}{fixable}\n", plural(files))
}

fn display(path: &Path) -> String {
    let s = path.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn check_file(checker: &Checker, path: &Path, fix: bool, unsafe_fixes: bool, shown: bool) -> Result<FileResult> {
    let content = files::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let mut r = check_content(checker, path, content, fix, unsafe_fixes, true)?;
    r.shown = shown;
    Ok(r)
}

/// Checks one document's content (fixing it first when asked). `write`: fixes go back to
/// the file; otherwise (standard input) the fixed text is kept in the result.
fn check_content(
    checker: &Checker,
    path: &Path,
    content: Content,
    fix: bool,
    unsafe_fixes: bool,
    write: bool,
) -> Result<FileResult> {
    let (shown, offset, reason, label, help) = match content {
        Content::Text(source) => return check_text(checker, path, source, fix, unsafe_fixes, write),
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
        shown: true,
        fixed: None,
    })
}

fn check_text(
    checker: &Checker,
    path: &Path,
    mut source: String,
    fix: bool,
    unsafe_fixes: bool,
    write: bool,
) -> Result<FileResult> {
    let mut fixes_applied = 0;
    if fix {
        let (fixed, applied) = checker.fix(&source, unsafe_fixes);
        if !applied.is_empty() {
            if write {
                files::write_atomic(path, &fixed)?;
            }
            fixes_applied = applied.len();
            source = fixed;
        }
    }
    let fixed = (fix && !write).then(|| source.clone());
    let checked = checker.check(&source);
    let summary = Some(DocSummary::new(path, &checked.doc));
    let report = (!checked.diagnostics.is_empty()).then(|| FileReport::new(display(path), source, checked.diagnostics));
    Ok(FileResult {
        path: path.to_path_buf(),
        report,
        summary,
        fixes_applied,
        shown: true,
        fixed,
    })
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Files changed since `rev` (committed, staged, unstaged and untracked), absolute, in
/// the git repositories of the checked paths (found from each path, not from the current
/// folder, so `designdoc check ../other-repo/docs` asks that repository).
fn changed_files(rev: &str, paths: &[PathBuf]) -> Result<HashSet<PathBuf>> {
    // A revision that starts with `-` would be read by git as an option
    // (`--output=FILE` writes a file).
    if rev.is_empty() || rev.starts_with('-') {
        bail!("--changed-since: `{rev}` is not a git revision");
    }
    let git = |dir: &Path, args: &[&str]| -> Result<String> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .context("cannot run git")?;
        if !out.status.success() {
            bail!(
                "git -C {} {}: {}",
                dir.display(),
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let mut roots = Vec::new();
    for p in paths {
        let dir = if p.is_dir() {
            p.as_path()
        } else {
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
        };
        let top = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"])?.trim());
        if !roots.contains(&top) {
            roots.push(top);
        }
    }
    let mut set = HashSet::new();
    for top in &roots {
        let diff = git(top, &["diff", "--name-only", "--end-of-options", rev, "--"])?;
        let untracked = git(top, &["ls-files", "--others", "--exclude-standard"])?;
        for line in diff.lines().chain(untracked.lines()) {
            set.insert(absolute(&top.join(line)));
        }
    }
    Ok(set)
}
