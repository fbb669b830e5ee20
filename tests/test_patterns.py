"""Token patterns (patterns.yaml): spaCy Matcher patterns whose matches become mentions.

The fixture mappings hold four patterns: an English organisation by shape ("Task Force 88"),
an English name of the gazetteer's ISIS ("Daesh"), an English person ("Hamza bin Laden")
and an Arabic place ("مخيم الهول").  Each test compares with the same mappings without
patterns.yaml, so what is asserted is the patterns' doing.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
import rdflib
from rdflib import RDF, Literal, URIRef

from kgbuild.engine import fingerprint
from kgbuild.extract import analyse
from kgbuild.pipeline import build
from kgbuild.records import Article, ArticleResult

KG = rdflib.Namespace("https://w3id.org/kgbuild/ontology#")
NIF = rdflib.Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
SKOS = rdflib.namespace.SKOS
ID = "https://w3id.org/kgbuild/id/"
EN_TEXT = ("Task Force 88 struck Daesh positions near Mosul. "
           "Hamza bin Laden said that the attacks would go on.")
AR_TEXT = "وصل النازحون إلى مخيم الهول أمس، وقال مسؤول إن مخيم الهول مكتظ."


@pytest.fixture(scope="module")
def without_patterns(tmp_path_factory: pytest.TempPathFactory, fixture_mappings: Path) -> Path:
    folder = tmp_path_factory.mktemp("no-patterns")
    shutil.copytree(fixture_mappings, folder, dirs_exist_ok=True)
    (folder / "patterns.yaml").unlink()
    return folder


def mentions(result: ArticleResult) -> list[tuple[str, str, str]]:
    return [(m.entity_key, m.span.text, m.rule) for m in result.mentions]


def test_pattern_matches_are_mentions(fixture_mappings: Path, without_patterns: Path) -> None:
    article = Article(id="p", title="", text=EN_TEXT, lang="en")
    assert mentions(analyse(article, fixture_mappings)) == [
        ("org:task-force-88", "Task Force 88", "pattern"),
        ("gaz:isis", "Daesh", "pattern"),
        ("gaz:mosul", "Mosul", "gazetteer"),
        ("person:hamza-bin-laden", "Hamza bin Laden", "pattern"),
    ]
    assert mentions(analyse(article, without_patterns)) == [
        ("gaz:mosul", "Mosul", "gazetteer"),
        ("anon:p:1", "Hamza bin Laden", "anonymous-source"),
    ]


def test_pattern_person_is_resolved_like_any_other(fixture_mappings: Path) -> None:
    result = analyse(Article(id="p", title="", text=EN_TEXT, lang="en"), fixture_mappings)
    assert [(s.speaker_key, s.content.text) for s in result.statements] == [
        ("person:hamza-bin-laden", "the attacks would go on")]
    isis = next(e for e in result.entities if e.key == "gaz:isis")
    assert isis.gazetteer_id == "isis" and ("en", "Islamic State") in isis.labels


def test_arabic_pattern_and_languages_kept_apart(fixture_mappings: Path) -> None:
    result = analyse(Article(id="p", title="", text=AR_TEXT, lang="ar"), fixture_mappings)
    assert [(key, rule) for key, _, rule in mentions(result) if rule == "pattern"] == [
        ("place:مخيم-الهول", "pattern"), ("place:مخيم-الهول", "pattern")]
    # the English-only patterns are not used on an Arabic article
    english_in_arabic = analyse(Article(id="q", title="", text="قالت Task Force 88 إن", lang="ar"),
                                fixture_mappings)
    assert not [m for m in english_in_arabic.mentions if m.rule == "pattern"]


def test_the_gazetteer_comes_first(tmp_path: Path, fixture_mappings: Path) -> None:
    shutil.copytree(fixture_mappings, tmp_path, dirs_exist_ok=True)
    (tmp_path / "patterns.yaml").write_text(
        "patterns:\n"
        "  - {type: Organisation, pattern: [{LOWER: islamic}, {LOWER: state}, {LOWER: fighters}]}\n",
        encoding="utf-8")
    result = analyse(Article(id="p", title="", text="Islamic State fighters withdrew.", lang="en"), tmp_path)
    assert mentions(result) == [("gaz:isis", "Islamic State", "gazetteer")]


def test_pattern_entities_in_the_built_graph(tmp_path: Path, fixture_mappings: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    # a text file's first line is its title
    (inputs / "en.txt").write_text(f"Strikes near Mosul\n\n{EN_TEXT}\n", encoding="utf-8")
    (inputs / "ar.txt").write_text(f"النازحون\n\n{AR_TEXT}\n", encoding="utf-8")
    report = build([inputs], tmp_path / "out", mappings_dir=fixture_mappings, jobs=1, progress=False,
                   store=False)
    assert not report.problems, report.problems
    graph = rdflib.Graph().parse(tmp_path / "out" / "graph.ttl", format="turtle")
    rule = URIRef(ID + "rule/pattern")
    assert (rule, RDF.type, KG.ExtractionRule) in graph
    found = {(str(graph.value(mention, KG.mentionOf)), str(graph.value(mention, NIF.anchorOf)))
             for mention in graph.subjects(KG.extractedBy, rule)}
    assert found == {(ID + "org/task-force-88", "Task Force 88"), (ID + "org/isis", "Daesh"),
                     (ID + "person/hamza-bin-laden", "Hamza bin Laden"),
                     (ID + "place/" + quote("مخيم-الهول"), "مخيم الهول")}
    task_force = URIRef(ID + "org/task-force-88")
    assert (task_force, RDF.type, KG.Organisation) in graph
    assert (task_force, SKOS.prefLabel, Literal("Task Force 88", lang="en")) in graph
    assert (URIRef(ID + "person/hamza-bin-laden"), RDF.type, KG.Person) in graph


def test_fingerprint_covers_patterns(tmp_path: Path, fixture_mappings: Path) -> None:
    shutil.copytree(fixture_mappings, tmp_path, dirs_exist_ok=True)
    before = fingerprint(str(tmp_path))
    with (tmp_path / "patterns.yaml").open("a", encoding="utf-8") as patterns:
        patterns.write("  - {type: Place, pattern: [{LOWER: atlantis}]}\n")
    assert fingerprint(str(tmp_path)) != before
