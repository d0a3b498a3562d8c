"""The Python module: offsets, threads, errors, DataFrames, JSON (docs/python.md)."""

import json
import subprocess
import sys

import pytest

import propscan
from conftest import EXAMPLES, ROOT, run_cli

# Accents and emoji (outside the BMP, two UTF-16 units, four UTF-8 bytes)
# before and inside the flagged passages, from different sides.
UNICODE_TEXT = (
    "🇺🇸🔥 Café owners in São Paulo say the corrupt élite are traitors who are destroying our great nation. 😡\n\n"
    "« These reckless, greedy polluters » — said the naïve minister — “are poisoning our children for profit” 💀.\n\n"
    "Only a fool would believe the lies of this criminal regime 🤡, and every true patriot knows it."
)


def test_offsets_index_the_python_str(analyzer):
    r = analyzer.analyze(UNICODE_TEXT, id="unicode")
    assert r.spans, "the text should have flagged passages"
    assert r.length == len(UNICODE_TEXT)
    assert r.text == UNICODE_TEXT
    for s in r.spans:
        assert UNICODE_TEXT[s.start:s.end] == s.text
        assert 0 <= s.start < s.end <= len(UNICODE_TEXT)
    # At least one span lies after an emoji, where bytes or UTF-16 units would differ.
    assert any(s.start > UNICODE_TEXT.index("😡") for s in r.spans)
    for start, end in r.sentences:
        assert 0 <= start < end <= len(UNICODE_TEXT)


def test_offsets_are_the_command_lines(analyzer, binary):
    status, out, _ = run_cli(binary, ["analyze", "-", "-j", "1"], UNICODE_TEXT.encode())
    assert status == 0
    cli = json.loads(out)
    r = analyzer.analyze(UNICODE_TEXT, id="stdin")
    assert [(s["start"], s["end"], s["technique"], s["text"]) for s in cli["spans"]] == \
           [(s.start, s.end, s.technique, s.text) for s in r.spans]


def test_bytes_and_str_give_the_same_result(analyzer):
    assert analyzer.analyze(UNICODE_TEXT.encode()).to_json() == analyzer.analyze(UNICODE_TEXT).to_json()


def test_to_json_is_the_command_lines_line(analyzer, binary):
    for path in sorted(EXAMPLES.glob("*.txt")):
        status, out, _ = run_cli(binary, ["analyze", str(path), "-j", "1"])
        assert status == 0
        r = analyzer.analyze(path.read_text(encoding="utf-8"), id=path.stem)
        assert r.to_json() == out.rstrip("\n")


def test_to_json_round_trip(analyzer):
    r = analyzer.analyze(UNICODE_TEXT, id="a1", title="T", source="Outlet", date="2026-12-01", url="https://x.test/1")
    back = json.loads(r.to_json())
    assert back == r.to_dict()
    assert (back["id"], back["title"], back["source"], back["date"], back["url"]) == \
           ("a1", "T", "Outlet", "2026-12-01", "https://x.test/1")
    assert back["length"] == len(UNICODE_TEXT)
    assert back["propaganda_score"] == r.propaganda_score
    assert [(d["start"], d["end"], d["technique"], d["score"], d["text"], d["sentence"]) for d in back["spans"]] == \
           [(s.start, s.end, s.technique, s.score, s.text, s.sentence) for s in r.spans]


def test_span_explanations(analyzer):
    text = ("Ce débat 😀 est clos. \u201cThese radical extremists will destroy our great nation,\u201d said Pence. "
            "The cowardly, corrupt leadership will bury it.")
    r = analyzer.analyze(text)
    back = json.loads(r.to_json())
    assert r.spans
    for s, d in zip(r.spans, back["spans"]):
        assert s.voice == d["voice"] and s.speaker == d.get("speaker", "")
        assert s.evidence == [(e["start"], e["end"], e["kind"], e["reason"]) for e in d["evidence"]]
        for start, end, _, reason in s.evidence:
            assert text[start:end] and reason  # code points index the str
    quoted = [s for s in r.spans if s.start > text.index("\u201c") and s.end < text.index("\u201d")]
    assert quoted and all(s.voice == "quoted" and s.speaker == "Pence" for s in quoted)
    assert any(s.voice == "author" and s.speaker == "" for s in r.spans if s.start > text.index("Pence"))


