"""The ontology declares every term the graph uses, and the shapes accept exactly the
graph docs/data-model.md describes: the hand-made fixture conforms, broken copies do not."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kgbuild.errors import KGBuildError
from kgbuild.query import NAMESPACES, load_graph
from kgbuild.validate import ONTOLOGY_PATH, SHAPES_PATH, validate_graph
from kgbuild.vocab import ID, KG, NIF, ORG

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "graph" / "small.ttl"
DATA_MODEL = ROOT / "docs" / "data-model.md"


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return load_graph(ONTOLOGY_PATH)


@pytest.fixture(scope="module")
def fixture_graph() -> rdflib.Graph:
    return load_graph(FIXTURE)


def _terms(namespace: type) -> list[URIRef]:
    return [namespace[name] for name in namespace.__annotations__]  # type: ignore[index]


def _langs(graph: rdflib.Graph, subject: URIRef, predicate: URIRef) -> set[str | None]:
    return {o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)}


# ---------------------------------------------------------------- ontology


def test_ontology_header(ontology: rdflib.Graph) -> None:
    onto = URIRef("https://w3id.org/kgbuild/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(onto, OWL.versionIRI) is not None
    assert _langs(ontology, onto, DCTERMS.title) >= {"en", "ar"}
    assert ontology.value(onto, DCTERMS.description) is not None
    assert isinstance(ontology.value(onto, DCTERMS.license), URIRef)


@pytest.mark.parametrize("term", _terms(KG), ids=str)
def test_every_kg_term_is_declared_and_labelled(ontology: rdflib.Graph, term: URIRef) -> None:
    types = set(ontology.objects(term, RDF.type))
    name = str(term).rsplit("#", 1)[1]
    if name[0].isupper():
        assert OWL.Class in types
    else:
        assert types & {OWL.ObjectProperty, OWL.DatatypeProperty}
        assert (term, RDFS.range, None) in ontology
    assert {"en", "ar"} <= _langs(ontology, term, RDFS.label)
    assert "en" in _langs(ontology, term, RDFS.comment)
    assert ontology.value(term, RDFS.isDefinedBy) == URIRef("https://w3id.org/kgbuild/ontology")


def test_object_and_datatype_properties(ontology: rdflib.Graph) -> None:
    assert (KG.speaker, RDF.type, OWL.ObjectProperty) in ontology
    assert (KG.content, RDF.type, OWL.DatatypeProperty) in ontology
    assert (KG.isDirectQuote, RDFS.range, XSD.boolean) in ontology
    assert (KG.evidence, RDFS.range, KG.Evidence) in ontology
    assert (KG.inArticle, RDFS.range, KG.Article) in ontology
    assert (KG.topic, RDFS.range, SKOS.Concept) in ontology
    # statedOn accepts partial dates: its range is a union of four datatypes
    union = ontology.value(ontology.value(KG.statedOn, RDFS.range), OWL.unionOf)
    assert union is not None
    members = set(rdflib.collection.Collection(ontology, union))
    assert members == {XSD.date, XSD.gMonthDay, XSD.gYearMonth, XSD.gYear}


@pytest.mark.parametrize(
    ("sub", "relation", "sup"),
    [
        (KG.Person, RDFS.subClassOf, PROV.Person),
        (KG.Organisation, RDFS.subClassOf, ORG.Organization),
        (KG.Organisation, RDFS.subClassOf, PROV.Organization),
        (KG.Place, RDFS.subClassOf, DCTERMS.Location),
        (KG.AnonymousSource, RDFS.subClassOf, PROV.Agent),
        (KG.Article, RDFS.subClassOf, PROV.Entity),
        (KG.RoleAssignment, RDFS.subClassOf, ORG.Membership),
        (KG.Statement, RDFS.subClassOf, PROV.Entity),
        (KG.Mention, RDFS.subClassOf, NIF.OffsetBasedString),
        (KG.Evidence, RDFS.subClassOf, NIF.OffsetBasedString),
        (KG.ExtractionRule, RDFS.subClassOf, PROV.Plan),
        (KG.TextField, RDFS.subClassOf, NIF.Context),
        (KG.speaker, RDFS.subPropertyOf, PROV.wasAttributedTo),
        (KG.extractedBy, RDFS.subPropertyOf, PROV.wasInfluencedBy),
        (KG.mentionOf, RDFS.domain, KG.Mention),
    ],
)
def test_alignment_with_standard_vocabularies(
    ontology: rdflib.Graph, sub: URIRef, relation: URIRef, sup: URIRef
) -> None:
    assert (sub, relation, sup) in ontology


@pytest.mark.parametrize("term", _terms(ORG) + _terms(NIF), ids=str)
def test_org_and_nif_terms_are_declared(ontology: rdflib.Graph, term: URIRef) -> None:
    assert isinstance(ontology.value(term, RDFS.isDefinedBy), URIRef)
    assert "en" in _langs(ontology, term, RDFS.label)


def _data_model_terms() -> list[URIRef]:
    prefixes = {p: NAMESPACES[p] for p in ("kg", "org", "prov", "skos", "dcterms", "nif", "owl", "rdfs")}
    text = DATA_MODEL.read_text(encoding="utf-8")
    names = set(re.findall(r"\b(kg|org|prov|skos|dcterms|nif|owl|rdfs):([A-Za-z]+)", text))
    return sorted(URIRef(prefixes[p] + local) for p, local in names)


def test_data_model_terms_found() -> None:
    # guards the parametrised test below against an empty list
    assert len(_data_model_terms()) > 50


@pytest.mark.parametrize("term", _data_model_terms(), ids=str)
def test_every_data_model_term_is_a_subject(ontology: rdflib.Graph, term: URIRef) -> None:
    # the mapping validator accepts only terms that are subjects of kgbuild.ttl
    assert (term, None, None) in ontology
    assert "en" in _langs(ontology, term, RDFS.label)
    if not str(term).startswith(str(KG)):
        assert isinstance(ontology.value(term, RDFS.isDefinedBy), URIRef)


def test_every_term_the_fixture_uses_is_declared(ontology: rdflib.Graph, fixture_graph: rdflib.Graph) -> None:
    used = set(fixture_graph.predicates()) | set(fixture_graph.objects(None, RDF.type))
    used.discard(RDF.type)
    missing = sorted(str(t) for t in used if (t, None, None) not in ontology)
    assert missing == []


# ---------------------------------------------------------------- shapes


def test_shapes_parse() -> None:
    shapes = load_graph(SHAPES_PATH)
    assert len(shapes) > 100


def test_fixture_conforms(fixture_graph: rdflib.Graph) -> None:
    conforms, report, violations = validate_graph(fixture_graph)
    assert conforms, report
    assert violations == 0


def test_validation_leaves_the_graph_alone(fixture_graph: rdflib.Graph) -> None:
    before = len(fixture_graph)
    validate_graph(fixture_graph)
    assert len(fixture_graph) == before


def test_fixture_offsets_are_exact(fixture_graph: rdflib.Graph) -> None:
    # independent of the SPARQL constraint: anchors are text[begin:end] in code points
    spans = list(fixture_graph.subjects(RDF.type, NIF.OffsetBasedString))
    assert len(spans) == 25
    for span in spans:
        context = fixture_graph.value(span, NIF.referenceContext)
        text = str(fixture_graph.value(context, NIF.isString))
        begin = int(str(fixture_graph.value(span, NIF.beginIndex)))
        end = int(str(fixture_graph.value(span, NIF.endIndex)))
        assert text[begin:end] == str(fixture_graph.value(span, NIF.anchorOf))
        assert str(span).endswith(f"/{begin}-{end}")


S1 = ID["statement/ar-001/text/63-112"]
M1 = ID["mention/ar-001/text/11-22"]
E1 = ID["evidence/ar-001/text/11-46"]
R1 = ID["role/0ffe932e96c9ff5a"]
HADDAD = ID["person/sami-haddad"]


def _nn(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


Breaker = Callable[[rdflib.Graph], object]

BROKEN: dict[str, tuple[Breaker, str]] = {
    "anchor shifted by one": (lambda g: g.set((M1, NIF.beginIndex, _nn(12))), "is not the text at 12-22"),
    "anchor not the text": (
        lambda g: g.set((E1, NIF.anchorOf, Literal("سامي الحداد قائد"))),
        "is not the text",
    ),
    "end past the text": (
        lambda g: g.set((ID["mention/ar-001/title/30-37"], NIF.endIndex, _nn(90))),
        "is not the text",
    ),
    "begin after end": (lambda g: g.set((M1, NIF.beginIndex, _nn(30))), "is not before"),
    "negative offset": (lambda g: g.set((M1, NIF.beginIndex, Literal(-1))), "MinInclusive"),
    "context of another article": (
        lambda g: g.set((M1, NIF.referenceContext, ID["article/en-001/text"])),
        "belongs to another article",
    ),
    "missing speaker": (lambda g: g.remove((S1, KG.speaker, None)), "kg:speaker"),
    "speaker is a place": (lambda g: g.set((S1, KG.speaker, ID["place/iraq"])), "kg:speaker"),
    "two speakers": (lambda g: g.add((S1, KG.speaker, ID["person/layla-kareem"])), "kg:speaker"),
    "two prefLabels @ar": (
        lambda g: g.add((HADDAD, SKOS.prefLabel, Literal("الفريق سامي الحداد", lang="ar"))),
        "at most one per language",
    ),
    "prefLabel without language": (
        lambda g: g.add((ID["place/iraq"], SKOS.prefLabel, Literal("Iraq"))),
        "at most one per language",
    ),
    "no prefLabel": (lambda g: g.remove((ID["place/baghdad"], SKOS.prefLabel, None)), "skos:prefLabel"),
    "statedOn plain string": (lambda g: g.set((S1, KG.statedOn, Literal("2015-07-23"))), "kg:statedOn"),
    "statedOn dateTime": (
        lambda g: g.set((S1, KG.statedOn, Literal("2015-07-23T10:00:00", datatype=XSD.dateTime))),
        "kg:statedOn",
    ),
    "two statedOn": (
        lambda g: g.add((S1, KG.statedOn, Literal("--07-23", datatype=XSD.gMonthDay))),
        "kg:statedOn",
    ),
    "about a statement": (lambda g: g.add((S1, KG.about, ID["statement/en-001/text/56-89"])), "kg:about"),
    "isDirectQuote not boolean": (lambda g: g.set((S1, KG.isDirectQuote, Literal("yes"))), "isDirectQuote"),
    "statement without evidence": (lambda g: g.remove((S1, KG.evidence, None)), "kg:evidence"),
    "statement from two articles": (
        lambda g: g.add((S1, PROV.wasDerivedFrom, ID["article/en-001"])),
        "prov:wasDerivedFrom",
    ),
    "role without member": (lambda g: g.remove((R1, ORG.member, None)), "org:member"),
    "role in a person": (lambda g: g.set((R1, ORG.organization, HADDAD)), "org:organization"),
    "role without label": (lambda g: g.remove((R1, KG.roleLabel, None)), "kg:roleLabel"),
    "role evidence is a mention": (lambda g: g.set((R1, KG.evidence, M1)), "kg:evidence"),
    "article without identifier": (
        lambda g: g.remove((ID["article/ar-001"], DCTERMS.identifier, None)),
        "dcterms:identifier",
    ),
    "issued is a string": (
        lambda g: g.set((ID["article/ar-001"], DCTERMS.issued, Literal("2015-07-24"))),
        "dcterms:issued",
    ),
    "mention of nothing typed": (lambda g: g.set((M1, KG.mentionOf, ID["person/nobody"])), "kg:mentionOf"),
    "unknown field": (lambda g: g.set((ID["article/ar-001/title"], KG.field, Literal("lead"))), "kg:field"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_copies_are_rejected(fixture_graph: rdflib.Graph, case: str) -> None:
    breaker, expected = BROKEN[case]
    broken = rdflib.Graph()
    broken += fixture_graph
    breaker(broken)
    conforms, report, violations = validate_graph(broken)
    assert not conforms
    assert violations >= 1
    assert expected in report, report


@pytest.mark.parametrize("suffix", [".nq", ".trig"])
def test_validation_of_per_article_dataset(fixture_graph: rdflib.Graph, tmp_path: Path, suffix: str) -> None:
    # graph.nq / graph.trig hold one named graph per article; written by hand because
    # rdflib's Dataset serialisers emit deprecation warnings
    lines = fixture_graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    name = f"<{ID['article/ar-001']}>"
    path = tmp_path / f"graph{suffix}"
    if suffix == ".nq":
        body = "".join(line[: line.rindex(".")] + f"{name} .\n" for line in lines if line.strip())
    else:
        body = name + " {\n" + "\n".join(lines) + "\n}\n"
    path.write_text(body, encoding="utf-8")
    loaded = load_graph(path)
    assert len(loaded) == len(fixture_graph)
    assert validate_graph(loaded)[0]


def test_missing_shapes_file_is_reported(fixture_graph: rdflib.Graph, tmp_path: Path) -> None:
    with pytest.raises(KGBuildError) as info:
        validate_graph(fixture_graph, shapes=tmp_path / "nope.ttl")
    assert "E201" in str(info.value)
    assert "nope.ttl" in str(info.value)
