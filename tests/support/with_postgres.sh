#!/usr/bin/env bash
# Runs COMMAND... against a throwaway PostgreSQL 15: a new cluster in a
# temporary directory, on a free loopback port, stopped and removed when
# the command ends, whatever happens (a watchdog stops it even when this
# script is killed with SIGKILL). The command finds the server's URL in
# $PROPSCAN_TEST_POSTGRES (database "postgres", user "postgres", trust).
#   with_postgres.sh COMMAND [ARG...]
# Run as root (CI), the cluster belongs to the user postgres: initdb
# refuses to run as root.
set -euo pipefail
bin=${PROPSCAN_PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$bin/initdb" ] || { echo "with_postgres.sh: no PostgreSQL 15 in $bin (apt-get install postgresql)" >&2; exit 1; }

dir=$(mktemp -d /tmp/propscan-pg.XXXXXX)
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" = 0 ] && chown postgres "$dir"
stop() {
  as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM HUP

as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  exit 1
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
started=
for attempt in 1 2 3; do
  port=$(free_port)
  # No fsync: a test's data need not survive a power cut.
  if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null; then
    started=1
    break
  fi
done
[ -n "$started" ] || { echo "with_postgres.sh: the server did not start:" >&2; cat "$dir/server.log" >&2; exit 1; }

# The watchdog: when this script is gone, stop the server and remove it.
me=$$
setsid bash -c "while kill -0 $me 2>/dev/null; do sleep 1; done
  if [ -d '$dir/data' ]; then
    if [ \$(id -u) = 0 ]; then runuser -u postgres -- '$bin/pg_ctl' -D '$dir/data' -m immediate stop
    else '$bin/pg_ctl' -D '$dir/data' -m immediate stop; fi
    rm -rf '$dir'
  fi" >/dev/null 2>&1 </dev/null &

export PROPSCAN_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$port/postgres"
status=0
"$@" || status=$?
exit "$status"
