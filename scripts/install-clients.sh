#!/usr/bin/env bash
# Installs the real conda client the client tests drive: rattler's JS bindings (the gateway
# and solver behind pixi), from the npm registry, into .clients/ (or $1). Needs node + npm.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-$PWD/.clients}"
if ! command -v npm >/dev/null; then
  echo "install-clients: npm not found; client tests will be skipped" >&2
  exit 0
fi
mkdir -p "$dir"
[ -d "$dir/node_modules/@conda-org/rattler" ] || npm install --silent --prefix "$dir" @conda-org/rattler@0.3.5 \
  || echo "install-clients: npm install failed; client tests will be skipped" >&2
