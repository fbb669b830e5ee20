"""Valid output, always (issue 5): whatever Unicode an article holds, every IRI kgbuild mints
is an IRI, every literal reads back as the very text it was made from, in every
serialisation, with rdflib and with Oxigraph alike, and every build passes the SHACL shapes.

The unit properties run many examples of the term renderers; the end-to-end property runs
fewer whole builds of articles written so that the extractors find a person, a role, an
organisation and a statement around the generated strings.  ``KGBUILD_PROPS_SCALE``
multiplies every example count (``KGBUILD_PROPS_SCALE=20`` for a long search on a quiet
machine); the defaults keep this file well under a minute.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from kgbuild.cli import main
from kgbuild.graph import jsonld_from_ntriples
from kgbuild.ingest import iter_articles
from kgbuild.mapping import Mapper
from kgbuild.nlp import get_mappings
from kgbuild.normalize import slug
from kgbuild.ntriples import iri, lexical, literal, nt_line, prefix_block, turtle_body, typed
from kgbuild.pipeline import build
from kgbuild.records import Article, Span
from kgbuild.validate import ShapeChecker

FIXTURE_MAPPINGS = Path(__file__).resolve().parent / "fixtures" / "mappings"
CASES = Path(__file__).resolve().parent / "cases"
SCALE = float(os.environ.get("KGBUILD_PROPS_SCALE", "1"))
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
GRAPH = "<https://w3id.org/kgbuild/id/article/g>"

settings.register_profile("kgbuild-unit", max_examples=max(1, int(150 * SCALE)), deadline=None)
settings.register_profile("kgbuild-build", max_examples=max(1, int(10 * SCALE)), deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
UNIT = settings.get_profile("kgbuild-unit")
BUILD = settings.get_profile("kgbuild-build")

# What breaks serialisers: the characters N-Triples and Turtle escape or forbid, bidi and
# zero-width controls, the byte-order mark, C0/C1 controls and line separators, Arabic with
# its marks, combining marks, characters IRIs may not hold, and emoji (astral, multi-code-point).
TRICKY = [
    '"', "'", "\\", "\n", "\r", "\t", "<", ">", "{", "}", "|", "^", "`", " ", "%", "#", "?", "[", "]", "@",
    "\u200e", "\u200f", "\u202e", "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff", "\u00a0",
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\u2028", "\u2029",
    "ا", "ب", "ع", "ي", "ة", "أ", "ـ", "\u064b", "\u0651", "٣", "،", "«", "»", "\u0301", "e\u0301",
    "\ue000", "\ufdd0", "\ufffe", "\U000e0001", "😀", "👍🏽", "🇮🇶",
]
any_char = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot be written as UTF-8
tricky_text = st.text(st.sampled_from([c for c in TRICKY if len(c) == 1]) | any_char, max_size=30)
tricky_pieces = st.lists(st.sampled_from(TRICKY) | st.text(any_char, max_size=4), max_size=12).map("".join)
any_text = tricky_text | tricky_pieces


@pytest.fixture(scope="module")
def mapper() -> Mapper:
    return Mapper(get_mappings(FIXTURE_MAPPINGS))


# ---- comparing graphs as both libraries read them ---------------------------------------------
Term = tuple[str, ...]
Quad = tuple[Term, Term, Term, Term | None]


def _rdflib_term(term: object) -> Term:
    if isinstance(term, rdflib.URIRef):
        return ("iri", str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ("literal", str(term), term.language)
        return ("literal", str(term), "", str(term.datatype or XSD_STRING))
    raise AssertionError(f"unexpected term {term!r}")


def _ox_term(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return ("literal", term.value, term.language)
        return ("literal", term.value, "", term.datatype.value)
    raise AssertionError(f"unexpected term {term!r}")


def read_rdflib(data: str, fmt: str) -> set[Quad]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # rdflib warns, not fails, on a term it cannot read
        # … but also about its own Dataset internals when parsing quads: nothing output can change
        warnings.simplefilter("ignore", DeprecationWarning)
        if fmt in ("trig", "nquads"):
            dataset = rdflib.Dataset()
            dataset.parse(data=data, format=fmt)
            return {(_rdflib_term(s), _rdflib_term(p), _rdflib_term(o),
                     None if g is None or g == rdflib.graph.DATASET_DEFAULT_GRAPH_ID
                     else _rdflib_term(g))
                    for s, p, o, g in dataset.quads((None, None, None, None))}
        graph = rdflib.Graph()
        graph.parse(data=data, format=fmt)
        return {(_rdflib_term(s), _rdflib_term(p), _rdflib_term(o), None) for s, p, o in graph}


OX_FORMATS = {"nt": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG,
              "nquads": ox.RdfFormat.N_QUADS, "json-ld": ox.RdfFormat.JSON_LD}


def read_oxigraph(data: str, fmt: str) -> set[Quad]:
    out: set[Quad] = set()
    for quad in ox.parse(data.encode("utf-8"), format=OX_FORMATS[fmt]):
        graph = getattr(quad, "graph_name", None)
        name = None if graph is None or isinstance(graph, ox.DefaultGraph) else _ox_term(graph)
        out.add((_ox_term(quad.subject), _ox_term(quad.predicate), _ox_term(quad.object), name))
    return out


def term_of(nt_term: str) -> Term:
    """What a term rendered by kgbuild should read back as (the parsers decide)."""
    return next(iter(read_oxigraph(f"<http://x/s> <http://x/p> {nt_term} .\n", "nt")))[2]


def serialisations(triples: list[tuple[str, str, str]]) -> dict[str, str]:
    """The triples as each writer of kgbuild.graph writes them: the default graph in
    N-Triples, Turtle and JSON-LD, one named graph (``GRAPH``) in TriG and N-Quads."""
    nt = "".join(nt_line(t) for t in triples)
    body = turtle_body(triples)
    return {
        "nt": nt,
        "turtle": prefix_block() + "\n" + body,
        "trig": prefix_block() + f"\n{GRAPH} {{\n{body}\n}}\n",
        "nquads": "".join(nt_line(t, GRAPH) for t in triples),
        "json-ld": jsonld_from_ntriples(nt),
    }


def assert_reads_back(triples: list[tuple[str, str, str]], expected: set[tuple[Term, Term, Term]]) -> None:
    graph_name = ("iri", GRAPH[1:-1])
    for fmt, data in serialisations(triples).items():
        named = fmt in ("trig", "nquads")
        want = {(s, p, o, graph_name if named else None) for s, p, o in expected}
        assert read_rdflib(data, fmt) == want, f"rdflib reads {fmt} differently:\n{data}"
        assert read_oxigraph(data, fmt) == want, f"Oxigraph reads {fmt} differently:\n{data}"


def assert_iri(term: str) -> None:
    assert term.startswith("<") and term.endswith(">"), term
    value = term[1:-1]
    assert ox.NamedNode(value).value == value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert str(rdflib.URIRef(value)) == value


# ---- unit properties -----------------------------------------------------------------------------
@UNIT
@given(any_text, st.sampled_from([None, "ar", "en"]))
@example('a "quoted" \\ back\\slash\nnew\rline\ttab', "en")
@example("مرحبا \u200f«اقتباس»\u202e", "ar")
@example("\x00\x0b\x0c\x1c\x85\u2028\u2029", None)  # str.splitlines breaks a line at each
@example('"\x08', None)  # a raw control character beside an escape: lexical() failed on it
def test_literal_reads_back_as_its_text(mapper: Mapper, text: str, lang: str | None) -> None:
    subject = mapper.article_iri(text)
    predicate = mapper.props["Article"]["title"]
    term = literal(text, lang)
    assert lexical(term) == text
    assert len(nt_line((subject, predicate, term)).splitlines()) == 1, "one triple, one line"
    assert term_of(term) == (("literal", text, lang) if lang else ("literal", text, "", XSD_STRING))
    expected = {(("iri", subject[1:-1]), ("iri", predicate[1:-1]), term_of(term))}
    assert_reads_back([(subject, predicate, term)], expected)


@UNIT
@given(any_text)
@example("http://example.org/a b")
def test_typed_literal_reads_back(mapper: Mapper, text: str) -> None:
    """An article's URL is whatever the input says; it is written as an xsd:anyURI literal."""
    subject = mapper.article_iri("a")
    predicate = mapper.props["Article"]["url"]
    term = typed(text, "anyURI")
    assert lexical(term) == text
    assert term_of(term) == ("literal", text, "", "http://www.w3.org/2001/XMLSchema#anyURI")
    assert_reads_back([(subject, predicate, term)], {(("iri", subject[1:-1]), ("iri", predicate[1:-1]),
                                                      term_of(term))})


