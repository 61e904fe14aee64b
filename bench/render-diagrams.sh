#!/usr/bin/env bash
# Benchmark: per-diagram parse and render time of designdoc's native SVG path for the
# seed's two diagrams, a 50-node flowchart and an 8-entity ER diagram; with mermaid-cli
# installed (MMDC_DIR, default /tmp/mmdc, see crates/model/tests/mermaid-corpus/NOTES.md)
# the same diagrams through mmdc, best of 3, one process per diagram.
set -euo pipefail
cd "$(dirname "$0")/.."
files=(crates/model/tests/mermaid-corpus/bench-{seed-graph,seed-er,flowchart-50,er-8}.mmd)
cargo build --release --quiet -p designdoc-render --example render_bench
./target/release/examples/render_bench "${files[@]}"
MMDC_DIR="${MMDC_DIR:-/tmp/mmdc}"
if [ -x "$MMDC_DIR/node_modules/.bin/mmdc" ]; then
  for f in "${files[@]}"; do
    best=""
    for _ in 1 2 3; do
      t=$( { /usr/bin/time -f %e "$MMDC_DIR/node_modules/.bin/mmdc" -q -p "$MMDC_DIR/puppeteer-config.json" -i "$f" -o /tmp/mmdc-bench.svg >/dev/null 2>&1; } 2>&1 | tail -1)
      if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
    done
    echo "mmdc $f: ${best}s"
  done
fi
