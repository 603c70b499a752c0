#!/usr/bin/env bash
# Issue #8's stream workloads, side by side in one run: Scribe, nchan (2 and
# 1 workers) and the Durable Streams reference server, each fresh on
# 127.0.0.1, driven by build/bin/scribe_bench (64-byte messages).
#
#   tools/bench/side_by_side.sh [OUT.jsonl] [WORKLOADS...]   (after tools/build.sh)
#
# Workloads: w1 (1,000 SSE subscribers, 2,000 messages at 200/s), w1b (5,000,
# 500 at 50/s), w1c (10,000, 100 at 5/s; Scribe and nchan-2w only), w2 (8
# connections appending as fast as answered, 10 s), w3 (160,000 messages read
# back whole, plain and SSE, from the start and the middle; nchan: SSE from
# its oldest message only), smoke (20 subscribers, 50 messages, Scribe only:
# CI runs it to keep the tools working).
# Appends one RESULT JSON line per measure to OUT (default docs/bench/results.jsonl).
# Exits 1 when a Scribe run failed (peers may).
# SCRIBE_BUILD_DIR: where the binaries are (default build/).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${SCRIBE_BUILD_DIR:-build}
out=${1:-docs/bench/results.jsonl}
shift || true
workloads=${*:-w1 w1b w1c w2 w3}
mkdir -p "$(dirname "$out")"
ulimit -n 65536 2>/dev/null || true
dir=$(mktemp -d)
peer=""
trap '[ -n "$peer" ] && kill -- -$peer 2>/dev/null; rm -rf "$dir"' EXIT

params() {  # the scribe_bench mode and options of a workload
  case $1 in
    w1) echo "fanout --subscribers 1000 --messages 2000 --rate 200" ;;
    w1b) echo "fanout --subscribers 5000 --messages 500 --rate 50" ;;
    w1c) echo "fanout --subscribers 10000 --messages 100 --rate 5" ;;
    w2) echo "appends --connections 8 --seconds 10" ;;
    w3) echo "catchup --messages 160000" ;;
    smoke) echo "fanout --subscribers 20 --messages 50 --rate 100" ;;
    *) echo "side_by_side.sh: unknown workload $1" >&2; exit 2 ;;
  esac
}

port=18100
failed=0
for workload in $workloads; do
  mode=$(params "$workload")
  for kind in scribe nchan2 nchan1 ds; do
    if [ "$workload" = w1c ] && { [ "$kind" = nchan1 ] || [ "$kind" = ds ]; }; then continue; fi
    if [ "$workload" = smoke ] && [ "$kind" != scribe ]; then continue; fi
    port=$((port + 1))
    setsid tools/bench/peers.sh "$kind" "$port" "$dir/$kind-$port" >"$dir/peer" 2>&1 &
    peer=$!
    for _ in $(seq 300); do [ -s "$dir/peer" ] && break; sleep 0.1; done
    read -r pid _ <"$dir/peer"
    target=$kind
    case $kind in nchan*) target=nchan ;; esac
    echo "# $workload $kind"
    status=0
    # shellcheck disable=SC2086
    "$build"/bin/scribe_bench $mode --target "$target" --port "$port" --pid "$pid" \
      >"$dir/result" || status=$?
    grep -v '^RESULT' "$dir/result" || true
    if [ "$kind" = scribe ] && [ "$status" -ne 0 ]; then failed=1; fi
    sed -n "s/^RESULT {/{\"server\":\"$kind\",\"workload_name\":\"$workload\",/p" \
      "$dir/result" >>"$out"
    kill -- -"$peer" 2>/dev/null || true
    wait "$peer" 2>/dev/null || true
    peer=""
  done
done
exit $failed
