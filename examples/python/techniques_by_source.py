#!/usr/bin/env python3
"""Counts propaganda techniques per source in a JSONL corpus and plots them.

    python3 examples/python/techniques_by_source.py corpus.jsonl --out techniques.png

Each line of the corpus is {"id", "text", "source", ...}, as `propscan
analyze` reads it. Prints how many passages of each technique each source's
articles hold (sources as rows, techniques as columns), and saves them as a
bar chart when matplotlib is installed; without it, says so and still
prints the table. Needs pandas (Debian python3-pandas).
"""

import argparse
import json
import sys

import propscan


def records(path):
    """The corpus's articles, one at a time: the file is never read whole."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if line.strip():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as e:
                    sys.exit(f"{path}:{n}: malformed JSON ({e.msg})")
                record.setdefault("source", "(no source)")
                yield record


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="JSONL file, one article a line")
    parser.add_argument("--out", default="techniques_by_source.png", help="the chart (PNG)")
    parser.add_argument("--threads", type=int, default=None, help="analysis threads (default: all CPUs)")
    args = parser.parse_args()

    analyzer = propscan.Analyzer()
    results, failed = [], 0
    for r in analyzer.analyze_many(records(args.corpus), threads=args.threads, errors="yield"):
        if isinstance(r, propscan.Error):
            print(f"skipped: {r}", file=sys.stderr)
            failed += 1
        else:
            results.append(r)
    spans = analyzer.spans_frame(results)
    table = spans.pivot_table(index="source", columns="name", values="start", aggfunc="count", fill_value=0)
    print(f"{len(results)} articles analysed, {failed} skipped, {len(spans)} passages")
    print(table.to_string())

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no chart (Debian: apt-get install python3-matplotlib)")
        return
    ax = table.plot.barh(stacked=True, figsize=(10, 1.2 + 0.5 * len(table)))
    ax.set_xlabel("passages")
    ax.set_title("Propaganda techniques by source")
    ax.legend(fontsize="small", bbox_to_anchor=(1.0, 1.0), loc="upper left")
    plt.tight_layout()
    plt.savefig(args.out, dpi=120)
    print(f"chart: {args.out}")


if __name__ == "__main__":
    main()
