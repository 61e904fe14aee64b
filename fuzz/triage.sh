#!/usr/bin/env bash
# Replays every artifact of a target and groups them by failure (panic location and
# message head, or libFuzzer's timeout/OOM/deadly-signal line).
# Usage: fuzz/triage.sh TARGET   -> prints "count  failure  smallest-artifact"
set -uo pipefail
cd "$(dirname "$0")"
t=$1
bin=target/x86_64-unknown-linux-gnu/release/$t
for f in artifacts/$t/*; do
  [ -f "$f" ] || continue
  out=$(RUST_BACKTRACE=0 timeout 20 "$bin" -timeout=2 -rss_limit_mb=2048 "$f" 2>&1 | tr -d '\0')
  key=$(printf '%s\n' "$out" | grep -m1 -E "panicked at|has overflowed|ERROR: libFuzzer: (timeout|out-of-memory)|deadly signal" \
        | sed -E 's/thread .[^ ]*. \([0-9]+\) //; s/ in [0-9]+ ms//')
  msg=$(printf '%s\n' "$out" | grep -m1 -A1 "panicked at" | tail -1 | cut -c1-90)
  [ -z "$key" ] && key="(no failure on replay)"
  printf '%s\t%s\t%s\t%s\n' "$key" "$msg" "$(stat -c %s "$f")" "$f"
done | sort -t$'\t' -k1,1 -k3,3n | awk -F'\t' '{ if ($1 != last) { if (n) print n "\t" l; n=0; l=$1 " | " $2 " | smallest: " $4 " (" $3 " B)"; last=$1 } n++ } END { if (n) print n "\t" l }'
