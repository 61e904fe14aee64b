#!/usr/bin/env bash
# Load benchmark of the hub with wrk on loopback: COUNT generated docs published into a
# fresh SQLite (or $HUB_DATABASE) hub, then doc pages and search at fixed request rates.
# Usage: bench/hub-load.sh [COUNT] [SECONDS]
# Prints the time to publish the corpus at start, wrk's latency percentiles, errors and
# the hub's peak RSS. wrk has no rate flag; bench/wrk/*.lua pace each connection with a
# fixed delay, and the achieved rate is printed by wrk as Requests/sec. For PostgreSQL:
# HUB_DATABASE=postgres://... DESIGNDOC_DATABASE_SCHEMA=bench bench/hub-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT="${1:-10000}"
SECS="${2:-30}"
OUT="${BENCH_DIR:-/tmp/designdoc-hub-bench-$COUNT}"
PORT="${PORT:-18181}"
command -v wrk > /dev/null || { echo "wrk is required (apt-get install wrk)"; exit 2; }
cargo build --release --quiet -p designdoc
cargo build --release --quiet -p designdoc-check --example gen_corpus
rm -rf "$OUT" && mkdir -p "$OUT"
./target/release/examples/gen_corpus "$OUT/docs" "$COUNT"
(cd "$OUT/docs" && find . -name '*.md' | sed 's|^\./||' | sort) > "$OUT/paths.txt"
DB="${HUB_DATABASE:-sqlite://$OUT/hub.db}"
start=$(date +%s.%N)
./target/release/designdoc serve "$OUT/docs" --database "$DB" --addr "127.0.0.1:$PORT" > "$OUT/hub.out" 2> /dev/null &
HUB=$!
trap 'kill $HUB 2> /dev/null || true' EXIT
until grep -q "http://" "$OUT/hub.out" 2> /dev/null; do sleep 0.1; done
end=$(date +%s.%N)
echo "published $COUNT docs at start in $(echo "$end - $start" | bc) s"
echo "RSS after publishing: $(grep VmRSS /proc/$HUB/status | awk '{print $2}') KB"
run() { # name, lua, connections, delay_ms
  echo "== $1: $3 connections, ${4} ms pause each (target $(( $3 * 1000 / $4 )) req/s)"
  PATHS="$OUT/paths.txt" DELAY_MS="$4" wrk -t 1 -c "$3" -d "${SECS}s" --latency -s "bench/wrk/$2" "http://127.0.0.1:$PORT" \
    | grep -E "Latency|50%|90%|99%|requests in|Requests/sec|Non-2xx|Socket errors"
}
run "doc page warm-up" doc.lua 11 10 > /dev/null
run "doc page" doc.lua 11 10
run "search" search.lua 4 20
run "index page" index.lua 4 20
echo "peak RSS of the hub: $(grep VmHWM /proc/$HUB/status | awk '{print $2}') KB"
