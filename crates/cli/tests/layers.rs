//! The crate graph is the architecture: `model <- check <- {workspace, render, store} <-
//! hub <- cli`, and `{check, workspace} <- lsp <- cli`. A dependency that points the wrong way fails here, before it can grow.
//! `testkit` is dev-only: no crate may depend on it outside `[dev-dependencies]`. And the
//! repository builds alone: nothing read at compile time lies outside it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// Each crate folder and the designdoc crates it may depend on (normal dependencies).
const LAYERS: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("check", &["designdoc-model"]),
    ("workspace", &["designdoc-model", "designdoc-check"]),
    ("render", &["designdoc-model", "designdoc-check"]),
    ("store", &["designdoc-model", "designdoc-check"]),
    ("lsp", &["designdoc-model", "designdoc-check", "designdoc-workspace"]),
    (
        "hub",
        &[
            "designdoc-model",
            "designdoc-check",
            "designdoc-render",
            "designdoc-store",
            "designdoc-workspace",
        ],
    ),
    (
        "cli",
        &[
            "designdoc-model",
            "designdoc-check",
            "designdoc-render",
            "designdoc-store",
            "designdoc-workspace",
            "designdoc-hub",
            "designdoc-lsp",
        ],
    ),
    // Dev-only (what tests need from outside the repository): no normal dependents, since
    // no layer lists it.
    ("testkit", &[]),
];

fn crates_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn designdoc_deps(manifest: &toml::Value) -> BTreeSet<String> {
    manifest
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .map(|t| t.keys().filter(|k| k.starts_with("designdoc")).cloned().collect())
        .unwrap_or_default()
}

#[test]
fn crates_depend_only_on_lower_layers() {
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(crates_dir()).unwrap() {
        let dir = entry.unwrap().path();
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let Some(layer) = allowed.get(name.as_str()) else {
            panic!("crates/{name} is not in LAYERS: give it a place in the crate graph");
        };
        let manifest: toml::Value = toml::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
        let wrong: Vec<String> = designdoc_deps(&manifest)
            .into_iter()
            .filter(|d| !layer.contains(&d.as_str()))
            .collect();
        assert!(wrong.is_empty(), "crates/{name} depends on {wrong:?}, above its layer");
        seen.insert(name);
    }
    assert_eq!(seen.len(), LAYERS.len(), "crates found: {seen:?}");
}

#[test]
fn libraries_forbid_printing_and_exiting() {
    // The binary prints; so does testkit, whose one job is the skip line of a test.
    for (name, _) in LAYERS.iter().filter(|(n, _)| !["cli", "testkit"].contains(n)) {
        let text = std::fs::read_to_string(crates_dir().join(name).join("Cargo.toml")).unwrap();
        let manifest: toml::Value = toml::from_str(&text).unwrap();
        let clippy = manifest
            .get("lints")
            .and_then(|l| l.get("clippy"))
            .unwrap_or_else(|| panic!("crates/{name}: no [lints.clippy]"));
        for lint in ["print_stdout", "print_stderr", "exit"] {
            assert_eq!(
                clippy.get(lint).and_then(toml::Value::as_str),
                Some("deny"),
                "crates/{name}: clippy::{lint} must be denied in a library"
            );
        }
    }
}

#[test]
fn testkit_is_never_published() {
    let text = std::fs::read_to_string(crates_dir().join("testkit/Cargo.toml")).unwrap();
    let manifest: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(
        manifest["package"].get("publish").and_then(toml::Value::as_bool),
        Some(false)
    );
}

/// The macros that read a file at compile time, each with what its path is relative to.
const READERS: &[(&str, Base)] = &[
    ("include_str", Base::File),
    ("include_bytes", Base::File),
    ("include", Base::File),
    // sqlx: the migrations folder, relative to the crate.
    ("migrate", Base::Crate),
];

#[derive(Clone, Copy)]
enum Base {
    File,
    Crate,
}

/// Every `.rs` file under `dir`, leaving out build output, dependencies and hidden folders.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The string literal at the start of `text` (`"..."`, `r"..."`, `r#"..."#`).
fn literal(text: &str) -> Option<&str> {
    let text = text.trim_start();
    let (open, close) = if text.starts_with("r#\"") {
        ("r#\"", "\"#")
    } else if text.starts_with("r\"") {
        ("r\"", "\"")
    } else {
        ("\"", "\"")
    };
    let rest = text.strip_prefix(open)?;
    rest.find(close).map(|end| &rest[..end])
}

