"""propscan finds propaganda techniques in English news articles.

    >>> import propscan
    >>> analyzer = propscan.Analyzer()            # load the model once
    >>> result = analyzer.analyze(text, id="a1")  # spans, sentences, score
    >>> for s in result.spans:
    ...     print(s.start, s.end, s.technique, s.score, s.text)

Offsets are indices into the Python str (code points): for every span,
``text[s.start:s.end] == s.text``. ``analyze_many`` analyses an iterable on
several threads without the GIL, in input order; ``spans_frame`` turns
results into a pandas DataFrame. ``Store`` is the corpus store of
``propscan ingest``, ``stats`` and ``search``: ingest articles, count
techniques by source, date, technique or topic as a DataFrame, search the
texts. Bad input raises ``propscan.Error`` (a ``ValueError``) with the
command line's one-line message. See docs/python.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple, Optional, Union

from . import _propscan
from ._propscan import Result, Span

__all__ = ["Analyzer", "Error", "IngestReport", "Result", "SearchHit", "Span", "Store", "Technique", "TopicInfo",
           "default_model_path", "set_compute_threads", "spans_frame", "techniques", "__version__"]

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

    ``model`` is ``"fast"`` (the default, ``default_model_path()``),
    ``"accurate"`` (the slower, more accurate shipped model) or a model file;
    ``threshold`` in [0, 1] drops spans scoring below it (default: the
    threshold the model was tuned with). Raises ``propscan.Error`` naming
    the file when the model is missing, truncated, corrupt or of another
    format version. One analyzer may be used from many threads.
    """

    def __init__(self, model: Optional[Union[str, os.PathLike[str]]] = None,
                 threshold: Optional[float] = None) -> None:
        if model is None:
            path = default_model_path()
        elif model == "fast" and os.path.isfile(_BUNDLED_MODEL):
            path = _BUNDLED_MODEL
        else:
            path = _propscan.find_model(os.fspath(model))
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


def _pandas(what: str) -> Any:
    try:
        import pandas
    except ImportError as e:
        raise ImportError(f"{what} needs pandas, which is not installed "
                          "(Debian: apt-get install python3-pandas)") from e
    return pandas


def spans_frame(results: Iterable[Any]) -> Any:
    """The same as ``Analyzer.spans_frame``."""
    pandas = _pandas("propscan.spans_frame")
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


# ---- The corpus store ---------------------------------------------------------

_DIMENSIONS = ("source", "day", "week", "month", "technique", "topic")


class IngestReport(NamedTuple):
    """What ``Store.ingest`` did, as ``propscan ingest`` reports it."""

    done: int
    """Items committed: articles stored, skipped or failed."""
    added: int
    """New articles."""
    reanalysed: int
    """Articles another model had analysed, re-analysed (``reanalyse=True``)."""
    unchanged: int
    """Articles already stored, left alone."""
    failed: int
    """Articles that could not be read or analysed (also kept in ``Store.failures()``)."""
    failures: list[tuple[str, str]]
    """(input, one-line error) of each failed article, in commit order."""


class SearchHit(NamedTuple):
    """One article found by ``Store.search``: ``propscan search --format json``'s fields."""

    id: str
    """The article's id (the input's)."""
    title: Optional[str]
    source: Optional[str]
    published: Optional[str]
    """ISO 8601 date (or UTC date-time) of publication, when known."""
    propaganda_score: float
    spans: int
    """Spans found in the article."""
    snippet: str
    """A window of the text around the matches (untrusted article text)."""
    matches: list[tuple[int, int]]
    """(start, end) of each match, code points into ``snippet``: ``snippet[start:end]``."""
    snippet_cut_before: bool
    """The article has text before the window."""
    snippet_cut_after: bool
    """The article has text after the window."""


class TopicInfo(NamedTuple):
    """A topic of the store: a full-text query, or a name given by the input."""

    name: str
    query: Optional[str]
    """The full-text query; None for a topic named only by the input (JSONL ``"topics"``)."""
    articles: int


def _is_path(item: Any) -> bool:
    return isinstance(item, (str, bytes, os.PathLike))


