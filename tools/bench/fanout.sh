#!/usr/bin/env bash
# Issue #8's fan-out workloads, side by side in one run: Scribe, nchan (2 and
# 1 workers) and the Durable Streams reference server, each fresh on
# 127.0.0.1, driven by build/bin/scribe_bench fanout (64-byte messages
# carrying their send time).
#
#   tools/bench/fanout.sh [OUT.jsonl] [WORKLOADS...]     (after tools/build.sh)
#
# Workloads: w1 (1,000 subscribers, 2,000 messages at 200/s), w1b (5,000,
# 500 at 50/s), w1c (10,000, 100 at 5/s; Scribe and nchan-2w only), smoke
# (20 subscribers, 50 messages; CI keeps the tool working with it).
# Appends one RESULT JSON line per run to OUT (default docs/bench/fanout.jsonl).
# Exits 1 when a Scribe run left a subscriber incomplete (peers may).
# SCRIBE_BUILD_DIR: where the binaries are (default build/).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${SCRIBE_BUILD_DIR:-build}  # where the binaries are
out=${1:-docs/bench/fanout.jsonl}
shift || true
workloads=${*:-w1 w1b w1c}
mkdir -p "$(dirname "$out")"
ulimit -n 65536 2>/dev/null || true
dir=$(mktemp -d)
peer=""
trap '[ -n "$peer" ] && kill -- -$peer 2>/dev/null; rm -rf "$dir"' EXIT

params() {
  case $1 in
    w1) echo "--subscribers 1000 --messages 2000 --rate 200" ;;
    w1b) echo "--subscribers 5000 --messages 500 --rate 50" ;;
    w1c) echo "--subscribers 10000 --messages 100 --rate 5" ;;
    smoke) echo "--subscribers 20 --messages 50 --rate 100" ;;
  esac
}

port=18100
failed=0
for workload in $workloads; do
  for kind in scribe nchan2 nchan1 ds; do
    if [ "$workload" = w1c ] && { [ "$kind" = nchan1 ] || [ "$kind" = ds ]; }; then continue; fi
    if [ "$workload" = smoke ] && [ "$kind" != scribe ]; then continue; fi
    port=$((port + 1))
    rm -rf "${dir:?}/$kind"
    setsid tools/bench/peers.sh "$kind" "$port" "$dir/$kind" >"$dir/peer" 2>&1 &
    peer=$!
    for _ in $(seq 300); do [ -s "$dir/peer" ] && break; sleep 0.1; done
    read -r pid _ <"$dir/peer"
    target=$kind
    case $kind in nchan*) target=nchan ;; esac
    echo "# $workload $kind"
    status=0
    # shellcheck disable=SC2046
    "$build"/bin/scribe_bench fanout --target "$target" --port "$port" --pid "$pid" \
      $(params "$workload") >"$dir/result" || status=$?
    cat "$dir/result"
    if [ "$kind" = scribe ] && [ "$status" -ne 0 ]; then failed=1; fi
    result=$(sed -n 's/^RESULT //p' "$dir/result")
    if [ -n "$result" ]; then
      echo "$result" | sed "s/^{/{\"server\":\"$kind\",\"workload_name\":\"$workload\",/" >>"$out"
    fi
    kill -- -"$peer" 2>/dev/null || true
    wait "$peer" 2>/dev/null || true
    peer=""
  done
done
exit $failed
