#!/usr/bin/env bash
# Starts the debug build on a fresh data directory: scripts/serve-test-instance.sh PORT DATA_DIR [demo]
# Prints the server's PID once /health answers.
set -euo pipefail
port=$1; data=$2; demo=${3:-}
bin="$(cd "$(dirname "$0")/.." && pwd)/.build/debug/guanxi"
rm -rf "$data"; mkdir -p "$data"
export GUANXI_DATA_DIR="$data" GUANXI_PORT="$port" GUANXI_BCRYPT_COST=4
if [ -n "$demo" ]; then "$bin" demo >"$data/demo.log" 2>&1; fi
"$bin" serve --env production >"$data/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && { echo "$pid"; exit 0; }
  sleep 0.1
done
echo "server did not start; log:" >&2; cat "$data/server.log" >&2; kill "$pid" 2>/dev/null; exit 1