class Store:
    """The corpus store: articles analysed with their spans, for statistics and search.

    ``path_or_url`` is the SQLite file that ``propscan ingest --db`` writes
    and ``stats``/``search --db`` read. Opening a missing store raises
    ``propscan.Error`` (``"PATH: no such store (create it with propscan
    ingest)"``) unless ``create=True``; a file that is not a propscan store,
    or one of a newer schema, raises ``propscan.Error`` naming it. An older
    store is migrated, as the command line does. Use it as a context manager,
    or call ``close()``. Calls from several threads take turns on the one
    connection; queries and ingest run without the GIL.
    """

    def __init__(self, path_or_url: Union[str, os.PathLike[str]], create: bool = False) -> None:
        location = os.fspath(path_or_url)
        self._native = _propscan.Store(location, bool(create))
        self._analyzer: Optional[Analyzer] = None
        self.location: str = location
        """The path (or URL) the store was opened at."""

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connection; later calls raise ``propscan.Error``. Closing twice is harmless."""
        self._native.close()

    def __repr__(self) -> str:
        return f"propscan.Store({self.location!r})"

    @property
    def schema_version(self) -> int:
        """The schema version of the store (docs/store.md)."""
        return self._native.schema_version()

    def ingest(self, items_or_paths: Union[str, os.PathLike[str], Iterable[Any]], analyzer: Optional[Analyzer] = None,
               threads: Optional[int] = None, reanalyse: bool = False, jsonl: bool = False,
               batch: int = 100) -> IngestReport:
        """Analyses articles and stores them with their spans: ``propscan ingest``.

        ``items_or_paths`` is a path, or an iterable of paths and articles.
        A path (str, bytes or ``os.PathLike``) is what ``propscan ingest``
        reads: a .txt file, a directory, a .jsonl file (every file with
        ``jsonl=True``), an .html page. An article is a mapping with
        ``"text"`` and optionally ``"id"``, ``"title"``, ``"source"``,
        ``"date"``, ``"url"`` and ``"topics"`` (a str or a list); it is named
        by its id (default: its position in the iterable), so give unique
        ids. The iterable is read lazily, on another thread.

        As on the command line: a text already stored is skipped after a
        look-up of its hash (with ``reanalyse=True``, one stored by another
        model or threshold is analysed again and its spans replaced);
        articles are analysed on ``threads`` threads (default: the CPUs
        this process may use) with ``analyzer`` (default: ``Analyzer()``,
        made once per store) and committed ``batch`` at a time, or every
        second. A bad article (invalid UTF-8, empty, too long, a date that
        cannot be read) does not raise: it is recorded in the store's
        failures, listed in the report, and the others go on. A path that
        cannot be opened is a failure too. What the iterable raises is
        raised after the articles before it are committed; ``propscan.Error``
        is raised when the store cannot be written.
        """
        if threads is None:
            n = _default_threads()
        else:
            n = int(threads)
            if n < 1:
                raise ValueError(f"threads must be at least 1, not {threads}")
        if int(batch) < 1:
            raise ValueError(f"batch must be at least 1, not {batch}")
        if analyzer is None:
            if self._analyzer is None:
                self._analyzer = Analyzer()
            analyzer = self._analyzer
        items = [items_or_paths] if _is_path(items_or_paths) else items_or_paths
        done, added, replaced, unchanged, failed, failures = self._native.ingest(
            items, analyzer._native, analyzer.model_path, n, int(batch), bool(reanalyse), bool(jsonl))
        return IngestReport(done, added, replaced, unchanged, failed, failures)

    def stats_dict(self, by: Union[str, Iterable[str], None] = None, source: Optional[str] = None,
                   topic: Optional[str] = None, since: Optional[str] = None, until: Optional[str] = None,
                   top: int = 3) -> dict[str, Any]:
        """The statistics as a dict: exactly what ``propscan stats --format json`` prints (see ``stats``)."""
        groups = [by] if isinstance(by, str) else list(by or [])
        return json.loads(self._native.stats_json(groups, source or "", topic or "", since or "", until or "",
                                                  int(top)))

    def stats(self, by: Union[str, Iterable[str], None] = None, source: Optional[str] = None,
              topic: Optional[str] = None, since: Optional[str] = None, until: Optional[str] = None,
              top: int = 3) -> Any:
        """Technique counts per group, as a pandas DataFrame: ``propscan stats``.

        ``by`` names the groups, in order: "source", "day", "week" (ISO,
        "2024-W09"), "month", "technique", "topic" (a list, or one name);
        none gives one row for the whole selection. ``source`` and
        ``topic`` keep one outlet or topic; ``since`` and ``until`` are the
        first and last day (inclusive; any date ``ingest`` reads). ``top``
        is how many of the most propagandistic articles each row names.

        One row per group, ordered by the groups' keys, with a column per
        group (None for articles without one: no source, no date), then
        ``articles``, ``spans``, ``words``, ``spans_per_1000_words``,
        ``mean_score``, per technique label ``spans <label>`` and
        ``share <label>`` (of the row's spans; in a row grouped by
        technique, only its own technique's are non-zero), and ``top`` (a
        list of the articles' ids). The numbers are those of ``propscan
        stats --format json`` (``stats_dict``). A date that cannot be read,
        an unknown group or a group given twice raise ``propscan.Error``.
        Needs pandas.
        """
        pandas = _pandas("propscan.Store.stats")
        raw = self.stats_dict(by, source, topic, since, until, top)
        labels = [t.label for t in techniques()]
        columns = list(raw["by"]) + ["articles", "spans", "words", "spans_per_1000_words", "mean_score"]
        columns += [f"spans {label}" for label in labels] + [f"share {label}" for label in labels] + ["top"]
        records = []
        for row in raw["rows"]:
            record = [row[d] for d in raw["by"]]
            record += [row["articles"], row["spans"], row["words"], row["spans_per_1000_words"], row["mean_score"]]
            used = row["techniques"]
            record += [used[label]["spans"] if label in used else 0 for label in labels]
            record += [used[label]["share"] if label in used else 0.0 for label in labels]
            record.append([a["id"] for a in row["top"]])
            records.append(record)
        frame = pandas.DataFrame.from_records(records, columns=columns)
        types = {"articles": "int64", "spans": "int64", "words": "int64", "spans_per_1000_words": "float64",
                 "mean_score": "float64"}
        types.update({f"spans {label}": "int64" for label in labels})
        types.update({f"share {label}": "float64" for label in labels})
        return frame.astype(types)

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search of the stored articles, best match first: ``propscan search``.

        ``query`` is a full-text query: words (all must occur), "a phrase",
        OR, NOT, prefix*, title:word. Returns at most ``limit`` hits with the
        fields of ``propscan search --format json``;
        ``pandas.DataFrame(store.search(q))`` makes a frame of them. An empty
        or invalid query raises ``propscan.Error``.
        """
        if int(limit) < 0:
            raise ValueError(f"limit must be at least 0, not {limit}")
        hits = json.loads(self._native.search_json(str(query), int(limit)))
        return [SearchHit(h["id"], h["title"], h["source"], h["published"], h["propaganda_score"], h["spans"],
                          h["snippet"], [tuple(m) for m in h["matches"]], h["snippet_cut_before"],
                          h["snippet_cut_after"]) for h in hits]

    def add_topic(self, name: str, query: str) -> int:
        """Adds (or redefines) a topic as a full-text query: ``propscan topic add``. Returns its article count.

        Stored articles that match join it now, articles ingested later when
        they match. An invalid query raises ``propscan.Error``.
        """
        return self._native.add_topic(str(name), str(query))

    def remove_topic(self, name: str) -> None:
        """Removes a topic (``propscan topic remove``); an unknown one raises ``propscan.Error``."""
        self._native.remove_topic(str(name))

    def topics(self) -> list[TopicInfo]:
        """The topics with their queries and article counts (``propscan topic list``)."""
        return [TopicInfo(name, query or None, n) for name, query, n in self._native.topics()]

    def counts(self) -> dict[str, int]:
        """``{"articles": n, "spans": n, "failures": n}``: what the store holds."""
        articles, spans, failures = self._native.counts()
        return {"articles": articles, "spans": spans, "failures": failures}

    def failures(self) -> list[tuple[str, str]]:
        """(input, one-line error) of the articles that could not be ingested and were not stored since."""
        return list(self._native.failures())
