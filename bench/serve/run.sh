#!/usr/bin/env bash
# chanmirror serve vs nginx on the same tree, driven by wrk over loopback.
#   bench/serve/run.sh [path/to/chanmirror]
# Env: ROUNDS (default 3; best of), DURATION (default 10s), THREADS (server threads / nginx workers, default nproc),
#      CONNECTIONS (small files and 304s, default 64), BIG_CONNECTIONS (50 MB file, default 4).
# Prints req/s (4 KB file, 304 revalidation) and MB/s (50 MB file) for both, and the ratios
# chanmirror/nginx. Installs nginx and wrk (Debian packages) when missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
binary=${1:-}
if [[ -z "$binary" ]]; then
  for candidate in "$repo/build/chanmirror" "$repo/build-server/chanmirror"; do
    [[ -x "$candidate" ]] && binary=$candidate && break
  done
fi
[[ -x "$binary" ]] || { echo "usage: $0 path/to/chanmirror (build it first)" >&2; exit 2; }

DURATION=${DURATION:-10s}
THREADS=${THREADS:-$(nproc)}
CONNECTIONS=${CONNECTIONS:-64}
BIG_CONNECTIONS=${BIG_CONNECTIONS:-4}
ROUNDS=${ROUNDS:-3}

if ! command -v wrk >/dev/null || ! { command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]]; }; then
  echo "installing nginx and wrk ..." >&2
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q nginx-light wrk >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d /tmp/chanmirror-bench-serve.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The tree: a 4 KB package, a 50 MB package, an index file.
root=$work/root
mkdir -p "$root/bench/noarch"
head -c 4096 /dev/urandom >"$root/bench/noarch/small-1.0-0.conda"
head -c $((50 * 1024 * 1024)) /dev/urandom >"$root/bench/noarch/big-1.0-0.conda"
printf '{"info":{"subdir":"noarch"},"packages":{},"packages.conda":{}}' >"$root/bench/noarch/repodata.json"
chmod -R a+rX "$work"  # nginx workers run as an unprivileged user when started by root

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# chanmirror: the port is read back from its first line.
"$binary" serve "$root" --host 127.0.0.1 --port 0 --threads "$THREADS" >"$work/chanmirror.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "listening on" "$work/chanmirror.out" && break; sleep 0.05; done
cm_port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/chanmirror.out")
[[ -n "$cm_port" ]] || { cat "$work/chanmirror.out" >&2; exit 1; }

# nginx: not a daemon, its own prefix and config, same number of workers, no access log.
ng_port=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes $THREADS;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$ng_port;
    root $root;
  }
}
CONF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$ng_port/bench/noarch/repodata.json" && break; sleep 0.05; done

cat >"$work/revalidate.lua" <<'LUA'
wrk.headers["If-None-Match"] = os.getenv("ETAG")
LUA

# wrk's "Requests/sec:" and "Transfer/sec:" (converted to MB/s).
requests_per_sec() { awk '/^Requests\/sec:/ {print $2}'; }
mb_per_sec() {
  awk '/^Transfer\/sec:/ {v=$2; u=v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+/, "", v);
       f = (u=="GB") ? 1024 : (u=="MB") ? 1 : (u=="KB") ? 1/1024 : 1/1048576; printf "%.1f\n", v*f}'
}
run_wrk() { wrk -t2 "$@" 2>&1; }

# Rounds alternate which server goes first, and each figure is the best of the rounds, so a
# burst of unrelated load on a shared machine does not decide the ratio.
declare -A result
best() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { print (a + 0 > b + 0) ? a : b }'; }
measure() {  # server
  local server=$1 port=$cm_port
  [[ $server == nginx ]] && port=$ng_port
  local base=http://127.0.0.1:$port/bench/noarch
  curl -sf -o /dev/null "$base/small-1.0-0.conda"  # warm the page cache
  curl -sf -o /dev/null "$base/big-1.0-0.conda"
  local out
  out=$(run_wrk -c"$CONNECTIONS" -d"$DURATION" "$base/small-1.0-0.conda")
  result[$server,small]=$(best "${result[$server,small]:-0}" "$(requests_per_sec <<<"$out")")
  out=$(run_wrk -c"$BIG_CONNECTIONS" -d"$DURATION" "$base/big-1.0-0.conda")
  result[$server,big]=$(best "${result[$server,big]:-0}" "$(mb_per_sec <<<"$out")")
  local etag status
  etag=$(curl -sfI "$base/repodata.json" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag" {print $2}')
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$base/repodata.json")
  [[ $status == 304 ]] || { echo "$server: expected 304, got $status" >&2; exit 1; }
  out=$(ETAG=$etag run_wrk -c"$CONNECTIONS" -d"$DURATION" -s "$work/revalidate.lua" "$base/repodata.json")
  result[$server,304]=$(best "${result[$server,304]:-0}" "$(requests_per_sec <<<"$out")")
}
for round in $(seq "$ROUNDS"); do
  if (( round % 2 )); then order="chanmirror nginx"; else order="nginx chanmirror"; fi
  for server in $order; do measure "$server"; done
  echo "round $round/$ROUNDS done" >&2
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
printf '%-34s %14s %14s %8s\n' "workload ($THREADS thr, best of $ROUNDS x $DURATION)" chanmirror nginx ratio
printf '%-34s %14s %14s %8s\n' "4 KB file, $CONNECTIONS conns (req/s)" "${result[chanmirror,small]}" \
  "${result[nginx,small]}" "$(ratio "${result[chanmirror,small]}" "${result[nginx,small]}")"
printf '%-34s %14s %14s %8s\n' "50 MB file, $BIG_CONNECTIONS conns (MB/s)" "${result[chanmirror,big]}" \
  "${result[nginx,big]}" "$(ratio "${result[chanmirror,big]}" "${result[nginx,big]}")"
printf '%-34s %14s %14s %8s\n' "304 revalidation, $CONNECTIONS conns (req/s)" "${result[chanmirror,304]}" \
  "${result[nginx,304]}" "$(ratio "${result[chanmirror,304]}" "${result[nginx,304]}")"