@UNIT
@given(any_text, any_text)
@example("a/b", "a%2Fb")
@example("\u0625", "\u0627\u0655")  # one letter, precomposed and decomposed: two ids
def test_minted_iris_are_iris(mapper: Mapper, text: str, other: str) -> None:
    article = Article(text, "", "body " * 4, "en")
    nodes = [
        mapper.article_iri(text),
        mapper.entity_iri(f"person:{slug(text)}"),
        mapper.entity_iri(f"org:{text}"),
        mapper.entity_iri(f"anon:{text}:3"),
        mapper.role_concept_iri(text),
        mapper.topic_iri(text),
        mapper.rule_iri(text),
        mapper.role_iri(mapper.entity_iri(f"person:{text}"), text, mapper.entity_iri(f"org:{text}")),
        mapper.span_node("Mention", article, Span(0, 4, "body"))[0],
    ]
    for term in nodes:
        assert_iri(term)
    for prefix in mapper.scoped_prefixes(text):  # how the IRIs of the article's own nodes start
        assert_iri(prefix if prefix.endswith(">") else prefix + "x>")
    # article ids are keys: two ids, two articles
    assert (mapper.article_iri(text) == mapper.article_iri(other)) == (text == other)
    identifier = mapper.props["Article"]["identifier"]
    triples = [(term, identifier, literal(text)) for term in nodes]
    read_as = ("literal", text, "", XSD_STRING)
    assert_reads_back(triples, {(("iri", s[1:-1]), ("iri", identifier[1:-1]), read_as)
                                for s, _, _ in triples})


