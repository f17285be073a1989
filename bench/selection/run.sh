#!/bin/sh
# Selection bench (issue 5): closure of 20 names over a generated 500,000-record linux-64
# repodata (+ 37,836 noarch records), with and without --latest 1. Target: < 2 s.
#   bench/selection/run.sh [BUILD_DIR] [DATA_DIR]
# BUILD_DIR holds bench/selection_bench (the root CMakeLists adds bench/).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
data=${2:-/tmp/chanmirror-selection-bench}
[ -f "$data/linux-64/repodata.json" ] || /usr/bin/python3 "$here/make_repodata.py" "$data"
"$build/bench/selection_bench" "$data" --rounds 3
"$build/bench/selection_bench" "$data" --rounds 3 --latest 1