def test_metadata_and_default_id(analyzer):
    r = analyzer.analyze("The corrupt elite lied to the nation again.")
    assert r.id == "article" and r.title == "" and r.source == ""
    assert analyzer.analyze("Liars lie.", id=42).id == "42"


def test_threshold(analyzer):
    text = (EXAMPLES / "city-budget.txt").read_text(encoding="utf-8")
    sure = propscan.Analyzer(threshold=0.6)
    assert sure.threshold == pytest.approx(0.6)
    assert all(s.score >= 0.6 for s in sure.analyze(text).spans)
    assert len(sure.analyze(text).spans) <= len(analyzer.analyze(text).spans)


def test_threads_give_the_one_thread_results_in_order(analyzer, articles):
    records = [{"id": i, "text": t, "source": f"outlet-{n % 3}"} for n, (i, t) in enumerate(articles)]
    one = [r.to_json() for r in analyzer.analyze_many(records, threads=1)]
    three = [r.to_json() for r in analyzer.analyze_many(iter(records), threads=3)]
    single = [analyzer.analyze(r["text"], id=r["id"], source=r["source"]).to_json() for r in records]
    assert one == three == single
    assert [json.loads(j)["id"] for j in three] == [r["id"] for r in records]


def test_one_analyzer_serves_python_threads(analyzer, articles):
    from concurrent.futures import ThreadPoolExecutor
    texts = [t for _, t in articles[:12]]
    with ThreadPoolExecutor(max_workers=3) as pool:
        parallel = list(pool.map(lambda t: analyzer.analyze(t).to_json(), texts))
    assert parallel == [analyzer.analyze(t).to_json() for t in texts]


def test_analyze_many_takes_strings_and_a_long_generator(analyzer):
    texts = (f"Article {n}: the corrupt elite lied to the nation again." for n in range(300))
    results = list(analyzer.analyze_many(texts, threads=2))
    assert [r.id for r in results] == [str(n) for n in range(300)]


def test_analyze_many_stops_early_without_hanging(analyzer, articles):
    stream = analyzer.analyze_many((t for _, t in articles), threads=2)
    first = next(stream)
    assert first.id == "0"
    stream.close()  # the pool is joined, nothing is left running


def test_errors_raise_in_order_or_are_yielded(analyzer):
    items = ["Liars lie.", b"bad \xff byte", {"id": "x"}, 7, "They lie."]
    with pytest.raises(propscan.Error, match=r"^1: invalid UTF-8"):
        for _ in analyzer.analyze_many(items, threads=2):
            pass
    out = list(analyzer.analyze_many(items, threads=2, errors="yield"))
    assert [type(o).__name__ for o in out] == ["Result", "Error", "Error", "Error", "Result"]
    assert str(out[2]) == "2: missing field 'text'"
    assert str(out[3]).startswith("3: expected str, bytes or a mapping")
    assert out[4].id == "4"


def test_error_is_a_value_error():
    assert issubclass(propscan.Error, ValueError)
    assert propscan.Error.__module__ == "propscan"


def cli_error(binary, args, stdin=b""):
    status, _, err = run_cli(binary, args, stdin)
    assert status == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("propscan: ")
    return lines[0][len("propscan: "):]


def test_invalid_utf8_has_the_command_lines_message(analyzer, binary):
    for bad in [b"caf\xc3 au lait", b"\xed\xa0\x80 surrogate", b"overlong \xc0\xaf", b"nul \x00 byte", b" \n\t "]:
        with pytest.raises(propscan.Error) as e:
            analyzer.analyze(bad, id="stdin")
        assert str(e.value) == cli_error(binary, ["analyze", "-"], bad)
        assert "\n" not in str(e.value)


