#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test:
#   tools/test.sh         what CI runs: the whole suite under AddressSanitizer +
#                         UndefinedBehaviorSanitizer (build-asan), the
#                         concurrency tests under ThreadSanitizer (build-tsan),
#                         and a short run of every fuzzer (build-fuzz)
#   tools/test.sh plain   the whole suite in the normal build (build/)
#   tools/test.sh fast    only the fast unit and contract tests (the inner loop)
# A sanitizer report from any process (test or scribed) fails the run.
# Sanitizer builds use -O0/-O1 with line tables only: with gcc, UBSan at -O2
# -g compiles four times slower, and the tests wait on I/O, not on the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
tools/install-deps.sh --for-tests
(cd tests/node && npm ci --no-audit --no-fund --loglevel=error)

# run_suite BUILD_DIR CMAKE_ARGS -- CTEST_ARGS
run_suite() {
  local dir=$1 cmake_args=() ctest_args=()
  shift
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do cmake_args+=("$1"); shift; done
  [ "$#" -gt 0 ] && shift
  ctest_args=("$@")
  BUILD_DIR=$dir tools/build.sh -DSCRIBE_WERROR=ON "${cmake_args[@]}"
  (cd "$dir" && ctest "${ctest_args[@]}" -j "${JOBS:-2}" --timeout 600 --output-on-failure)
}

# run_sanitized NAME SANITIZERS OPTIMIZATION -- CTEST_ARGS: reports go to
# files, and any file there fails the run (host processes report to their
# own logs).
run_sanitized() {
  local name=$1 sanitizers=$2 optimization=$3
  shift 4
  local reports
  reports=$(mktemp -d)
  echo "== tests under ${sanitizers} sanitizers (build-${name})"
  ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:strict_string_checks=1" \
  UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=0" \
  TSAN_OPTIONS="log_path=$reports/tsan:second_deadlock_stack=1:suppressions=$PWD/tools/tsan.supp" \
    BUILD_TYPE=None run_suite "build-${name}" -DSCRIBE_SANITIZE="$sanitizers" \
      -DCMAKE_C_FLAGS="$optimization -g1" -DCMAKE_CXX_FLAGS="$optimization -g1" -- "$@"
  if compgen -G "$reports/*" >/dev/null; then
    cat "$reports"/*
    echo "sanitizer reports above (build-${name})" >&2
    exit 1
  fi
  echo "== no ${sanitizers} sanitizer reports"
}

case "$mode" in
  fast) run_suite build -- -L fast ;;
  plain) run_suite build -- ;;
  all)
    run_sanitized asan address,undefined -O0 --
    # The tests that run threads against each other: the store's writer, the
    # host end to end (hub, dispatcher, workers), scribectl's follow, Durable Streams (the
    # conformance suite included).
    run_sanitized tsan thread -O1 -- -R "StoreContract|SqliteStore|Postgres|MultiHost|Streaming|Lifecycle|Crash|NetworkFaults|Scribectl|SlowSenders|Cors|DurableStreams|SseHubDurable" -E "Soak|Gemini"
    FUZZ_SEED=${FUZZ_SEED:-1} tools/fuzz.sh "${FUZZ_SECONDS:-20}"
    ;;
  *) echo "usage: tools/test.sh [fast|plain]" >&2; exit 2 ;;
esac
