#!/usr/bin/env bash
# Benchmark: per-diagram parse time of generated diagrams (a 50-node flowchart, a
# 40-message sequence diagram, a 20-class class diagram, a 30-transition state diagram,
# an 8-entity ER diagram), 20,000 parses each, release build.
# Usage: bench/mermaid-parse.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet -p designdoc-model --example mermaid_timing
