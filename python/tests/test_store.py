"""propscan.Store: ingest, stats, search and topics, against the command line on examples/corpus."""

import json
import sqlite3
import threading

import pytest

import propscan
from conftest import EXAMPLES, run_cli

CORPUS = EXAMPLES / "corpus"
INPUTS = [str(CORPUS / "feed.jsonl"), str(CORPUS / "pages")]
LABELS = [t.label for t in propscan.techniques()]

# Groupings and selections of `propscan stats`, each compared with the CLI.
STATS_CASES = [
    ([], {}),
    (["source"], {}),
    (["source", "week"], {}),
    (["month", "technique"], {}),
    (["technique"], {"source": "The Herald Example"}),
    (["day"], {"since": "2024-03-05", "until": "14 March 2024", "top": 1}),
    (["topic"], {"top": 5}),
    (["source", "topic"], {"topic": "protest"}),
    (["week", "source", "technique"], {"top": 0}),
]


def cli_stats(binary, db, by, kw):
    args = ["stats", "--db", str(db), "--format", "json"]
    if by:
        args += ["--by", ",".join(by)]
    for k, v in kw.items():
        args += [f"--{k}", str(v)]
    status, out, err = run_cli(binary, args)
    assert status == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def cli_db(binary, tmp_path_factory):
    """examples/corpus ingested by the command line, with a query topic."""
    db = tmp_path_factory.mktemp("cli") / "news.db"
    status, _, err = run_cli(binary, ["ingest", *INPUTS, "--db", str(db), "-j", "1", "--progress", "none"])
    assert status == 0, err
    assert "7 articles: 7 added" in err
    status, _, err = run_cli(binary, ["topic", "add", "--db", str(db), "protest", "protest", "OR", "strike", "OR",
                                      "rally"])
    assert status == 0, err
    return db


@pytest.fixture(scope="module")
def py_db(analyzer, tmp_path_factory):
    """The same corpus ingested from Python, on one thread as the command line's: the same store ids and
    the same order of additions (sums of scores are exact to the last bit only in the same order)."""
    db = tmp_path_factory.mktemp("py") / "news.db"
    with propscan.Store(db, create=True) as store:
        report = store.ingest(INPUTS, analyzer=analyzer, threads=1)
        assert report == propscan.IngestReport(7, 7, 0, 0, 0, [])
        assert store.add_topic("protest", "protest OR strike OR rally") == 4
    return db


def test_ingest_counts_the_corpus_exactly(py_db):
    with propscan.Store(py_db) as store:
        assert store.counts() == {"articles": 7, "spans": 8, "failures": 0}
        assert store.schema_version >= 4
        frame = store.stats(by="source")
        assert list(frame["source"]) == ["The Daily Example", "The Herald Example", "The Valley Courier"]
        assert list(frame["articles"]) == [3, 3, 1]
        assert list(frame["spans"]) == [3, 3, 2]
        assert list(frame["top"].iloc[0]) == ["d-0304", "d-0312", "d-0306"]


@pytest.mark.parametrize("by,kw", STATS_CASES)
def test_stats_are_the_command_lines(binary, cli_db, by, kw):
    with propscan.Store(cli_db) as store:
        assert store.stats_dict(by, **kw) == cli_stats(binary, cli_db, by, kw)


@pytest.mark.parametrize("by,kw", STATS_CASES)
def test_ingest_from_python_stores_what_the_command_line_stores(binary, cli_db, py_db, by, kw):
    assert cli_stats(binary, py_db, by, kw) == cli_stats(binary, cli_db, by, kw)


def test_stats_frame_holds_the_json_numbers(binary, cli_db):
    raw = cli_stats(binary, cli_db, ["source", "technique"], {})
    with propscan.Store(cli_db) as store:
        frame = store.stats(by=["source", "technique"])
    assert list(frame.columns) == (["source", "technique", "articles", "spans", "words", "spans_per_1000_words",
                                    "mean_score"] + [f"spans {t}" for t in LABELS] + [f"share {t}" for t in LABELS]
                                   + ["top"])
    assert len(frame) == len(raw["rows"])
    for (_, got), want in zip(frame.iterrows(), raw["rows"]):
        assert (got["source"], got["technique"]) == (want["source"], want["technique"])
        for column in ("articles", "spans", "words", "spans_per_1000_words", "mean_score"):
            assert got[column] == want[column]
        for t in LABELS:
            used = want["techniques"].get(t)
            assert got[f"spans {t}"] == (used["spans"] if used else 0)
            assert got[f"share {t}"] == (used["share"] if used else 0.0)
        assert got["top"] == [a["id"] for a in want["top"]]
    assert str(frame["articles"].dtype) == "int64" and str(frame["share Loaded_Language"].dtype) == "float64"
    # No grouping: one row, no key columns; an empty selection: no rows, the same columns.
    with propscan.Store(cli_db) as store:
        whole = store.stats()
        assert len(whole) == 1 and whole["articles"][0] == 7 and whole["spans"][0] == 8
        none = store.stats(by=["source"], since="2030-01-01")
        assert len(none) == 0 and list(none.columns)[:2] == ["source", "articles"]


