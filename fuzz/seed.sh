#!/usr/bin/env bash
# Regenerates fuzz/corpus/{render_svg,parse,check,svg_differential}/ seeds.
# Usage: fuzz/seed.sh [path/to/diagrams.jsonl]   (default: /work/shared/corpus/mermaid/diagrams.jsonl)
set -euo pipefail
cd "$(dirname "$0")"
cargo run --quiet --release --example seed -- "$@"