def test_a_str_with_a_lone_surrogate_is_invalid_utf8(analyzer):
    with pytest.raises(propscan.Error, match=r"^article: invalid UTF-8 at byte 4"):
        analyzer.analyze("abc \ud800 def")


def test_too_large_and_too_long_have_the_command_lines_message(analyzer, binary):
    huge = b"a" * (8 * 1024 * 1024 + 1)
    with pytest.raises(propscan.Error) as e:
        analyzer.analyze(huge, id="stdin")
    assert str(e.value) == cli_error(binary, ["analyze", "-"], huge)
    # Under the byte limit, over the 2,000,000 characters of an analysis:
    # the same message (the command line names stdin once).
    long = ("word " * 420_000).encode()
    with pytest.raises(propscan.Error) as e:
        analyzer.analyze(long, id="stdin")
    assert str(e.value) == "stdin: article too long (2100000 characters, limit 2000000)"
    assert cli_error(binary, ["analyze", "-"], long) == str(e.value)


def test_the_accurate_model_by_name_gives_the_command_lines_spans(binary):
    accurate = propscan.Analyzer("accurate")
    assert accurate.model_path.endswith("propscan-accurate.model")
    assert propscan.Analyzer("fast").model_path.endswith("propscan.model")
    status, out, _ = run_cli(binary, ["analyze", "-", "-j", "1", "--model", "accurate"], UNICODE_TEXT.encode())
    assert status == 0
    cli = json.loads(out)
    r = accurate.analyze(UNICODE_TEXT, id="stdin")
    assert r.spans
    assert [(s["start"], s["end"], s["technique"]) for s in cli["spans"]] == \
        [(s.start, s.end, s.technique) for s in r.spans]


def test_model_errors_have_the_command_lines_message(binary, tmp_path):
    missing = tmp_path / "missing.model"
    corrupt = tmp_path / "corrupt.model"
    corrupt.write_bytes(b"not a model at all" * 100)
    truncated = tmp_path / "truncated.model"
    truncated.write_bytes((ROOT / "models" / "propscan.model").read_bytes()[:5000])
    for model in (missing, corrupt, truncated):
        with pytest.raises(propscan.Error) as e:
            propscan.Analyzer(model=model)
        assert str(e.value) == cli_error(binary, ["analyze", str(EXAMPLES / "river-plant.txt"), "--model", str(model)])
        assert str(model) in str(e.value)


def test_bad_arguments(analyzer):
    with pytest.raises(propscan.Error, match="outside"):
        propscan.Analyzer(threshold=1.5)
    with pytest.raises(TypeError, match="text must be str or bytes"):
        analyzer.analyze(12)
    with pytest.raises(ValueError):
        list(analyzer.analyze_many([], threads=0))


def test_spans_frame_columns_and_rows(analyzer):
    records = [
        {"id": "a", "text": (EXAMPLES / "river-plant.txt").read_text(encoding="utf-8"), "source": "Left Daily",
         "date": "2026-11-30", "title": "River"},
        {"id": "b", "text": "The meeting is on Tuesday.", "source": "Right Times"},
        {"id": "c", "text": UNICODE_TEXT, "source": "Right Times", "url": "https://x.test/c"},
    ]
    results = list(analyzer.analyze_many(records, threads=2))
    frame = analyzer.spans_frame(results)
    assert list(frame.columns) == ["id", "title", "source", "date", "url", "technique", "name", "start", "end",
                                   "score", "text", "sentence", "propaganda_score"]
    assert len(frame) == sum(len(r.spans) for r in results)
    assert set(frame["id"]) == {r.id for r in results if r.spans}
    first = frame[frame["id"] == "a"].iloc[0]
    assert (first["source"], first["date"], first["title"]) == ("Left Daily", "2026-11-30", "River")
    assert str(frame["start"].dtype) == "int64" and str(frame["score"].dtype) == "float64"
    labels = {t.label: t.name for t in propscan.techniques()}
    assert all(labels[t] == n for t, n in zip(frame["technique"], frame["name"]))
    assert list(propscan.spans_frame([]).columns) == list(frame.columns)


