#!/usr/bin/env bash
# Installs dependencies, builds, and runs Scribe on http://127.0.0.1:8080
# with the offline provider (no key needed) and ./scribe.db. Extra arguments
# go to scribed (see build/bin/scribed --help).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh
# One local user on loopback: no API keys (--auth on and `scribectl keys
# create` for anything else).
exec build/bin/scribed --listen "${SCRIBE_LISTEN:-127.0.0.1:8080}" --db "${SCRIBE_DB:-scribe.db}" \
  --plugins build/plugins --auth "${SCRIBE_AUTH:-off}" "$@"
