#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks: in a new
# directory under /tmp, on a free loopback port, owned by the `postgres` user
# when run as root (PostgreSQL refuses to run as root), trusting loopback
# connections only, without fsync (nothing in it outlives the run).
#
#   tools/pg_cluster.sh start DIR   starts it; writes its URL to DIR/url
#   tools/pg_cluster.sh restart DIR stops it (fast: sessions are cut) and
#                                   starts it again on the same port
#   tools/pg_cluster.sh stop DIR    stops it and removes it and DIR
#
# The URL names the role `scribe` (a superuser of this cluster) and the
# database `postgres`; tests create a database of their own in it.
set -euo pipefail

usage() { echo "usage: $0 start|restart|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
command="$1"
dir="$2"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "$0: PostgreSQL's server is not installed (apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Stops the cluster DIR/cluster names, if any, and removes it and DIR.
stop() {
  if [ -f "$dir/cluster" ]; then
    cluster=$(cat "$dir/cluster")
    if [ -f "$cluster/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$cluster"
  fi
  rm -rf "$dir"
}

case "$command" in
  start)
    stop
    mkdir -p "$dir"
    # Under /tmp: the postgres user may not reach DIR's parents.
    cluster=$(mktemp -d /tmp/scribe-pg.XXXXXX)
    echo "$cluster" >"$dir/cluster"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$cluster"; fi
    as_owner "$bin/initdb" -D "$cluster/data" -U scribe -A trust -E UTF8 --no-sync \
      >"$cluster/initdb.log" 2>&1 || { cat "$cluster/initdb.log" >&2; exit 1; }
    for try in 1 2 3; do
      port=$(free_port)
      if as_owner "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 30 \
          -o "-h 127.0.0.1 -p $port -k $cluster -c fsync=off -c synchronous_commit=off \
              -c full_page_writes=off -c max_connections=400" start >/dev/null; then
        echo "postgresql://scribe@127.0.0.1:$port/postgres" >"$dir/url"
        cat "$dir/url"
        exit 0
      fi
      echo "$0: start on port $port failed (try $try)" >&2
      tail -n 5 "$cluster/server.log" >&2 || true
    done
    exit 1
    ;;
  restart)
    cluster=$(cat "$dir/cluster")
    as_owner "$bin/pg_ctl" -D "$cluster/data" -m fast -w -t 30 restart >/dev/null
    ;;
  stop) stop ;;
  *) usage ;;
esac
