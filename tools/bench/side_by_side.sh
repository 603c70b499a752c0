#!/usr/bin/env bash
# Issue #8's workloads, side by side in one run: Scribe (on SQLite, and on
# PostgreSQL for the fan-out, append and ingest rows, the fan-out also across
# two hosts: scribe-pg2), nchan (2 and 1
# workers), the Durable Streams reference server and raw SQLite, each fresh on
# 127.0.0.1, driven by build/bin/scribe_bench (64-byte messages).
#
#   tools/bench/side_by_side.sh [OUT.jsonl] [WORKLOADS...]   (after tools/build.sh)
#
# Workloads: w1 (1,000 SSE subscribers, 2,000 messages at 200/s), w1b (5,000,
# 500 at 50/s), w1c (10,000, 100 at 5/s, then 35 s idle: the longest silence
# between heartbeats; Scribe and nchan-2w only), w2 (8
# connections appending as fast as answered, 10 s, and Scribe's HTTP ceiling),
# w3 (160,000 messages read back whole, plain and SSE, from the start and the
# middle; nchan: SSE from its oldest message only), scale (100 messages at
# 20/s to 100 ... 10,000 subscribers: cost against load, for plot.sh), ingest
# (64 fast offline jobs; raw SQLite inserts of chunk rows beside), ttft (time
# to first token through the host against the fake provider's own), slow
# (appends alone, then beside 1,000 viewers reading 1 byte/s), smoke (20
# subscribers, 50 messages, Scribe only: CI runs it to keep the tools working).
# Appends one RESULT JSON line per measure to OUT (default docs/bench/results.jsonl),
# each labelled with the run's start time; tools/bench/plot.sh draws a run.
# Exits 1 when a Scribe run failed (peers may).
# SCRIBE_BUILD_DIR: where the binaries are (default build/); SCRIBE_SERVERS:
# run only these servers (e.g. "scribe scribe-pg").
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${SCRIBE_BUILD_DIR:-build}
out=${1:-docs/bench/results.jsonl}
shift || true
workloads=${*:-w1 w1b w1c w2 w3 scale ingest ttft slow}
expanded=""
for w in $workloads; do
  if [ "$w" = scale ]; then w="scale-100 scale-1000 scale-2500 scale-5000 scale-10000"; fi
  expanded="$expanded $w"
done
workloads=$expanded
mkdir -p "$(dirname "$out")"
ulimit -n 65536 2>/dev/null || true
dir=$(mktemp -d)
peer=""
fake=""
cleanup() {
  [ -n "$peer" ] && kill -- -"$peer" 2>/dev/null
  [ -n "$fake" ] && kill "$fake" 2>/dev/null
  tools/pg_cluster.sh stop "$dir/pg" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

params() {  # the scribe_bench mode and options of a workload
  case $1 in
    w1) echo "fanout --subscribers 1000 --messages 2000 --rate 200" ;;
    w1b) echo "fanout --subscribers 5000 --messages 500 --rate 50" ;;
    w1c) echo "fanout --subscribers 10000 --messages 100 --rate 5 --idle 35" ;;
    w2) echo "appends --connections 8 --seconds 10" ;;
    w3) echo "catchup --messages 160000" ;;
    scale-*) echo "fanout --subscribers ${1#scale-} --messages 100 --rate 20" ;;
    ingest) echo "ingest --jobs 64 --sections 40" ;;
    ttft) echo "ttft --runs 40" ;;
    slow) echo "slow-viewers --viewers 1000 --seconds 10" ;;
    smoke) echo "fanout --subscribers 20 --messages 50 --rate 100" ;;
    *) echo "side_by_side.sh: unknown workload $1" >&2; exit 2 ;;
  esac
}

servers() {  # who runs a workload (SCRIBE_SERVERS: only these of them)
  local all
  case $1 in
    w1c) all="scribe nchan2" ;;
    scale-*) all="scribe nchan2 nchan1" ;;
    ingest) all="scribe scribe-pg sqlite" ;;
    ttft | slow | smoke) all="scribe" ;;
    w3) all="scribe nchan2 nchan1 ds" ;;
    w1 | w1b) all="scribe scribe-pg scribe-pg2 nchan2 nchan1 ds" ;;
    *) all="scribe scribe-pg nchan2 nchan1 ds" ;;
  esac
  for kind in $all; do
    if [ -z "${SCRIBE_SERVERS:-}" ] || [[ " $SCRIBE_SERVERS " == *" $kind "* ]]; then
      echo -n "$kind "
    fi
  done
}

