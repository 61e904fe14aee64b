//! Helpers shared by the oracle tests: talking JSON lines to an external oracle process,
//! and tallying verdicts against Mermaid's.

// Each test binary compiles this module and uses only its part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// Sends `{"id": i, "src": ...}` for each source to `program script` on stdin and returns
/// its answer lines, in order; `None` when the program cannot run or answers short.
pub fn ask_oracle(program: &str, script: &Path, sources: &[String]) -> Option<Vec<serde_json::Value>> {
    let mut child = Command::new(program)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input: String = sources
        .iter()
        .enumerate()
        .map(|(i, s)| serde_json::json!({"id": i, "src": s}).to_string() + "\n")
        .collect();
    // Written from a thread: the oracle answers while it reads, and both pipes are bounded.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut answers = Vec::with_capacity(sources.len());
    for line in BufReader::new(child.stdout.take()?).lines() {
        answers.push(serde_json::from_str(&line.ok()?).ok()?);
    }
    writer.join().ok()?.ok()?;
    child.wait().ok()?;
    (answers.len() == sources.len()).then_some(answers)
}

/// Our verdicts against Mermaid's, for one kind.
#[derive(Default)]
pub struct Tally {
    pub valid: usize,
    pub false_alarms: usize,
    pub invalid: usize,
    pub caught: usize,
}

impl Tally {
    pub fn add(&mut self, mermaid_ok: bool, we_reject: bool) {
        if mermaid_ok {
            self.valid += 1;
            self.false_alarms += usize::from(we_reject);
        } else {
            self.invalid += 1;
            self.caught += usize::from(we_reject);
        }
    }
}
