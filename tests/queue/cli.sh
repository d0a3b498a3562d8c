#!/usr/bin/env bash
# queue.cli: --help on the queue commands, and one-line errors naming the
# input for a bad URL, a server that is not there, a missing store, and a
# server that goes away for longer than --unreachable.
# Runs under tests/support/with_nats.sh:  cli.sh PROPSCAN
set -euo pipefail
bin=$1
q=$PROPSCAN_TEST_NATS
work=$(mktemp -d /tmp/propscan-qcli.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "queue.cli: $*" >&2; exit 1; }
# expect RC PATTERN COMMAND...: the command exits RC with one line on stderr matching PATTERN.
expect() {
  local want=$1 pattern=$2; shift 2
  local rc=0
  "$@" >"$work/out" 2>"$work/err" || rc=$?
  [ "$rc" = "$want" ] || fail "$* exited $rc, not $want: $(cat "$work/err")"
  [ "$(wc -l <"$work/err")" -le 3 ] || fail "$*: more than a few lines: $(cat "$work/err")"
  grep -Eq -- "$pattern" "$work/err" || fail "$*: error '$(cat "$work/err")' does not match '$pattern'"
}
for cmd in enqueue worker status; do
  "$bin" $cmd --help | grep -q -- "--queue" || fail "$cmd --help does not describe --queue"
done
echo 'An article.' >"$work/a.txt"
expect 2 "http://x: not a queue URL" "$bin" enqueue "$work/a.txt" --queue http://x
expect 2 "--queue is required" "$bin" status
# A port nothing listens on.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect 1 "nats://127.0.0.1:$port: cannot connect to the queue server" "$bin" enqueue "$work/a.txt" --queue nats://127.0.0.1:$port
expect 1 "nats://127.0.0.1:$port: cannot connect" "$bin" worker --queue nats://127.0.0.1:$port --db "$work/s.db"
expect 1 "$work/none.db: no such store" "$bin" status --queue "$q" --db "$work/none.db"
expect 1 "$work/missing.txt: .*(no such|not found|cannot)" "$bin" enqueue "$work/missing.txt" --queue "$q"
# A message over the server's max_payload is refused, naming the article.
python3 -c 'import sys; sys.stdout.write(("word " * 1700000) + "\n")' >"$work/big.txt"  # 8.5 MB: over the 8 MiB input limit
expect 1 "big.txt" "$bin" enqueue "$work/big.txt" --queue "$q"
# status: the two unreadable articles wait for a worker.
"$bin" status --queue "$q" >"$work/status.txt" || fail "status failed"
grep -q "2 pending, 0 in flight" "$work/status.txt" || fail "status: $(cat "$work/status.txt")"
# The server gone for longer than --unreachable: the worker gives up with
# one line naming it, exit status 1.
"$bin" worker --queue "$q" --db "$work/s.db" -j 1 --unreachable 2 2>"$work/worker.log" &
w=$!
for _ in $(seq 100); do grep -q "propscan: worker" "$work/worker.log" && break; sleep 0.1; done
kill -9 "$(cat "$(dirname "$PROPSCAN_TEST_NATS_RESTART")/pid")"
rc=0
wait "$w" || rc=$?
[ "$rc" = 1 ] || fail "the worker exited $rc without its server, not 1: $(cat "$work/worker.log")"
grep -q "propscan: $q: the queue server has been unreachable for 2 s" "$work/worker.log" ||
  fail "no unreachable error: $(cat "$work/worker.log")"
echo "queue.cli: ok"
