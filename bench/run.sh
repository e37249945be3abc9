#!/usr/bin/env bash
# The Guanxi benchmark; see bench/README.md. Arguments go to bench/run.py.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/run.py "$@"
