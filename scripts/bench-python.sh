#!/usr/bin/env bash
# Throughput of the Python module for `make bench`: Analyzer.analyze_many
# against `propscan analyze -j N` on the same articles (the training split)
# with the same number of threads. Both do the same work: read the .txt
# files, analyse, make each article's JSON line. The command line's process
# start and model load (timed on a one-sentence file) are subtracted; the
# Python analyzer is built before the clock starts. The better of three
# alternating runs each; fails when the module is more than 5% slower.
#   PYTHONPATH=build/python BIN=build/propscan scripts/bench-python.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/propscan}
PYTHON=${PYTHON:-/usr/bin/python3}
ARTICLES=${PROPSCAN_BENCH_DATA:-../shared/data/ptc/train/articles}
THREADS=${THREADS:-$(nproc)}
MAX_SLOWER=${MAX_SLOWER:-0.05}

"$PYTHON" - "$BIN" "$ARTICLES" "$THREADS" "$MAX_SLOWER" <<'PY'
import os, subprocess, sys, tempfile, time
import propscan

binary, articles, threads, max_slower = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
paths = sorted(os.path.join(articles, n) for n in os.listdir(articles) if n.endswith(".txt"))

def cli_seconds(target, j):
    start = time.perf_counter()
    subprocess.run([binary, "analyze", target, "-j", str(j)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start

with tempfile.TemporaryDirectory() as tmp:
    one = os.path.join(tmp, "one.txt")
    with open(one, "w") as f:
        f.write("The corrupt elite lied to the nation again.\n")
    cli_seconds(one, 1)  # warm the page cache
    startup = min(cli_seconds(one, 1) for _ in range(3))

analyzer = propscan.Analyzer()

def records():
    for p in paths:
        with open(p, encoding="utf-8") as f:
            yield {"id": os.path.basename(p)[len("article"):-len(".txt")], "text": f.read()}

def python_seconds():
    start = time.perf_counter()
    n = sum(1 for r in analyzer.analyze_many(records(), threads=threads) if r.to_json())
    assert n == len(paths)
    return time.perf_counter() - start

cli_times, py_times = [], []
for _ in range(3):
    cli_times.append(cli_seconds(articles, threads) - startup)
    py_times.append(python_seconds())
cli_rate = len(paths) / min(cli_times)
py_rate = len(paths) / min(py_times)
ratio = py_rate / cli_rate
print(f"python analyze_many vs propscan analyze, {len(paths)} articles, {threads} threads (best of 3):")
print(f"  propscan analyze -j {threads}   {cli_rate:7.1f} articles/s   (start and model load {startup:.2f} s subtracted)")
print(f"  analyze_many(threads={threads})  {py_rate:7.1f} articles/s   ({ratio:.1%} of the command line's)")
if ratio < 1.0 - max_slower:
    print(f"bench: the Python module is more than {max_slower:.0%} slower than the command line")
    sys.exit(1)
PY
