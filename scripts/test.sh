#!/usr/bin/env bash
# Installs dependencies, builds the release preset and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/install-clients.sh
cmake --preset release >/dev/null
cmake --build --preset release -j2
ctest --preset release -j2
