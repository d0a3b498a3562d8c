#!/usr/bin/env bash
# queue.roundtrip: a few articles through enqueue and a worker into SQLite:
# each stored once (a text queued twice too), an unreadable article in the
# failures, SIGTERM draining with exit 0, `status` agreeing, and a message
# delivered more than --max-deliver times moved to the dead letters and
# recorded as failed. Runs under tests/support/with_nats.sh:
#   roundtrip.sh PROPSCAN ARTICLES_DIR
set -euo pipefail
bin=$1 articles=$2
q=$PROPSCAN_TEST_NATS
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/propscan-qrt.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
fail() { echo "queue.roundtrip: $*" >&2; for f in "$work"/*.log; do echo "== $f" >&2; tail -5 "$f" >&2; done; exit 1; }
db=$work/store.db
count() { sqlite3 "$db" "$1" 2>/dev/null || echo 0; }
status_field() {  # status_field EXPR: a value of status --format json
  local with_db=()
  [ -f "$db" ] && with_db=(--db "$db")
  "$bin" status --queue "$q" "${with_db[@]}" --format json | python3 -c "import json,sys; s = json.load(sys.stdin); print($1)"
}

python3 "$here/make_articles.py" "$articles" 20 "$work/a.jsonl"
head -1 "$work/a.jsonl" | sed 's/"id": "q0"/"id": "again"/' >"$work/again.jsonl"  # the same text as q0
printf 'bad \xc3\x28 bytes\n' >"$work/bad.txt"
# Texts of the training articles, N characters of them: long.py N
long() {
  python3 - "$articles" "$1" <<'PY'
import pathlib, sys
texts = [p.read_text(encoding="utf-8") for p in sorted(pathlib.Path(sys.argv[1]).glob("article*.txt"))]
text, n = "\n\n".join(texts), int(sys.argv[2])
sys.stdout.write((text * (n // len(text) + 1))[:n])
PY
}
long 2100000 >"$work/toolong.txt"  # over the analyzer's 2,000,000 characters
rc=0
"$bin" enqueue "$work/a.jsonl" "$work/again.jsonl" "$work/bad.txt" "$work/toolong.txt" --queue "$q" 2>"$work/enqueue.log" || rc=$?
[ "$rc" = 1 ] || fail "enqueue exited $rc, not 1 (an unreadable article)"
[ "$(status_field 's["queue"]["pending"]')" = 22 ] || fail "not 22 messages pending (the repeated text is deduplicated)"

"$bin" worker --queue "$q" --db "$db" -j 2 --batch 4 2>"$work/worker.log" &
w=$!; pids+=($w)
for _ in $(seq 600); do
  [ "$(status_field 's["queue"]["pending"] + s["queue"]["in_flight"]')" = 0 ] && break
  sleep 0.1
done
kill -TERM "$w"
rc=0; wait "$w" || rc=$?
[ "$rc" = 0 ] || fail "the worker exited $rc after SIGTERM"
grep -q "22 articles done, 2 recorded as failed" "$work/worker.log" || fail "worker summary: $(tail -1 "$work/worker.log")"
[ "$(count 'SELECT count(*) FROM articles')" = 20 ] || fail "not 20 articles stored"
[ "$(count 'SELECT count(DISTINCT text_hash) FROM articles')" = 20 ] || fail "a text stored twice"
[ "$(count "SELECT count(*) FROM failures WHERE input LIKE '%bad.txt' AND error LIKE '%UTF-8%'")" = 1 ] ||
  fail "bad.txt is not in the failures"
[ "$(count "SELECT count(*) FROM failures WHERE input LIKE '%toolong.txt' AND error LIKE '%too long%'")" = 1 ] ||
  fail "toolong.txt is not in the failures"
[ "$(status_field 's["store"]["articles"], s["store"]["failed"], s["queue"]["in_flight"]')" = "20 2 0" ] ||
  fail "status disagrees"
spans=$(count 'SELECT count(*) FROM spans')

# Dead letters: a long article (seconds of analysis) is fetched by a worker that is then killed;
# delivered a second time with --max-deliver 1, it is moved to
# propscan.dead and recorded as failed.
long 1900000 >"$work/long.txt"  # a few seconds of analysis
"$bin" enqueue "$work/long.txt" --queue "$q" 2>>"$work/enqueue.log" || fail "enqueue of long.txt failed"
"$bin" worker --queue "$q" --db "$db" -j 1 --ack-wait 2 --max-deliver 1 2>"$work/killed.log" &
k=$!; pids+=($k)
for _ in $(seq 300); do
  [ "$(status_field 's["queue"]["in_flight"]')" = 1 ] && break
  sleep 0.1
done
kill -9 "$k"; wait "$k" 2>/dev/null || true
"$bin" worker --queue "$q" --db "$db" -j 1 --ack-wait 2 --max-deliver 1 --until-empty 2>"$work/dead.log" ||
  fail "the second worker failed"
grep -q "1 dead letters" "$work/dead.log" || fail "no dead letter: $(cat "$work/dead.log")"
[ "$(count "SELECT count(*) FROM failures WHERE input LIKE '%long.txt' AND error LIKE '%moved to propscan.dead%'")" = 1 ] ||
  fail "long.txt is not in the failures as a dead letter"
[ "$(status_field 's["queue"]["dead_letters"], s["queue"]["stored"], s["store"]["failed"]')" = "1 0 3" ] ||
  fail "status after the dead letter: $(status_field 's')"
[ "$(count 'SELECT count(*) FROM spans')" = "$spans" ] || fail "spans changed"
echo "queue.roundtrip: ok"
