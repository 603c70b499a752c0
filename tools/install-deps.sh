#!/usr/bin/env bash
# Installs what Scribe needs from Debian 12 packages: to build and run it, and
# with --for-tests also what its tests use (headless Chromium, Node.js, the
# httpx client, openssl, PostgreSQL's server, clang for the fuzzers). Runs
# apt-get (update first) only when something is missing; uses sudo when not
# run as root.
set -euo pipefail

PACKAGES=(
  cmake g++ make
  libpoco-dev            # Poco Foundation, Net, Util, JSON, NetSSL
  libssl-dev             # OpenSSL, under NetSSL and for the HTTPS listener
  libsqlite3-dev sqlite3
  libpq-dev              # libpq, for the PostgreSQL store
  nlohmann-json3-dev
  libboost-dev libboost-filesystem-dev
  googletest libgtest-dev
  curl python3 procps
)
if [ "${1:-}" = "--for-tests" ]; then
  PACKAGES+=(
    openssl                # self-signed certificates for the TLS tests
    postgresql             # the server of the tests' throwaway cluster (tools/pg_cluster.sh)
    python3-httpx          # the original app's client, in the compatibility test
    nodejs                 # the OpenAPI validator and the browser tests
    chromium               # headless, for the viewer's tests (driven by playwright-core)
    clang libclang-rt-14-dev  # libFuzzer and its sanitizer runtimes (tools/fuzz.sh)
  )
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
updated=""
install() {
  if [ -z "$updated" ]; then
    $sudo apt-get update
    updated=yes
  fi
  echo "install-deps: installing $*"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "$@"
}

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} > 0)); then install "${missing[@]}"; fi

# Debian's nodejs comes without npm (NodeSource's includes it).
if [ "${1:-}" = "--for-tests" ] && ! command -v npm >/dev/null; then install npm; fi
