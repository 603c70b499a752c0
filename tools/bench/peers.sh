#!/usr/bin/env bash
# Starts one server for the benchmarks on 127.0.0.1 and prints its PID and
# port as "PID PORT" once it serves; it runs until killed.
#
#   tools/bench/peers.sh scribe|scribe-pg|scribe-pg2|ds|nchan1|nchan2 PORT DIR
#
# scribe: build/bin/scribed (a fresh database in DIR, offline provider).
# scribe-pg: the same on a fresh database of the PostgreSQL cluster at
#         SCRIBE_PG_URL (tools/pg_cluster.sh; side_by_side.sh starts one).
# scribe-pg2: two hosts on one such database, on PORT and PORT+1; the PID
#         printed is the first's.
# ds:     the Durable Streams reference server, in memory (tools/bench/node).
# nchanN: nginx-light with nchan, N worker processes; POST /pub/<id>,
#         EventSource GET /sub/<id>, a message buffer for the whole run.
# Installs what it needs (apt-get as root for nginx and nchan, npm for ds).
# SCRIBE_BUILD_DIR: where scribed is (default build/); SCRIBE_ARGS: more
# scribed options (e.g. --config FILE).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${SCRIBE_BUILD_DIR:-build}  # where the binaries are
kind=$1 port=$2 dir=$3
mkdir -p "$dir"
ulimit -n 65536 2>/dev/null || true

wait_for() {  # the server's log file, the text it prints once serving
  for _ in $(seq 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "peers.sh: $kind did not start: $(cat "$1")" >&2
  return 1
}

case $kind in
  scribe | scribe-pg | scribe-pg2)
    db="$dir/bench.db"
    if [ "$kind" != scribe ]; then
      psql -q "$SCRIBE_PG_URL" -c "CREATE DATABASE bench_$port"
      db="${SCRIBE_PG_URL%/*}/bench_$port"
    fi
    start_scribe() {  # PORT LOG_PREFIX
      "$build"/bin/scribed --listen "127.0.0.1:$1" --db "$db" --plugins "$build"/plugins \
        --auth off --max-viewers-per-job 0 --max-viewers-per-key 0 ${SCRIBE_ARGS:-} \
        >"$dir/$2out" 2>"$dir/$2log" &
    }
    if [ "$kind" = scribe-pg2 ]; then
      start_scribe $((port + 1)) second-
      wait_for "$dir/second-out" listening
    fi
    start_scribe "$port" ""
    pid=$!
    wait_for "$dir/out" listening
    ;;
  ds)
    if [ ! -d tools/bench/node/node_modules/@durable-streams/server ]; then
      (cd tools/bench/node && npm ci --no-audit --no-fund >/dev/null)
    fi
    node tools/bench/node/ds_server.mjs "$port" >"$dir/out" 2>"$dir/log" &
    pid=$!
    wait_for "$dir/out" listening
    ;;
  nchan1|nchan2)
    if [ ! -e /usr/lib/nginx/modules/ngx_nchan_module.so ]; then
      apt-get update >/dev/null && apt-get install -y nginx-light libnginx-mod-nchan >/dev/null
    fi
    workers=${kind#nchan}
    mkdir -p "$dir/logs" "$dir/tmp"
    cat >"$dir/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes $workers;
worker_rlimit_nofile 65536;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 30000; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  nchan_max_reserved_memory 512M;
  server {
    listen 127.0.0.1:$port backlog=16384;
    location ~ ^/pub/(\w+)\$ {
      nchan_publisher;
      nchan_channel_id \$1;
      nchan_message_buffer_length 200000;
      nchan_message_timeout 1h;
    }
    location ~ ^/sub/(\w+)\$ {
      nchan_subscriber eventsource;
      nchan_subscriber_first_message oldest;
      nchan_eventsource_ping_interval 15;  # heartbeats, as Scribe's (15 s)
      nchan_channel_id \$1;
    }
    location = /ready { return 200 "ready\n"; }
  }
}
CONF
    nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' >"$dir/out" 2>&1 &
    pid=$!
    for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.05; done
    ;;
  *) echo "usage: peers.sh scribe|scribe-pg|scribe-pg2|ds|nchan1|nchan2 PORT DIR" >&2; exit 2 ;;
esac
echo "$pid $port"
wait "$pid"
