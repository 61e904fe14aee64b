//! Generates a corpus of design docs shaped like the seed template for benchmarks:
//! `cargo run --release -p designdoc-check --example gen_corpus -- OUT_DIR COUNT`.
//! Each doc is about 8 KB with two mermaid diagrams; about one in five has a defect
//! (a missing section, a placeholder, a bad risk value) so the checker has work to do.
//! Deterministic: the same COUNT gives the same files.

// An example reports on the terminal; the library lints forbid that in library code.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write;

const WORDS: &[&str] = &[
    "request",
    "latency",
    "cache",
    "shard",
    "replica",
    "token",
    "budget",
    "queue",
    "worker",
    "schema",
    "index",
    "tenant",
    "quota",
    "retry",
    "timeout",
    "snapshot",
    "stream",
    "partition",
    "gateway",
    "client",
    "server",
    "storage",
    "metric",
    "alert",
    "rollout",
    "canary",
    "region",
    "failover",
    "backlog",
    "throughput",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn sentence(&mut self, words: usize) -> String {
        let mut s = String::new();
        for i in 0..words {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(self.pick(WORDS));
        }
        let mut c = s.chars();
        match c.next() {
            Some(f) => format!("{}{}.", f.to_uppercase(), c.as_str()),
            None => s,
        }
    }
    fn paragraph(&mut self, sentences: usize) -> String {
        (0..sentences).map(|_| self.sentence(24)).collect::<Vec<_>>().join(" ")
    }
}

fn doc(n: usize) -> String {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15 ^ (n as u64 + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
    let defect = n % 5;
    let mut d = String::with_capacity(9 * 1024);
    let status = ["draft", "review", "approved"][n % 3];
    let _ = write!(
        d,
        "---\nid: \"{n:05}\"\ntitle: Service {n}\nstatus: {status}\nauthors: [Author {}]\ncreated: 2026-0{}-1{}\n---\n\n# Service {n}\n\n",
        n % 97,
        1 + n % 9,
        n % 10
    );
    let _ = write!(d, "## Overview\n{}\n\n", r.paragraph(4));
    if defect != 1 {
        let _ = write!(d, "## Background\n{}\n\n", r.paragraph(5));
    }
    let _ = write!(
        d,
        "## Goals and Non-Goals\n### Goals\n- {}\n- {}\n- {}\n\n### Non-Goals\n- {}\n- {}\n\n",
        r.sentence(8),
        r.sentence(8),
        r.sentence(8),
        r.sentence(8),
        r.sentence(6)
    );
    let comps = ["Gateway", "Scheduler", "Store", "Indexer"];
    let _ = write!(
        d,
        "## System Design\n### High-Level Design\n{}\n\n```mermaid\ngraph TD\n",
        r.paragraph(3)
    );
    for w in comps.windows(2) {
        let _ = writeln!(d, "    {}[{}] --> {}[{}]", w[0], w[0], w[1], w[1]);
    }
    d.push_str("    Store --> DB[(Database)]\n```\n\n### Components\n");
    for c in comps {
        let _ = write!(
            d,
            "#### {c}\n- Purpose: {}\n- Responsibilities: {}\n- Interfaces: {}\n- Dependencies: {}\n\n",
            r.sentence(8),
            r.sentence(10),
            r.sentence(6),
            r.sentence(5)
        );
    }
    d.push_str("### Data Model\n```mermaid\nerDiagram\n    TENANT ||--o{ JOB : submits\n    JOB ||--|{ TASK : contains\n    TASK }o--|| WORKER : runs_on\n    TENANT {\n        string id PK\n        string name\n    }\n    JOB {\n        string id PK\n        string tenant_id FK\n    }\n    TASK {\n        string id PK\n        string job_id FK\n    }\n    WORKER {\n        string id PK\n        string region\n    }\n```\n\n");
    let _ = write!(d, "### APIs and Interfaces\n{}\n\n", r.paragraph(3));
    let _ = write!(
        d,
        "### Security Considerations\n- Authentication: {}\n- Authorization: {}\n- Data Protection: {}\n\n",
        r.sentence(8),
        r.sentence(8),
        r.sentence(8)
    );
    let _ = write!(
        d,
        "## Implementation Plan\n### Phase 1: Foundations\n- {}\n- {}\n\n### Phase 2: Scale\n- {}\n- {}\n\n",
        r.sentence(7),
        r.sentence(7),
        r.sentence(7),
        r.sentence(7)
    );
    let _ = write!(
        d,
        "## Testing Strategy\n### Unit Testing\n{}\n\n### Integration Testing\n{}\n\n### Performance Testing\n{}\n\n",
        r.paragraph(2),
        r.paragraph(2),
        r.paragraph(2)
    );
    let goal = if defect == 2 {
        "[Metric 1]".to_string()
    } else {
        r.sentence(5)
    };
    let _ = write!(
        d,
        "## Monitoring and Alerting\n### Metrics\n- {goal}\n- {}\n\n### Alerts\n- {}\n- {}\n\n",
        r.sentence(5),
        r.sentence(6),
        r.sentence(6)
    );
    let _ = write!(
        d,
        "## Rollout Plan\n1. {}\n2. {}\n3. {}\n\n",
        r.sentence(6),
        r.sentence(6),
        r.sentence(6)
    );
    let impact = if defect == 3 { "Severe" } else { "High" };
    let _ = write!(
        d,
        "## Risks and Mitigations\n| Risk | Impact | Likelihood | Mitigation |\n|------|--------|------------|------------|\n| {} | {impact} | Low | {} |\n| {} | Med | Med | {} |\n\n",
        r.sentence(5),
        r.sentence(6),
        r.sentence(5),
        r.sentence(6)
    );
    let _ = write!(
        d,
        "## Alternative Approaches Considered\n### Alternative 1: Managed queue\n- Pros: {}\n- Cons: {}\n- Why not chosen: {}\n\n### Alternative 2: Cron jobs\n- Pros: {}\n- Cons: {}\n- Why not chosen: {}\n\n",
        r.sentence(6),
        r.sentence(6),
        r.sentence(8),
        r.sentence(6),
        r.sentence(6),
        r.sentence(8)
    );
    let _ = write!(
        d,
        "## References\n- [Design {}](https://example.com/designs/{})\n- {}\n\n",
        n / 2,
        n / 2,
        r.sentence(4)
    );
    let _ = write!(
        d,
        "## Appendix\n### A. Performance Analysis\n{}\n\n### B. Security Analysis\n{}\n\n### C. Cost Analysis\n{}\n",
        r.paragraph(3),
        r.paragraph(2),
        r.paragraph(2)
    );
    d
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(out), Some(count)) = (args.next(), args.next()) else {
        eprintln!("usage: gen_corpus OUT_DIR COUNT");
        std::process::exit(2);
    };
    let Ok(count) = count.parse::<usize>() else {
        eprintln!("COUNT must be a number");
        std::process::exit(2);
    };
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("cannot create {out}: {e}");
        std::process::exit(2);
    }
    let mut bytes = 0;
    for n in 0..count {
        let text = doc(n);
        bytes += text.len();
        if let Err(e) = std::fs::write(format!("{out}/{n:05}-service-{n}.md"), text) {
            eprintln!("cannot write: {e}");
            std::process::exit(2);
        }
    }
    println!(
        "wrote {count} docs, {} KB on average, to {out}",
        bytes / count.max(1) / 1024
    );
}
