#!/usr/bin/env bash
# Load run of the HTTP API (`make bench-web`): wrk with 8 connections for 30 s
# against POST /api/analyze on loopback, one example article per request.
# Prints requests/s, latency percentiles, errors (must be 0) and the server's
# resident memory before and after. A benchmark, not a test.
#
#   scripts/bench-web.sh [build/propscan] [duration, default 30s]
set -euo pipefail
cd "$(dirname "$0")/.."

BINARY=${1:-build/propscan}
DURATION=${2:-30s}
CONNECTIONS=8
ARTICLE=tests/data/web/article.txt

command -v wrk >/dev/null || { echo "bench-web: wrk is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
[ -x "$BINARY" ] || { echo "bench-web: no binary at $BINARY; run make build" >&2; exit 1; }

log=$(mktemp)
"$BINARY" serve --port 0 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

port=""
for _ in $(seq 100); do
  port=$(sed -n 's|.*serving http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$log")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "bench-web: server did not start" >&2; cat "$log" >&2; exit 1; }

rss_mib() { awk '/^VmRSS/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$pid/status"; }

chars=$(wc -m <"$ARTICLE" | tr -d ' ')
echo "bench-web: $(head -1 "$log" | sed 's/^propscan: //')"
echo "bench-web: wrk, $CONNECTIONS connections, $DURATION, POST /api/analyze with $ARTICLE ($chars characters), $(nproc) cores"
echo "bench-web: server RSS before $(rss_mib)"
out=$(PROPSCAN_BENCH_ARTICLE="$ARTICLE" wrk -t 1 -c "$CONNECTIONS" -d "$DURATION" --timeout 10s \
  -s bench/wrk-analyze.lua "http://127.0.0.1:$port/api/analyze")
echo "$out" | grep '^bench-web:'
echo "bench-web: server RSS after $(rss_mib)"

kill -TERM "$pid"
wait "$pid"
status=$?
trap 'rm -f "$log"' EXIT
requests=$(grep -c '"POST /api/analyze" 200 ' "$log" || true)
echo "bench-web: server logged $requests answered requests and stopped with status $status"
if ! echo "$out" | grep -q '^bench-web: requests [0-9]*, errors 0 '; then
  echo "bench-web: FAILED: errors during the run" >&2
  exit 1
fi
