#!/usr/bin/env python3
"""Which techniques' passages do the predictions find, and how often do
Repetition phrases recur?

Reads the predicted spans that `propscan eval --folds K --predictions FILE`
writes and the corpus's technique labels, and prints for each technique the
number of gold spans, their mean length in code points, the mean share of
each that the predicted spans cover, and the share that any predicted span
touches. Then, for the Repetition spans: how many distinct phrases (their
exact text) they have, how many of those occur only once in their article,
and how many occurrences the recurring ones have in all, how many of those
touch a gold span of any technique and how many are Repetition spans.

  scripts/technique-recall.py PREDICTIONS [--data ../shared/data/ptc/train]
"""
import collections

from ptc_spans import load_predictions, load_techniques, load_texts, predictions_and_data


def overlap(start, end, spans):
    return sum(max(0, min(end, e) - max(start, s)) for s, e in spans)


def main():
    args = predictions_and_data(__doc__)
    pred = load_predictions(args.predictions)
    gold = load_techniques(args.data)
    texts = load_texts(args.data)

    count, length = collections.Counter(), collections.Counter()
    covered, touched = collections.defaultdict(float), collections.Counter()
    for article, spans in gold.items():
        found = pred.get(article, [])
        for technique, start, end in spans:
            if end <= start:
                continue
            inside = overlap(start, end, found)
            count[technique] += 1
            length[technique] += end - start
            covered[technique] += min(1.0, inside / (end - start))
            touched[technique] += inside > 0
    print(f"{'technique':40s} {'gold':>5s} {'length':>7s} {'covered':>8s} {'touched':>8s}")
    for t in sorted(count, key=lambda t: -count[t]):
        n = count[t]
        print(f"{t:40s} {n:5d} {length[t] / n:7.1f} {covered[t] / n:8.3f} {touched[t] / n:8.3f}")

    phrases = once = occurrences = touching = exact = 0
    for article, spans in gold.items():
        text = texts.get(article, "")
        labelled = [0] * (len(text) + 1)
        for _, start, end in spans:
            for i in range(start, min(end, len(text))):
                labelled[i] = 1
        repetitions = {(s, e) for t, s, e in spans if t == "Repetition" and e > s}
        for phrase in sorted({text[s:e] for s, e in repetitions}):
            phrases += 1
            starts, at = [], text.find(phrase)
            while at >= 0:
                starts.append(at)
                at = text.find(phrase, at + 1)
            if len(starts) <= 1:
                once += 1
                continue
            for at in starts:
                occurrences += 1
                touching += any(labelled[at:at + len(phrase)])
                exact += (at, at + len(phrase)) in repetitions
    print(f"\nRepetition: {phrases} distinct phrases, {once} occur once in their article; the others occur "
          f"{occurrences} times, {touching} of them touch a gold span, {exact} are Repetition spans")


if __name__ == "__main__":
    main()