# PostgreSQL for scribe-pg: one throwaway cluster for the run, a database per server.
if [[ " $(for w in $workloads; do servers "$w"; done) " == *" scribe-pg"* ]]; then
  SCRIBE_PG_URL=$(tools/pg_cluster.sh start "$dir/pg")
  export SCRIBE_PG_URL
fi

run=$(date -u +%Y-%m-%dT%H:%M:%SZ)
record() {  # the RESULT lines of $dir/result, labelled with the run, into $out
  grep -v '^RESULT' "$dir/result" || true
  sed -n "s/^RESULT {/{\"run\":\"$run\",\"server\":\"$1\",\"workload_name\":\"$2\",/p" \
    "$dir/result" >>"$out"
}

port=18100
failed=0
for workload in $workloads; do
  mode=$(params "$workload")
  for kind in $(servers "$workload"); do
    echo "# $workload $kind"
    if [ "$kind" = sqlite ]; then  # no server: raw inserts, in Scribe's shape and at best
      : >"$dir/result"
      for shape in "--jobs 64 --batch 1000" "--jobs 1 --batch 1000" "--jobs 64 --batch 10000"; do
        # shellcheck disable=SC2086
        "$build"/bin/scribe_bench sqlite --rows 400000 --bytes 6 $shape --dir "$dir" \
          >>"$dir/result" || failed=1
      done
      record "$kind" "$workload"
      continue
    fi
    port=$((port + 2))
    extra=""
    scribe_args=""
    if [ "$workload" = ttft ]; then  # the fake provider, and the host's openai plugin on it
      python3 tests/fakes/fake_llm.py --port $((port + 500)) >"$dir/fake" 2>&1 &
      fake=$!
      for _ in $(seq 100); do grep -q listening "$dir/fake" && break; sleep 0.1; done
      printf '{"plugin_config":{"OPENAI_BASE_URL":"http://127.0.0.1:%s/v1","OPENAI_API_KEY":"test-key"}}' \
        $((port + 500)) >"$dir/scribe.json"
      scribe_args="--config $dir/scribe.json"
      extra="--fake-port $((port + 500))"
    fi
    SCRIBE_ARGS=$scribe_args setsid tools/bench/peers.sh "$kind" "$port" "$dir/$kind-$port" \
      >"$dir/peer" 2>&1 &
    peer=$!
    for _ in $(seq 600); do [ -s "$dir/peer" ] && break; sleep 0.1; done
    read -r pid _ <"$dir/peer" || true
    if ! [[ "${pid:-}" =~ ^[0-9]+$ ]]; then  # it did not start: say why, go on
      cat "$dir/peer" >&2
      if [[ "$kind" == scribe* ]]; then failed=1; fi
      kill -- -"$peer" 2>/dev/null || true
      peer=""
      continue
    fi
    target=$kind
    case $kind in nchan*) target=nchan ;; scribe*) target=scribe ;; esac
    # Two hosts: subscribers on the first, the publisher on the second.
    if [ "$kind" = scribe-pg2 ]; then extra="$extra --publish-port $((port + 1))"; fi
    status=0
    # shellcheck disable=SC2086
    "$build"/bin/scribe_bench $mode --target "$target" --port "$port" --pid "$pid" $extra \
      >"$dir/result" || status=$?
    if [[ "$kind" == scribe* ]] && [ "$status" -ne 0 ]; then failed=1; fi
    record "$kind" "$workload"
    kill -- -"$peer" 2>/dev/null || true
    wait "$peer" 2>/dev/null || true
    peer=""
    if [ -n "$fake" ]; then kill "$fake" 2>/dev/null || true; wait "$fake" 2>/dev/null || true; fake=""; fi
  done
done
exit $failed
