#!/usr/bin/env bash
# Runs N hub instances on loopback against one PostgreSQL, as the systemd units do on
# real hosts: deploy/run-local-cluster.sh postgres://postgres@127.0.0.1:5432/test [N]
# Instances listen on 127.0.0.1:8081, 8082, ...; Ctrl-C stops them all (SIGTERM).
set -euo pipefail
cd "$(dirname "$0")/.."
URL="${1:?usage: $0 POSTGRES_URL [N]}"
N="${2:-2}"
cargo build --release --quiet -p designdoc
pids=()
trap 'kill -TERM "${pids[@]}" 2> /dev/null; wait' EXIT INT TERM
for i in $(seq "$N"); do
  ./target/release/designdoc serve --database "$URL" --schema "${SCHEMA:-hub}" --addr "127.0.0.1:$((8080 + i))" --log-format json &
  pids+=($!)
done
echo "publish with: designdoc token create --database $URL --schema ${SCHEMA:-hub} --name me"
echo "              DESIGNDOC_TOKEN=... designdoc publish --hub http://127.0.0.1:8081 examples/"
wait
