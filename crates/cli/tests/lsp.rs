//! `designdoc lsp` with a real LSP client: pytest-lsp (on pygls) starts the built binary
//! and drives it as an editor does (crates/lsp/tests/client/test_designdoc_lsp.py):
//! diagnostics on open and on change, a code action applied, completion, hover, outline
//! and go to definition. Without the client the test skips (designdoc_testkit).

use std::path::Path;
use std::process::Command;

#[test]
fn a_real_client_sees_findings_fixes_completion_and_hover() {
    if !designdoc_testkit::require_python_module(
        "pytest_lsp",
        "pip install -r crates/lsp/tests/client/requirements.txt",
    ) {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../lsp/tests/client");
    let out = Command::new("python3")
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_designdoc_lsp.py"])
        .current_dir(&dir)
        .env("DESIGNDOC_BIN", env!("CARGO_BIN_EXE_designdoc"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the LSP client tests failed:\n{text}");
}
