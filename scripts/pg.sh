#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL on 127.0.0.1:${GUANXI_PG_PORT:-54329} for the tests, with a
# UTF-8 ctype so pg_trgm works on Chinese text. Prints the admin URL on start.
set -euo pipefail
port="${GUANXI_PG_PORT:-54329}"
dir="${GUANXI_PG_DIR:-/tmp/guanxi-pg-$port}"
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

case "${1:-start}" in
  start)
    if [ ! -s "$dir/PG_VERSION" ]; then
      rm -rf "$dir"; mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
      as_postgres "$bin/initdb -D $dir -E UTF8 --locale=C.UTF-8 --auth=trust -U postgres" >/dev/null
    fi
    if ! as_postgres "$bin/pg_ctl -D $dir status" >/dev/null 2>&1; then
      as_postgres "$bin/pg_ctl -D $dir -l $dir/server.log -w -o '-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000' start" >/dev/null
    fi
    for _ in $(seq 1 50); do
      "$bin/pg_isready" -h 127.0.0.1 -p "$port" >/dev/null 2>&1 && break
      sleep 0.2
    done
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_postgres "$bin/pg_ctl -D $dir -m fast stop" >/dev/null 2>&1 || true
    ;;
esac