def test_spans_frame_without_pandas_says_so(analyzer, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ImportError, match="needs pandas"):
        analyzer.spans_frame([])


def test_techniques_are_the_command_lines(binary):
    status, out, _ = run_cli(binary, ["techniques", "--json"])
    assert status == 0
    cli = json.loads(out)
    ts = propscan.techniques()
    assert len(ts) == 14
    assert [(t.label, t.definition) for t in ts] == [(c["label"], c["definition"]) for c in cli]
    assert all(t.name and t.name != t.label for t in ts if "_" in t.label or "," in t.label)


def test_no_model_found_is_an_error(tmp_path):
    code = ("import propscan\n"
            "propscan._propscan.default_model_path = lambda: ''\n"
            "propscan._BUNDLED_MODEL = '/nonexistent'\n"
            "try:\n    propscan.Analyzer()\nexcept propscan.Error as e:\n    print(e)\n")
    env = {k: v for k, v in __import__("os").environ.items() if k != "PROPSCAN_MODEL"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.startswith("no model given and none found")


def test_example_counts_techniques_per_source_without_matplotlib(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    with open(corpus, "w", encoding="utf-8") as f:
        for n, path in enumerate(sorted(EXAMPLES.glob("*.txt"))):
            text = path.read_text(encoding="utf-8")
            f.write(json.dumps({"id": path.stem, "text": text, "source": f"Outlet {'AB'[n % 2]}"}) + "\n")
        f.write(json.dumps({"id": "u", "text": UNICODE_TEXT, "source": "Outlet A"}) + "\n")
        f.write(json.dumps({"id": "bad", "text": "  "}) + "\n")
    # A matplotlib that cannot be imported, whether or not the real one is installed.
    blocked = tmp_path / "blocked"
    (blocked / "matplotlib").mkdir(parents=True)
    (blocked / "matplotlib" / "__init__.py").write_text("raise ImportError('blocked by the test')\n")
    env = dict(__import__("os").environ)
    env["PYTHONPATH"] = f"{blocked}:{env.get('PYTHONPATH', '')}"
    out_png = tmp_path / "chart.png"
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "techniques_by_source.py"), str(corpus),
                           "--out", str(out_png), "--threads", "2"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "3 articles analysed, 1 skipped" in done.stdout
    assert "Outlet A" in done.stdout and "Outlet B" in done.stdout
    assert "matplotlib is not installed: no chart" in done.stdout
    assert "skipped: bad: empty article (no text)" in done.stderr
    assert not out_png.exists()


def test_analyze_many_reads_ahead_only_a_window(analyzer):
    pulled = []

    def texts():
        for n in range(1000):
            pulled.append(n)
            yield "The corrupt elite lied to the nation again."

    stream = analyzer.analyze_many(texts(), threads=2)
    next(stream)
    assert len(pulled) <= 8 * 2 + 1  # the window of 8 articles a thread, not the whole iterable
    stream.close()


def test_stubs_name_the_public_api():
    import ast
    from pathlib import Path
    package = Path(propscan.__file__).parent
    stub = ast.parse((package / "__init__.pyi").read_text())
    named = {n.name for n in stub.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    named |= {a.asname or a.name for n in stub.body if isinstance(n, ast.ImportFrom) for a in n.names}
    named |= {t.id for n in stub.body if isinstance(n, (ast.AnnAssign, ast.Assign))
              for t in ([n.target] if isinstance(n, ast.AnnAssign) else n.targets) if isinstance(t, ast.Name)}
    assert set(propscan.__all__) <= named
    ast.parse((package / "_propscan.pyi").read_text())
    assert (package / "py.typed").exists()
