#!/usr/bin/env bash
# The peer being measured: a serial mirror script, one curl process (and connection) per file,
# then a checksum check, as the cron scripts chanmirror replaces do.
# usage: serial_curl.sh LIST DEST   (LIST lines: "<url> <sha256> <filename>")
set -euo pipefail
list=$1
dest=$2
mkdir -p "$dest"
while read -r url sha file; do
    curl -fsS -o "$dest/$file" "$url"
    echo "$sha  $dest/$file" | sha256sum --quiet -c -
done < "$list"
