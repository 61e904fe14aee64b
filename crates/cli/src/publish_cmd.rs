//! `designdoc publish`: sends a folder's docs to a hub over its JSON API, for CI jobs in
//! other repositories. Batched; retried on network errors and 5xx, which is safe because
//! publishing is idempotent.

use crate::{CommonArgs, Outcome, settings};
use anyhow::{Context, Result, bail};
use designdoc_workspace::{Content, files};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct PublishArgs {
    /// Folders of design docs; each is a space named after the folder unless --space.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// The hub's base URL, e.g. `https://designdoc.example.com`.
    #[arg(long, env = "DESIGNDOC_HUB")]
    pub hub: String,
    /// API token (`designdoc token create`). Prefer the environment variable: a flag is
    /// visible to other users in the process list.
    #[arg(long, env = "DESIGNDOC_TOKEN", hide_env_values = true)]
    pub token: String,
    /// Space to publish into (default: the folder's name).
    #[arg(long)]
    pub space: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Requests stay under this many documents and bytes.
const BATCH_DOCS: usize = 200;
const BATCH_BYTES: usize = 8 * 1024 * 1024;
const ATTEMPTS: u32 = 4;

struct Doc {
    file: PathBuf,
    path: String,
    content: String,
}

pub fn run(args: PublishArgs) -> Result<Outcome> {
    let settings = settings::load(&args.common)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{}/api/v1/publish", args.hub.trim_end_matches('/'));
    let (mut created, mut unchanged, mut failed) = (0usize, 0usize, 0usize);
    for dir in &args.dirs {
        if !dir.is_dir() {
            bail!("{}: not a folder", dir.display());
        }
        let space = match &args.space {
            Some(s) => s.clone(),
            None => designdoc_workspace::space_name(dir),
        };
        let mut docs = Vec::new();
        for file in settings.docs(std::slice::from_ref(dir))? {
            let path = file
                .strip_prefix(dir)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            match files::read(&file).with_context(|| format!("cannot read {}", file.display()))? {
                Content::Text(content) => docs.push(Doc { file, path, content }),
                Content::Invalid { reason, .. } => {
                    eprintln!("{}: skipped: {reason}", file.display());
                    failed += 1;
                }
            }
        }
        let mut start = 0;
        while start < docs.len() {
            let mut end = start;
            let mut bytes = 0;
            while end < docs.len()
                && end - start < BATCH_DOCS
                && (end == start || bytes + docs[end].content.len() < BATCH_BYTES)
            {
                bytes += docs[end].content.len();
                end += 1;
            }
            let batch = &docs[start..end];
            let body = serde_json::json!({
                "space": space,
                "docs": batch.iter().map(|d| serde_json::json!({"path": d.path, "content": d.content})).collect::<Vec<_>>(),
            });
            let results = send(&agent, &url, &args.token, &body)?;
            for (d, r) in batch.iter().zip(&results) {
                match (
                    r.get("error").and_then(|e| e.as_str()),
                    r.get("created").and_then(serde_json::Value::as_bool),
                ) {
                    (Some(e), _) => {
                        eprintln!("{}: not published: {e}", d.file.display());
                        failed += 1;
                    }
                    (None, Some(true)) => {
                        let n = r.get("revision").and_then(serde_json::Value::as_i64).unwrap_or(0);
                        println!("{}: revision {n}", d.file.display());
                        created += 1;
                    }
                    _ => unchanged += 1,
                }
            }
            start = end;
        }
    }
    println!("{created} new revision(s), {unchanged} unchanged, {failed} failed");
    Ok(if failed > 0 { Outcome::Findings } else { Outcome::Clean })
}

/// POSTs one batch; returns its per-document results. Retries transport errors and 5xx.
fn send(agent: &ureq::Agent, url: &str, token: &str, body: &serde_json::Value) -> Result<Vec<serde_json::Value>> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let outcome = agent
            .post(url)
            .header("Authorization", &format!("Bearer {token}"))
            .send_json(body);
        let retry = |why: String| -> Result<()> {
            if attempt >= ATTEMPTS {
                bail!("{url}: {why} (after {attempt} attempts)");
            }
            eprintln!("{url}: {why}; retrying");
            std::thread::sleep(Duration::from_millis(250 << attempt));
            Ok(())
        };
        match outcome {
            Err(e) => retry(e.to_string())?,
            Ok(mut response) => {
                let status = response.status().as_u16();
                let text = response.body_mut().read_to_string().unwrap_or_default();
                let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                let results = json.get("results").and_then(|r| r.as_array()).cloned();
                match (status, results) {
                    // 422: some docs were refused; the results say which and why.
                    (200 | 422, Some(r)) => return Ok(r),
                    (500..=599, _) => retry(format!("HTTP {status}"))?,
                    _ => {
                        let msg = json.get("error").and_then(|e| e.as_str()).unwrap_or(text.trim());
                        bail!("{url}: HTTP {status}: {msg}");
                    }
                }
            }
        }
    }
}
