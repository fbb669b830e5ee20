"""The real command line, run as ``python -m kgbuild.cli`` in a subprocess, on examples/.

Covers: the build summary and output files, every serialisation giving the same graph
(rdflib and Oxigraph), byte-identical rebuilds under different hash seeds, bad input
reported with file:line while good articles are kept, standard input, named queries in
every output format, SHACL validation of the built graph, and exit statuses 0/1/2
(tests/test_bad_input.py covers bad input and exit statuses in depth).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib import RDF, Literal, URIRef
from rdflib.compare import isomorphic

KG = rdflib.Namespace("https://w3id.org/kgbuild/ontology#")
ID = "https://w3id.org/kgbuild/id/"
DCTERMS = rdflib.namespace.DCTERMS
EXAMPLE_ARTICLES = ["ar-anbar-council", "ar-anbar-source", "ar-coalition-briefing", "en_pentagon", "en_wire"]
SUMMARY_KEYS = ("articles", "persons", "organisations", "places", "roles", "statements", "triples")
ROLES_COLUMNS = ["person", "person_label", "role_label", "org", "org_label", "role", "article",
                 "evidence_text", "assignment"]
ALL_FORMATS = ("ttl", "trig", "nt", "nq", "jsonld")


def run_cli(*args: str, cwd: Path, stdin: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kgbuild.cli", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}, timeout=300, check=False,
    )


def explain(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"


def summary_counts(stdout: str) -> dict[str, int]:
    counts = {}
    for key in SUMMARY_KEYS:
        match = re.search(rf"^{key}\s+(\d+)$", stdout, re.MULTILINE)
        assert match, f"summary line '{key}' missing from:\n{stdout}"
        counts[key] = int(match.group(1))
    return counts


def parse_graph(path: Path) -> rdflib.Graph:
    """Any of the five serialisations as one rdflib Graph (quads: the union of their graphs)."""
    fmt = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".trig": "trig", ".nq": "nquads"}[path.suffix]
    data = path.read_bytes()
    graph = rdflib.Graph()
    with warnings.catch_warnings():
        # rdflib 7 warns about its own ConjunctiveGraph/Dataset internals when parsing quads and
        # JSON-LD; that is not something kgbuild's output can change.
        warnings.simplefilter("ignore", DeprecationWarning)
        if fmt in ("trig", "nquads"):
            dataset = rdflib.Dataset()
            dataset.parse(data=data, format=fmt)
            for s, p, o, _ in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
        else:
            graph.parse(data=data, format=fmt)
    return graph


def graph_names(path: Path) -> set[str]:
    fmt = "trig" if path.suffix == ".trig" else "nquads"
    dataset = rdflib.Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(data=path.read_bytes(), format=fmt)
        return {str(g) for _, _, _, g in dataset.quads((None, None, None, None))}


@dataclass
class Built:
    out: Path
    proc: subprocess.CompletedProcess[str]

    @property
    def ttl(self) -> Path:
        return self.out / "graph.ttl"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, root: Path, examples_dir: Path,
          fixture_mappings: Path) -> Built:
    """examples/ built once with the fixture mappings and every extra format."""
    out = tmp_path_factory.mktemp("built") / "out"
    proc = run_cli("build", str(examples_dir), "-o", str(out), "--mappings", str(fixture_mappings),
                   "--format", "trig", "--format", "nt", "--format", "nq", "--format", "jsonld", cwd=root)
    assert proc.returncode == 0, explain(proc)
    return Built(out, proc)


@pytest.fixture(scope="module")
def graph(built: Built) -> rdflib.Graph:
    return parse_graph(built.ttl)


# ---- build ------------------------------------------------------------------------------


def test_build_prints_summary_and_writes_files(built: Built, graph: rdflib.Graph) -> None:
    counts = summary_counts(built.proc.stdout)
    assert counts["articles"] == len(EXAMPLE_ARTICLES)
    for key in ("persons", "organisations", "roles", "statements"):
        assert counts[key] > 0, f"no {key} found in examples/:\n{built.proc.stdout}"
    assert counts["triples"] == len(graph)
    assert counts["persons"] == len(set(graph.subjects(RDF.type, KG.Person)))
    assert counts["organisations"] == len(set(graph.subjects(RDF.type, KG.Organisation)))
    assert counts["statements"] == len(set(graph.subjects(RDF.type, KG.Statement)))
    for fmt in ALL_FORMATS:
        path = built.out / f"graph.{fmt}"
        assert path.is_file() and path.stat().st_size > 0, path
        assert f"wrote          {path}" in built.proc.stdout
    assert built.proc.stderr == "", "a clean build should print nothing on stderr"
    report = json.loads((built.out / "report.json").read_text(encoding="utf-8"))
    assert {k: report[k] for k in SUMMARY_KEYS} == counts
    assert report["problems"] == []
    # names inside the output folder; merge_candidates.csv is written even when empty
    assert report["files"] == [f"graph.{fmt}" for fmt in ALL_FORMATS] + \
        ["store", "merge_candidates.csv", "fragments.sqlite"]


def test_examples_articles_and_core_facts(graph: rdflib.Graph) -> None:
    articles = {str(a) for a in graph.subjects(RDF.type, KG.Article)}
    assert articles == {f"{ID}article/{aid}" for aid in EXAMPLE_ARTICLES}
    briefing = URIRef(f"{ID}article/ar-coalition-briefing")
    assert graph.value(briefing, DCTERMS.issued) == Literal("2015-06-12", datatype=rdflib.XSD.date)
    assert graph.value(briefing, DCTERMS.language) == Literal("ar")
    assert graph.value(URIRef(f"{ID}article/ar-anbar-source"), DCTERMS.issued) == \
        Literal("2015-07-24", datatype=rdflib.XSD.date)
    assert str(graph.value(URIRef(f"{ID}article/en_pentagon"), DCTERMS.source)) == \
        "https://news.example.org/2015/07/carter-coalition-training"
    pentagon_text = str(graph.value(URIRef(f"{ID}article/en_pentagon/text"),
                                    URIRef("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/"
                                           "nif-core#isString")))
    assert pentagon_text.startswith("WASHINGTON — Defense Secretary Ashton Carter said")
    for noise in ("dataLayer", "Subscribe", "All rights reserved", "Related:"):
        assert noise not in pentagon_text
    # The quotation in «…» is attributed to the general introduced by title, name and role.
    quote = "لن نسمح للتنظيم بإعادة تجميع صفوفه في القرى المحررة، وسنواصل دعم شركائنا العراقيين على الأرض"
    statements = list(graph.subjects(KG.content, Literal(quote, lang="ar")))
    assert len(statements) == 1, "the «…» quote of ar_coalition_briefing.md was not extracted"
    speaker = graph.value(statements[0], KG.speaker)
    assert Literal("ريتشارد هالوران", lang="ar") in set(graph.objects(speaker, rdflib.SKOS.prefLabel))
    assert graph.value(statements[0], KG.isDirectQuote) == Literal(True)
    # '"…," Carter said. "…"': the quotation resumed after the attribution is the same report
    carter = URIRef(f"{ID}person/ashton-carter")
    said = {str(graph.value(s, KG.content)) for s in graph.subjects(KG.speaker, carter)}
    assert ('We have seen that where Iraqi units are well led and well supplied, they can push the group '
            'back … Our job is to make sure that happens in more places.' in said), said
    # ", but he declined …" is the reporter's words again: the report stops before it
    assert "the first new trainers would arrive within weeks" in said, said


def test_build_with_project_mappings(tmp_path: Path, root: Path, examples_dir: Path,
                                     project_mappings: Path) -> None:
    proc = run_cli("build", str(examples_dir), "-o", str(tmp_path / "out"), cwd=root)
    assert proc.returncode == 0, explain(proc)
    counts = summary_counts(proc.stdout)
    assert counts["articles"] == len(EXAMPLE_ARTICLES)
    assert counts["persons"] > 0 and counts["statements"] > 0
    assert counts["triples"] == len(parse_graph(tmp_path / "out" / "graph.ttl"))
    assert (tmp_path / "out" / "store").is_dir()
    assert not (tmp_path / "out" / "graph.trig").exists(), "TriG is written only when asked for"


# ---- serialisations ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["nt", "jsonld", "trig", "nq"])
def test_serialisations_are_isomorphic(built: Built, graph: rdflib.Graph, fmt: str) -> None:
    other = parse_graph(built.out / f"graph.{fmt}")
    assert len(other) == len(graph), f"graph.{fmt}: {len(other)} triples, graph.ttl: {len(graph)}"
    assert isomorphic(other, graph), f"graph.{fmt} and graph.ttl hold different graphs"


@pytest.mark.parametrize("fmt", ["trig", "nq"])
def test_one_named_graph_per_article(built: Built, fmt: str) -> None:
    assert graph_names(built.out / f"graph.{fmt}") == {f"{ID}article/{aid}" for aid in EXAMPLE_ARTICLES}


def test_oxigraph_reads_the_same_triples(built: Built, graph: rdflib.Graph) -> None:
    store = pyoxigraph.Store()
    store.load(path=str(built.ttl), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(graph)
    dataset = pyoxigraph.Store()
    dataset.load(path=str(built.out / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG)
    assert {str(g.value) for g in dataset.named_graphs()} == {f"{ID}article/{a}" for a in EXAMPLE_ARTICLES}


def test_rebuild_is_byte_identical(tmp_path: Path, examples_dir: Path, fixture_mappings: Path) -> None:
    """Two builds in separate processes with different hash seeds write identical files."""
    runs = []
    for seed in ("1", "4242"):
        cwd = tmp_path / f"seed-{seed}"
        cwd.mkdir()
        # A relative -o keeps report.json (which lists the files written) comparable too.
        proc = run_cli("build", str(examples_dir), "-o", "out", "--mappings", str(fixture_mappings),
                       *(arg for fmt in ALL_FORMATS[1:] for arg in ("--format", fmt)),
                       cwd=cwd, env={"PYTHONHASHSEED": seed})
        assert proc.returncode == 0, explain(proc)
        runs.append((cwd / "out", proc.stdout))
    (first, out1), (second, out2) = runs
    # the store is a link to a folder with a random name; its contents are compared below
    def listed(folder: Path) -> list[str]:
        return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".") and p.name != "store")

    names = listed(first)
    assert names == listed(second)
    assert names == sorted([f"graph.{fmt}" for fmt in ALL_FORMATS] +
                           ["merge_candidates.csv", "report.json", "fragments.sqlite"])
    differing = [n for n in names if (first / n).read_bytes() != (second / n).read_bytes()]
    assert differing == [], f"differ between PYTHONHASHSEED=1 and 4242: {differing}"
    assert out1 == out2
    assert store_lines(first / "store") == store_lines(second / "store") == \
        sorted((first / "graph.nt").read_text(encoding="utf-8").splitlines())


def store_lines(path: Path) -> list[str]:
    """The store's triples as sorted N-Triples lines."""
    store = pyoxigraph.Store.read_only(str(path))
    text = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph()).decode()
    return sorted(text.splitlines())


