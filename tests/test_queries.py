"""Named queries and the query API, on the hand-made fixture graph.

Every named query must give the documented columns and rows under rdflib, and the same
rows under Oxigraph, so that the .rq files stay portable SPARQL 1.1.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS, XSD
from rdflib.term import Identifier

from kgbuild.errors import KGBuildError, QueryError
from kgbuild.query import (
    QUERY_DIR,
    expand_bindings,
    format_rows,
    load_graph,
    named_queries,
    named_query,
    parse_binding,
    prepare,
    query_variables,
    read_query,
    resolve_label_bindings,
    run_query,
)
from kgbuild.vocab import ID, KG, NIF

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "graph" / "small.ttl"

AR1 = ID["article/ar-001"]
EN1 = ID["article/en-001"]
HADDAD = ID["person/sami-haddad"]
KAREEM = ID["person/layla-kareem"]
FAJR = ID["org/fajr-brigades"]
JOC = ID["org/joint-operations-command"]
IRAQ = ID["place/iraq"]
ANBAR = ID["place/anbar"]
RAMADI = ID["place/ramadi"]
SOURCE_AR = ID["source/ar-001/1"]
SOURCE_EN = ID["source/en-001/1"]
S_AR_QUOTE = ID["statement/ar-001/text/63-112"]
S_AR_SOURCE = ID["statement/ar-001/text/147-185"]
S_EN_SAID = ID["statement/en-001/text/56-89"]
S_EN_TOLD = ID["statement/en-001/text/92-144"]
S_EN_SOURCE = ID["statement/en-001/text/224-245"]
SECURITY = ID["concept/topic/security"]
ARMED_CONFLICT = ID["concept/topic/armed-conflict"]

COLUMNS = {
    "entities": ["entity", "type", "label"],
    "roles": [
        "person",
        "person_label",
        "role_label",
        "org",
        "org_label",
        "role",
        "article",
        "evidence_text",
        "assignment",
    ],
    "statements": [
        "statement",
        "speaker",
        "speaker_label",
        "text",
        "cue",
        "date",
        "article",
        "mentions_date",
        "quote",
        "evidence_start",
        "evidence_end",
    ],
    "statement_about": ["statement", "about", "about_label"],
    "who_said_what_about": ["statement", "speaker", "speaker_label", "text", "cue", "date", "article"],
    "roles_of": ["role_label", "org", "org_label", "article"],
    "statements_on_topic": ["statement", "speaker_label", "text", "topic_label", "date", "article"],
}


def ar(text: str) -> Literal:
    return Literal(text, lang="ar")


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def date(text: str, datatype: URIRef = XSD.date) -> Literal:
    return Literal(text, datatype=datatype)


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    return load_graph(FIXTURE)


def copy_of(graph: rdflib.Graph) -> rdflib.Graph:
    copy = rdflib.Graph()
    copy += graph
    return copy


def run_named(
    graph: rdflib.Graph, name: str, **bindings: Identifier
) -> tuple[list[str], list[dict[str, Identifier | None]]]:
    columns, rows = run_query(graph, named_query(name), bindings)
    return columns, [dict(zip(columns, row, strict=True)) for row in rows]


# ---------------------------------------------------------------- Oxigraph comparison


def _canon(term: object) -> tuple[str, ...] | None:
    """Engine-neutral form of a term; Oxigraph reports integer subtypes as xsd:integer."""
    if term is None:
        return None
    if isinstance(term, URIRef | pyoxigraph.NamedNode):
        return ("iri", str(term.value if isinstance(term, pyoxigraph.NamedNode) else term))
    if isinstance(term, Literal):
        lexical, lang, datatype = str(term), term.language or "", str(term.datatype or XSD.string)
    elif isinstance(term, pyoxigraph.Literal):
        lexical, lang, datatype = term.value, term.language or "", term.datatype.value
    else:
        raise AssertionError(f"unexpected term {term!r}")
    if lang:
        datatype = "langString"
    if datatype in (str(XSD.nonNegativeInteger), str(XSD.positiveInteger), str(XSD.int), str(XSD.long)):
        datatype = str(XSD.integer)
    return ("literal", lexical, lang, datatype)


def oxigraph_rows(
    store: pyoxigraph.Store, name: str, bindings: dict[str, URIRef] | None = None
) -> tuple[list[str], list[tuple[tuple[str, ...] | None, ...]]]:
    text = named_queries()[name].read_text(encoding="utf-8")
    if bindings:
        # Oxigraph substitutes only projected variables, so bindings become the trailing
        # VALUES clause, which SPARQL joins before projection as initBindings does.
        names = " ".join(f"?{k}" for k in bindings)
        values = " ".join(f"<{v}>" for v in bindings.values())
        text += f"\nVALUES ({names}) {{ ({values}) }}\n"
    solutions = store.query(text)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    columns = [v.value for v in solutions.variables]
    return columns, [tuple(_canon(s[c]) for c in columns) for s in solutions]


@pytest.fixture(scope="module")
def store() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(path=str(FIXTURE), format=pyoxigraph.RdfFormat.TURTLE)
    return store


# ---------------------------------------------------------------- named queries


def test_named_queries_are_all_there() -> None:
    assert set(named_queries()) == set(COLUMNS)
    assert all(path.parent == QUERY_DIR for path in named_queries().values())


@pytest.mark.parametrize("name", list(COLUMNS))
def test_columns(graph: rdflib.Graph, name: str) -> None:
    columns, rows = run_query(graph, named_query(name))
    assert columns == COLUMNS[name]
    assert rows


@pytest.mark.parametrize("name", list(COLUMNS))
def test_queries_declare_their_prefixes(name: str) -> None:
    # The .rq files must run in other engines, which do not know kgbuild's prefixes.
    text = named_queries()[name].read_text(encoding="utf-8")
    store = pyoxigraph.Store()
    store.query(text)  # raises SyntaxError on an undeclared prefix
    assert text.lstrip().startswith("#"), "each query opens with a header comment"


@pytest.mark.parametrize(
    ("name", "bindings"),
    [
        ("entities", {}),
        ("roles", {}),
        ("statements", {}),
        ("statement_about", {}),
        ("who_said_what_about", {}),
        ("who_said_what_about", {"target": FAJR}),
        ("roles_of", {}),
        ("roles_of", {"person": HADDAD}),
        ("statements_on_topic", {}),
        ("statements_on_topic", {"topic": SECURITY}),
    ],
)
def test_oxigraph_gives_the_same_rows(
    graph: rdflib.Graph, store: pyoxigraph.Store, name: str, bindings: dict[str, URIRef]
) -> None:
    columns, rows = run_query(graph, named_query(name), bindings)
    ox_columns, ox_rows = oxigraph_rows(store, name, bindings)
    assert ox_columns == columns
    assert ox_rows == [tuple(_canon(v) for v in row) for row in rows]


def test_entities(graph: rdflib.Graph) -> None:
    _, rows = run_named(graph, "entities")
    haddad = [(r["type"], r["label"]) for r in rows if r["entity"] == HADDAD]
    assert haddad == [
        (KG.Person, en("Haddad")),
        (KG.Person, en("Sami al-Haddad")),
        (KG.Person, ar("الحداد")),
        (KG.Person, ar("سامي الحداد")),
    ]
    assert {r["type"] for r in rows} == {KG.Person, KG.Organisation, KG.Place}
    assert SOURCE_AR not in {r["entity"] for r in rows}  # anonymous sources are not entities
    assert len(rows) == 21
    assert [str(r["entity"]) for r in rows] == sorted(str(r["entity"]) for r in rows)


def test_entities_bound_type(graph: rdflib.Graph) -> None:
    _, rows = run_named(graph, "entities", type=KG.Organisation)
    assert {r["entity"] for r in rows} == {FAJR, JOC}


def test_roles(graph: rdflib.Graph) -> None:
    _, rows = run_named(graph, "roles")
    assert rows == [
        {
            "person": KAREEM,
            "person_label": en("Layla Kareem"),
            "role_label": en("Defence Minister"),
            "org": IRAQ,
            "org_label": en("Iraq"),
            "role": ID["concept/role/defence-minister"],
            "article": EN1,
            "evidence_text": Literal("Iraqi Defence Minister Layla Kareem"),
            "assignment": ID["role/d24863dd624490e3"],
        },
        {
            "person": HADDAD,
            "person_label": ar("سامي الحداد"),
            "role_label": ar("قائد العمليات المشتركة"),
            "org": JOC,
            "org_label": ar("قيادة العمليات المشتركة"),
            "role": ID["concept/role/joint-operations-commander"],
            "article": AR1,
            "evidence_text": Literal("سامي الحداد، قائد العمليات المشتركة"),
            "assignment": ID["role/0ffe932e96c9ff5a"],
        },
    ]


def test_roles_one_row_per_assignment_and_article(graph: rdflib.Graph, store: pyoxigraph.Store) -> None:
    # A merged graph may hold a second spelling of the role and a second evidence span
    # in the same article; neither may multiply rows.  A second article adds one row.
    merged = copy_of(graph)
    assignment = ID["role/0ffe932e96c9ff5a"]
    merged.add((assignment, KG.roleLabel, ar("قائد العمليات المشتركه")))
    merged.add((assignment, KG.evidence, ID["evidence/ar-001/text/63-112"]))
    merged.add((assignment, rdflib.namespace.PROV.wasDerivedFrom, EN1))
    _, rows = run_named(merged, "roles")
    mine = [r for r in rows if r["assignment"] == assignment]
    assert [(r["article"], r["evidence_text"]) for r in mine] == [
        (AR1, Literal("سامي الحداد، قائد العمليات المشتركة")),
        (EN1, None),
    ]
    assert {r["role_label"] for r in mine} == {ar("قائد العمليات المشتركة")}


def test_roles_without_organisation_are_left_out(graph: rdflib.Graph) -> None:
    partial = copy_of(graph)
    partial.remove((ID["role/d24863dd624490e3"], rdflib.namespace.ORG.organization, None))
    _, rows = run_named(partial, "roles")
    assert [r["person"] for r in rows] == [HADDAD]


def test_statements(graph: rdflib.Graph) -> None:
    _, rows = run_named(graph, "statements")
    assert [(r["statement"], r["mentions_date"]) for r in rows] == [
        (S_AR_QUOTE, date("2015-06-10")),
        (S_AR_SOURCE, None),
        (S_EN_SAID, None),
        (S_EN_TOLD, date("--06-20", XSD.gMonthDay)),
        (S_EN_TOLD, date("--07-04", XSD.gMonthDay)),
        (S_EN_SOURCE, None),
    ]
    first = rows[0]
    assert first == {
        "statement": S_AR_QUOTE,
        "speaker": HADDAD,
        "speaker_label": ar("سامي الحداد"),
        "text": ar("كتائب الفجر انسحبت من الرمادي في العاشر من حزيران"),
        "cue": ar("قال"),
        "quote": Literal(True),
        "date": date("2015-07-23"),
        "mentions_date": date("2015-06-10"),
        "article": AR1,
        "evidence_start": Literal(63, datatype=XSD.integer),
        "evidence_end": Literal(112, datatype=XSD.integer),
    }
    by_statement = {r["statement"]: r for r in rows}
    # no kg:statedOn: the article's publication date
    assert by_statement[S_AR_SOURCE]["date"] == date("2015-07-24")
    assert by_statement[S_AR_SOURCE]["speaker_label"] == ar("مصدر أمني عراقي")
    assert by_statement[S_AR_SOURCE]["quote"] == Literal(False)
    # a partial date stays partial
    assert by_statement[S_EN_TOLD]["date"] == date("--06-11", XSD.gMonthDay)
    assert by_statement[S_EN_SAID]["speaker_label"] == en("Layla Kareem")
    assert by_statement[S_EN_SOURCE]["cue"] == en("According to")
    assert all(str(r["article"]).endswith(str(r["statement"]).split("/")[-3]) for r in rows)


def test_statement_date_unbound_without_any_date(graph: rdflib.Graph) -> None:
    undated = copy_of(graph)
    undated.remove((EN1, rdflib.namespace.DCTERMS.issued, None))
    _, rows = run_named(undated, "statements", statement=S_EN_SOURCE)
    assert [r["date"] for r in rows] == [None]


def test_speaker_label_falls_back_to_another_language(graph: rdflib.Graph, store: pyoxigraph.Store) -> None:
    arabic_only = copy_of(graph)
    arabic_only.remove((KAREEM, SKOS.prefLabel, en("Layla Kareem")))
    _, rows = run_named(arabic_only, "statements", speaker=KAREEM)
    assert {r["speaker_label"] for r in rows} == {ar("ليلى كريم")}
    # the fallback is deterministic: the smallest (language, text), in both engines
    arabic_only.add((KAREEM, SKOS.prefLabel, Literal("Layla Karim", lang="fr")))
    _, rows = run_named(arabic_only, "statements", speaker=KAREEM)
    assert {r["speaker_label"] for r in rows} == {ar("ليلى كريم")}
    other = pyoxigraph.Store()
    other.load(arabic_only.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    _, ox = oxigraph_rows(other, "statements", {"speaker": KAREEM})
    assert {row[2] for row in ox} == {_canon(ar("ليلى كريم"))}


def test_ties_are_broken_the_same_way_in_both_engines(graph: rdflib.Graph) -> None:
    # A merged graph may hold several prefLabels in one language, several role labels,
    # roles and evidence pieces.  The queries pick one by comparing plain strings (code
    # points), so both engines must make the same choice.
    tied = copy_of(graph)
    tied.add((HADDAD, SKOS.prefLabel, ar("أبو سامي")))  # أ (U+0623) sorts before س
    tied.add((HADDAD, SKOS.prefLabel, en("Al-Haddad")))
    tied.add((JOC, SKOS.prefLabel, ar("القيادة المشتركة")))  # ا (U+0627) before ق
    tied.add((FAJR, SKOS.prefLabel, Literal("Brigades du Fajr", lang="fr")))
    # statement evidence: the smallest begin index, then the smallest IRI
    pieces = (("evidence/ar-001/text/63-070", 63, 70), ("evidence/ar-001/text/200-210", 200, 210))
    for iri, begin, end in pieces:
        tied.add((S_AR_QUOTE, KG.evidence, ID[iri]))
        tied.add((ID[iri], NIF.beginIndex, Literal(begin, datatype=XSD.integer)))
        tied.add((ID[iri], NIF.endIndex, Literal(end, datatype=XSD.integer)))
    # role assignment: a smaller role label, role and evidence IRI in the same article
    assignment = ID["role/0ffe932e96c9ff5a"]
    tied.add((assignment, KG.roleLabel, ar("القائد")))
    tied.add((assignment, KG.roleLabel, en("Commander")))  # "ar|…" sorts before "en|…"
    tied.add((assignment, rdflib.namespace.ORG.role, ID["concept/role/a-commander"]))
    tied.add((assignment, KG.evidence, ID["evidence/ar-001/text/10-46"]))
    tied.add((ID["evidence/ar-001/text/10-46"], KG.inArticle, AR1))
    tied.add((ID["evidence/ar-001/text/10-46"], NIF.anchorOf, Literal("الحداد، القائد")))
    # and nothing to choose from: no evidence, no prefLabel
    tied.remove((S_EN_SOURCE, KG.evidence, None))
    tied.remove((SOURCE_EN, SKOS.prefLabel, None))

    _, rows = run_named(tied, "statements", statement=S_AR_QUOTE)
    assert [(r["speaker_label"], r["evidence_start"], r["evidence_end"]) for r in rows] == [
        (ar("أبو سامي"), Literal(63, datatype=XSD.integer), Literal(70, datatype=XSD.integer))
    ]
    _, rows = run_named(tied, "roles", assignment=assignment)
    chosen = [(r["person_label"], r["role_label"], r["org_label"], r["role"], r["evidence_text"])
              for r in rows]
    assert chosen == [
        (ar("أبو سامي"), ar("القائد"), ar("القيادة المشتركة"), ID["concept/role/a-commander"],
         Literal("الحداد، القائد")),
    ]
    _, rows = run_named(tied, "roles_of", person=HADDAD)
    assert [(r["role_label"], r["org_label"]) for r in rows] == [(ar("القائد"), ar("القيادة المشتركة"))]
    _, rows = run_named(tied, "statement_about", statement=S_AR_QUOTE)
    assert [r["about_label"] for r in rows] == [ar("كتائب الفجر"), ar("الرمادي")]
    _, rows = run_named(tied, "statement_about", statement=S_EN_SAID)
    assert {r["about"]: r["about_label"] for r in rows}[FAJR] == en("Fajr Brigades")
    _, rows = run_named(tied, "who_said_what_about", target=RAMADI)
    assert [r["speaker_label"] for r in rows] == [ar("أبو سامي"), en("Layla Kareem")]
    _, rows = run_named(tied, "statements", statement=S_EN_SOURCE)
    picked = [(r["speaker_label"], r["evidence_start"], r["evidence_end"]) for r in rows]
    assert picked == [(None, None, None)]

    store = pyoxigraph.Store()
    store.load(tied.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    for name in COLUMNS:
        for bindings in ({}, {"statement": S_AR_QUOTE}, {"person": HADDAD}, {"target": RAMADI},
                         {"topic": SECURITY}, {"article": EN1}):
            if not set(bindings) <= query_variables(named_query(name)):
                continue
            _, rows = run_query(tied, named_query(name), bindings)
            _, ox_rows = oxigraph_rows(store, name, bindings)
            assert ox_rows == [tuple(_canon(v) for v in row) for row in rows], (name, bindings)


def test_statement_about(graph: rdflib.Graph) -> None:
    _, rows = run_named(graph, "statement_about")
    pairs = {(r["statement"], r["about"]): r["about_label"] for r in rows}
    assert len(rows) == len(pairs) == 7
    assert pairs[(S_AR_QUOTE, FAJR)] == ar("كتائب الفجر")  # the language of the text
    assert pairs[(S_EN_SAID, FAJR)] == en("Fajr Brigades")
    assert pairs[(S_AR_SOURCE, ANBAR)] == ar("الأنبار")
    assert (S_EN_TOLD, FAJR) not in pairs


def test_who_said_what_about(graph: rdflib.Graph) -> None:
    _, rows = run_named(graph, "who_said_what_about", target=RAMADI)
    assert rows == [
        {
            "statement": S_AR_QUOTE,
            "speaker": HADDAD,
            "speaker_label": ar("سامي الحداد"),
            "text": ar("كتائب الفجر انسحبت من الرمادي في العاشر من حزيران"),
            "cue": ar("قال"),
            "date": date("2015-07-23"),
            "article": AR1,
        },
        {
            "statement": S_EN_SAID,
            "speaker": KAREEM,
            "speaker_label": en("Layla Kareem"),
            "text": en("the Fajr Brigades had lost Ramadi"),
            "cue": en("said"),
            "date": date("2015-07-27"),
            "article": EN1,
        },
    ]


def test_who_said_what_about_unbound_lists_each_statement_once(graph: rdflib.Graph) -> None:
    _, rows = run_named(graph, "who_said_what_about")
    assert sorted(str(r["statement"]) for r in rows) == sorted(
        map(str, [S_AR_QUOTE, S_AR_SOURCE, S_EN_SAID, S_EN_SOURCE])
    )


def test_roles_of(graph: rdflib.Graph) -> None:
    _, rows = run_named(graph, "roles_of", person=KAREEM)
    assert rows == [
        {"role_label": en("Defence Minister"), "org": IRAQ, "org_label": en("Iraq"), "article": EN1},
    ]
    _, rows = run_named(graph, "roles_of", person=FAJR)
    assert rows == []


def test_statements_on_topic(graph: rdflib.Graph) -> None:
    _, rows = run_named(graph, "statements_on_topic", topic=ARMED_CONFLICT)
    assert [(r["statement"], r["topic_label"], r["speaker_label"], r["date"]) for r in rows] == [
        (S_AR_QUOTE, ar("النزاع المسلح"), ar("سامي الحداد"), date("2015-07-23")),
        (S_EN_SAID, en("armed conflict"), en("Layla Kareem"), date("2015-07-27")),
    ]
    # a broader topic also finds statements tagged with a narrower one
    _, rows = run_named(graph, "statements_on_topic", topic=SECURITY)
    assert [(r["statement"], r["topic_label"]) for r in rows] == [
        (S_AR_SOURCE, ar("الأمن")),
        (S_AR_QUOTE, ar("النزاع المسلح")),
        (S_EN_SOURCE, en("security")),
        (S_EN_SAID, en("armed conflict")),
    ]


def test_statements_on_topic_unbound(graph: rdflib.Graph) -> None:
    _, rows = run_named(graph, "statements_on_topic")
    assert len(rows) == 4  # S_EN_TOLD has no topic
    assert S_EN_TOLD not in {r["statement"] for r in rows}


# ---------------------------------------------------------------- bindings


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("person=<https://w3id.org/kgbuild/id/person/x>", ("person", ID["person/x"])),
        ("person=https://w3id.org/kgbuild/id/person/x", ("person", ID["person/x"])),
        (
            "target=http://www.wikidata.org/entity/Q796",
            ("target", URIRef("http://www.wikidata.org/entity/Q796")),
        ),
        ("target=urn:x:y", ("target", URIRef("urn:x:y"))),
        ("person=id:person/sami-haddad", ("person", HADDAD)),
        ("type=kg:Person", ("type", KG.Person)),
        ("?topic=الأمن", ("topic", Literal("الأمن"))),
        ("target=Fajr Brigades", ("target", Literal("Fajr Brigades"))),
        ("target=a=b", ("target", Literal("a=b"))),
        ("target=foo:bar", ("target", Literal("foo:bar"))),  # unknown prefix: a label
        ("target=Note: this", ("target", Literal("Note: this"))),
    ],
)
def test_parse_binding(spec: str, expected: tuple[str, Identifier]) -> None:
    assert parse_binding(spec) == expected


@pytest.mark.parametrize("spec", ["person=", "person", "=x", "two words=x", "1x=y"])
def test_parse_binding_malformed(spec: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_binding(spec)
    assert info.value.problems[0].code == "E203"


def test_resolve_label_bindings(graph: rdflib.Graph) -> None:
    resolved = resolve_label_bindings(
        graph,
        {
            "a": Literal("الانبار"),  # no hamza: still الأنبار
            "b": Literal("fajr brigades"),  # case
            "c": Literal("Haddad"),  # an altLabel
            "d": Literal("مصدر امني عراقي"),  # an anonymous source
            "e": Literal("nobody at all"),
            "f": IRAQ,
            "g": Literal("الأمن"),  # a topic concept
        },
    )
    assert resolved == {
        "a": [ANBAR],
        "b": [FAJR],
        "c": [HADDAD],
        "d": [SOURCE_AR],
        "e": [Literal("nobody at all")],
        "f": [IRAQ],
        "g": [SECURITY],
    }


def test_resolve_label_matches_several_entities(graph: rdflib.Graph) -> None:
    shared = copy_of(graph)
    shared.add((KAREEM, SKOS.altLabel, en("Haddad")))
    resolved = resolve_label_bindings(shared, {"target": Literal("HADDAD")})
    assert resolved == {"target": [KAREEM, HADDAD]}
    assert expand_bindings({"target": [KAREEM, HADDAD], "x": [IRAQ]}) == [
        {"target": KAREEM, "x": IRAQ},
        {"target": HADDAD, "x": IRAQ},
    ]


def test_resolve_label_without_the_project_normaliser(
    graph: rdflib.Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes the import fail: the local fold must do the same job
    monkeypatch.setitem(sys.modules, "kgbuild.normalize", None)
    resolved = resolve_label_bindings(
        graph, {"a": Literal("الانبار"), "b": Literal("  FAJR   brigades "), "c": Literal("الرَّمادي")}
    )
    assert resolved == {"a": [ANBAR], "b": [FAJR], "c": [RAMADI]}


def test_run_query_with_arabic_label_binding(graph: rdflib.Graph) -> None:
    name, value = parse_binding("target=الانبار")
    runs = expand_bindings(resolve_label_bindings(graph, {name: value}))
    assert runs == [{"target": ANBAR}]
    columns, rows = run_query(graph, named_query("who_said_what_about"), runs[0])
    assert columns == COLUMNS["who_said_what_about"]
    assert [(r[0], r[2], r[5]) for r in rows] == [(S_AR_SOURCE, ar("مصدر أمني عراقي"), date("2015-07-24"))]


def test_bound_literal_is_a_value_not_query_text(graph: rdflib.Graph) -> None:
    # initBindings keeps a hostile value inert: it can only fail to match
    hostile = Literal('x" } } SELECT * WHERE { ?s ?p ?o } #')
    _, rows = run_query(graph, named_query("who_said_what_about"), {"target": hostile})
    assert rows == []


def test_unknown_variable_is_an_error(graph: rdflib.Graph) -> None:
    with pytest.raises(QueryError) as info:
        run_query(graph, named_query("roles_of"), {"persn": HADDAD})
    problem = info.value.problems[0]
    assert problem.code == "E205"
    assert "persn" in problem.message


def test_internal_variable_may_be_bound(graph: rdflib.Graph) -> None:
    # ?assignment is not a column of roles_of but is used by it
    _, rows = run_query(graph, named_query("roles_of"), {"assignment": ID["role/0ffe932e96c9ff5a"]})
    assert len(rows) == 1


# ---------------------------------------------------------------- preparing and running


def test_malformed_query_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("# a header\nSELECT ?x WHERE {\n  ?x kg:speaker \n", encoding="utf-8")
    with pytest.raises(QueryError) as info:
        read_query(path)
    problem = info.value.problems[0]
    assert problem.code == "E202"
    assert problem.file == str(path)
    assert "broken.rq" in str(info.value)
    assert problem.line is not None


def test_malformed_named_query(tmp_path: Path) -> None:
    (tmp_path / "oops.rq").write_text("SELECT WHERE", encoding="utf-8")
    assert named_queries(tmp_path) == {"oops": tmp_path / "oops.rq"}
    with pytest.raises(QueryError, match=r"oops\.rq.*\[E202\]"):
        named_query("oops", tmp_path)


def test_unknown_prefix_is_a_query_error() -> None:
    with pytest.raises(QueryError) as info:
        prepare("SELECT ?x WHERE { ?x nope:thing ?y }", source="inline")
    assert info.value.problems[0].file == "inline"
    assert info.value.problems[0].code == "E202"


def test_unknown_named_query() -> None:
    with pytest.raises(QueryError) as info:
        named_query("nope")
    assert info.value.problems[0].code == "E204"
    assert "roles" in info.value.problems[0].message


def test_prepare_knows_kgbuild_prefixes(graph: rdflib.Graph) -> None:
    query = prepare("SELECT ?p WHERE { ?p a kg:Person ; skos:prefLabel ?l FILTER(?l = 'Layla Kareem'@en) }")
    assert run_query(graph, query) == (["p"], [(KAREEM,)])
    # text and files are accepted as well as prepared queries
    assert run_query(graph, "SELECT ?a WHERE { ?a a kg:Article } ORDER BY ?a") == (["a"], [(AR1,), (EN1,)])
    assert run_query(graph, named_queries()["roles_of"], {"person": HADDAD})[1][0][1] == JOC


def test_non_select_query_is_rejected(graph: rdflib.Graph) -> None:
    with pytest.raises(QueryError):
        run_query(graph, "ASK { ?s ?p ?o }")


# ---------------------------------------------------------------- loading graphs


@pytest.mark.parametrize(
    "fmt,suffix", [("nt", ".nt"), ("json-ld", ".jsonld"), ("xml", ".rdf"), ("turtle", ".ttl")]
)
def test_load_graph_formats(graph: rdflib.Graph, tmp_path: Path, fmt: str, suffix: str) -> None:
    path = tmp_path / f"graph{suffix}"
    graph.serialize(path, format=fmt, encoding="utf-8")
    loaded = load_graph(path)
    assert len(loaded) == len(graph)
    assert run_query(loaded, named_query("roles"))[1] == run_query(graph, named_query("roles"))[1]


def test_load_graph_quads_give_the_union(graph: rdflib.Graph, tmp_path: Path) -> None:
    lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    half = len(lines) // 2
    quads = [line[: line.rindex(".")] + f"<{AR1}> .\n" for line in lines[:half] if line.strip()]
    quads += [line[: line.rindex(".")] + f"<{EN1}> .\n" for line in lines[half:] if line.strip()]
    path = tmp_path / "graph.nq"
    path.write_text("".join(quads), encoding="utf-8")
    loaded = load_graph(path)
    assert len(loaded) == len(graph)
    assert len(run_query(loaded, named_query("statements"))[1]) == 6


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("bad.ttl", "@prefix ex: <http://x/> .\nex:a ex:b ex:c .\nex:a ex:b .\n", 3),
        ("bad.trig", "@prefix ex: <http://x/> .\nex:g {\n ex:a ex:b ] }\n", 3),
        ("bad.jsonld", '{"@id": "http://x/a",\n "http://x/b": 1\n', 3),
        (
            "bad.rdf",
            '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            "<rdf:Description>\n</rdf:RDF>\n",
            4,
        ),
        ("bad.nt", "<http://x/a> <http://x/b> .\n", None),
    ],
)
def test_load_graph_errors(tmp_path: Path, name: str, content: str, line: int | None) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KGBuildError) as info:
        load_graph(path)
    problem = info.value.problems[0]
    assert problem.code == "E201"
    assert problem.file == str(path)
    assert problem.line == line
    assert "\n" not in problem.message


def test_load_graph_missing_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(KGBuildError, match="E201"):
        load_graph(tmp_path / "none.ttl")
    (tmp_path / "graph.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(KGBuildError, match=r"unknown graph file suffix '\.csv'"):
        load_graph(tmp_path / "graph.csv")


# ---------------------------------------------------------------- output formats


ROWS_COLUMNS = ["who", "said", "n", "quote", "missing"]
ROWS: list[tuple[Identifier | None, ...]] = [
    (HADDAD, ar('قال، "نعم"'), Literal(63, datatype=XSD.integer), Literal(True), None),
    (KAREEM, en("said\nthat"), Literal(7), Literal(False), None),
]


def test_format_table() -> None:
    out = format_rows(ROWS_COLUMNS, ROWS, "table")
    lines = out.rstrip("\n").split("\n")
    assert len(lines) == 4  # header, rule, two rows: newlines inside values are flattened
    assert lines[0].split(" | ")[:2] == ["who" + " " * (len("id:person/layla-kareem") - 3), "said" + " " * 6]
    assert lines[2].startswith("id:person/sami-haddad  | ")  # IRIs are compacted for reading
    assert set(lines[1]) <= {"-", "+"}
    assert 'قال، "نعم"' in lines[2]
    assert "said that" in lines[3]
    # columns line up: every separator sits at the same position on every line
    positions = [[i for i, ch in enumerate(line) if ch in "|+"] for line in lines]
    assert all(p == positions[1] for p in positions[2:])


def test_format_table_decodes_iris() -> None:
    iri = URIRef(str(ID) + "person/%D8%B3%D8%A7%D9%85%D9%8A")
    other = URIRef("http://example.org/x%20y")
    out = format_rows(["p", "k"], [(iri, KG.Person), (other, None)], "table")
    assert out.splitlines()[2:] == ["id:person/سامي" + " " * 8 + " | kg:Person", "http://example.org/x y |"]
    assert str(iri) in format_rows(["p"], [(iri,)], "csv")


def test_format_table_width_ignores_arabic_marks() -> None:
    # harakat take no column: the padded cell must not be shortened by them
    out = format_rows(["x", "y"], [(Literal("قَالَ"), Literal("a")), (Literal("abcd"), Literal("b"))], "table")
    first, second = out.splitlines()[2:4]
    assert first == "قَالَ" + "  | a"  # three letters + two harakat: one space of padding
    assert second == "abcd | b"


def test_format_csv() -> None:
    out = format_rows(ROWS_COLUMNS, ROWS, "csv")
    assert out.startswith("who,said,n,quote,missing\r\n")
    parsed = list(csv.reader(io.StringIO(out, newline="")))
    assert parsed == [
        ROWS_COLUMNS,
        [str(HADDAD), 'قال، "نعم"', "63", "true", ""],
        [str(KAREEM), "said\nthat", "7", "false", ""],
    ]


def test_format_json() -> None:
    out = format_rows(ROWS_COLUMNS, ROWS, "json")
    assert "قال" in out  # not \\u-escaped
    assert json.loads(out) == [
        {"who": str(HADDAD), "said": 'قال، "نعم"', "n": 63, "quote": True, "missing": None},
        {"who": str(KAREEM), "said": "said\nthat", "n": 7, "quote": False, "missing": None},
    ]


def test_format_real_query(graph: rdflib.Graph) -> None:
    columns, rows = run_query(graph, named_query("statements"))
    for fmt in ("table", "csv", "json"):
        assert "كتائب الفجر" in format_rows(columns, rows, fmt)
    data = json.loads(format_rows(columns, rows, "json"))
    assert data[0]["evidence_start"] == 63
    assert data[0]["date"] == "2015-07-23"


def test_format_empty() -> None:
    assert format_rows(["a", "b"], [], "csv") == "a,b\r\n"
    assert json.loads(format_rows(["a"], [], "json")) == []
    assert format_rows(["a", "b"], [], "table").splitlines()[0] == "a | b"


def test_unknown_format() -> None:
    with pytest.raises(KGBuildError) as info:
        format_rows(["a"], [], "xml")
    assert info.value.problems[0].code == "E207"
