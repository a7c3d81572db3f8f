#!/usr/bin/env bash
# Runs the independent-verifier tests: installs the pinned npm packages when
# node_modules is missing or older than package-lock.json, then `node --test`.
# Usage: run.sh PATH/TO/interop_fixtures   (CTest passes the built tool)
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 INTEROP_FIXTURES_BINARY" >&2
  exit 2
fi
fixtures_bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  echo "interop: Node.js 20 or later is required (found $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# npm ci writes node_modules/.package-lock.json last; a lock file newer than it means stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # Several CTest runs (or engineers) may share this checkout: one install at a time.
  exec 9<"$here"
  flock 9
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  flock -u 9
fi

export EPERMIT_INTEROP_FIXTURES="$fixtures_bin"
exec node --test --test-reporter=spec ./*.test.mjs
