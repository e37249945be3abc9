#!/usr/bin/env bash
# Two Guanxi nodes on one PostgreSQL behind nginx, all on loopback.
#
#   cluster/cluster.sh start     # PostgreSQL, a demo company, node 1 (:8181), node 2 (:8182), nginx (:8180)
#   cluster/cluster.sh stop
#
# GUANXI_BIN picks the binary (default: this checkout's debug build, built when missing);
# GUANXI_JOB_TICK / GUANXI_JOB_PERIOD_SCALE pass through to both nodes. State, logs and pids are in
# $GUANXI_CLUSTER_DIR (default /tmp/guanxi-cluster). Installs nginx from Debian when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${GUANXI_CLUSTER_DIR:-/tmp/guanxi-cluster}"
front=8180
ports=(8181 8182)
db=guanxi_cluster

stop() {
  [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  for n in 1 2; do [ -f "$dir/node$n.pid" ] && kill "$(cat "$dir/node$n.pid")" 2>/dev/null || true; done
  rm -f "$dir"/*.pid
}

case "${1:-start}" in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

stop
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "installing nginx from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
bin="${GUANXI_BIN:-}"
if [ -z "$bin" ]; then
  bin="$(swift build --show-bin-path)/guanxi"
  [ -x "$bin" ] || swift build --product guanxi >&2
fi

rm -rf "$dir"; mkdir -p "$dir/files" "$dir/nginx-tmp"
admin=$(scripts/pg.sh start)
base="${admin%/*}"
psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
url="$base/$db"
export GUANXI_DATABASE_URL="$url" GUANXI_DATA_DIR="$dir/files" GUANXI_BCRYPT_COST="${GUANXI_BCRYPT_COST:-8}"
# Migrates, then fills the company; the nodes start on a finished schema, so they never race to migrate.
"$bin" demo --customers "${GUANXI_CLUSTER_CUSTOMERS:-2000}" --follow-ups 4000 > "$dir/demo.log"

for n in 1 2; do
  GUANXI_PORT="${ports[$((n - 1))]}" nohup "$bin" serve > "$dir/node$n.log" 2>&1 &
  echo $! > "$dir/node$n.pid"
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.2; done
  curl -fs -o /dev/null "http://127.0.0.1:$port/health" || { echo "node on :$port did not start" >&2; cat "$dir"/node*.log >&2; exit 1; }
done

cat > "$dir/nginx.conf" <<CONF
user $(id -un);
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/nginx-tmp/body;
  proxy_temp_path $dir/nginx-tmp/proxy;
  fastcgi_temp_path $dir/nginx-tmp/fastcgi;
  uwsgi_temp_path $dir/nginx-tmp/uwsgi;
  scgi_temp_path $dir/nginx-tmp/scgi;
  upstream guanxi {
    server 127.0.0.1:${ports[0]} max_fails=1 fail_timeout=10s;
    server 127.0.0.1:${ports[1]} max_fails=1 fail_timeout=10s;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$front;
    client_max_body_size 30m;
    location / {
      proxy_pass http://guanxi;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      # A node that refuses or drops the connection is skipped; a write already sent is never replayed.
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
    }
  }
}
CONF
"$nginx_bin" -c "$dir/nginx.conf" -p "$dir" 2>>"$dir/nginx-error.log"
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$front/health" && break; sleep 0.1; done
echo "$url" > "$dir/database-url"
echo "http://127.0.0.1:$front"