# ---- bad input and stdin ----------------------------------------------------------------


def test_bad_input_is_reported_and_good_article_kept(tmp_path: Path, root: Path,
                                                     fixture_mappings: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    good = {"id": "good-1", "lang": "en", "title": "Carter visits Baghdad",
            "text": "Defense Secretary Ashton Carter said that the coalition would keep up its strikes."}
    broken = inputs / "feed.jsonl"
    bad_line = '{"id": "bad-2", "text": "no closing quote}'
    broken.write_text(json.dumps(good) + "\n" + bad_line + "\n", encoding="utf-8")
    binary = inputs / "scan.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    out = tmp_path / "out"
    proc = run_cli("build", str(inputs), "-o", str(out), "--mappings", str(fixture_mappings), cwd=root)
    assert proc.returncode == 1, explain(proc)
    assert f"{broken}:2: " in proc.stderr and "[E003]" in proc.stderr, explain(proc)
    assert f"{binary}: " in proc.stderr and "[E011]" in proc.stderr, explain(proc)
    assert summary_counts(proc.stdout)["articles"] == 1
    graph = parse_graph(out / "graph.ttl")
    assert set(graph.subjects(RDF.type, KG.Article)) == {URIRef(f"{ID}article/good-1")}
    assert (URIRef(f"{ID}person/ashton-carter"), RDF.type, KG.Person) in graph
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    problems = sorted((p["code"], p["file"], p["line"]) for p in report["problems"])
    assert problems == [("E003", str(broken), 2), ("E011", str(binary), None)]
    assert report["articles"] == 1


def test_dash_reads_stdin(tmp_path: Path, root: Path, fixture_mappings: Path) -> None:
    record = {"id": "stdin-1", "lang": "ar", "date": "2015-06-12",
              "text": "وقال آشتون كارتر أمس الخميس إن التحالف الدولي سيواصل ضرب مواقع داعش."}
    out = tmp_path / "out"
    proc = run_cli("build", "-", "-o", str(out), "--mappings", str(fixture_mappings), "--quiet",
                   cwd=root, stdin=json.dumps(record, ensure_ascii=False) + "\n")
    assert proc.returncode == 0, explain(proc)
    assert proc.stdout == "", "--quiet prints no summary"
    graph = parse_graph(out / "graph.ttl")
    article = URIRef(f"{ID}article/stdin-1")
    assert set(graph.subjects(RDF.type, KG.Article)) == {article}
    assert graph.value(article, DCTERMS.issued) == Literal("2015-06-12", datatype=rdflib.XSD.date)
    speakers = set(graph.objects(None, KG.speaker))
    assert speakers == {URIRef(f"{ID}person/ashton-carter")}


# ---- query ------------------------------------------------------------------------------


def test_query_roles_table(built: Built, root: Path) -> None:
    proc = run_cli("query", "--name", "roles", "--graph", str(built.ttl), cwd=root)
    assert proc.returncode == 0, explain(proc)
    header, rule, *rows = proc.stdout.splitlines()
    assert [c.strip() for c in header.split(" | ")] == ROLES_COLUMNS
    assert set(rule) <= {"-", "+"} and "-+-" in rule
    assert rows, "the roles query found no rows"
    assert any("ريتشارد هالوران" in row and "التحالف الدولي" in row for row in rows), proc.stdout


def test_query_roles_csv_and_json_agree(built: Built, root: Path, graph: rdflib.Graph) -> None:
    as_csv = run_cli("query", "--name", "roles", "--graph", str(built.ttl), "--format", "csv", cwd=root)
    as_json = run_cli("query", "--name", "roles", "--graph", str(built.ttl), "--format", "json", cwd=root)
    assert as_csv.returncode == 0, explain(as_csv)
    assert as_json.returncode == 0, explain(as_json)
    header, *rows = list(csv.reader(io.StringIO(as_csv.stdout, newline="")))
    assert header == ROLES_COLUMNS
    objects = json.loads(as_json.stdout)
    assert [list(o) for o in objects] == [ROLES_COLUMNS] * len(objects)
    assert [[o[c] or "" for c in ROLES_COLUMNS] for o in objects] == rows
    assignments = {URIRef(o["assignment"]) for o in objects}
    with_org = {a for a in graph.subjects(RDF.type, KG.RoleAssignment)
                if graph.value(a, URIRef("http://www.w3.org/ns/org#organization")) is not None}
    assert assignments == with_org


def test_query_bind_target_label(built: Built, root: Path, graph: rdflib.Graph) -> None:
    proc = run_cli("query", "--name", "who_said_what_about", "--bind", "target=داعش", "--graph",
                   str(built.ttl), "--format", "json", cwd=root)
    assert proc.returncode == 0, explain(proc)
    rows = json.loads(proc.stdout)
    isis = URIRef(f"{ID}org/isis")
    about_isis = {str(s) for s in graph.subjects(KG.about, isis)}
    assert about_isis, "no statement in examples/ is about ISIS"
    assert {r["statement"] for r in rows} == about_isis
    for row in rows:
        assert row["speaker"] == str(graph.value(URIRef(row["statement"]), KG.speaker))


def test_query_unknown_name(built: Built, root: Path) -> None:
    proc = run_cli("query", "--name", "no_such_query", "--graph", str(built.ttl), cwd=root)
    assert proc.returncode == 2, explain(proc)  # a QueryError is bad usage
    assert "E204" in proc.stderr and "no_such_query" in proc.stderr, explain(proc)
    assert "roles" in proc.stderr, "the message should list the known queries"
    assert "Traceback" not in proc.stderr


# ---- validate and usage -----------------------------------------------------------------


def test_validate_built_graph(built: Built, root: Path) -> None:
    proc = run_cli("validate", str(built.ttl), cwd=root)
    assert proc.returncode == 0, f"graph.ttl of examples/ violates ontology/shapes.ttl:\n{explain(proc)}"
    assert "conforms" in proc.stdout


def test_validate_reports_violations(tmp_path: Path, root: Path, built: Built) -> None:
    """A statement without a speaker must not pass, so the test above can fail."""
    broken = parse_graph(built.ttl)
    statement = next(iter(broken.subjects(RDF.type, KG.Statement)))
    broken.remove((statement, KG.speaker, None))
    path = tmp_path / "broken.nt"
    path.write_text(broken.serialize(format="nt"), encoding="utf-8")
    proc = run_cli("validate", str(path), cwd=root)
    assert proc.returncode == 1, explain(proc)
    assert "violation" in proc.stderr


def test_no_arguments_is_usage_error(root: Path) -> None:
    proc = run_cli(cwd=root)
    assert proc.returncode == 2, explain(proc)
    assert "usage: kgbuild" in proc.stderr


def test_build_without_inputs_is_usage_error(root: Path, tmp_path: Path) -> None:
    proc = run_cli("build", "-o", str(tmp_path / "out"), cwd=root)
    assert proc.returncode == 2, explain(proc)
    assert not (tmp_path / "out").exists()
