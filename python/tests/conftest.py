"""Shared fixtures: one analyzer for the suite, the built binary, texts."""

import os
import subprocess
from pathlib import Path

import pytest

import propscan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TRAIN_ARTICLES = Path(os.environ.get("PROPSCAN_BENCH_DATA", ROOT.parent / "shared" / "data" / "ptc" / "train" / "articles"))


@pytest.fixture(scope="session")
def analyzer():
    return propscan.Analyzer()


@pytest.fixture(scope="session")
def binary():
    path = os.environ.get("PROPSCAN_BINARY")
    if not path:
        pytest.skip("PROPSCAN_BINARY is not set (CTest sets it)")
    return path


def run_cli(binary, args, stdin=b""):
    """`propscan ARGS` with stdin; (status, stdout, stderr) as str."""
    done = subprocess.run([binary, *args], input=stdin, capture_output=True)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


@pytest.fixture(scope="session")
def articles():
    """(id, text) of a few dozen news articles: the training split when it is there, else the examples."""
    out = []
    if TRAIN_ARTICLES.is_dir():
        for p in sorted(TRAIN_ARTICLES.glob("article*.txt"))[:40]:
            out.append((p.stem[len("article"):], p.read_text(encoding="utf-8")))
    for p in sorted(EXAMPLES.glob("*.txt")):
        out.append((p.stem, p.read_text(encoding="utf-8")))
    return out
