#!/usr/bin/env bash
# Benchmark: documents built to crash, hang or exhaust the hub (the same set as
# crates/cli/tests/hostile.rs), on a release build. For each: the time to publish it to a
# running hub on SQLite (one request, one document), the HTTP status, and at the end the
# hub's peak RSS; then `designdoc check` and `designdoc build` over the whole folder.
# Needs python3 (to write the documents) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p designdoc
bin="$PWD/target/release/designdoc"
work=$(mktemp -d)
trap 'kill $hub_pid 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/docs"
python3 - "$work/docs" <<'PY'
import sys, os
d = sys.argv[1]
def fenced(src): return f"# Hostile\n\n## Overview\n\nA diagram:\n\n```mermaid\n{src}```\n"
chain = lambda p: " & ".join(f"{p}{i}" for i in range(500))
docs = {
  "c4-nested.md": fenced("C4Context\n" + "".join(f'Boundary(b{i}, "B{i}") {{\n' for i in range(1000)) + "}\n" * 1000),
  "zenuml-nested.md": fenced("zenuml\n" + "if(x) {\n" * 4000 + "}\n" * 4000),
  "mindmap-deep.md": fenced("mindmap\n" + "".join(" " * (i + 1) + f"n{i}\n" for i in range(1500))),
  "gantt-no-workday.md": fenced("gantt\n  dateFormat YYYY-MM-DD\n  excludes monday, tuesday, wednesday, thursday, friday, saturday, sunday\n  section A\n  Task :a1, 2024-01-01, 3d\n"),
  "packet-4g.md": fenced('packet-beta\n0-4294967295: "x"\n'),
  "packet-10m.md": fenced('packet-beta\n0-10000000: "x"\n'),
  "edge-product.md": fenced(f"graph TD\n{chain('N')} --> {chain('M')}\n"),
  "nested-lists.md": "# Lists\n\n" + "- " * 20000 + "x\n",
  "nested-html.md": "# Html\n\n" + "<div>" * 50000 + "\n",
  "many-diagrams.md": "# Many\n\n" + "".join("```mermaid\ngraph TD\n" + "".join(f"  A{i}_{n} --> A{i}_{n+1}\n" for n in range(60)) + "```\n\n" for i in range(200)),
  "brackets-10mb.md": "# Brackets\n\n" + "[" * 10_000_000 + "\n",
}
for name, text in docs.items():
    open(os.path.join(d, name), "w").write(text)
PY
cd "$work"
token=$("$bin" token create --name bench --database "sqlite://$work/hub.db")
"$bin" serve --database "sqlite://$work/hub.db" --addr 127.0.0.1:0 > "$work/out" 2>/dev/null &
hub_pid=$!
for _ in $(seq 100); do grep -q http "$work/out" 2>/dev/null && break; sleep 0.05; done
addr=$(sed -n 's#.*http://\([^/]*\)/.*#\1#p' "$work/out" | head -1)
printf '| document | size | publish (one request) | status |\n|---|---|---|---|\n'
for f in docs/*.md; do
  name=$(basename "$f")
  python3 -c 'import json,sys; print(json.dumps({"space":"team","docs":[{"path":sys.argv[1],"content":open(sys.argv[2]).read()}]}))' "$name" "$f" > "$work/body.json"
  out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' --data-binary @"$work/body.json" "http://$addr/api/v1/publish")
  printf '| %s | %s | %.2f s | %s |\n' "$name" "$(du -h "$f" | cut -f1)" "${out#* }" "${out%% *}"
done
echo
echo "hub peak RSS: $(awk '/VmHWM/ {printf "%d MB", $2/1024}' /proc/$hub_pid/status)"
echo "doc page meanwhile: $(curl -s -o /dev/null -w '%{time_total}' "http://$addr/doc/team/c4-nested.md") s"
kill $hub_pid
/usr/bin/time -f 'check: %e s, %M KB' "$bin" check docs > /dev/null 2> "$work/t" || true
tail -1 "$work/t"
/usr/bin/time -f 'build: %e s, %M KB' "$bin" build docs -o site > /dev/null 2> "$work/t" || true
tail -1 "$work/t"
