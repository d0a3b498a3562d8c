#!/usr/bin/env python3
"""Is one run's SI F1 really above another's? A paired bootstrap over articles.

Reads two files of predicted spans (as `propscan eval --folds K --predictions
FILE` writes them) for the same corpus, and prints each run's SI P/R/F1, the
difference in F1, its 95% interval when the articles are resampled with
replacement (the same resample for both runs), and how often the second run
wins. With one file, prints that run's F1 and its 95% interval.

  scripts/compare-runs.py A.tsv [B.tsv] [--data ../shared/data/ptc/train]
      [--samples 2000] [--seed 1]
"""
import argparse
import random

from ptc_spans import DEFAULT_DATA, load_gold, load_predictions, load_texts, prf, si_sums


def interval(values):
    values = sorted(values)
    return values[int(0.025 * len(values))], values[int(0.975 * len(values)) - 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", metavar="PREDICTIONS")
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if len(args.runs) > 2:
        ap.error("give one or two prediction files")

    ids = sorted(load_texts(args.data))
    gold = load_gold(args.data)
    runs = [load_predictions(path) for path in args.runs]
    sums = [[si_sums(run.get(a, []), gold.get(a, [])) for a in ids] for run in runs]
    for path, s in zip(args.runs, sums):
        p, r, f, n_pred, n_gold = prf(s)
        print(f"{path}: SI P {p:.3f}  R {r:.3f}  F1 {f:.3f}  ({n_pred} predicted, {n_gold} gold)")

    rng = random.Random(args.seed)
    samples = []
    for _ in range(args.samples):
        pick = [rng.randrange(len(ids)) for _ in ids]
        samples.append([prf([s[i] for i in pick])[2] for s in sums])
    if len(sums) == 1:
        lo, hi = interval([x[0] for x in samples])
        print(f"F1 95% interval over {args.samples} resamples of the {len(ids)} articles: {lo:.3f} to {hi:.3f}")
        return
    diff = prf(sums[1])[2] - prf(sums[0])[2]
    diffs = [b - a for a, b in samples]
    lo, hi = interval(diffs)
    wins = sum(d > 0 for d in diffs) / len(diffs)
    print(f"F1 second minus first: {diff:+.4f}, 95% interval {lo:+.4f} to {hi:+.4f}"
          f" ({args.samples} paired resamples of the {len(ids)} articles); second higher in {wins:.1%}")


if __name__ == "__main__":
    main()
