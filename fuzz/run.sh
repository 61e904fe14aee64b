#!/usr/bin/env bash
# Runs one target on the stable toolchain (no sanitizer), keeping going after crashes so
# that one bug does not hide the next (fork mode, one worker).
# Usage: fuzz/run.sh TARGET [SECONDS]   (default 240); extra libFuzzer flags via $FUZZ_FLAGS.
set -euo pipefail
cd "$(dirname "$0")"
target=$1
secs=${2:-240}
mkdir -p "corpus/$target" "artifacts/$target" logs
cargo fuzz build --sanitizer none -O "$target"
cargo fuzz run --sanitizer none -O "$target" -- \
  -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
  -timeout=2 -rss_limit_mb=2048 -max_total_time="$secs" -print_final_stats=1 \
  ${FUZZ_FLAGS:-} 2>&1 | tee "logs/$target${FUZZ_LOG_SUFFIX:-}.log"
