#!/usr/bin/env bash
# Runs the baseline measurements against a fresh scribed on loopback:
# ingest rate, emit-to-viewer latency, and RSS with idle viewers.
# Usage: tools/bench/baseline.sh [runs]   (after tools/build.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
dir=$(mktemp -d)
trap 'kill $host 2>/dev/null || true; rm -rf "$dir"' EXIT
port=18090
build/bin/scribed --listen 127.0.0.1:$port --db "$dir/bench.db" --plugins build/plugins --auth off \
  >"$dir/out" 2>"$dir/log" &
host=$!
for _ in $(seq 100); do grep -q listening "$dir/out" && break; sleep 0.1; done
for run in $(seq "$runs"); do
  echo "# run $run"
  build/bin/scribe_bench ingest --port $port --jobs 64 --sections 40
  build/bin/scribe_bench latency --port $port --chunks 2000 --cps 200
done
build/bin/scribe_bench viewers --port $port --pid $host --viewers 1000
