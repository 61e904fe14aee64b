//! The crate graph is the architecture: `model <- check <- {workspace, render, store} <-
//! hub <- cli`, and `{check, workspace} <- lsp <- cli`. A dependency that points the wrong way fails here, before it can grow.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

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
    for (name, _) in LAYERS.iter().filter(|(n, _)| *n != "cli") {
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