/// `path` with `.` and `..` resolved without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The folder of the crate holding `file` (the nearest folder with a Cargo.toml).
fn crate_dir(file: &Path) -> PathBuf {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d.join("Cargo.toml").is_file() {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    file.parent().unwrap_or(file).to_path_buf()
}

/// Each file `file` reads at compile time: its line and the path, or why the path cannot
/// be told (a form this scan does not know, which then has to be taught here).
fn compile_time_reads(file: &Path, text: &str) -> Vec<(usize, Result<PathBuf, String>)> {
    let dir = file.parent().unwrap_or(file);
    let mut found = Vec::new();
    let line_of = |at: usize| text[..at].matches('\n').count() + 1;
    let commented = |at: usize| text[text[..at].rfind('\n').map_or(0, |n| n + 1)..at].contains("//");
    for (name, base) in READERS {
        let needle = format!("{name}!(");
        for (at, _) in text.match_indices(&needle) {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') || commented(at) {
                continue;
            }
            let args = text[at + needle.len()..].trim_start();
            let base_dir = match base {
                Base::File => dir.to_path_buf(),
                Base::Crate => crate_dir(file),
            };
            let target = if let Some(path) = literal(args) {
                Ok(base_dir.join(path))
            } else if matches!(base, Base::Crate) && args.starts_with(')') {
                Ok(base_dir.join("migrations"))
            } else if let Some(rest) = args.strip_prefix("concat!(env!(\"CARGO_MANIFEST_DIR\"),") {
                literal(rest)
                    .map(|path| crate_dir(file).join(path.trim_start_matches('/')))
                    .ok_or_else(|| {
                        format!(
                            "{name}!: cannot tell the path in `{}`",
                            args.lines().next().unwrap_or("")
                        )
                    })
            } else if args.starts_with("concat!(env!(\"OUT_DIR\")") {
                // Generated into the build folder by a build script.
                continue;
            } else {
                Err(format!(
                    "{name}!: cannot tell the path in `{}`",
                    args.lines().next().unwrap_or("")
                ))
            };
            found.push((line_of(at), target));
        }
    }
    let attribute = format!("#[{}", "path");
    for (at, _) in text.match_indices(&attribute) {
        if commented(at) {
            continue;
        }
        let rest = text[at + attribute.len()..].trim_start();
        let Some(value) = rest.strip_prefix('=') else { continue };
        let target = literal(value)
            .map(|path| dir.join(path))
            .ok_or_else(|| "#[path]: cannot tell the path".to_string());
        found.push((line_of(at), target));
    }
    found
}

/// How many compile-time reads there are under `root`, and those outside it or not found.
fn reads_outside(root: &Path) -> (usize, Vec<String>) {
    let root = root.canonicalize().unwrap();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let (mut count, mut bad) = (0, Vec::new());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let shown = file.strip_prefix(&root).unwrap_or(&file).display().to_string();
        for (line, target) in compile_time_reads(&file, &text) {
            count += 1;
            let problem = match target {
                Err(why) => Some(why),
                Ok(path) if !normalize(&path).starts_with(&root) => {
                    Some(format!("{} is outside the repository", path.display()))
                }
                Ok(path) => match path.canonicalize() {
                    Ok(real) if real.starts_with(&root) => None,
                    Ok(real) => Some(format!(
                        "{} is outside the repository (at {})",
                        path.display(),
                        real.display()
                    )),
                    Err(_) => Some(format!("{} does not exist", path.display())),
                },
            };
            if let Some(problem) = problem {
                bad.push(format!("{shown}:{line}: {problem}"));
            }
        }
    }
    (count, bad)
}

/// A fresh clone has nothing beside it (no ../shared): every `include_str!`,
/// `include_bytes!`, `include!`, sqlx `migrate!` and `#[path]` must name a file inside
/// the repository.
#[test]
fn nothing_read_at_compile_time_is_outside_the_repository() {
    let root = crates_dir().join("..");
    let (count, outside) = reads_outside(&root);
    assert!(count >= 10, "only {count} compile-time reads found: the scan lost them");
    assert!(outside.is_empty(), "{}", outside.join("\n"));
}

#[test]
fn the_scan_catches_a_read_outside_the_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    let src = root.join("crates/a/src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::create_dir_all(root.join("crates/a/migrations")).unwrap();
    std::fs::write(root.join("crates/a/Cargo.toml"), "[package]\n").unwrap();
    std::fs::write(tmp.path().join("beside.md"), "outside").unwrap();
    std::fs::write(src.join("inside.md"), "inside").unwrap();
    std::fs::write(src.join("other.rs"), "").unwrap();
    // Built from parts, so this file does not itself hold the calls it writes.
    let call = |m: &str, args: &str| format!("{m}!({args})");
    let path = |p: &str| format!("#[{} = \"{p}\"]", "path");
    let lib = [
        format!("const A: &str = {};", call("include_str", "\"inside.md\"")),
        format!(
            "const B: &[u8] = {};",
            call("include_bytes", "r\"../../../../beside.md\"")
        ),
        format!(
            "const C: &str = {};",
            call(
                "include_str",
                "concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../../../beside.md\")"
            )
        ),
        format!("// {}", call("include_str", "\"../../../../commented-out.md\"")),
        path("other.rs"),
        "mod other;".to_string(),
        path("../../../../beside.md"),
        "mod beside;".to_string(),
        format!(
            "fn m() {{ {}; {}; }}",
            call("sqlx::migrate", "\"migrations\""),
            call("sqlx::migrate", "\"../../../gone\"")
        ),
        format!("const D: &str = {};", call("include_str", "PATH")),
    ]
    .join("\n");
    std::fs::write(src.join("lib.rs"), lib).unwrap();
    let (count, bad) = reads_outside(&root);
    assert_eq!(count, 8, "{bad:?}");
    let lines: Vec<&str> = bad.iter().map(|b| b.split(": ").next().unwrap_or("")).collect();
    assert_eq!(
        lines,
        [
            "crates/a/src/lib.rs:3",
            "crates/a/src/lib.rs:10",
            "crates/a/src/lib.rs:2",
            "crates/a/src/lib.rs:9",
            "crates/a/src/lib.rs:7"
        ],
        "{bad:#?}"
    );
    assert!(bad[0].contains("outside the repository"), "{}", bad[0]);
    assert!(bad[1].contains("cannot tell the path"), "{}", bad[1]);
}
