#!/usr/bin/env bash
# Benchmark: generate N design docs (~8 KB, two mermaid diagrams each) and check them.
# Usage: bench/check-corpus.sh [COUNT] [RUNS]
# Prints wall time per run, docs/s and peak RSS; with markdownlint-cli2 installed
# (npm i markdownlint-cli2 in $MDL_DIR, default /tmp/mdl) also times it on the same files.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT="${1:-10000}"
RUNS="${2:-5}"
OUT="${BENCH_DIR:-/tmp/designdoc-bench-$COUNT}"
cargo build --release --quiet
cargo build --release --quiet -p designdoc-check --example gen_corpus
rm -rf "$OUT"
./target/release/examples/gen_corpus "$OUT" "$COUNT"
echo "files: $(find "$OUT" -name '*.md' | wc -l), bytes: $(du -sb "$OUT" | cut -f1)"
best=""
for i in $(seq "$RUNS"); do
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o /tmp/designdoc-bench-rss ./target/release/designdoc check "$OUT" > /dev/null || true
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc)
  rss=$(cat /tmp/designdoc-bench-rss)
  echo "run $i: ${secs}s, $(echo "$COUNT / $secs" | bc) docs/s, peak RSS ${rss} KB"
  if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc)" = 1 ]; then best=$secs; fi
done
echo "designdoc best: ${best}s ($(echo "$COUNT / $best" | bc) docs/s)"
MDL_DIR="${MDL_DIR:-/tmp/mdl}"
if [ -x "$MDL_DIR/node_modules/.bin/markdownlint-cli2" ]; then
  start=$(date +%s.%N)
  (cd "$OUT" && "$MDL_DIR/node_modules/.bin/markdownlint-cli2" "**/*.md" > /dev/null 2>&1) || true
  end=$(date +%s.%N)
  mdl=$(echo "$end - $start" | bc)
  echo "markdownlint-cli2: ${mdl}s; designdoc is $(echo "scale=1; $mdl / $best" | bc)x faster"
fi
