"""Shared by the analysis scripts: PTC gold spans, propscan's predicted spans
and the SI sums of product.md (spans that share a character merged; spans
that only touch stay apart)."""
import argparse
import collections
import os
import sys

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../shared/data/ptc/train")


def predictions_and_data(doc):
    """The arguments of a script that reads one PREDICTIONS file and the
    corpus (--data), with `doc` as its help."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("predictions")
    ap.add_argument("--data", default=DEFAULT_DATA)
    return ap.parse_args()


def merge(spans):
    out = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def load_texts(data):
    texts = {}
    for name in os.listdir(os.path.join(data, "articles")):
        if name.startswith("article") and name.endswith(".txt"):
            with open(os.path.join(data, "articles", name), encoding="utf-8") as f:
                texts[name[7:-4]] = f.read()
    return texts


def label_rows(data, folder, columns):
    """The columns of every row of the corpus's label files in
    `folder`; exits with a one-line message on a row that does not have
    `columns` (a description such as "id, start, end") separated by tabs."""
    directory = os.path.join(data, folder)
    expected = columns.count(",") + 1
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        with open(path, encoding="utf-8") as f:
            for number, row in enumerate(f, 1):
                cols = row.rstrip("\n").split("\t")
                if len(cols) != expected or not all(c.lstrip("-").isdigit() for c in cols[-2:]):
                    sys.exit(f"{path}:{number}: expected {columns} separated by tabs")
                yield cols


def load_gold(data):
    """Per article, its SI (start, end) spans."""
    gold = collections.defaultdict(list)
    for a, s, e in label_rows(data, "labels-si", "id, start, end"):
        gold[a].append((int(s), int(e)))
    return gold


def load_techniques(data):
    """Per article, its (technique, start, end) labels."""
    gold = collections.defaultdict(list)
    for a, t, s, e in label_rows(data, "labels-tc", "id, technique, start, end"):
        gold[a].append((t, int(s), int(e)))
    return gold


def load_predictions(path):
    """Rows of SemEval FLC (id, technique, start, end) or SI (id, start, end).
    Exits with a one-line message when the file is missing or malformed."""
    pred = collections.defaultdict(list)
    try:
        with open(path, encoding="utf-8") as f:
            for number, row in enumerate(f, 1):
                cols = row.rstrip("\n").split("\t")
                try:
                    if len(cols) not in (3, 4):
                        raise ValueError
                    pred[cols[0]].append((int(cols[-2]), int(cols[-1])))
                except ValueError:
                    sys.exit(f"{path}:{number}: expected id, [technique,] start, end separated by tabs")
    except (OSError, UnicodeDecodeError) as e:
        sys.exit(f"{path}: {getattr(e, 'strerror', None) or e}")
    return pred


def si_sums(pred, gold):
    """One article's (precision sum, predicted count, recall sum, gold count)."""
    g, p = merge(gold), merge(pred)
    p_sum = r_sum = 0.0
    for s, e in p:
        for gs, ge in g:
            overlap = min(e, ge) - max(s, gs)
            if overlap > 0:
                p_sum += overlap / (e - s)
                r_sum += overlap / (ge - gs)
    return p_sum, len(p), r_sum, len(g)


def prf(sums):
    """Micro P, R, F1 from per-article si_sums."""
    p_sum = sum(x[0] for x in sums)
    n_pred = sum(x[1] for x in sums)
    r_sum = sum(x[2] for x in sums)
    n_gold = sum(x[3] for x in sums)
    p = p_sum / n_pred if n_pred else 0.0
    r = r_sum / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), n_pred, n_gold
