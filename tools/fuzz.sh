#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and
# runs each for SECONDS (default 60) from its seed corpus, keeping what it
# finds in build-fuzz/corpus/<name>/. A crash or a sanitizer report fails the
# run and leaves the input that caused it in build-fuzz/artifacts/.
#   tools/fuzz.sh [SECONDS] [NAME...]     (FUZZ_SEED=N repeats a run; 0: random)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
names=("$@")
[ "${#names[@]}" -gt 0 ] || names=(sse_parser offsets durable requests utf8 provider_events)
dir=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$dir" -DSCRIBE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$dir" -j "${JOBS:-2}" --target scribe_fuzzers
mkdir -p "$dir/artifacts"
for name in "${names[@]}"; do
  corpus="$dir/corpus/$name"
  mkdir -p "$corpus"
  cp -n tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
  log="$dir/fuzz_$name.log"
  if ! "$dir/bin/fuzz_$name" "$corpus" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
      -seed="${FUZZ_SEED:-0}" \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$name-" \
      >"$log" 2>&1; then
    tail -60 "$log"
    echo "fuzz_$name failed; the input is in $dir/artifacts/" >&2
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  echo "fuzz_$name: $runs executions in ${seconds}s, corpus $(ls "$corpus" | wc -l) inputs"
done
