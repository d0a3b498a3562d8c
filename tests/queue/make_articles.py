#!/usr/bin/env python3
"""Writes N distinct articles as JSONL from a directory of PTC articles:
each is a training article with a line of its own appended, so that no two
texts (and text hashes) are the same.
    make_articles.py ARTICLES_DIR N OUT.jsonl [TAG]
TAG (default "queue tests") goes into the appended line: a new tag gives
new texts."""
import json
import pathlib
import sys

src, n, out = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
tag = sys.argv[4] if len(sys.argv) > 4 else "queue tests"
texts = [p.read_text(encoding="utf-8") for p in sorted(src.glob("article*.txt"))]
if not texts:
    sys.exit(f"make_articles.py: no article*.txt in {src}")
with open(out, "w", encoding="utf-8") as f:
    for i in range(n):
        text = texts[i % len(texts)].rstrip("\n") + f"\n\nCopy {i} of this article for the {tag}.\n"
        f.write(json.dumps({"id": f"q{i}", "text": text, "source": f"outlet{i % 7}"}, ensure_ascii=False) + "\n")
