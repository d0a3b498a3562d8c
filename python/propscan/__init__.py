"""propscan finds propaganda techniques in English news articles.

    >>> import propscan
    >>> analyzer = propscan.Analyzer()            # load the model once
    >>> result = analyzer.analyze(text, id="a1")  # spans, sentences, score
    >>> for s in result.spans:
    ...     print(s.start, s.end, s.technique, s.score, s.text)

Offsets are indices into the Python str (code points): for every span,
``text[s.start:s.end] == s.text``. ``analyze_many`` analyses an iterable on
several threads without the GIL, in input order; ``spans_frame`` turns
results into a pandas DataFrame. Bad input raises ``propscan.Error`` (a
``ValueError``) with the command line's one-line message. See docs/python.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple, Optional, Union

from . import _propscan
from ._propscan import Result, Span

__all__ = ["Analyzer", "Error", "Result", "Span", "Technique", "default_model_path", "set_compute_threads", "spans_frame",
           "techniques", "__version__"]

__version__: str = _propscan.__version__

Error = _propscan.Error
Error.__module__ = "propscan"
Error.__doc__ = ("A propscan failure: a missing or corrupt model, an article that is not valid UTF-8, empty or "
                 "too long. The message is one line naming the input, the same as the command line's.")

# A model bundled with the installed package (pip install); a build tree
# has none and uses the runtime's search instead.
_BUNDLED_MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "propscan.model")

# Rows of spans_frame: the article's metadata, then the span's fields.
_FRAME_COLUMNS = ["id", "title", "source", "date", "url", "technique", "name", "start", "end", "score", "text",
                  "sentence", "propaganda_score"]


class Technique(NamedTuple):
    """One of the 14 techniques of the Propaganda Techniques Corpus."""

    label: str
    """The exact corpus label, e.g. ``"Name_Calling,Labeling"``."""
    name: str
    """A readable name, e.g. ``"Name calling / labeling"``."""
    definition: str
    """A plain-language definition."""


def techniques() -> list[Technique]:
    """The 14 techniques (label, readable name, definition), in label order."""
    return [Technique(*t) for t in _propscan.techniques()]


def default_model_path() -> str:
    """The model used when ``Analyzer()`` is given none.

    ``$PROPSCAN_MODEL`` when set, else the model installed with this package
    (pip install), else the runtime's search (the install's
    ``share/propscan/propscan.model``, then the source tree's ``models/``).
    Empty when there is none.
    """
    env = os.environ.get("PROPSCAN_MODEL")
    if env:
        return env
    if os.path.isfile(_BUNDLED_MODEL):
        return _BUNDLED_MODEL
    return _propscan.default_model_path()


def set_compute_threads(threads: int) -> None:
    """Threads OpenBLAS may use inside one analysis, for the whole process.

    ``Analyzer()`` sets 1, as the command line does: ``analyze_many`` runs
    articles in parallel instead, and scores then agree to the last bit with
    the command line's. OpenBLAS is shared by the process, so this applies to
    numpy too when numpy uses the same OpenBLAS.
    """
    _propscan.set_compute_threads(int(threads))


def _default_threads() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


class Analyzer:
    """Finds technique passages in articles. Build it once; it is immutable.

    ``model`` is a model file (default: ``default_model_path()``);
    ``threshold`` in [0, 1] drops spans scoring below it (default: the
    threshold the model was tuned with). Raises ``propscan.Error`` naming
    the file when the model is missing, truncated, corrupt or of another
    format version. One analyzer may be used from many threads.
    """

    def __init__(self, model: Optional[Union[str, os.PathLike[str]]] = None,
                 threshold: Optional[float] = None) -> None:
        path = os.fspath(model) if model is not None else default_model_path()
        if not path:
            raise Error("no model given and none found (PROPSCAN_MODEL, the install's share/propscan/, models/); "
                        "pass model=")
        if threshold is not None and not 0.0 <= float(threshold) <= 1.0:
            raise Error(f"threshold {threshold} is outside [0, 1]")
        _propscan.set_compute_threads(1)
        self._native = _propscan.Analyzer(path, -1.0 if threshold is None else float(threshold))
        self.model_path: str = path
        """The model file this analyzer was built from."""

    @property
    def threshold(self) -> float:
        """The threshold in use (the model's own unless one was given)."""
        return self._native.threshold

    def __repr__(self) -> str:
        return f"propscan.Analyzer(model={self.model_path!r}, threshold={self.threshold:.3f})"

    def analyze(self, text: Union[str, bytes], id: Optional[Union[str, int]] = None, title: Optional[str] = None,
                source: Optional[str] = None, date: Optional[str] = None, url: Optional[str] = None) -> Result:
        """Analyses one article and returns its ``Result``.

        ``text`` is a str, or UTF-8 bytes (checked as the command line checks
        a file). ``id`` names the article in the result and in error messages
        (default ``"article"``); ``title``, ``source``, ``date`` and ``url``
        are carried into the result, its JSON and ``spans_frame``. Raises
        ``propscan.Error`` when the text is not valid UTF-8, holds NUL bytes,
        is empty or is over the size limit. The GIL is released meanwhile.
        """
        return self._native.analyze(text, id, title, source, date, url)

    def analyze_many(self, items: Iterable[Any], threads: Optional[int] = None,
                     errors: str = "raise") -> Iterator[Any]:
        """Analyses many articles on ``threads`` threads, yielding results in input order.

        Each item is a str or bytes (its id is its position, "0", "1", ...)
        or a mapping with ``"text"`` and optionally ``"id"``, ``"title"``,
        ``"source"``, ``"date"``, ``"url"``: a JSONL record, a dict, a row of
        ``DataFrame.to_dict("records")``. ``threads`` defaults to the CPUs
        this process may use. The analyses run without the GIL; at most a
        small window of articles (8 per thread) is held at once, so the
        iterable may be a file read line by line.

        A bad article raises ``propscan.Error`` at its place in the order
        (``errors="raise"``), or, with ``errors="yield"``, is yielded as a
        ``propscan.Error`` instance in place of its result and the rest go on.
        """
        if errors not in ("raise", "yield"):
            raise ValueError(f"errors must be 'raise' or 'yield', not {errors!r}")
        n = _default_threads() if threads is None else int(threads)
        if n < 1:
            raise ValueError(f"threads must be at least 1, not {threads}")
        stream = self._native.stream(items, n, 8 * n)
        while True:
            try:
                result = next(stream)
            except StopIteration:
                return
            except Error as e:
                if errors == "raise":
                    raise
                yield e
                continue
            yield result

    def spans_frame(self, results: Iterable[Any]) -> Any:
        """A pandas DataFrame of results: one row per span, with its article's metadata.

        Columns: id, title, source, date, url (of the article), technique,
        name, start, end, score, text, sentence (of the span),
        propaganda_score (of the article). An article without spans adds no
        row. ``propscan.Error`` items (from ``errors="yield"``) are skipped.
        Needs pandas; raises ImportError saying so when it is missing.
        """
        return spans_frame(results)


def spans_frame(results: Iterable[Any]) -> Any:
    """The same as ``Analyzer.spans_frame``."""
    try:
        import pandas
    except ImportError as e:
        raise ImportError("propscan.spans_frame needs pandas, which is not installed "
                          "(Debian: apt-get install python3-pandas)") from e
    rows = []
    for r in results:
        if isinstance(r, Error):
            continue
        meta = (r.id, r.title, r.source, r.date, r.url)
        for s in r.spans:
            rows.append(meta + (s.technique, s.name, s.start, s.end, s.score, s.text, s.sentence, r.propaganda_score))
    frame = pandas.DataFrame.from_records(rows, columns=_FRAME_COLUMNS)
    return frame.astype({"start": "int64", "end": "int64", "sentence": "int64", "score": "float64",
                         "propaganda_score": "float64"})


def _to_dict(self: Result) -> dict[str, Any]:
    """The result as a dict: ``json.loads(result.to_json())``, the command line's JSON."""
    return json.loads(self.to_json())


Result.to_dict = _to_dict  # type: ignore[attr-defined]
Result.__module__ = "propscan"
Span.__module__ = "propscan"
Result.__doc__ = ("The analysis of one article: id, title, source, date, url, text, length, spans, sentences, "
                  "propaganda_score; to_dict() and to_json() give the command line's JSON.")