def test_search_is_the_command_lines(binary, cli_db):
    for query in ("harbour", "council NOT tax", "\"old harbour\"", "prote*"):
        status, out, err = run_cli(binary, ["search", "--db", str(cli_db), "--format", "json", query])
        assert status == 0, err
        with propscan.Store(cli_db) as store:
            hits = store.search(query)
        assert [h._asdict() for h in hits] == [dict(h, matches=[tuple(m) for m in h["matches"]])
                                               for h in json.loads(out)]
    with propscan.Store(cli_db) as store:
        hits = store.search("harbour", limit=1)
        assert len(hits) == 1 and hits[0].id == "harbour-sale"
        assert all(hits[0].snippet[b:e].lower() == "harbour" for b, e in hits[0].matches)
        assert store.search("nosuchwordanywhere") == []


def test_topics(cli_db, tmp_path):
    db = tmp_path / "copy.db"
    with sqlite3.connect(cli_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    with propscan.Store(db) as store:
        assert {t.name: (t.query, t.articles) for t in store.topics()} == {
            "budget": (None, 1), "climate": (None, 1), "labour": (None, 1),
            "protest": ("protest OR strike OR rally", 4)}
        assert store.add_topic("harbour", "harbour") == 1
        store.remove_topic("harbour")
        assert "harbour" not in {t.name for t in store.topics()}
        with pytest.raises(propscan.Error, match="no topic 'harbour'"):
            store.remove_topic("harbour")


def test_reingest_skips_and_reanalyse_replaces(analyzer, cli_db, tmp_path):
    # What the command line stored with the same model is not analysed again.
    copy = tmp_path / "copy.db"
    with sqlite3.connect(cli_db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    with propscan.Store(copy) as store:
        assert store.ingest(INPUTS, analyzer=analyzer) == propscan.IngestReport(7, 0, 0, 7, 0, [])
    db = tmp_path / "s.db"
    with propscan.Store(db, create=True) as store:
        assert store.ingest(CORPUS / "feed.jsonl", analyzer=analyzer).added == 6
        again = store.ingest([CORPUS / "feed.jsonl"], analyzer=analyzer)
        assert (again.done, again.added, again.unchanged) == (6, 0, 6)
        # Another threshold is another model: skipped without reanalyse, replaced with it.
        strict = propscan.Analyzer(threshold=0.9)
        assert store.ingest(CORPUS / "feed.jsonl", analyzer=strict).unchanged == 6
        redone = store.ingest(CORPUS / "feed.jsonl", analyzer=strict, reanalyse=True)
        assert (redone.reanalysed, redone.added) == (6, 0)
        assert store.counts()["articles"] == 6
        assert store.counts()["spans"] <= 6


def test_articles_from_python_and_their_failures(analyzer, binary, tmp_path):
    db = tmp_path / "f.db"
    good = (EXAMPLES / "river-plant.txt").read_text(encoding="utf-8")
    items = [
        {"id": "ok", "text": good, "source": "Valley Herald", "date": "30 November 2026", "topics": ["water"]},
        {"id": "bad-utf8", "text": b"ab\xffcd"},
        {"id": "bad-date", "text": "The corrupt elite lied again.", "date": "the day after tomorrow"},
        {"id": 7, "text": "   "},
        {"title": "no text"},
        str(tmp_path / "missing.txt"),
        {"text": "The corrupt élite 😡 lied to the nation again, and only traitors believe them."},
    ]
    with propscan.Store(db, create=True) as store:
        report = store.ingest(iter(items), analyzer=analyzer, threads=2, batch=2)
    assert (report.done, report.added, report.failed) == (7, 2, 5)
    failures = dict(report.failures)
    assert failures["bad-utf8"] == "bad-utf8: invalid UTF-8 at byte 2"
    assert failures["7"] == "7: empty article (no text)"
    assert failures["4"] == "4: missing field 'text'"
    # The date and the missing file fail as `propscan ingest` says it.
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "bad-date", "text": "The corrupt elite lied again.",
                                                  "date": "the day after tomorrow"}) + "\n")
    status, _, err = run_cli(binary, ["ingest", str(tmp_path / "d.jsonl"), str(tmp_path / "missing.txt"), "--db",
                                      str(tmp_path / "cli.db"), "--progress", "none"])
    assert status == 1
    cli_date = next(l for l in err.splitlines() if "d.jsonl:1" in l).removeprefix("propscan: ")
    assert failures["bad-date"] == cli_date.replace(str(tmp_path / "d.jsonl") + ":1", "bad-date")
    assert f"propscan: {failures[str(tmp_path / 'missing.txt')]}" in err.splitlines()
    with propscan.Store(db) as store:
        assert sorted(store.failures()) == sorted(report.failures)
        frame = store.stats(by=["source", "day", "topic"])
        row = frame[frame["source"] == "Valley Herald"].iloc[0]
        assert (row["day"], row["topic"], row["articles"]) == ("2026-11-30", "water", 1)
        # The emoji article is stored with its id (its position) and code point offsets.
        assert [h.id for h in store.search("traitors")] == ["6"]


