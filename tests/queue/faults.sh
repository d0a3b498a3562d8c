#!/usr/bin/env bash
# queue.faults: 2,000 articles through the queue into PostgreSQL while one of
# two workers is killed (SIGKILL) and restarted and the NATS server is
# killed and restarted; afterwards every article is stored exactly once with
# the spans `propscan ingest` gives it, the poison article is in the
# failures, and `status` agrees. Runs under tests/support/with_postgres.sh
# and tests/support/with_nats.sh:
#   faults.sh PROPSCAN ARTICLES_DIR [N]
set -euo pipefail
bin=$1 articles=$2 n=${3:-2000}
q=$PROPSCAN_TEST_NATS db=$PROPSCAN_TEST_POSTGRES
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/propscan-faults.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [ -n "${PROPSCAN_KEEP_TEST_DIR:-}" ] && echo "queue.faults: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
die() { echo "queue.faults: $*" >&2; cat "$work/status.json" >&2 2>/dev/null; for f in "$work"/*.log; do echo "== $f" >&2; tail -20 "$f" >&2; done; exit 1; }
stored() { psql "$db" -Atqc "SELECT count(*) FROM articles" 2>/dev/null || echo 0; }
wait_for() {  # wait_for SECONDS CONDITION...
  local until=$((SECONDS + $1)); shift
  until "$@"; do
    [ $SECONDS -lt $until ] || die "timed out waiting for: $*"
    sleep 0.2
  done
}
at_least() { [ "$(stored)" -ge "$1" ]; }
worker() {  # worker LOG: one analysis thread, small batches, a short AckWait
  "$bin" worker --queue "$q" --db "$db" -j 1 --batch 8 --ack-wait 3 --unreachable 60 2>>"$work/$1" &
  pids+=($!)
  last=$!
}

python3 "$here/make_articles.py" "$articles" "$n" "$work/articles.jsonl"
printf 'A poison article: \xff\xfe is not UTF-8.\n' >"$work/poison.txt"

# The poison article cannot be read: enqueue says so, queues it as a
# failure and exits 1.
rc=0
"$bin" enqueue "$work/articles.jsonl" "$work/poison.txt" --queue "$q" 2>"$work/enqueue.log" || rc=$?
[ "$rc" = 1 ] || die "enqueue exited $rc, not 1"
grep -q "poison.txt.*queued as a failure" "$work/enqueue.log" || die "enqueue did not name the poison article"
grep -q "enqueue: $((n + 1)) messages stored" "$work/enqueue.log" || die "enqueue did not store $((n + 1)) messages"

worker a.log; a=$last
worker b.log; b=$last

wait_for 120 at_least $((n / 5))
kill -9 "$a"
wait "$a" 2>/dev/null || true
echo "queue.faults: killed worker $a at $(stored) articles"
worker a2.log; a=$last

wait_for 120 at_least $((n / 2))
"$PROPSCAN_TEST_NATS_RESTART"
echo "queue.faults: restarted the NATS server at $(stored) articles"

# Drained: nothing left to deliver, nothing in flight. (The stream may still
# hold a few messages the consumer has acked: a server killed with SIGKILL
# can lose their removal; they are never delivered again.)
drained() {
  "$bin" status --queue "$q" --db "$db" --format json >"$work/status.json" 2>>"$work/status.log" &&
    python3 -c 'import json,sys; q = json.load(open(sys.argv[1]))["queue"]; sys.exit(q["pending"] + q["in_flight"] != 0)' "$work/status.json"
}
wait_for 120 drained
echo "queue.faults: queue drained"
"$bin" status --queue "$q" --db "$db" >"$work/status.txt" || die "status failed"
cat "$work/status.txt"

# SIGTERM drains: both workers exit 0.
kill -TERM "$a" "$b"
for p in "$a" "$b"; do
  rc=0
  wait "$p" || rc=$?
  [ "$rc" = 0 ] || die "worker $p exited $rc after SIGTERM"
done
pids=()

# The reference: the same articles ingested into SQLite by one process.
"$bin" ingest "$work/articles.jsonl" --db "$work/ref.db" -j 2 --progress none 2>"$work/ingest.log" || die "ingest failed"

python3 - "$work" "$n" <<'PY' || die "the store does not hold what it should"
import json, subprocess, sqlite3, sys, os
work, n = sys.argv[1], int(sys.argv[2])
db = os.environ["PROPSCAN_TEST_POSTGRES"]
def pg(sql):
    out = subprocess.run(["psql", db, "-AtqF", "\t", "-c", sql], check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]
errors = []
def check(ok, what):
    if not ok: errors.append(what)
count, distinct_ids, distinct_hashes = map(int, pg("SELECT count(*), count(DISTINCT ext_id), count(DISTINCT text_hash) FROM articles")[0])
check(count == n, f"{count} articles stored, not {n}")
check(distinct_ids == n and distinct_hashes == n, f"duplicates: {distinct_ids} ids, {distinct_hashes} texts for {count} rows")
bad = int(pg("SELECT count(*) FROM articles a WHERE span_count <> (SELECT count(*) FROM spans s WHERE s.article_id = a.id)")[0][0])
check(bad == 0, f"{bad} articles whose span rows differ from their span count")
got = {r[0]: (int(r[1]), round(float(r[2]), 6)) for r in pg("SELECT ext_id, span_count, propaganda_score FROM articles")}
spans = {r[0]: int(r[1]) for r in pg("SELECT a.ext_id, count(*) FROM spans s JOIN articles a ON a.id = s.article_id GROUP BY a.ext_id")}
ref = sqlite3.connect(os.path.join(work, "ref.db"))
want = {r[0]: (r[1], round(r[2], 6)) for r in ref.execute("SELECT ext_id, span_count, propaganda_score FROM articles")}
check(len(want) == n, f"the reference holds {len(want)} articles")
differ = [k for k in want if got.get(k) != want[k] or spans.get(k, 0) != want[k][0]]
check(not differ, f"{len(differ)} articles whose spans differ from ingest's, e.g. {differ[:3]}")
check(sum(v[0] for v in want.values()) > 0, "no spans at all")
failures = pg("SELECT input, error FROM failures")
check(len(failures) == 1 and failures[0][0].endswith("poison.txt") and "UTF-8" in failures[0][1],
      f"failures: {failures}")
s = json.load(open(os.path.join(work, "status.json")))
check(s["store"]["articles"] == n and s["store"]["failed"] == 1, f"status store counts {s['store']}")
check(s["queue"]["pending"] == 0 and s["queue"]["in_flight"] == 0 and s["queue"]["dead_letters"] == 0,
      f"status queue counts {s['queue']}")
check(s["store"]["spans"] == sum(v[0] for v in want.values()), "status spans differ from the reference's")
for e in errors: print("queue.faults:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
grep -q "lost the queue server" "$work/b.log" || die "worker b did not notice the server going away"
echo "queue.faults: $n articles stored exactly once with their spans; the poison article is in the failures"
