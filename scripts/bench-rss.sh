#!/usr/bin/env bash
# Whole-process figures for `make bench`: wall time and peak resident memory
# of `propscan analyze` on one sentence (process start and model load are
# all of it: the budget is 100 ms and 120 MB, and this fails above it), and
# on the first 90 training articles on one core and on all cores.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/propscan}
ARTICLES=${PROPSCAN_BENCH_DATA:-../shared/data/ptc/train/articles}
batch=$(mktemp -d)
trap 'rm -rf "$batch"' EXIT
# sed, not head: head closing the pipe early would fail the script under pipefail.
find "$ARTICLES" -name '*.txt' | sort | sed -n '1,90p' | xargs -I{} cp {} "$batch/"
n=$(find "$batch" -name '*.txt' | wc -l)
"$BIN" analyze "$batch" -j 1 --format semeval-si >/dev/null  # warm the page cache
# One sentence, 20 runs: the median wall time and the largest peak RSS.
sentence="$batch/sentence.txt.in"
echo "The corrupt elite lied to the nation again." >"$sentence"
for _ in $(seq 20); do
  { /usr/bin/time -f '%e %M' "$BIN" analyze - <"$sentence" >/dev/null; } 2>&1 | tail -n 1
done | sort -n | awk -v max_ms=100 -v max_mb=120 '
  { wall[NR] = $1; if ($2 > rss) rss = $2 }
  END {
    ms = wall[int((NR + 1) / 2)] * 1000; mb = rss / 1024
    printf "%-28s %8.3f %12s %12.1f   (budget %d ms, %d MB)\n", "analyze one sentence", ms / 1000, "-", mb, max_ms, max_mb
    if (ms > max_ms || mb > max_mb) { print "bench: one-sentence analyze is over budget"; exit 1 }
  }'
printf '%-28s %8s %12s %12s\n' "run ($n articles)" "wall s" "articles/s" "peak RSS MB"
for threads in 1 "$(nproc)"; do
  stats=$( { /usr/bin/time -f '%e %M' "$BIN" analyze "$batch" -j "$threads" --format semeval-si >/dev/null; } 2>&1 | tail -n 1)
  read -r wall rss_kb <<<"$stats"
  awk -v t="$threads" -v w="$wall" -v k="$rss_kb" -v n="$n" \
    'BEGIN { printf "%-28s %8.2f %12.1f %12.1f\n", "analyze -j " t " (with load)", w, n / w, k / 1024 }'
done