def test_an_error_in_the_iterable_is_raised_after_the_articles_before_it(analyzer, tmp_path):
    def items():
        yield {"id": "a", "text": "The corrupt elite lied to the nation again."}
        raise RuntimeError("the feed broke")

    with propscan.Store(tmp_path / "e.db", create=True) as store:
        with pytest.raises(RuntimeError, match="the feed broke"):
            store.ingest(items(), analyzer=analyzer)
        assert store.counts()["articles"] == 1


def test_errors_have_the_command_lines_messages(binary, cli_db, tmp_path):
    missing = tmp_path / "none.db"
    status, _, err = run_cli(binary, ["stats", "--db", str(missing)])
    assert status == 1
    with pytest.raises(propscan.Error) as e:
        propscan.Store(missing)
    assert f"propscan: {e.value}" == err.strip()
    assert isinstance(e.value, ValueError)
    assert not missing.exists()

    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database, only some text " * 100)
    status, _, err = run_cli(binary, ["stats", "--db", str(corrupt)])
    assert status == 1
    with pytest.raises(propscan.Error) as e:
        propscan.Store(corrupt)
    assert f"propscan: {e.value}" == err.strip()

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE notes (x TEXT)")
        c.execute("INSERT INTO notes VALUES ('x')")
    status, _, err = run_cli(binary, ["stats", "--db", str(other)])
    with pytest.raises(propscan.Error) as e:
        propscan.Store(other)
    assert status == 1 and f"propscan: {e.value}" == err.strip()

    # A bad date: the CLI's message, naming the argument instead of the flag.
    status, _, err = run_cli(binary, ["stats", "--db", str(cli_db), "--since", "yesterday"])
    assert status == 1
    with propscan.Store(cli_db) as store:
        with pytest.raises(propscan.Error) as e:
            store.stats(since="yesterday")
        assert err.strip() == f"propscan: --{e.value}"
        with pytest.raises(propscan.Error, match="until: "):
            store.stats(until="2024-13-45")
        with pytest.raises(propscan.Error, match=r"by: unknown group 'outlet' \(source, day"):
            store.stats(by=["outlet"])
        with pytest.raises(propscan.Error, match="by: 'day' given twice"):
            store.stats_dict(by=["day", "day"])
        status, _, err = run_cli(binary, ["search", "--db", str(cli_db), "--format", "json", "\"unclosed"])
        with pytest.raises(propscan.Error) as e:
            store.search("\"unclosed")
        assert status == 1 and f"propscan: {e.value}" == err.strip()
        with pytest.raises(propscan.Error, match="empty search query"):
            store.search("  ")
    store.close()  # twice is harmless
    with pytest.raises(propscan.Error, match="the store is closed"):
        store.counts()


def test_threads_share_one_store(cli_db):
    with propscan.Store(cli_db) as store:
        want = store.stats_dict(["source", "week"])
        got, errors = [], []

        def run():
            try:
                for _ in range(20):
                    got.append(store.stats_dict(["source", "week"]))
                    store.search("harbour")
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=run) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors and len(got) == 60 and all(g == want for g in got)


def test_stats_without_pandas_says_so(cli_db, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "pandas", None)
    with propscan.Store(cli_db) as store:
        with pytest.raises(ImportError, match="propscan.Store.stats needs pandas"):
            store.stats()
        assert store.stats_dict()["rows"][0]["articles"] == 7


def test_store_on_postgresql(analyzer, binary, cli_db):
    """The same corpus in PostgreSQL (CTest python.store_postgres starts a throwaway server)."""
    import os
    url = os.environ.get("PROPSCAN_TEST_POSTGRES")
    if not url:
        pytest.skip("PROPSCAN_TEST_POSTGRES is not set (ctest -R python.store_postgres starts a server)")
    with propscan.Store(url) as store:
        assert store.ingest(INPUTS, analyzer=analyzer, threads=1) == propscan.IngestReport(7, 7, 0, 0, 0, [])
        assert store.add_topic("protest", "protest OR strike OR rally") == 4
        for by, kw in STATS_CASES:
            assert store.stats_dict(by, **kw) == cli_stats(binary, cli_db, by, kw), (by, kw)
        assert [h.id for h in store.search("harbour")] == ["harbour-sale"]
        assert store.ingest(INPUTS, analyzer=analyzer).unchanged == 7
