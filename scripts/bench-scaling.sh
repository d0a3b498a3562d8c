#!/usr/bin/env bash
# Scaling figures for `make bench`: CPU time of `propscan analyze -j 1` on
# inputs of growing size, for ordinary news (training articles concatenated)
# and for the repeats that were quadratic or cubic (issue 19). For each family
# it fits the exponent of time against size (the log-log slope, from 64 KB
# up, after subtracting process start and model load) and prints the time per
# MB at the largest size; and `eval` against the number of gold rows of one
# article. Fails when any exponent is above 1.2, or when the
# two inputs of the issue miss their times: 'Liars lie. ' x 5,000 (55 KB)
# in 0.5 s, 'Bad.\n' x 200,000 (1 MB) in 5 s, start and model load included.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/propscan}
ARTICLES=${PROPSCAN_BENCH_DATA:-../shared/data/ptc/train/articles}
MAX_EXPONENT=${MAX_EXPONENT:-1.2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Inputs: family, size in bytes, file. Each is cut at a whole repeat (or
# line) below the size, so every file is well formed; the largest news input
# stays under analyze's limit of 2,000,000 characters an article.
python3 - "$ARTICLES" "$work" <<'PY'
import os, sys
articles, work = sys.argv[1], sys.argv[2]
news = ""
for name in sorted(os.listdir(articles)):
    if name.endswith(".txt"):
        with open(os.path.join(articles, name), encoding="utf-8") as f:
            news += f.read().rstrip("\n") + "\n\n"
    if len(news.encode()) > 2_200_000:
        break
def cut(text, size):
    data = text.encode()
    if len(data) <= size:
        return data
    end = data.rfind(b"\n", 0, size)
    return data[:end + 1] if end > 0 else data[:size]
families = {
    "news": (lambda size: cut(news, size), [1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 1_950_000]),
    "liars": (lambda size: b"Liars lie. " * (size // 11), [16 << 10, 55_000, 64 << 10, 256 << 10, 1 << 20]),
    "no": (lambda size: b"No. " * (size // 4), [16 << 10, 64 << 10, 256 << 10, 1 << 20]),
    "bad": (lambda size: b"Bad.\n" * (size // 5), [16 << 10, 64 << 10, 256 << 10, 1_000_000]),
}
with open(os.path.join(work, "inputs"), "w") as out:
    for family, (make, sizes) in families.items():
        for size in sizes:
            path = os.path.join(work, f"{family}-{size}.txt")
            with open(path, "wb") as f:
                f.write(make(size))
            out.write(f"{family} {os.path.getsize(path)} {path}\n")
# `eval` on one 64 KB article with more and more gold rows (it was quadratic
# in the rows of an article): a corpus directory per size, rows spread
# evenly over the text, the "size" is the number of rows.
text = cut(news, 64 << 10).decode()
techniques = ["Loaded_Language", "Name_Calling,Labeling", "Doubt", "Repetition", "Flag-Waving"]
with open(os.path.join(work, "eval-inputs"), "w") as out:
    for rows in (0, 20_000, 80_000, 320_000):  # 0: the analysis alone
        corpus = os.path.join(work, f"eval-{rows}")
        os.makedirs(os.path.join(corpus, "articles"))
        os.makedirs(os.path.join(corpus, "labels-tc"))
        with open(os.path.join(corpus, "articles", "article1.txt"), "w", encoding="utf-8") as f:
            f.write(text)
        with open(os.path.join(corpus, "labels-tc", "article1.task2-TC.labels"), "w") as f:
            for i in range(rows):
                start = i * (len(text) - 40) // rows
                f.write(f"1\t{techniques[i % len(techniques)]}\t{start}\t{start + 5 + i % 30}\n")
        out.write(f"eval {rows} {corpus}\n")
PY

# CPU seconds (user + system) of each analysis, from the child's own usage:
# steadier than wall time on a shared machine.
python3 - "$BIN" "$work" <<'PY'
import os, resource, subprocess, sys
binary, work = sys.argv[1], sys.argv[2]
def cpu(path, command=("analyze", "-j", "1")):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    args = [binary, command[0], path, *command[1:]] if command[0] == "analyze" else [binary, *command, path]
    run = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if run.returncode != 0:
        sys.exit(f"bench: {command[0]} {path} failed: {run.stderr.decode(errors='replace').strip()}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
one = os.path.join(work, "one.txt")
with open(one, "w") as f:
    f.write("The corrupt elite lied to the nation again.\n")
cpu(one)  # warm the page cache
with open(os.path.join(work, "base"), "w") as f:
    f.write(f"{min(cpu(one) for _ in range(3))}\n")
with open(os.path.join(work, "inputs")) as inputs, open(os.path.join(work, "times"), "w") as out:
    for line in inputs:
        family, size, path = line.split()
        # The better of two runs: contention only ever adds time.
        out.write(f"{family} {size} {min(cpu(path), cpu(path))}\n")
    with open(os.path.join(work, "eval-inputs")) as inputs:
        for line in inputs:
            family, rows, corpus = line.split()
            command = ("eval", "--data")
            out.write(f"{family} {rows} {min(cpu(corpus, command), cpu(corpus, command))}\n")
PY
base=$(cat "$work/base")

python3 - "$work/times" "$base" "$MAX_EXPONENT" <<'PY'
import math, sys
rows = [line.split() for line in open(sys.argv[1])]
base, limit = float(sys.argv[2]), float(sys.argv[3])
print(f"{'scaling (CPU s, -j 1)':<24} {'size':>9} {'CPU s':>8}   (start and model load: {base:.2f} s)")
failed = False
for family in dict.fromkeys(r[0] for r in rows):
    points = [(int(s), float(t)) for f, s, t in rows if f == family]
    # eval's own start: the same command on the article without gold rows.
    start = points.pop(0)[1] if family == "eval" else base
    for size, t in points:
        shown = f"{size:>7} r" if family == "eval" else f"{size / 1024:>7.0f} K"
        print(f"  {family:<22} {shown} {t:>8.2f}")
    # Least-squares slope of log(time - start) on log(size), from 64 KB up.
    # (eval's sizes are rows, all of them fitted)
    fit = [(math.log(s), math.log(max(t - start, 1e-3))) for s, t in points if s >= 60_000 or family == "eval"]
    mx = sum(x for x, _ in fit) / len(fit)
    my = sum(y for _, y in fit) / len(fit)
    slope = sum((x - mx) * (y - my) for x, y in fit) / sum((x - mx) ** 2 for x, _ in fit)
    size, t = points[-1]
    per_unit = (t - start) / (size / 1e6)
    unit = "per MB" if family != "eval" else "per million gold rows"
    ok = slope <= limit
    failed = failed or not ok
    print(f"  {family:<22} exponent {slope:.2f} (max {limit}), {per_unit:.2f} CPU s {unit}{'' if ok else '  <-- over'}")
# The issue's two absolute targets, whole process.
for family, size, most in (("liars", 55_000, 0.5), ("bad", 1_000_000, 5.0)):
    t = next(float(t) for f, s, t in rows if f == family and int(s) == size)
    ok = t <= most
    failed = failed or not ok
    print(f"  {family} {size / 1000:.0f} KB: {t:.2f} CPU s (max {most}){'' if ok else '  <-- over'}")
if failed:
    print("bench: analysis time grows faster than linearly or misses a target")
    sys.exit(1)
PY
