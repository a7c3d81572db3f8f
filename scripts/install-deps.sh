#!/usr/bin/env bash
# Installs every Debian package epermit needs to build, run, test and benchmark.
# Idempotent: packages already present are skipped, and apt is only touched when
# something is missing. Run as root (or with sudo available).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libboost-dev libboost-system-dev
  nlohmann-json3-dev
  libsodium-dev libssl-dev
  libsqlite3-dev sqlite3
  libtomlplusplus-dev
  libcli11-dev
  libspdlog-dev libfmt-dev
  zlib1g-dev
  libcbor-dev libqrencode-dev libpng-dev libzbar-dev zbar-tools
  clang libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl wrk python3
)
# Node.js runs the independent-verifier tests; machines that already have a Node
# (e.g. from nodesource) keep it, since Debian's npm conflicts with such an install.
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

# The npm packages of the independent-verifier tests (tests/interop), pinned by its
# package-lock.json: `npm ci` only when node_modules is missing or older than the lock
# (tests/interop/run.sh makes the same check before every test run).
install_interop_npm() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/interop"
  if [ -f "$dir/node_modules/.package-lock.json" ] && ! [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "install-deps: tests/interop npm packages present"
    return
  fi
  echo "install-deps: npm ci in tests/interop"
  (cd "$dir" && npm ci --no-audit --no-fund)
}

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  install_interop_npm
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_interop_npm
