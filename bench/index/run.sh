#!/usr/bin/env bash
# Index benchmark: chanmirror index cold and warm against the hashing floor (the same bytes
# through `openssl dgst -sha256` and `openssl dgst -md5` in one tee pipeline, same run) and
# against that floor plus libbz2 decoding the one block a .tar.bz2 reader cannot skip (its
# first), and a no-change re-index of 10,000 packages. Prints one line per figure.
#   bench/index/run.sh [PACKAGE_DIR]   (default: a generated ~500 MB channel, 950 packages)
#   CONDA_PERCENT=80    share of .conda in the generated channel
#   BASELINE=path/to/chanmirror   also time another build cold, in the same run
#   RUNS=3              floor and cold runs alternate this many times; medians are reported
#   TMPDIR=/mnt/x   where the channel copies go (e.g. a journaled filesystem: see docs)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=build/chanmirror
maker=build/bench/bench_make_packages
[ -x "$bin" ] && [ -x "$maker" ] || { cmake --preset release >/dev/null && cmake --build --preset release -j2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/chanmirror-bench-index.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ $# -ge 1 ]; then
  cp -r "$1" "$work/channel"
else
  conda_percent=${CONDA_PERCENT:-80}
  echo "generating 950 packages (~500 MB, ${conda_percent}% .conda) ..."
  # 1250 MB of payload compresses to ~500 MB of packages.
  "$maker" "$work/channel" 950 1250 "$conda_percent"
fi
find "$work/channel" -name '.cache' -prune -o -name 'shards' -prune -o -type f \( -name '*.conda' -o -name '*.tar.bz2' \) -print > "$work/files"
count=$(wc -l < "$work/files")
bytes=$(xargs -a "$work/files" -d '\n' stat -c %s | awk '{s+=$1} END {print s}')
mb=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b/1e6}')

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b-a}'; }

# The hashing floor, page cache warmed the same way as for the index runs.
floor_run() {  # -> seconds
  xargs -a "$work/files" -d '\n' cat > /dev/null
  local t0 t1
  t0=$(now)
  xargs -a "$work/files" -d '\n' cat | tee >(openssl dgst -sha256 > /dev/null) | openssl dgst -md5 > /dev/null
  t1=$(now)
  elapsed "$t0" "$t1"
}
# This machine's speed drifts by 15-30 % from minute to minute (shared cores), so the floor and
# the index runs alternate, RUNS times, and each figure is the median of its runs.
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
runs=${RUNS:-3}

# A .tar.bz2 cannot be indexed without decoding the bzip2 block that holds info/index.json:
# no byte of a block exists before all of it is decoded (~900 KB; ~15 ms in libbz2). The
# second floor runs the hashing pipeline and libbz2's decode of every .tar.bz2's first block
# (first_blocks.py, two processes) at once on both cores. chanmirror decodes bzip2 itself,
# faster than libbz2 (io/bzip2_reader.hpp), so it can come in under this one.
grep '\.tar\.bz2$' "$work/files" | awk -v a="$work/bz2.0" -v b="$work/bz2.1" '{ print > (NR % 2 ? a : b) }'
touch "$work/bz2.0" "$work/bz2.1"
t0=$(now)
xargs -a "$work/files" -d '\n' cat | tee >(openssl dgst -sha256 > /dev/null) | openssl dgst -md5 > /dev/null &
bench/index/first_blocks.py < "$work/bz2.0" &
bench/index/first_blocks.py < "$work/bz2.1" &
wait
t1=$(now)
decode_floor=$(elapsed "$t0" "$t1")

# One cold run: a fresh copy of the channel (no cache, no outputs), page cache warm.
cold_run() {  # BINARY [OPTIONS...] -> seconds
  local bin_=$1; shift
  rm -rf "$work/cold" && cp -r "$work/channel" "$work/cold"
  # Packages are on disk before anyone indexes them: the copy's writeback is not the index's
  # (its one syncfs before the shard index would otherwise write the whole copy out).
  sync
  xargs -a "$work/files" -d '\n' cat > /dev/null
  local t0 t1
  t0=$(now)
  "$bin_" index --threads 2 "$@" "$work/cold" 2> "$work/cold.log" || true
  t1=$(now)
  elapsed "$t0" "$t1"
}
floors="" colds="" plains="" baselines=""
for _ in $(seq "$runs"); do
  floors="$floors $(floor_run)"
  plains="$plains $(cold_run "$bin" --no-channeldata)"
  grep -o 'peak RSS [0-9]* MB' "$work/cold.log" | sed 's/^/cold --no-channeldata /' > "$work/rss"
  if [ -n "${BASELINE:-}" ]; then
    baselines="$baselines $(cold_run "$BASELINE")"
  fi
  colds="$colds $(cold_run "$bin")"
  grep -o '[0-9]* recipes read in full' "$work/cold.log" > "$work/recipes" || true
  grep -o 'peak RSS [0-9]* MB' "$work/cold.log" | sed 's/^/cold /' >> "$work/rss"
done
floor=$(echo "$floors" | median)
cold=$(echo "$colds" | median)
cold_plain=$(echo "$plains" | median)
[ -n "$baselines" ] && baseline=$(echo "$baselines" | median)
t0=$(now)
"$bin" index --threads 2 "$work/cold" 2> "$work/warm.log" || true
t1=$(now)
warm=$(elapsed "$t0" "$t1")
echo "packages: $count, $mb MB ($(grep -c '\.conda$' "$work/files") .conda)"
echo "hashing floor (openssl sha256+md5 tee): ${floor} s (median of$floors)"
echo "hashing + libbz2 first-block floor ($(grep -c '\.tar\.bz2$' "$work/files") .tar.bz2): ${decode_floor} s"
report() {  # LABEL SECONDS
  awk -v l="$1" -v c="$2" -v f="$floor" -v d="$decode_floor" -v n="$count" -v m="$mb" 'BEGIN {
    printf "%s: %.3f s, %.0f packages/s, %.0f MB/s, %.2fx the hashing floor, %.2fx the hashing + libbz2 first-block floor\n", l, c, n/c, m/c, c/f, c/d }'
}
report "cold index" "$cold"
echo "  (median of$colds)"
echo "  ($(cat "$work/recipes"))"
report "cold index --no-channeldata" "$cold_plain"
echo "  (median of$plains)"
[ -n "${baseline:-}" ] && report "cold index, baseline $BASELINE" "$baseline"
echo "warm (no-change) index: ${warm} s"
cat "$work/rss"

echo "generating 10,000 small packages for the no-change re-index ..."
"$maker" "$work/many" 10000 20 100
"$bin" index --threads 2 "$work/many" 2> /dev/null
t0=$(now)
"$bin" index --threads 2 "$work/many" 2> "$work/many.log"
t1=$(now)
echo "no-change re-index of 10,000 packages: $(elapsed "$t0" "$t1") s (target < 0.5 s)"
