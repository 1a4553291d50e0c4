#!/bin/bash
# A throwaway PostgreSQL server for running the store, engine and API tests on PostgreSQL:
#   pg_test_cluster.sh start STATE_DIR   initdb in a new folder under /tmp, a free port on
#                                        127.0.0.1, the socket in that folder; writes the
#                                        connection string to STATE_DIR/conninfo
#   pg_test_cluster.sh stop STATE_DIR    stops it (by its PID file) and removes the folder
# Under root the server runs as `postgres` (initdb refuses root). Durability is switched off
# (fsync=off): the cluster lives for one test run. Only the tests' own user may connect.
set -euo pipefail
action=${1:?start or stop}
state=${2:?state directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "no PostgreSQL server binaries (scripts/install-deps installs postgresql)" >&2; exit 1; }
as_server() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $action in
start)
  mkdir -p "$state"
  if [ -f "$state/folder" ]; then "$0" stop "$state" || true; fi
  folder=$(mktemp -d /tmp/tocsin-pgtest.XXXXXX)
  echo "$folder" >"$state/folder"
  [ "$(id -u)" = 0 ] && chown postgres: "$folder"
  chmod 700 "$folder"
  as_server "$bin/initdb" -D "$folder/data" -U tocsin_test --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$folder/initdb.log"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_server "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $folder -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null
  echo "host=127.0.0.1 port=$port user=tocsin_test dbname=postgres" >"$state/conninfo"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$port ($folder)"
  ;;
stop)
  [ -f "$state/folder" ] || exit 0
  folder=$(cat "$state/folder")
  if [ -f "$folder/data/postmaster.pid" ]; then
    as_server "$bin/pg_ctl" -D "$folder/data" -m immediate -w stop >/dev/null || true
  fi
  case $folder in /tmp/tocsin-pgtest.*) rm -rf "$folder" ;; esac
  rm -f "$state/folder" "$state/conninfo"
  ;;
*) echo "usage: $0 start|stop STATE_DIR" >&2; exit 2 ;;
esac