@UNIT
@given(any_text)
@example("Q42")
@example("%")
@example("Q1%4")
@example("\x7f\ue000\ufdd0")
@example("\u2028\u00a0")  # rdflib ends an IRI at any Unicode white space
@example("#[")
def test_iri_escapes_what_an_iri_cannot_hold(text: str) -> None:
    """``iri`` takes terms from the mappings and Wikidata ids from the gazetteer: whatever
    they hold, the result is an IRI both libraries read back unchanged."""
    term = iri(f"http://www.wikidata.org/entity/{text}")
    assert_iri(term)
    assert_reads_back([(term, term, term)], {(("iri", term[1:-1]),) * 3})


def test_iri_keeps_a_valid_iri() -> None:
    for value in ("https://w3id.org/kgbuild/ontology#Person", "http://example.org/a%20b?q=1#frag",
                  "http://example.org/وزارة", "urn:isbn:0451450523"):
        assert iri(value) == f"<{value}>"


# ---- whole builds ----------------------------------------------------------------------------------
# Templates the fixture mappings extract a person, a role (commander) at an organisation and a
# direct quote from, around a generated name, organisation and quote.  English organisations
# are found by their head words only (tests/fixtures/mappings/grammar.yaml), so their names
# are pairs of heads; Arabic ones are وزارة and any definite word.
EN_TEMPLATE = '"{quote}," said General {name}, commander of the {org}.'
AR_TEMPLATE = "وقال الجنرال {name}، قائد القوات البرية في وزارة {org}: «{quote}»."
EN_HEADS = ["Ministry", "Department", "Council", "Committee", "Agency", "Army", "Police", "Office", "Forces",
            "Command"]
latin_word = st.builds(lambda first, rest: first + rest, st.sampled_from("ABCDEFGHIJKLMNOPRSTUVWYZÁÉÖŠŽĐǄ"),
                       st.text(st.sampled_from("abcdefghijklmnoprstuvwyzáéíóúüöçñšžđ"), min_size=2,
                               max_size=8))
arabic_word = st.text(st.sampled_from("ابتثجحخدذرزسشصضطظعغفقكلمنهويةأإآىئؤ"), min_size=3, max_size=8)
# now and then a name or an organisation carries a character that is not a letter
odd_piece = st.just("") | st.just("") | st.sampled_from(
    ["'", "-", "\u200e", "\u200f", "\u0301", "\u064e", "ـ", "\u200c", "😀", "\\", '"', "<", ">"])
