#!/usr/bin/env bash
# Benchmark: per-diagram render time of designdoc's native SVG path against mermaid-cli,
# for the seed's two diagrams, a 50-node flowchart with 9 subgraphs, an 8-entity ER
# diagram, a 40-message sequence diagram and a 200-node flowchart
# (crates/model/tests/mermaid-corpus/bench-*.mmd).
#  - in process: mean of `render_svg` (parse, bounds, drawing, sanitizer) over 200 runs;
#  - process to process: `designdoc render-diagram FILE -o OUT.svg`, mean of 40 runs by
#    hyperfine (mean of 20 by a shell loop without it), and
#    mermaid-cli (tools/mermaid-cli: npm ci, Debian chromium) `mmdc -i FILE -o OUT.svg`,
#    best of 3, one process per diagram, as a user runs either.
set -euo pipefail
cd "$(dirname "$0")/.."
files=(crates/model/tests/mermaid-corpus/bench-{seed-graph,seed-er,flowchart-50,er-8,sequence-40,flowchart-200}.mmd)
cargo build --release --quiet -p designdoc-render --example render_bench
cargo build --release --quiet -p designdoc
./target/release/examples/render_bench "${files[@]}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
now() { date +%s.%N; }
for f in "${files[@]}"; do
  if command -v hyperfine >/dev/null; then
    # hyperfine (Debian package): mean of 40 runs after 5 warm-ups, with its spread.
    hyperfine -N -w 5 -r 40 --export-json "$out/h.json" \
      "./target/release/designdoc render-diagram $f -o $out/ours.svg" >/dev/null
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("designdoc render-diagram %s: %.1f ms (sd %.1f)" % (sys.argv[2], r["mean"]*1000, r["stddev"]*1000))' "$out/h.json" "$(basename "$f")"
  else
    start=$(now)
    for _ in $(seq 20); do ./target/release/designdoc render-diagram "$f" -o "$out/ours.svg" >/dev/null; done
    echo "designdoc render-diagram $(basename "$f"): $(echo "($(now) - $start) * 1000 / 20" | bc -l | cut -c1-6) ms"
  fi
done
mmdc=tools/mermaid-cli/node_modules/.bin/mmdc
if [ ! -x "$mmdc" ]; then
  echo "mermaid-cli not installed: (cd tools/mermaid-cli && PUPPETEER_SKIP_DOWNLOAD=1 npm ci)"
  exit 0
fi
for f in "${files[@]}"; do
  best=""
  for _ in 1 2 3; do
    start=$(now)
    "$mmdc" -q -p tools/mermaid-cli/puppeteer.json -i "$f" -o "$out/theirs.svg" >/dev/null 2>&1
    t=$(echo "$(now) - $start" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  echo "mmdc $(basename "$f"): $(echo "$best" | cut -c1-5) s"
done
