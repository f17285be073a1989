#!/usr/bin/env bash
# Fuzzes chanmirror's parsers and request handling with libFuzzer (clang, ASan + UBSan).
#   fuzz/run.sh [SECONDS] [NAME...]   (default: 60 s for each of fuzz/*_fuzzer.cpp)
# Each fuzzer starts from fuzz/corpus/<name>/ and grows a working corpus in
# build-fuzz/corpus/<name>/. A failing input lands in build-fuzz/artifacts/; once the bug is
# fixed, copy it into fuzz/corpus/<name>/ so that ctest replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for source in fuzz/*_fuzzer.cpp; do names+=("$(basename "$source" .cpp)"); done
fi
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j2 --target "${names[@]}"
mkdir -p build-fuzz/artifacts
status=0
for name in "${names[@]}"; do
  mkdir -p "build-fuzz/corpus/$name"
  echo "== $name (${seconds} s)"
  build-fuzz/fuzz/"$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="build-fuzz/artifacts/$name-" -print_final_stats=1 \
    "build-fuzz/corpus/$name" "fuzz/corpus/$name" 2>&1 | grep -E '^(stat::|==|SUMMARY|fuzz check)|Done' || status=1
done
exit $status
