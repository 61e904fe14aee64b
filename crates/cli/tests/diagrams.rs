//! Diagrams end to end: `render-diagram` and `export` through the real binary, and the
//! exported DDL loaded into a real SQLite file and a real PostgreSQL.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn designdoc(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_designdoc"))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

#[test]
fn render_diagram_from_a_doc_and_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("hl.svg");
    let out_s = out.to_string_lossy().into_owned();
    let (code, _, err) = designdoc(&["render-diagram", "examples/0001-rate-limiter.md#1", "-o", &out_s]);
    assert_eq!(code, 0, "{err}");
    let svg = std::fs::read_to_string(&out).expect("svg written");
    assert!(
        svg.starts_with("<svg") && svg.contains(">Gateway</tspan>") && svg.contains(">Limiter</tspan>"),
        "{svg}"
    );
    let (_, again, _) = designdoc(&["render-diagram", "examples/0001-rate-limiter.md#1"]);
    assert_eq!(again, svg, "rendering is deterministic");
    let (code, _, err) = designdoc(&["render-diagram", "examples/0001-rate-limiter.md#9"]);
    assert_eq!(code, 2);
    assert!(err.contains("there is no #9"), "{err}");

    let bad = dir.path().join("bad.mmd");
    std::fs::write(&bad, "graph TD\n    A[Gateway --> B\n").expect("write");
    let (code, _, err) = designdoc(&["render-diagram", &bad.to_string_lossy()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("error[DD040]: mermaid: missing closing `]` for node `A`"),
        "{err}"
    );
    assert!(err.contains("bad.mmd:2:6"), "{err}");
}

#[test]
fn graph_exports_as_dot() {
    let (code, dot, err) = designdoc(&["export", "--graph", "dot", "examples/0001-rate-limiter.md"]);
    assert_eq!(code, 0, "{err}");
    assert!(dot.starts_with("digraph design {"), "{dot}");
    assert!(dot.contains("shape=cylinder"), "Redis is drawn as a database: {dot}");
    assert!(dot.matches(" -> ").count() >= 4, "{dot}");
}

fn ddl(doc: &str, dialect: &str) -> String {
    let (code, sql, err) = designdoc(&["export", "--erd", "sql", "--dialect", dialect, doc]);
    assert_eq!(code, 0, "{doc}: {err}");
    sql
}

const DOCS: &[(&str, usize)] = &[
    ("examples/0001-rate-limiter.md", 4),
    ("examples/0002-search-service.md", 8),
    ("docs/design.md", 10),
];

/// The DDL of every checked-in doc loads into a real SQLite database file with foreign
/// keys on, one table per entity (plus junction tables).
#[test]
fn sqlite_loads_the_ddl() {
    if !designdoc_testkit::require_command("sqlite3", "Debian package sqlite3") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, (doc, entities)) in DOCS.iter().enumerate() {
        let sql = ddl(doc, "sqlite");
        let db = dir.path().join(format!("db{i}.sqlite"));
        let mut child = Command::new("sqlite3")
            .arg(&db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sqlite3 starts");
        let script =
            format!("{sql}\nPRAGMA foreign_key_check;\nSELECT count(*) FROM sqlite_master WHERE type = 'table';\n");
        child.stdin.take().expect("stdin").write_all_ok(script.as_bytes());
        let out = child.wait_with_output().expect("sqlite3 ran");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stderr.is_empty(), "{doc}: {stderr}\n{sql}");
        let tables: usize = String::from_utf8_lossy(&out.stdout).trim().parse().expect("count");
        assert!(
            tables >= *entities,
            "{doc}: {tables} tables for {entities} entities\n{sql}"
        );
    }
}

/// The same DDL in the PostgreSQL dialect loads into a real PostgreSQL (URL from
/// DESIGNDOC_TEST_POSTGRES_URL, set by CI), each doc in a fresh schema.
#[test]
fn postgres_loads_the_ddl() {
    let Some(url) = designdoc_testkit::require_postgres() else {
        return;
    };
    for (i, (doc, entities)) in DOCS.iter().enumerate() {
        let schema = format!("ddl_test_{}_{i}", std::process::id());
        let sql = ddl(doc, "postgres");
        let script = format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE;\nCREATE SCHEMA {schema};\nSET search_path TO {schema};\n{sql}\nSELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema}';\nDROP SCHEMA {schema} CASCADE;\n"
        );
        let mut child = Command::new("psql")
            .args([url.as_str(), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("psql starts");
        child.stdin.take().expect("stdin").write_all_ok(script.as_bytes());
        let out = child.wait_with_output().expect("psql ran");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{doc}: {stderr}\n{sql}");
        let tables: usize = String::from_utf8_lossy(&out.stdout).trim().parse().expect("count");
        assert!(tables >= *entities, "{doc}: {tables} tables\n{sql}");
    }
}

trait WriteAllOk {
    fn write_all_ok(self, bytes: &[u8]);
}

impl WriteAllOk for std::process::ChildStdin {
    fn write_all_ok(mut self, bytes: &[u8]) {
        use std::io::Write;
        self.write_all(bytes).expect("write to child");
    }
}
