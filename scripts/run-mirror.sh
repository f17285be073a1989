#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install dependencies, build, sync the shipped
# selection (config/default-mirror.yaml) into ./mirror, then serve it.
#   MIRROR_DIR (default ./mirror), HOST (127.0.0.1), PORT (8080) override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j2 --target chanmirror
mirror="${MIRROR_DIR:-$PWD/mirror}"
status=0
build/chanmirror sync --config config/default-mirror.yaml --dest "$mirror" || status=$?
if [ "$status" -ge 2 ] && [ ! -d "$mirror" ]; then
  echo "run-mirror: sync failed (exit $status) and there is no mirror to serve" >&2
  exit "$status"
fi
[ "$status" -eq 0 ] || echo "run-mirror: sync exited $status; serving what is published" >&2
exec build/chanmirror serve "$mirror" --host "${HOST:-127.0.0.1}" --port "${PORT:-8080}"
