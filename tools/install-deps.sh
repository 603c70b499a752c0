#!/usr/bin/env bash
# Installs everything Scribe needs to build, run and test, from Debian 12
# packages. Runs apt-get (update first) only when something is missing;
# uses sudo when not run as root.
set -euo pipefail

PACKAGES=(
  cmake g++ make
  libpoco-dev            # Poco Foundation, Net, Util, JSON, NetSSL
  libsqlite3-dev sqlite3
  nlohmann-json3-dev
  libboost-dev libboost-filesystem-dev
  googletest libgtest-dev
  curl python3 procps openssl
  python3-httpx          # the original app's client, in the compatibility test
  nodejs                 # node and npm: the OpenAPI validator and the browser tests
  chromium               # headless, for the viewer's tests (driven by playwright-core)
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
