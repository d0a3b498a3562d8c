#!/usr/bin/env bash
# Runs COMMAND... against a throwaway NATS server with JetStream: the
# example config (configs/nats-server.conf) on a free loopback port, its
# store in a temporary directory, stopped and removed when the command ends,
# whatever happens (a watchdog stops it even when this script is killed with
# SIGKILL). The command finds the server's URL in $PROPSCAN_TEST_NATS, and
# in $PROPSCAN_TEST_NATS_RESTART a script that kills the server (SIGKILL)
# and starts it again on the same port with the same store.
#   with_nats.sh COMMAND [ARG...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
config=$here/../../configs/nats-server.conf
command -v nats-server >/dev/null || { echo "with_nats.sh: no nats-server (apt-get install nats-server)" >&2; exit 1; }

dir=$(mktemp -d /tmp/propscan-nats.XXXXXX)
stop() {
  [ -f "$dir/pid" ] && kill -9 "$(cat "$dir/pid")" 2>/dev/null || true
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM HUP

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The example config with this test's port, store and no monitoring port.
conf() {
  sed -e "s#^listen:.*#listen: 127.0.0.1:$1#" -e "s#store_dir:.*#store_dir: $dir/js#" -e '/^http:/d' "$config" >"$dir/nats.conf"
}

# start.sh PORT: the server in the background, its pid in $dir/pid, once it
# accepts connections.
cat >"$dir/start.sh" <<SCRIPT
#!/usr/bin/env bash
nats-server -c '$dir/nats.conf' -l '$dir/server.log' &
echo \$! >'$dir/pid'
for _ in \$(seq 100); do
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' "\$1" 2>/dev/null && exit 0
  kill -0 \$(cat '$dir/pid') 2>/dev/null || break
  sleep 0.1
done
echo "with_nats.sh: the server did not start:" >&2; cat '$dir/server.log' >&2; exit 1
SCRIPT
chmod +x "$dir/start.sh"

started=
for attempt in 1 2 3; do
  port=$(free_port)
  conf "$port"
  if "$dir/start.sh" "$port"; then started=1; break; fi
done
[ -n "$started" ] || exit 1
echo "$port" >"$dir/port"

cat >"$dir/restart.sh" <<SCRIPT
#!/usr/bin/env bash
kill -9 \$(cat '$dir/pid') 2>/dev/null
while kill -0 \$(cat '$dir/pid') 2>/dev/null; do sleep 0.05; done
exec '$dir/start.sh' $port
SCRIPT
chmod +x "$dir/restart.sh"

# The watchdog: when this script is gone, stop the server and remove it.
me=$$
setsid bash -c "while kill -0 $me 2>/dev/null; do sleep 1; done
  [ -f '$dir/pid' ] && kill -9 \$(cat '$dir/pid') 2>/dev/null
  rm -rf '$dir'" >/dev/null 2>&1 </dev/null &

export PROPSCAN_TEST_NATS="nats://127.0.0.1:$port"
export PROPSCAN_TEST_NATS_RESTART="$dir/restart.sh"
status=0
"$@" || status=$?
exit "$status"
