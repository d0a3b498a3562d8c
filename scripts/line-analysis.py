#!/usr/bin/env python3
"""Where SI is lost: sentence (line) detection or span extent.

Reads predicted spans (SemEval FLC or SI rows, as `propscan eval --folds K
--predictions FILE` writes them) and the gold SI labels of a PTC-layout
corpus, and prints SI for the predictions as they are, the line-level
precision and recall of "this line has a span", the share of predicted
spans that touch no gold span and of gold spans that no prediction
touches, and SI again with an oracle
that drops every predicted span on a line without gold (what perfect
sentence detection would give these spans); and, for scale, SI of marking
exactly the lines that hold gold, each as one span.

  scripts/line-analysis.py PREDICTIONS [--data ../shared/data/ptc/train]
"""
import collections

from ptc_spans import load_gold, load_predictions, load_texts, merge, predictions_and_data, prf, si_sums


def si(pred, gold, ids):
    p, r, f, n_pred, n_gold = prf([si_sums(pred.get(a, []), gold.get(a, [])) for a in ids])
    return f"P {p:.3f}  R {r:.3f}  F1 {f:.3f}  ({n_pred} predicted, {n_gold} gold)"


def lines_of(text):
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def overlaps(spans, s, e):
    return any(min(e, b) - max(s, a) > 0 for a, b in spans)


def main():
    args = predictions_and_data(__doc__)

    texts = load_texts(args.data)
    gold = load_gold(args.data)
    pred = load_predictions(args.predictions)
    ids = sorted(texts)

    print("SI as predicted:          ", si(pred, gold, ids))
    tp = fp = fn = 0
    kept = collections.defaultdict(list)
    for a in ids:
        lines = lines_of(texts[a])
        for s, e in lines:
            g, p = overlaps(gold[a], s, e), overlaps(pred[a], s, e)
            tp += g and p
            fp += p and not g
            fn += g and not p
        for s, e in pred[a]:
            if any(overlaps(gold[a], ls, le) for ls, le in lines if min(e, le) - max(s, ls) > 0):
                kept[a].append((s, e))
    print(f"lines with a span:         P {tp / max(1, tp + fp):.3f}  R {tp / max(1, tp + fn):.3f}"
          f"  ({tp} right, {fp} wrong, {fn} missed)")
    print("SI, oracle line filter:   ", si(kept, gold, ids))
    untouched = missed = n_pred = n_gold = 0
    for a in ids:
        g, p = merge(gold.get(a, [])), merge(pred.get(a, []))
        n_pred += len(p)
        n_gold += len(g)
        untouched += sum(1 for s, e in p if not overlaps(g, s, e))
        missed += sum(1 for s, e in g if not overlaps(p, s, e))
    print(f"spans touching nothing:    {untouched / max(1, n_pred):.3f} of predicted (merged) spans touch no gold span,"
          f" {missed / max(1, n_gold):.3f} of gold (merged) spans touch no predicted span")
    whole = {a: [(s, e) for s, e in lines_of(texts[a]) if overlaps(gold[a], s, e)] for a in ids}
    print("SI, gold lines as wholes: ", si(whole, gold, ids))


if __name__ == "__main__":
    main()
