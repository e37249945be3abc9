#!/usr/bin/env bash
# Fuzzes the JSON API from its own OpenAPI document: no 5xx, and every response matches the schema.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${GUANXI_FUZZ_PORT:-18181}
data=$(mktemp -d)/data
pid=$(scripts/serve-test-instance.sh "$port" "$data" demo)
trap 'kill $pid 2>/dev/null || true' EXIT
token=$(GUANXI_DATA_DIR="$data" .build/debug/guanxi create-token --account admin --name fuzz 2>/dev/null | tail -n 1)
schemathesis run "http://127.0.0.1:$port/api/openapi.json" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance \
  --max-examples "${GUANXI_FUZZ_EXAMPLES:-40}" --generation-deterministic --request-timeout 10 --no-color
