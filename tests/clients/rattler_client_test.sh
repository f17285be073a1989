#!/usr/bin/env bash
# A real conda client against a real mirror: index the fixture packages, serve them with
# `chanmirror serve`, solve with rattler (CEP-16 shards, then plain repodata when the
# channel has no shards), download every package of the solution and check its sha256.
#   rattler_client_test.sh CHANMIRROR FIXTURES_DIR CLIENTS_DIR
set -euo pipefail
bin=$1 fixtures=$2 clients=$3
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$clients/node_modules/@conda-org/rattler" ] || ! command -v node >/dev/null; then
  echo "rattler client not installed in $clients (scripts/install-clients.sh); skipping"
  exit 77
fi
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

for channel in sharded plain; do
  for subdir in linux-64 noarch; do
    mkdir -p "$work/root/$channel/$subdir"
    cp "$fixtures/packages/$subdir/"* "$work/root/$channel/$subdir/"
    chmod -R u+w "$work/root/$channel/$subdir"
  done
done
"$bin" index "$work/root/sharded" 2>/dev/null
"$bin" index --no-shards "$work/root/plain" 2>/dev/null

"$bin" serve "$work/root" --port 0 --access-log "$work/access.log" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q listening "$work/serve.log" && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -1)
[ -n "$base" ] || { echo "server did not start:"; cat "$work/serve.log"; exit 1; }

expected="d-1-0.tar.bz2 dependency-2.0-0.conda test-package-0.1-0.tar.bz2"
for channel in sharded plain; do
  NODE_PATH="$clients/node_modules" node "$here/rattler_solve.cjs" "$base/$channel" linux-64,noarch \
    dependency test-package d > "$work/$channel.urls"
  got=$(xargs -n1 basename < "$work/$channel.urls" | sort | tr '\n' ' ' | sed 's/ $//')
  [ "$got" = "$expected" ] || { echo "$channel: solution '$got', expected '$expected'"; exit 1; }
  while read -r url; do
    file=${url##*/} subdir=$(basename "$(dirname "$url")")
    curl -sf "$url" -o "$work/download"
    want=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print({**r['packages'], **r['packages.conda']}[sys.argv[2]]['sha256'])" \
      "$work/root/$channel/$subdir/repodata.json" "$file")
    have=$(sha256sum "$work/download" | cut -d' ' -f1)
    [ "$want" = "$have" ] || { echo "$channel: sha256 mismatch for $url"; exit 1; }
  done < "$work/$channel.urls"
done
grep -q 'GET /sharded/noarch/shards/' "$work/access.log" || { echo "rattler did not use the shards"; exit 1; }
grep -q 'GET /plain/noarch/repodata.json' "$work/access.log" || { echo "no repodata.json fallback seen"; exit 1; }
echo "rattler solved and installed from both channels (sharded and plain)"
