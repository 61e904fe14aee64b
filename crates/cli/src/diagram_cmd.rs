//! `designdoc render-diagram` and `designdoc export`: diagrams out of docs and `.mmd` files.

use crate::{CommonArgs, Outcome, settings};
use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use designdoc_check::output::{FileReport, human};
use designdoc_check::schema::DiagramKind;
use designdoc_check::{Diagnostic, Level};
use designdoc_model::mermaid::DiagramModel;
use designdoc_model::{Document, Span};
use designdoc_render::export::{Dialect, er_to_sql, flowchart_to_dot};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct RenderArgs {
    /// A `.mmd` file, a Markdown doc (its first diagram), or `DOC.md#N` (its N-th diagram, from 1).
    pub input: String,
    /// Write the SVG here (default: standard output).
    #[arg(short, long, value_name = "OUT.svg")]
    pub output: Option<PathBuf>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ErdFormat {
    Sql,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum SqlDialect {
    Sqlite,
    Postgres,
}

#[derive(clap::Args, Debug)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["erd", "graph"]))]
pub struct ExportArgs {
    /// Export the Data Model ER diagram.
    #[arg(long, value_enum)]
    pub erd: Option<ErdFormat>,
    /// Export the High-Level Design component graph.
    #[arg(long, value_enum)]
    pub graph: Option<GraphFormat>,
    /// SQL dialect for `--erd sql`.
    #[arg(long, value_enum, default_value = "postgres")]
    pub dialect: SqlDialect,
    /// The design doc.
    pub doc: PathBuf,
    /// Write here (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read `{}` as UTF-8 text", path.display()))
}

fn write_out(output: Option<&Path>, text: &str) -> Result<()> {
    match output {
        Some(p) => std::fs::write(p, text).with_context(|| format!("cannot write `{}`", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            Ok(())
        }
    }
}

/// Prints diagram errors rustc-style against the file they are in.
fn report_errors(path: &Path, source: &str, errors: Vec<(String, Span)>) {
    let diagnostics = errors
        .into_iter()
        .map(|(message, span)| Diagnostic {
            code: "DD040",
            name: "mermaid-syntax-error",
            level: Level::Error,
            message: format!("mermaid: {message}"),
            span,
            label: Some("Mermaid rejects this".to_string()),
            help: None,
            fix: None,
        })
        .collect();
    let report = FileReport::new(path.display().to_string(), source.to_string(), diagnostics);
    eprint!("{}", human(&[report], false));
}

pub fn render(args: RenderArgs) -> Result<Outcome> {
    let (path, index) = match args.input.rsplit_once('#') {
        Some((p, n)) if n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() => {
            (PathBuf::from(p), Some(n.parse::<usize>()?))
        }
        _ => (PathBuf::from(&args.input), None),
    };
    let source = read(&path)?;
    let is_markdown = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
    let (diagram_src, offset) = if is_markdown {
        let (doc, _) = designdoc_model::parse(&source);
        let n = index.unwrap_or(1);
        let Some(d) = doc.diagrams.get(n.saturating_sub(1)).filter(|_| n >= 1) else {
            bail!(
                "`{}` has {} mermaid diagram(s); there is no #{n}",
                path.display(),
                doc.diagrams.len()
            );
        };
        let code = match &doc.blocks[d.block].kind {
            designdoc_model::BlockKind::Code(c) => c.content.clone(),
            _ => String::new(),
        };
        if !d.errors.is_empty() {
            report_errors(&path, &source, d.errors.clone());
            return Ok(Outcome::Findings);
        }
        (code, d.content_start)
    } else {
        (source.clone(), 0)
    };
    match designdoc_render::render_svg(&diagram_src) {
        Ok(svg) => {
            // A file on its own has no page stylesheet: it carries the diagram colours.
            write_out(args.output.as_deref(), &designdoc_render::standalone_svg(&svg))?;
            Ok(Outcome::Clean)
        }
        Err(designdoc_render::DiagramError::Invalid(errors)) => {
            let errors = errors
                .into_iter()
                .map(|(m, r)| (m, Span::new(offset + r.start, offset + r.end)))
                .collect();
            report_errors(&path, &source, errors);
            Ok(Outcome::Findings)
        }
        Err(e) => bail!("{}: {e}", path.display()),
    }
}

/// The section-matched diagram of `kind`: in the section where the template puts that
/// kind, else the first diagram of that kind in the document.
fn find_diagram<'d>(
    doc: &'d Document,
    checker: &designdoc_check::Checker,
    kind: DiagramKind,
) -> Option<&'d designdoc_model::Diagram> {
    let alignment = designdoc_check::align::align(doc, &checker.schema);
    let expected: Vec<usize> = alignment
        .entries
        .iter()
        .filter(|e| e.spec.body.diagram == Some(kind))
        .flat_map(|e| {
            e.instances
                .iter()
                .flat_map(|&s| std::iter::once(s).chain(doc.descendants(s)))
        })
        .collect();
    let of_kind = |d: &&designdoc_model::Diagram| d.parsed.kind == Some(kind);
    doc.diagrams
        .iter()
        .filter(of_kind)
        .find(|d| d.section.is_some_and(|s| expected.contains(&s)))
        .or_else(|| doc.diagrams.iter().find(of_kind))
}

pub fn export(args: ExportArgs) -> Result<Outcome> {
    let settings = settings::load(&args.common)?;
    let checker = settings::checker(&settings)?;
    let source = read(&args.doc)?;
    let (doc, _) = designdoc_model::parse(&source);
    let kind = if args.erd.is_some() {
        DiagramKind::Er
    } else {
        DiagramKind::Flowchart
    };
    let Some(diagram) = find_diagram(&doc, &checker, kind) else {
        bail!("`{}` has no {}", args.doc.display(), kind.describe());
    };
    if !diagram.errors.is_empty() {
        report_errors(&args.doc, &source, diagram.errors.clone());
        return Ok(Outcome::Findings);
    }
    let text = match &diagram.parsed.model {
        DiagramModel::Er(er) => er_to_sql(
            er,
            match args.dialect {
                SqlDialect::Sqlite => Dialect::Sqlite,
                SqlDialect::Postgres => Dialect::Postgres,
            },
        ),
        DiagramModel::Flowchart(f) => flowchart_to_dot(f),
        DiagramModel::Sequence(_) | DiagramModel::Class(_) | DiagramModel::State(_) | DiagramModel::Other => {
            bail!("`{}`: the diagram has no model to export", args.doc.display())
        }
    };
    write_out(args.output.as_deref(), &text)?;
    Ok(Outcome::Clean)
}