# a quote stays one quote when it holds no quotation mark or line break of its own
QUOTE_ENDS = set('"«»“”\n\r')
quoted_text = st.text(st.sampled_from([c for c in TRICKY if len(c) == 1 and c not in QUOTE_ENDS])
                      | any_char.filter(lambda c: c not in QUOTE_ENDS), max_size=20)


@st.composite
def articles(draw: st.DrawFn) -> list[dict[str, str]]:
    """One English and one Arabic JSON record with generated ids, titles, names, organisations
    and quotes: mostly ones the extractors take in, sometimes anything at all."""
    en_org = f"{draw(st.sampled_from(EN_HEADS))}{draw(odd_piece)} {draw(st.sampled_from(EN_HEADS))}"
    en_quote = draw(st.builds("We will {} win".format, quoted_text) | any_text)
    en_name = f"{draw(latin_word)}{draw(odd_piece)} {draw(latin_word)}"
    english = EN_TEMPLATE.format(quote=en_quote, name=en_name, org=en_org)
    ar_quote = draw(st.builds("سننتصر {} في العراق".format, quoted_text) | any_text)
    ar_name = f"{draw(arabic_word)}{draw(odd_piece)} ال{draw(arabic_word)}"
    arabic = AR_TEMPLATE.format(quote=ar_quote, name=ar_name, org=f"ال{draw(arabic_word)}{draw(odd_piece)}")
    records = [{"id": draw(any_text), "lang": lang, "title": draw(any_text), "text": text}
               for lang, text in (("en", english), ("ar", arabic))]
    if records[0]["id"].strip() == records[1]["id"].strip():
        records[1]["id"] += "-ar"
    return records


def quads_of(path: Path, fmt: str) -> tuple[set[Quad], set[Quad]]:
    """The triples of a graph file as rdflib and as Oxigraph read it (graph names dropped)."""
    data = path.read_text(encoding="utf-8")
    return {(s, p, o, None) for s, p, o, _ in read_rdflib(data, fmt)}, \
        {(s, p, o, None) for s, p, o, _ in read_oxigraph(data, fmt)}


