"""Bad input, end to end: every kind of broken article is reported as ``file[:line]: reason
[code]`` on stderr and in report.json, every good article beside it lands in graph.ttl, no
traceback reaches the user, and the exit status says what happened (0 clean, 1 something
skipped or kept with a warning, 2 bad usage, 3 a bug).

Each case is a small folder of files built by hand next to the same good articles, through
the Python API (kgbuild.pipeline.build); the command line is run in a subprocess over all
the cases at once, over standard input, with --strict and with bad usage.  Most cases use a
small --max-article-chars so that "too long" needs kilobytes, not megabytes; the 50 MB
cases run with the default limit.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, URIRef

from kgbuild import cli, ingest, pipeline
from kgbuild.errors import KGBuildError, Problem
from kgbuild.ingest import BYTES_PER_CHAR, DEFAULT_MAX_ARTICLE_CHARS, iter_articles, parse_text_document
from kgbuild.outdir import LOCK_FILE
from kgbuild.pipeline import build
from kgbuild.records import Article
from kgbuild.validate import validate_graph

KG = rdflib.Namespace("https://w3id.org/kgbuild/ontology#")
NIF = rdflib.Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ARTICLE = "https://w3id.org/kgbuild/id/article/"
CARTER = URIRef("https://w3id.org/kgbuild/id/person/ashton-carter")
LIMIT = 4000  # --max-article-chars of the cases: lines and files over 64,000 bytes are not read
EN = "Defense Secretary Ashton Carter said on Monday that the coalition would keep up its strikes on ISIS."
AR = "وقال وزير الدفاع الأمريكي آشتون كارتر أمس إن التحالف الدولي سيواصل ضرب مواقع داعش."
GOOD_IDS = {"good-en", "good-ar", "good-feed-1", "good-feed-2"}


def write_good(folder: Path) -> Path:
    """Four good articles, in English and Arabic, that every build must keep."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "good-en.txt").write_bytes(f"Carter on the coalition\n\n{EN}\n".encode())
    (folder / "good-ar.md").write_bytes(f"---\nid: good-ar\nlang: ar\n---\n# كارتر\n\n{AR}\n".encode())
    feed = [{"id": "good-feed-1", "text": EN}, {"id": "good-feed-2", "lang": "ar", "text": AR}]
    (folder / "good-feed.jsonl").write_bytes("".join(json.dumps(r) + "\n" for r in feed).encode())
    return folder


def jsonl(*records: object) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in records)


@dataclass
class Case:
    files: dict[str, bytes]
    problems: list[tuple[str, str, int | None]]  # (code, file within the case folder, line)
    kept: set[str] = field(default_factory=set)  # ids of the case's own articles that land
    texts: dict[str, str] = field(default_factory=dict)  # id -> the article text in the graph


