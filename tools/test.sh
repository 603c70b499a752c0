#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test. `tools/test.sh fast`
# runs only the fast unit and contract tests (the inner loop).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --for-tests
tools/build.sh -DSCRIBE_WERROR=ON
(cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
label=()
if [ "${1:-}" = "fast" ]; then label=(-L fast); fi
cd "${BUILD_DIR:-build}"
ctest "${label[@]}" -j "${JOBS:-2}" --timeout 300 --output-on-failure