def store_quads(path: Path) -> set[Quad]:
    store = ox.Store.read_only(str(path))
    return {(_ox_term(q.subject), _ox_term(q.predicate), _ox_term(q.object), None)
            for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def check_build(records: list[dict[str, str]], work: Path) -> dict[str, int]:
    source = work / "articles.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    out = work / "out"
    report = build([source], out, formats=["ttl", "trig", "nt", "nq", "jsonld"],
                   mappings_dir=FIXTURE_MAPPINGS, progress=False, jobs=1, validate=True)
    assert report.problems == [], "\n".join(map(str, report.problems))
    by_rdflib, by_oxigraph = quads_of(out / "graph.ttl", "turtle")
    assert by_rdflib == by_oxigraph, "rdflib and Oxigraph read graph.ttl differently"
    assert store_quads(out / "store") == by_oxigraph, "the store does not hold graph.ttl"
    for name, fmt in (("graph.nt", "nt"), ("graph.nq", "nquads"), ("graph.trig", "trig"),
                      ("graph.jsonld", "json-ld")):
        assert quads_of(out / name, fmt) == (by_rdflib, by_oxigraph), f"{name} holds another graph"
    # the article's fields read back exactly as ingest gave them, with their language tag
    mapper = Mapper(get_mappings(FIXTURE_MAPPINGS))
    props, text_props = mapper.props["Article"], mapper.props["TextField"]
    for article in iter_articles([str(source)]):
        assert isinstance(article, Article)
        node = mapper.article_iri(article.id)[1:-1]
        values = {(s[1], p[1], o) for s, p, o, _ in by_oxigraph}
        assert (node, props["identifier"][1:-1], ("literal", article.id, "", XSD_STRING)) in values
        body = ("literal", article.text, "", XSD_STRING)
        assert (f"{node}/text", text_props["string"][1:-1], body) in values
        if article.title:
            assert (node, props["title"][1:-1], ("literal", article.title, article.lang)) in values
    return {"persons": report.persons, "roles": report.roles, "statements": report.statements}


@BUILD
@given(articles())
# the words of an unnamed source that are exactly a gazetteer place: two kg:mentionOf on one span
@example([{"id": "en-2", "lang": "en", "title": "", "text": "Mosul said on Monday that the war is over."},
          {"id": "ar-2", "lang": "ar", "title": "", "text": "وقال مصدر أمني إن المعارك مستمرة."}])
@example([{"id": "en-1", "lang": "en", "title": "A\ttitle \\ with \"quotes\"",
           "text": EN_TEMPLATE.format(quote="We <will> win\u2028 \\o/", name="John Smith",
                                      org="Army Ministry")},
          {"id": "ar 1/٣", "lang": "ar", "title": "عنوان \u200f«مقتبس»\u202e",
           "text": AR_TEMPLATE.format(quote="سننتصر في العراق", name="سامي الجبوري", org="الدفاع")}])
def test_any_article_builds_a_valid_graph(tmp_path_factory: pytest.TempPathFactory,
                                          records: list[dict[str, str]]) -> None:
    counts = check_build(records, tmp_path_factory.mktemp("props"))
    event(f"statements: {counts['statements']}, roles: {counts['roles']}")


def test_templates_extract_a_person_role_and_statement(tmp_path: Path) -> None:
    """The templates of the property above do reach the extractors: with plain names each
    article gives a person, a role at an organisation and a quote."""
    english = EN_TEMPLATE.format(quote="We will win the war in Iraq", name="John Smith", org="Army Ministry")
    arabic = AR_TEMPLATE.format(quote="سننتصر في العراق قريبا", name="سامي الجبوري", org="الدفاع")
    records = [{"id": "en-1", "lang": "en", "title": "Title", "text": english},
               {"id": "ar-1", "lang": "ar", "title": "عنوان", "text": arabic}]
    assert check_build(records, tmp_path) == {"persons": 2, "roles": 2, "statements": 2}


# ---- kgbuild build --validate ------------------------------------------------------------------
KG = "https://w3id.org/kgbuild/ontology#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"


def broken_article_graph(n: int) -> str:
    """One article's graph in which a mention names two entities, one of them untyped, and
    says nothing else: 7 violations."""
    base = f"https://w3id.org/kgbuild/id/article/a{n}"
    mention, person = f"<https://w3id.org/kgbuild/id/mention/a{n}/text/0-4>", f"<{base}/person>"
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    triples = [
        (f"<{base}>", rdf_type, f"<{KG}Article>"),
        (f"<{base}>", "<http://purl.org/dc/terms/identifier>", literal(f"a{n}")),
        (f"<{base}>", "<http://purl.org/dc/terms/language>", literal("en")),
        (mention, rdf_type, f"<{KG}Mention>"),
        (mention, f"<{KG}mentionOf>", person),
        (mention, f"<{KG}mentionOf>", f"<{base}/other>"),
        (person, rdf_type, f"<{KG}Person>"),
        (person, "<http://www.w3.org/2004/02/skos/core#prefLabel>", literal("Name", "en")),
    ]
    return "".join(nt_line(t) for t in triples)


@pytest.mark.parametrize("jobs", [1, 2])
def test_shape_checker_reports_each_violation_once(jobs: int) -> None:
    """Batches of about three articles, checked here or in two worker processes: every
    violation is an E215 problem naming the node and property, once however often its node
    recurs, and E206 counts them."""
    with ShapeChecker("out/graph.ttl", jobs=jobs, batch_triples=20) as checker:
        for n in range(8):
            checker.add(broken_article_graph(n % 5))
        problems = checker.finish()
    assert [p.code for p in problems] == ["E215"] * 35 + ["E206"]
    assert problems[-1].message == "graph does not conform to the shapes: 35 violation(s)"
    assert all(p.file == "out/graph.ttl" for p in problems)
    mention = "<https://w3id.org/kgbuild/id/mention/a3/text/0-4>"
    assert f"does not conform to the shapes: {mention} kg:mentionOf: More than 1 values on " \
        f"{mention}->kg:mentionOf" in {p.message for p in problems}
    assert sum(f"{mention} nif:beginIndex: Less than 1 values" in p.message for p in problems) == 1


def test_shape_checker_names_the_span_whose_anchor_is_wrong(root: Path) -> None:
    """The span checks (SPARQL) run once per batch; their problems name the span itself."""
    graph = rdflib.Graph().parse(root / "tests" / "fixtures" / "graph" / "small.ttl", format="turtle")
    with ShapeChecker("graph.ttl", batch_triples=50) as checker:
        checker.add(graph.serialize(format="nt"))
        assert checker.finish() == []
    mention = rdflib.URIRef("https://w3id.org/kgbuild/id/mention/ar-001/text/11-22")
    graph.set((mention, rdflib.URIRef(f"{NIF}beginIndex"), rdflib.Literal(12)))
    with ShapeChecker("graph.ttl", batch_triples=50) as checker:
        checker.add(graph.serialize(format="nt"))
        problems = checker.finish()
    assert [p.code for p in problems] == ["E215", "E206"]
    assert problems[0].message.startswith(f"does not conform to the shapes: <{mention}>: span {mention}: "
                                          'nif:anchorOf "سامي الحداد" is not the text at 12-22 ')


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_golden_cases_conform(case: str, tmp_path: Path) -> None:
    source = next((CASES / case).glob("input.*"))
    report = build([source], tmp_path, mappings_dir=FIXTURE_MAPPINGS, progress=False, jobs=1, validate=True)
    assert report.problems == [], "\n".join(map(str, report.problems))
    assert report.statements > 0


def test_examples_conform_with_the_project_mappings(examples_dir: Path, project_mappings: Path,
                                                    tmp_path: Path) -> None:
    report = build([examples_dir], tmp_path, mappings_dir=project_mappings, progress=False, jobs=1,
                   validate=True)
    assert report.problems == [], "\n".join(map(str, report.problems))
    assert report.articles == 5


def test_build_validate_reports_violations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Mappings that write an article's identifier as a second title: the build still writes
    the graph, prints each violation and exits 1; without --validate nothing is reported."""
    mappings = tmp_path / "mappings"
    shutil.copytree(FIXTURE_MAPPINGS, mappings)
    rdf = mappings / "rdf.yaml"
    rdf.write_text(rdf.read_text(encoding="utf-8").replace(
        "identifier: dcterms:identifier", "identifier: dcterms:title"), encoding="utf-8")
    out = tmp_path / "out"
    command = ["build", str(CASES / "en_said" / "input.txt"), "-o", str(out), "--mappings", str(mappings),
               "-j", "1", "--quiet"]
    assert main(command) == 0
    assert main([*command, "--validate"]) == 1
    err = capsys.readouterr().err.splitlines()
    article = "<https://w3id.org/kgbuild/id/article/input>"
    assert err == [f"{out / 'graph.ttl'}: does not conform to the shapes: {article} dcterms:identifier: "
                   f"Less than 1 values on {article}->dcterms:identifier [E215]",
                   f"{out / 'graph.ttl'}: does not conform to the shapes: {article} dcterms:title: "
                   f"More than 1 values on {article}->dcterms:title [E215]",
                   f"{out / 'graph.ttl'}: graph does not conform to the shapes: 2 violation(s) [E206]"]
    assert (out / "graph.ttl").is_file()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [p["code"] for p in report["problems"]] == ["E215", "E215", "E206"]


@pytest.mark.shared
def test_corpus_articles_conform(shared_dir: Path, project_mappings: Path, tmp_path: Path) -> None:
    """Real articles: the first Arabic ones, and the two English ones whose unnamed sources
    ("Democrats said", "…, South Carolina says") once gave a mention two entities."""
    wanted = {"polnear-breitbart_2016-02-20_the-latest-hillary-clinton-tells",
              "polnear-breitbart_2016-07-27_obama-to-frame-election-as-comma"}
    corpus = shared_dir / "corpus"
    with (corpus / "en" / "polnear_train.jsonl").open(encoding="utf-8") as english, \
            (corpus / "ar" / "saudinewsnet_iraq.jsonl").open(encoding="utf-8") as arabic:
        lines = [line for line in english if json.loads(line)["id"] in wanted] + \
            [next(arabic) for _ in range(20)]
    assert len(lines) == 22
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(lines), encoding="utf-8")
    report = build([source], tmp_path / "out", mappings_dir=project_mappings, progress=False, jobs=1,
                   validate=True)
    assert report.problems == [], "\n".join(map(str, report.problems))
    assert report.articles == 22