# A billion laughs: nine aliases deep, a few bytes expand to 10**9 values when written out.
LAUGHS = "---\nid: laughs\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
) + "---\nTitle\nBody\n"
SCRIPTED_PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><title>Carter page</title>
<style>body {{ color: red }} /* STYLE-SECRET */</style>
<script>var leaked = "SCRIPT-SECRET"; if (a < b && c > d) {{}}</script>
<script type="application/ld+json">{{"headline": "JSONLD-SECRET"}}</script>
</head>
<body onload="alert('ONLOAD-SECRET')">
<p onclick="steal('HANDLER-SECRET')" onmouseover="x()">{EN}</p>
<!-- COMMENT-SECRET --><![CDATA[ CDATA-SECRET ]]>
<p>Second <b onmouseover="HANDLER2-SECRET">paragraph</b>.<noscript>NOSCRIPT-SECRET</noscript>
<template><p>TEMPLATE-SECRET</p></template><iframe src="x">IFRAME-SECRET</iframe>
<object data="x">OBJECT-SECRET</object><button onclick="y()">BUTTON-SECRET</button>
<svg><text>SVG-SECRET</text><script>SVG-SCRIPT-SECRET</script></svg></p>
<?php echo "PI-SECRET"; ?>
<a href="javascript:alert('HREF-SECRET')">Last words</a>
</body></html>
"""
FRENCH = "Le préfet a annoncé à Genève que la sécurité était renforcée après l'été. Déjà écrit. " * 3

CASES: dict[str, Case] = {
    "utf16": Case(
        {"wide-le.txt": codecs.BOM_UTF16_LE + f"Carter\r\n\r\n{EN}\r\n".encode("utf-16-le"),
         "wide-be.md": codecs.BOM_UTF16_BE + f"---\nlang: ar\n---\nكارتر\n\n{AR}\n".encode("utf-16-be")},
        [], {"wide-le", "wide-be"}, {"wide-le": EN, "wide-be": AR}),
    "windows-1256": Case(
        {"legacy.txt": f"كارتر\n\n{AR}\n".encode("cp1256")}, [("E015", "legacy.txt", None)],
        {"legacy"}, {"legacy": AR}),
    "a-few-bad-bytes": Case(
        {"stray.txt": b"Carter\n\n" + EN.encode().replace(b"Monday", b"Mon\xffday") + b"\n"},
        [("E016", "stray.txt", 3)], {"stray"}, {"stray": EN.replace("Monday", "Mon\ufffdday")}),
    "other-legacy-encoding": Case({"latin1.txt": FRENCH.encode("latin-1")}, [("E002", "latin1.txt", 1)]),
    "binary": Case(
        {"nul.txt": b"Title\n\x00\x01 body", "junk.txt": bytes(range(1, 256)) * 8,
         "seven-bit.md": bytes(range(1, 128)) * 8,
         "junk-feed.jsonl": jsonl({"id": "j1", "text": EN}, bytes(range(0x80, 0x100)),
                                  {"id": "j3", "text": EN}),
         # a NUL in the first kilobytes of a feed costs its own line, as one further on does
         "nul-feed.jsonl": jsonl({"id": "j4", "text": EN}, b'{"id": "j5", "text": "x\x00y"}',
                                 {"id": "j6", "text": EN}),
         "nul-head.jsonl": b"\x00\x01\x02PNG" + bytes(range(256)) * 4},
        [("E011", "nul.txt", None), ("E002", "junk.txt", 2), ("E017", "seven-bit.md", None),
         ("E002", "junk-feed.jsonl", 2), ("E011", "nul-feed.jsonl", 2), ("E011", "nul-head.jsonl", None)],
        {"j1", "j3", "j4", "j6"}),
    "empty": Case({"empty.txt": b"", "blank.md": b" \n\t\r\n", "blank.jsonl": b"\n\r\n\n",
                   "bom.txt": codecs.BOM_UTF8},
                  [("E008", "empty.txt", None), ("E008", "blank.md", None), ("E008", "blank.jsonl", None),
                   ("E008", "bom.txt", None)]),
    "too-long": Case(
        {"long.txt": ("Title\n\n" + "word " * LIMIT).encode(),
         "long.jsonl": jsonl({"id": "l1", "text": EN}, {"id": "l2", "text": "x" * (LIMIT + 1)},
                             {"id": "l3", "text": EN})},
        [("E018", "long.txt", None), ("E018", "long.jsonl", 2)], {"l1", "l3"}),
    "endless-lines": Case(
        {"endless.txt": b"word " * (LIMIT * 4), "endless.html": b"<p>" + b"word " * (LIMIT * 4),
         "endless.jsonl": jsonl({"id": "e1", "text": EN}, b'{"text": "' + b"y" * (LIMIT * 20) + b'"}',
                                {"id": "e3", "text": EN})},
        [("E019", "endless.txt", None), ("E019", "endless.html", None), ("E020", "endless.jsonl", 2)],
        {"e1", "e3"}),
    "control-and-invisible-characters": Case(
        {"controls.jsonl": jsonl(
            {"id": "c1", "title": "Carter\u0007",
             "text": "Defense Secretary Ash\u200bton\u200c Carter\u001b said\u202e on Monday\f that\u2066 "
                     "the coalition\u2069 would keep up its\u0085strikes\u007f.\r\nEnd\u0080."},
            {"id": "c2", "lang": "ar",
             "text": "وقال وزير الدفاع آشتون\u200f كارتر\u202b إن\u202c التحالف سيواصل."}),
         "raw-controls.txt": b"Carter\x1b[1m\n\nDefense Secretary \x0eAshton Carter\x7f said the talks "
                             b"went on.\n"},
        [], {"c1", "c2", "raw-controls"},
        {"c1": "Defense Secretary Ash\u200bton\u200c Carter said on Monday\n that the coalition would keep "
               "up its\nstrikes.\nEnd.",
         "c2": "وقال وزير الدفاع آشتون\u200f كارتر إن التحالف سيواصل.",
         "raw-controls": "Defense Secretary Ashton Carter said the talks went on."}),
    "broken-json-lines": Case(
        {"feed.jsonl": jsonl({"id": "f1", "text": EN}, b'{"id": "f2", "text": "no closing quote}',
                             b"[1, 2]", b"not json at all",
                             {"id": "good-en", "text": "a second article with this id"},
                             b'{"id": "f6", "text": "tab\tinside a string is read"}',
                             {"id": "f7", "text": EN})},
        [("E003", "feed.jsonl", 2), ("E005", "feed.jsonl", 3), ("E003", "feed.jsonl", 4),
         ("E009", "feed.jsonl", 5)], {"f1", "f6", "f7"}, {"f6": "tab\tinside a string is read"}),
    "records-without-text": Case(
        {"notext.jsonl": jsonl({"id": "n1", "title": "Only a title"}, {"id": "n2", "text": ""},
                               {"id": "n3", "text": None}, {"id": "n4", "body": "  \n\t "},
                               {"id": "n5", "text": "\u0007\u202e\u200b\u200f"}, {"id": "n6", "text": 42},
                               {"id": "n7", "content": EN}),
         "notext.json": json.dumps({"articles": [{"id": "n8"}, {"id": "n9", "text": AR}]}).encode(),
         "title-only.md": b"---\nid: n10\n---\n# Just a heading\n"},
        [("E004", "notext.jsonl", n) for n in (1, 2, 3, 4, 5)] + [("E013", "notext.jsonl", 6),
         ("E004", "notext.json", None), ("E004", "title-only.md", None)], {"n7", "n9"}),
    "html-scripts-and-styles": Case(
        {"scripted.html": SCRIPTED_PAGE.encode(),
         "tag-soup.htm": b"<html><body><p>" + b"<b>x</b>" * (LIMIT // 4) + b"</p></body></html>"},
        [("E022", "tag-soup.htm", None)], {"scripted"},
        {"scripted": f"{EN}\n\nSecond paragraph.\n\nLast words"}),
    "bad-front-matter": Case(
        {"unclosed.md": b"---\nid: u\ntitle: never closed\nBody\n",
         "bad-yaml.md": b"---\nid: y\ntitle: a: b\n---\nTitle\nBody\n",
         "a-list.md": b"---\n- a list\n- not a mapping\n---\nTitle\nBody\n",
         "laughs.md": LAUGHS.encode(),
         "python-tag.md": b"---\nid: !!python/object/apply:os.system ['echo hi']\n---\nTitle\nBody\n",
         "wrong-type.md": b"---\nid: w\ntitle: [1, 2]\n---\nTitle\nBody\n",
         "bad-date.md": f"---\nid: bad-date\npublished: 2015-02-30\n---\nCarter\n\n{EN}\n".encode()},
        [("E007", "unclosed.md", 1), ("E007", "bad-yaml.md", 3), ("E007", "a-list.md", 2),
         ("E007", "laughs.md", 4), ("E007", "python-tag.md", 2),
         ("E013", "wrong-type.md", 3), ("E012", "bad-date.md", 3)], {"bad-date"}),
}
WARNINGS = {"E012", "E015", "E016"}  # the codes of the cases whose article is kept


def write_case(folder: Path, case: Case) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    return folder


def relative(problems: Iterable[dict[str, object]], folder: Path) -> list[tuple[str, str, int | None]]:
    return sorted((str(p["code"]), Path(str(p["file"])).relative_to(folder).as_posix(),
                   p["line"] if isinstance(p["line"], int) else None) for p in problems)


def read_graph(out: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(out / "graph.ttl", format="turtle")
    return graph


def article_ids(graph: rdflib.Graph) -> set[str]:
    return {str(a).removeprefix(ARTICLE) for a in graph.subjects(RDF.type, KG.Article)}


def article_text(graph: rdflib.Graph, article_id: str) -> str:
    return str(graph.value(URIRef(f"{ARTICLE}{article_id}/text"), NIF.isString))


def check_report(out: Path) -> dict:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    tally = report["tally"]
    assert tally["inputs"] == tally["kept"] + tally["skipped"]
    assert tally["kept"] == report["extracted"] + report["unchanged"]
    for found in report["problems"]:
        assert found["article"] == ("kept" if found["code"] in WARNINGS else "skipped"), found
    assert tally["warnings"] == sum(p["article"] == "kept" for p in report["problems"])
    assert tally["skipped"] == sum(p["article"] == "skipped" for p in report["problems"])
    return report


# ---- the Python API, case by case --------------------------------------------------------


@pytest.fixture(scope="module")
def good_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_good(tmp_path_factory.mktemp("good") / "good")


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_reported_and_good_articles_land(name: str, tmp_path: Path, good_dir: Path,
                                                      fixture_mappings: Path) -> None:
    case = CASES[name]
    folder = write_case(tmp_path / name, case)
    out = tmp_path / "out"
    seen: list[Problem] = []
    result = build([good_dir, folder], out, mappings_dir=fixture_mappings, jobs=1, store=False,
                   progress=False, on_problem=seen.append, max_article_chars=LIMIT)
    assert seen == result.problems
    assert result.exit_status == (1 if case.problems else 0)
    report = check_report(out)
    assert relative(report["problems"], folder) == sorted(case.problems)
    assert report["tally"]["kept"] == len(GOOD_IDS | case.kept)
    graph = read_graph(out)
    assert article_ids(graph) == GOOD_IDS | case.kept
    assert (CARTER, RDF.type, KG.Person) in graph
    for article_id, text in case.texts.items():
        assert article_text(graph, article_id) == text
    assert "SECRET" not in (out / "graph.ttl").read_text(encoding="utf-8")


def test_front_matter_over_64k_characters_is_not_parsed() -> None:
    """PyYAML is slow; front matter is metadata, never that long."""
    found = parse_text_document("---\nid: h\nnote: " + "n" * 65536 + "\n---\nTitle\nBody\n", "h.md", "h")
    assert isinstance(found, Problem) and (found.code, found.line) == ("E007", 1)
    assert "longer than 65536 characters" in found.message


def test_a_bug_in_a_reader_costs_its_own_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated (no reader is known to raise): the file is reported as E021, the rest land."""
    def broken_html(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(ingest, "_html", broken_html)
    folder = write_good(tmp_path / "in")
    (folder / "page.html").write_bytes(SCRIPTED_PAGE.encode())
    items = list(iter_articles([folder]))
    assert [(p.code, Path(p.file).name) for p in items if isinstance(p, Problem)] == [("E021", "page.html")]
    assert {a.id for a in items if isinstance(a, Article)} == GOOD_IDS


def test_names_with_invisible_marks_are_found_and_the_graph_is_valid(tmp_path: Path,
                                                                     fixture_mappings: Path) -> None:
    """Zero-width characters and bidi marks stay in the text, matching ignores them: the
    mention covers the name as written and the graph conforms to the shapes."""
    folder = write_case(tmp_path / "in", CASES["control-and-invisible-characters"])
    build([folder], tmp_path / "out", mappings_dir=fixture_mappings, jobs=1, store=False, progress=False)
    graph = read_graph(tmp_path / "out")
    for article_id, name in (("c1", "Ash\u200bton\u200c Carter"), ("c2", "آشتون\u200f كارتر"),
                             ("raw-controls", "Ashton Carter")):
        mentions = {str(graph.value(m, NIF.anchorOf)) for m in graph.subjects(KG.inArticle,
                                                                              URIRef(ARTICLE + article_id))
                    if graph.value(m, KG.mentionOf) == CARTER}
        assert name in mentions, (article_id, mentions)
    assert set(graph.objects(None, KG.speaker)) == {CARTER}
    conforms, text, _ = validate_graph(graph)
    assert conforms, text


def test_fifty_megabyte_articles_are_skipped_without_reading_them_whole(tmp_path: Path, good_dir: Path,
                                                                        fixture_mappings: Path) -> None:
    big = tmp_path / "big"
    big.mkdir()
    article = b"word " * (10 * 1024 * 1024)  # 50 MB, one endless line
    (big / "article.txt").write_bytes(b"Title\n\n" + article)
    with (big / "feed.jsonl").open("wb") as feed:
        feed.write(jsonl({"id": "before", "text": EN}) + b'{"id": "huge", "text": "' + article + b'"}\n' +
                   jsonl({"id": "after", "text": EN}))
    tracemalloc.start()
    try:
        items = list(iter_articles([big]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    cap = DEFAULT_MAX_ARTICLE_CHARS * BYTES_PER_CHAR
    assert peak < cap * 1.5 < len(article), f"{peak} bytes held at once"
    assert [a.id for a in items if isinstance(a, Article)] == ["before", "after"]
    result = build([good_dir, big], tmp_path / "out", mappings_dir=fixture_mappings, jobs=1, store=False,
                   progress=False)
    found = sorted((p.code, Path(p.file).name, p.line) for p in result.problems)
    assert found == [("E019", "article.txt", None), ("E020", "feed.jsonl", 2)]
    assert f"{len(article) + 7} bytes" in result.problems[0].message
    assert article_ids(read_graph(tmp_path / "out")) == GOOD_IDS | {"before", "after"}


def test_an_article_at_the_default_limit_is_extracted(tmp_path: Path, fixture_mappings: Path) -> None:
    """The limit, not spaCy's nlp.max_length, decides: an article of exactly the default
    size goes through extraction; one character more is reported."""
    title = "Long report"
    filler = "The market in the old town was open and the weather was mild. "
    size = DEFAULT_MAX_ARTICLE_CHARS - len(title) - 2  # with the blank line between title and text
    body = (filler * (size // len(filler) + 1))[:size]
    feed = tmp_path / "long.jsonl"
    feed.write_bytes(jsonl({"id": "at-limit", "title": title, "text": body},
                           {"id": "over-limit", "title": title, "text": body + "x"}))
    result = build([feed], tmp_path / "out", mappings_dir=fixture_mappings, jobs=1, store=False,
                   progress=False)
    assert [(p.code, p.line) for p in result.problems] == [("E018", 2)]
    assert f"{DEFAULT_MAX_ARTICLE_CHARS + 1} characters" in result.problems[0].message
    assert result.extracted == 1 and result.articles == 1


def test_a_limit_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    for value in (0, -5, DEFAULT_MAX_ARTICLE_CHARS + 1):
        with pytest.raises(KGBuildError) as caught:
            build([tmp_path], tmp_path / "out", max_article_chars=value)
        assert caught.value.exit_status == 2
        assert [p.code for p in caught.value.problems] == ["E390"]
    assert not (tmp_path / "out").exists()


# ---- --strict -----------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` (links followed) with its bytes and modification time,
    but for the lock a build takes (and writes its pid into) whatever it then does."""
    found = {}
    for root, _, files in os.walk(folder, followlinks=True):
        for name in files:
            if name == LOCK_FILE and Path(root) == folder:
                continue
            path = Path(root) / name
            found[str(path.relative_to(folder))] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


def test_strict_stops_at_the_first_problem_and_leaves_the_output(tmp_path: Path, good_dir: Path,
                                                                 fixture_mappings: Path) -> None:
    out = tmp_path / "out"
    first = build([good_dir], out, mappings_dir=fixture_mappings, jobs=1, progress=False, strict=True)
    assert first.problems == [] and first.articles == len(GOOD_IDS)
    before = snapshot(out)
    assert "graph.ttl" in before and "report.json" in before
    bad = write_case(tmp_path / "bad", CASES["broken-json-lines"])
    seen: list[Problem] = []
    for jobs in (1, 2):
        with pytest.raises(KGBuildError) as caught:
            build([good_dir, bad], out, mappings_dir=fixture_mappings, jobs=jobs, progress=False,
                  strict=True, on_problem=seen.append)
        assert [p.code for p in caught.value.problems] == ["E391"]
        assert caught.value.exit_status == 1
        assert snapshot(out) == before
    assert [(p.code, p.line) for p in seen] == [("E003", 2)] * 2


# ---- the command line ---------------------------------------------------------------------


def run_cli(*args: str, cwd: Path, stdin: bytes | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "kgbuild.cli", *args], cwd=cwd, input=stdin, capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}, timeout=300, check=False,
    )
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8"),
                                       proc.stderr.decode("utf-8"))


def explain(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"


def test_cli_reports_every_case_and_keeps_every_good_article(tmp_path: Path, fixture_mappings: Path) -> None:
    good = write_good(tmp_path / "good")
    cases = tmp_path / "cases"
    for name, case in CASES.items():
        write_case(cases / name, case)
    out = tmp_path / "out"
    proc = run_cli("build", str(good), str(cases), "-o", str(out), "--mappings", str(fixture_mappings),
                   "--max-article-chars", str(LIMIT), cwd=tmp_path)
    assert proc.returncode == 1, explain(proc)
    assert "Traceback" not in proc.stderr
    expected = sorted((code, f"{name}/{file}", line) for name, case in CASES.items()
                      for code, file, line in case.problems)
    report = check_report(out)
    assert relative(report["problems"], cases) == expected
    for code, file, line in expected:
        where = str(cases / file) + ("" if line is None else f":{line}")
        rows = proc.stderr.splitlines()
        assert any(row.startswith(f"{where}: ") and row.endswith(f"[{code}]") for row in rows), (where, code)
    assert len(proc.stderr.splitlines()) == len(expected)
    kept = GOOD_IDS.union(*(case.kept for case in CASES.values()))
    assert article_ids(read_graph(out)) == kept
    warned = sum(code in WARNINGS for code, _, _ in expected)
    skipped = len(expected) - warned
    assert report["tally"] == {"inputs": len(kept) + skipped, "kept": len(kept), "skipped": skipped,
                               "warnings": warned}
    assert f"skipped {skipped} and kept {warned} with a warning" in proc.stdout


def test_cli_standard_input_is_decoded_like_a_file(tmp_path: Path, fixture_mappings: Path) -> None:
    legacy = run_cli("build", "-", "-o", "legacy", "--mappings", str(fixture_mappings), "--quiet",
                     cwd=tmp_path, stdin=f"كارتر\n\n{AR}\n".encode("cp1256"))
    assert legacy.returncode == 1, explain(legacy)
    assert legacy.stderr.splitlines() == ["<stdin>: not UTF-8: decoded as Windows-1256 (Arabic); "
                                          "the article is kept [E015]"]
    graph = read_graph(tmp_path / "legacy")
    assert {article_text(graph, a) for a in article_ids(graph)} == {AR}
    feed = jsonl({"id": "s1", "text": EN}, b'{"text": "' + b"y" * 20000 + b'"}', b'{"id": "s3", "text": ',
                 {"id": "s4", "lang": "ar", "text": AR})
    lines = run_cli("build", "-", "-o", "feed", "--mappings", str(fixture_mappings), "--quiet",
                    "--max-article-chars", "1000", cwd=tmp_path, stdin=feed)
    assert lines.returncode == 1, explain(lines)
    assert [row.split(": ", 1)[0] + " " + row[-6:] for row in lines.stderr.splitlines()] == \
        ["<stdin>:2 [E020]", "<stdin>:3 [E003]"]
    assert article_ids(read_graph(tmp_path / "feed")) == {"s1", "s4"}
    junk = run_cli("build", "-", "-o", "junk", "--mappings", str(fixture_mappings), "--quiet", cwd=tmp_path,
                   stdin=bytes(range(1, 256)) * 8)
    assert junk.returncode == 1 and junk.stderr.endswith("[E002]\n"), explain(junk)
    assert article_ids(read_graph(tmp_path / "junk")) == set()


def test_cli_strict_leaves_the_output_untouched(tmp_path: Path, fixture_mappings: Path) -> None:
    good = write_good(tmp_path / "good")
    clean = run_cli("build", str(good), "-o", "out", "--mappings", str(fixture_mappings), "--strict",
                    cwd=tmp_path)
    assert clean.returncode == 0 and clean.stderr == "", explain(clean)
    before = snapshot(tmp_path / "out")
    bad = write_case(tmp_path / "bad", CASES["bad-front-matter"])
    proc = run_cli("build", str(good), str(bad), "-o", "out", "--mappings", str(fixture_mappings), "--strict",
                   cwd=tmp_path)
    assert proc.returncode == 1, explain(proc)
    first, stop = proc.stderr.splitlines()
    assert first.startswith(f"{bad / 'a-list.md'}:2: ") and first.endswith("[E007]")
    assert stop.endswith("[E391]") and "Traceback" not in proc.stderr
    assert snapshot(tmp_path / "out") == before


def test_cli_exit_statuses_for_usage_errors(tmp_path: Path, fixture_mappings: Path) -> None:
    good = write_good(tmp_path / "good")
    for value in ("0", "1000001", "many"):
        proc = run_cli("build", str(good), "-o", "out", "--max-article-chars", value, cwd=tmp_path)
        assert proc.returncode == 2, explain(proc)
        assert "Traceback" not in proc.stderr
        assert ("[E390]" in proc.stderr) == (value != "many")
    assert not (tmp_path / "out").exists()
    broken = tmp_path / "mappings"
    broken.mkdir()
    for path in fixture_mappings.glob("*.yaml"):
        (broken / path.name).write_bytes(path.read_bytes())
    (broken / "roles.yaml").write_text("roles: [unclosed\n", encoding="utf-8")
    proc = run_cli("build", str(good), "-o", "out", "--mappings", str(broken), cwd=tmp_path)
    assert proc.returncode == 2 and "[E101]" in proc.stderr and "Traceback" not in proc.stderr, explain(proc)
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    proc = run_cli("build", str(good), "-o", "a-file", "--mappings", str(fixture_mappings), cwd=tmp_path)
    assert proc.returncode == 2 and "a-file: the output must be a folder" in proc.stderr, explain(proc)
    assert "[E311]" in proc.stderr and "Traceback" not in proc.stderr, explain(proc)


def test_an_internal_error_is_one_line_and_exit_status_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """A bug (simulated: nothing in kgbuild is known to raise so) reaches the user as one
    coded line, and the traceback only when asked for."""
    def broken_build(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated\nbug")

    monkeypatch.setattr(pipeline, "build", broken_build)
    monkeypatch.delenv("KGBUILD_DEBUG", raising=False)
    assert cli.main(["build", str(tmp_path), "-o", str(tmp_path / "out")]) == 3
    err = capsys.readouterr().err
    assert err.splitlines() == [err.strip()] and "[E399]" in err and "simulated bug" in err
    assert "Traceback" not in err
    monkeypatch.setenv("KGBUILD_DEBUG", "1")
    assert cli.main(["build", str(tmp_path), "-o", str(tmp_path / "out")]) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError" in err and err.rstrip().endswith("[E399]")
