#!/usr/bin/env bash
# A live smoke test against the real Gemini API (needs network and a key):
#   GOOGLE_API_KEY=... tools/live-smoke.sh [model]
# Starts scribed on a free loopback port, narrates a short document with the
# gemini provider, follows the job over SSE and checks that it succeeded.
# Without GOOGLE_API_KEY it says so and exits 0 (skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${GOOGLE_API_KEY:-}" ]; then
  echo "live smoke test skipped: set GOOGLE_API_KEY to run it against the real Gemini API"
  exit 0
fi
model=${1:-gemini-2.5-flash}
tools/build.sh
dir=$(mktemp -d)
trap 'kill $host 2>/dev/null || true; rm -rf "$dir"' EXIT
build/bin/scribed --listen 127.0.0.1:0 --db "$dir/live.db" --plugins build/plugins --auth off >"$dir/out" 2>"$dir/log" &
host=$!
for _ in $(seq 100); do grep -q listening "$dir/out" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on //p' "$dir/out")
job=$(curl -sf "$url/api/jobs" -H 'Content-Type: application/json' -d "$(python3 -c '
import json, sys
print(json.dumps({"provider": "gemini", "model": sys.argv[1], "max_output_tokens": 2048,
                  "content": "# Tides\n\nTides are the rise and fall of sea levels caused by the Moon and the Sun."}))
' "$model")" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "job $job on $model"
curl -sN --max-time 300 "$url/api/jobs/$job/events" | tee "$dir/events" | grep -m1 -E '^event: (complete|error|cancelled)' || true
state=$(curl -sf "$url/api/jobs/$job" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["state"], j["output_bytes"], j["usage"], (j["error"] or {}).get("message",""))')
echo "result: $state"
case "$state" in succeeded*) echo "live smoke test passed" ;; *) cat "$dir/log"; exit 1 ;; esac
