#!/usr/bin/env bash
# chanmirror serve vs nginx on the same tree, driven by wrk over loopback.
#   bench/serve/run.sh [path/to/chanmirror]
# Env: ROUNDS (default 3; best of), DURATION (default 10s), THREADS (server threads / nginx workers, default nproc),
#      CONNECTIONS (small files and 304s, default 64), BIG_CONNECTIONS (50 MB file, default 4),
#      SERVERS (default "chanmirror nginx"; one name measures only that server).
# Prints req/s (4 KB file, 304 revalidation) and MB/s (50 MB file) for both, the ratios
# chanmirror/nginx, and the server CPU time (utime+stime from /proc) per request and per MB:
# on a shared machine the free CPU varies run to run, the CPU each server spends does not.
# Installs nginx and wrk (Debian packages) when missing.
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
SERVERS=${SERVERS:-chanmirror nginx}

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
cm_pid=$!
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
ng_pid=$!
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
requests_done() { awk '/requests in/ {print $1}'; }
megabytes_read() {  # "N requests in 5.00s, 4.99GB read"
  awk '/requests in/ {v=$(NF-1); u=v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+/, "", v);
       f = (u=="GB") ? 1024 : (u=="MB") ? 1 : (u=="KB") ? 1/1024 : 1/1048576; printf "%.1f\n", v*f}'
}

# CPU clock ticks (utime + stime) of a process and its children (nginx's workers); a process's
# /proc/<pid>/stat already sums all of its threads.
cpu_ticks() {
  local total=0 pid ticks
  for pid in "$1" $(pgrep -P "$1" || true); do
    ticks=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  echo "$total"
}
clock_ticks=$(getconf CLK_TCK)
# Runs wrk (output in $wrk_out) and adds the server's CPU ticks to cpu[server,workload] and the
# requests (or MB) served to count[server,workload].
wrk_with_cpu() {  # server workload requests|megabytes wrk-args...
  local server=$1 workload=$2 kind=$3 pid=$cm_pid
  shift 3
  [[ $server == nginx ]] && pid=$ng_pid
  local before after out
  before=$(cpu_ticks "$pid")
  out=$(run_wrk "$@")
  after=$(cpu_ticks "$pid")
  wrk_out=$out
  cpu[$server,$workload]=$(( ${cpu[$server,$workload]:-0} + after - before ))
  if [[ $kind == requests ]]; then
    count[$server,$workload]=$(( ${count[$server,$workload]:-0} + $(requests_done <<<"$out") ))
  else
    count[$server,$workload]=$(awk -v a="${count[$server,$workload]:-0}" -v b="$(megabytes_read <<<"$out")" \
      'BEGIN { printf "%.1f", a + b }')
  fi
}

# Rounds alternate which server goes first, and each figure is the best of the rounds, so a
# burst of unrelated load on a shared machine does not decide the ratio.
declare -A result cpu count
best() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { print (a + 0 > b + 0) ? a : b }'; }
measure() {  # server
  local server=$1 port=$cm_port
  [[ $server == nginx ]] && port=$ng_port
  local base=http://127.0.0.1:$port/bench/noarch
  curl -sf -o /dev/null "$base/small-1.0-0.conda"  # warm the page cache
  curl -sf -o /dev/null "$base/big-1.0-0.conda"
  local out
  wrk_with_cpu "$server" small requests -c"$CONNECTIONS" -d"$DURATION" "$base/small-1.0-0.conda"
  out=$wrk_out
  result[$server,small]=$(best "${result[$server,small]:-0}" "$(requests_per_sec <<<"$out")")
  wrk_with_cpu "$server" big megabytes -c"$BIG_CONNECTIONS" -d"$DURATION" "$base/big-1.0-0.conda"
  out=$wrk_out
  result[$server,big]=$(best "${result[$server,big]:-0}" "$(mb_per_sec <<<"$out")")
  local etag status
  etag=$(curl -sfI "$base/repodata.json" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag" {print $2}')
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$base/repodata.json")
  [[ $status == 304 ]] || { echo "$server: expected 304, got $status" >&2; exit 1; }
  ETAG=$etag wrk_with_cpu "$server" 304 requests -c"$CONNECTIONS" -d"$DURATION" -s "$work/revalidate.lua" \
    "$base/repodata.json"
  out=$wrk_out
  result[$server,304]=$(best "${result[$server,304]:-0}" "$(requests_per_sec <<<"$out")")
}
for round in $(seq "$ROUNDS"); do
  order=$SERVERS
  (( round % 2 )) || order=$(tr ' ' '\n' <<<"$SERVERS" | tac | tr '\n' ' ')
  for server in $order; do measure "$server"; done
  echo "round $round/$ROUNDS done" >&2
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }
# Server CPU per unit: microseconds per request or per MB.
cpu_per() {  # server workload scale
  awk -v t="${cpu[$1,$2]:-0}" -v n="${count[$1,$2]:-0}" -v hz="$clock_ticks" -v s="$3" \
    'BEGIN { if (n > 0) printf "%.1f", t / hz * s / n; else print "n/a" }'
}
row() {  # label workload
  printf '%-34s %14s %14s %8s\n' "$1" "${result[chanmirror,$2]:-n/a}" "${result[nginx,$2]:-n/a}" \
    "$(ratio "${result[chanmirror,$2]:-0}" "${result[nginx,$2]:-0}")"
}
cpu_row() {  # label workload
  printf '%-34s %14s %14s %8s\n' "$1" "$(cpu_per chanmirror "$2" "$3")" "$(cpu_per nginx "$2" "$3")" \
    "$(ratio "$(cpu_per chanmirror "$2" "$3")" "$(cpu_per nginx "$2" "$3")")"
}
printf '%-34s %14s %14s %8s\n' "workload ($THREADS thr, best of $ROUNDS x $DURATION)" chanmirror nginx ratio
row "4 KB file, $CONNECTIONS conns (req/s)" small
row "50 MB file, $BIG_CONNECTIONS conns (MB/s)" big
row "304 revalidation, $CONNECTIONS conns (req/s)" 304
echo "server CPU (utime+stime, all rounds):"
cpu_row "4 KB file (us/request)" small 1000000
cpu_row "50 MB file (us/MB)" big 1000000
cpu_row "304 revalidation (us/request)" 304 1000000
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
