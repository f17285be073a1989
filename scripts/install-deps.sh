#!/usr/bin/env bash
# Installs chanmirror's build and test dependencies from Debian 12 packages.
# Idempotent: apt-get skips what is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang-format
  libarchive-dev libzstd-dev zstd libsimdjson-dev nlohmann-json3-dev
  libcurl4-openssl-dev libssl-dev openssl libboost1.81-dev
  libgtest-dev libgmock-dev libcli11-dev libyaml-cpp-dev libexpected-dev
  libsqlite3-dev libfmt-dev
  # the reference decoder the bzip2 fuzz target checks io::Bzip2Reader against
  libbz2-dev
  # independent checkers in ../shared/tools and end-to-end tests
  python3 python3-msgpack python3-zstandard curl bzip2
  # an HTTP/2 upstream for the sync tests (nghttpd)
  nghttp2-server
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
