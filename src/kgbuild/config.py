"""Load and validate the mapping YAML into one immutable ``Mappings`` object.

Each file has a schema (below); problems from every file are gathered and raised
together as one ``MappingError``.  Cross-file checks (references between ids, aliases
given twice, ontology terms) run on the loaded values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from .errors import MappingError, Problem, problem
from .normalize import fold, fold_words
from .records import EntityType
from .schema import (
    Bool,
    Choice,
    Context,
    Either,
    Int,
    LangMap,
    ListOf,
    MapOf,
    Null,
    Record,
    Regex,
    Schema,
    Str,
    TokenPattern,
    child,
    load_yaml,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MAPPINGS_DIR = PROJECT_ROOT / "mappings"
ONTOLOGY_PATH = PROJECT_ROOT / "ontology" / "kgbuild.ttl"
LANGS = ("ar", "en")

_ID = Str(pattern=r"[a-z0-9][a-z0-9-]*")
_FORMS = ListOf(Str())
_LABELS = LangMap(Str(), required=LANGS)

RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "Article": ("identifier", "title", "language", "published", "url", "content_hash"),
    "TextField": ("article", "field", "string"),
    "Entity": ("pref_label", "alt_label", "label", "same_as", "affiliation"),
    "Mention": ("entity", "article", "context", "begin", "end", "anchor", "rule"),
    "Evidence": ("article", "context", "begin", "end", "anchor"),
    "RoleAssignment": ("person", "organisation", "role", "role_label", "evidence", "article", "rule",
                       "represents"),
    "Statement": ("speaker", "cue", "content", "quote", "about", "topic", "stated_on", "mentions_date",
                  "evidence", "article", "rule", "voiced_by"),
    "Concept": ("in_scheme", "pref_label", "broader"),
    "Scheme": ("pref_label",),
    "Rule": ("label",),
}
CLASS_KEYS = ("Person", "Organisation", "Place", "AnonymousSource", "Article", "TextField", "Mention",
              "Evidence", "RoleAssignment", "Statement", "Rule", "RoleConcept", "TopicConcept", "Scheme")

GRAMMAR_LISTS = ("organisation_heads", "foreign_name_heads", "force_words", "anonymous_source_heads",
                 "anonymous_source_stops",
                 "place_heads", "title_modifiers", "function_words", "role_phrase_glue", "copulas",
                 "impersonal_cues", "content_prepositions", "cue_blockers", "person_pronouns",
                 "feminine_pronouns", "masculine_pronouns",
                 "group_pronouns", "cue_adverbs", "report_tail_openers",
                 "source_determiners", "addressee_cues", "clause_openers", "apposition_openers",
                 "subordinators", "nominal_cues",
                 "spokesperson_heads")
# Words that tell a person's gender (names.yaml): first names and titles ("Mrs.", "Sir")
GENDERED_NAMES = ("gendered_given_names", "gendered_titles")
GENDERS = ("female", "male")
# Grammar tables: language → word → gazetteer id (party_tags: "R" in "(R-Ariz.)")
GRAMMAR_TABLES = ("party_tags", "party_words", "state_tags")

SCHEMAS: dict[str, Schema] = {
    "gazetteer": Record(required={"entities": ListOf(Record(
        required={"id": _ID, "type": Choice(*(t.value for t in EntityType if t is not EntityType.ANONYMOUS)),
                  "labels": _LABELS},
        optional={"aliases": LangMap(_FORMS), "wikidata": Str(pattern=r"Q[0-9]+"),
                  "anaphors": LangMap(_FORMS), "demonyms": LangMap(_FORMS), "country": _ID,
                  "affiliation": _ID, "surnames": LangMap(_FORMS)}))}),
    "roles": Record(
        required={"titles": LangMap(_FORMS), "roles": ListOf(Record(
            required={"id": _ID, "labels": _LABELS, "forms": LangMap(_FORMS)},
            optional={"national": Bool(), "bodies": MapOf(_ID), "party_office": Bool()}))},
        optional={"ranks": ListOf(_ID)}),
    "cues": MapOf(Record(
        required={"verbs": ListOf(Either(_FORMS, Str()))},
        optional={"participles": ListOf(Either(_FORMS, Str())), "according_to": _FORMS,
                  "complementizers": _FORMS}),
        key=Choice(*LANGS)),
    "calendar": Record(
        required={"months": ListOf(Record(required={"number": Int(1, 12)},
                                          optional={"ar": _FORMS, "en": _FORMS}))},
        optional={"hijri_months": ListOf(Record(required={"number": Int(1, 12)},
                                                optional={"ar": _FORMS, "en": _FORMS})),
                  "weekdays": ListOf(Record(required={"number": Int(0, 6)},
                                            optional={"ar": _FORMS, "en": _FORMS})),
                  "relative_days": LangMap(MapOf(Int(-31, 31))),
                  "ordinals": LangMap(MapOf(Int(1, 31))),
                  "year_words": LangMap(_FORMS), "date_links": LangMap(_FORMS),
                  "past_words": LangMap(_FORMS), "next_words": LangMap(_FORMS)}),
    "topics": Record(
        required={"topics": ListOf(Record(
            required={"id": _ID, "labels": _LABELS, "keywords": LangMap(_FORMS)},
            optional={"broader": _ID}))},
        optional={"scheme": _LABELS}),
    "names": Record(optional={"given_names": LangMap(_FORMS), "name_particles": LangMap(_FORMS),
                              "not_names": LangMap(_FORMS),
                              **{key: LangMap(Record(optional={g: _FORMS for g in GENDERS}))
                                 for key in GENDERED_NAMES}}),
    "rdf": Record(
        required={"prefixes": MapOf(Str()), "base": Str(),
                  "classes": Record(required={k: ListOf(Str(), min_items=1) for k in CLASS_KEYS}),
                  "properties": Record(required={
                      rec: Record(required={f: Str() for f in fields})
                      for rec, fields in RECORD_FIELDS.items()})},
        optional={"schemes": Record(required={"roles": Str(), "topics": Str()})}),
    "pipeline": Record(optional={"spacy_models": LangMap(Either(Null(), Str()))}),
    "grammar": Record(optional={**{key: LangMap(_FORMS) for key in GRAMMAR_LISTS},
                                "led_by": LangMap(MapOf(_ID)),
                                **{key: LangMap(MapOf(_ID)) for key in GRAMMAR_TABLES},
                                "interview_markers": Record(required={"answer": Regex(),
                                                                      "question": Regex()})}),
    # spaCy Matcher token patterns whose matches are entity mentions (an EntityRuler's patterns)
    "patterns": Record(required={"patterns": ListOf(Record(
        required={"type": Choice(*(t.value for t in EntityType if t is not EntityType.ANONYMOUS)),
                  "pattern": TokenPattern()},
        optional={"lang": Choice(*LANGS), "gazetteer": _ID}))}),
}
FILES = tuple(SCHEMAS)
OPTIONAL_FILES = frozenset({"patterns"})  # a missing optional file is an empty one


def tag_key(text: str) -> str:
    """How a word of a grammar table is looked up: folded, without dots or spaces, so that
    "S.C.", "SC" and "S. C." are one key."""
    return fold_words(text).replace(".", "").replace(" ", "")


def _forms(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


def _lang_forms(value: Any) -> MappingProxyType[str, tuple[str, ...]]:
    return MappingProxyType({lang: _forms((value or {}).get(lang)) for lang in LANGS})


@dataclass(frozen=True)
class GazetteerEntry:
    id: str
    type: EntityType
    labels: MappingProxyType[str, str]
    aliases: MappingProxyType[str, tuple[str, ...]]
    anaphors: MappingProxyType[str, tuple[str, ...]]
    demonyms: MappingProxyType[str, tuple[str, ...]]
    surnames: MappingProxyType[str, tuple[str, ...]]
    wikidata: str | None = None
    country: str | None = None
    affiliation: str | None = None

    def names(self, lang: str) -> tuple[str, ...]:
        return (self.labels[lang], *self.aliases[lang])


@dataclass(frozen=True)
class RoleConcept:
    id: str
    labels: MappingProxyType[str, str]
    forms: MappingProxyType[str, tuple[str, ...]]
    national: bool = False
    # country id → the body that holds this office there (senator in usa → us-senate)
    bodies: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    party_office: bool = False  # nominee, campaign manager: the organisation is the party named with it


@dataclass(frozen=True)
class Topic:
    id: str
    labels: MappingProxyType[str, str]
    keywords: MappingProxyType[str, tuple[str, ...]]
    broader: str | None = None


@dataclass(frozen=True)
class CueLexicon:
    verbs: tuple[tuple[str, ...], ...]
    participles: tuple[tuple[str, ...], ...]
    according_to: tuple[str, ...]
    complementizers: tuple[str, ...]


@dataclass(frozen=True)
class Calendar:
    months: MappingProxyType[str, tuple[tuple[int, str], ...]]  # lang → (number, form)
    hijri_months: MappingProxyType[str, tuple[tuple[int, str], ...]]
    weekdays: MappingProxyType[str, tuple[tuple[int, str], ...]]
    relative_days: MappingProxyType[str, MappingProxyType[str, int]]
    ordinals: MappingProxyType[str, MappingProxyType[str, int]]
    # folded words around dates, per language: year_words, date_links, past_words, next_words
    words: MappingProxyType[str, MappingProxyType[str, frozenset[str]]] = field(
        default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class RdfMapping:
    prefixes: MappingProxyType[str, str]
    base: str
    classes: MappingProxyType[str, tuple[URIRef, ...]]
    properties: MappingProxyType[str, MappingProxyType[str, URIRef]]
    schemes: MappingProxyType[str, str]

    def prop(self, record: str, name: str) -> URIRef:
        return self.properties[record][name]


@dataclass(frozen=True)
class EntityPattern:
    """A token pattern (patterns.yaml) whose matches are mentions of ``type``, or of the
    gazetteer entry ``gazetteer``; ``lang`` None applies it to both languages."""

    type: EntityType
    pattern: tuple[dict[str, Any], ...]  # as spaCy's Matcher takes it; not to be modified
    lang: str | None = None
    gazetteer: str | None = None


@dataclass(frozen=True)
class Mappings:
    directory: Path
    gazetteer: tuple[GazetteerEntry, ...]
    titles: MappingProxyType[str, tuple[str, ...]]
    ranks: tuple[str, ...]
    roles: tuple[RoleConcept, ...]
    cues: MappingProxyType[str, CueLexicon]
    calendar: Calendar
    topics: tuple[Topic, ...]
    topic_scheme_labels: MappingProxyType[str, str]
    given_names: MappingProxyType[str, tuple[str, ...]]
    name_particles: MappingProxyType[str, tuple[str, ...]]
    not_names: MappingProxyType[str, tuple[str, ...]]
    rdf: RdfMapping
    spacy_models: MappingProxyType[str, str | None]
    # grammar list → language → folded words; led_by: language → folded word → role id
    grammar: MappingProxyType[str, MappingProxyType[str, frozenset[str]]] = field(
        default_factory=lambda: MappingProxyType({}))
    led_by: MappingProxyType[str, MappingProxyType[str, str]] = field(
        default_factory=lambda: MappingProxyType({}))
    # grammar table → language → tag_key(word) → gazetteer id
    tables: MappingProxyType[str, MappingProxyType[str, MappingProxyType[str, str]]] = field(
        default_factory=lambda: MappingProxyType({}))
    interview_answer: re.Pattern[str] | None = None
    interview_question: re.Pattern[str] | None = None
    gazetteer_by_id: MappingProxyType[str, GazetteerEntry] = field(
        default_factory=lambda: MappingProxyType({}))
    role_by_id: MappingProxyType[str, RoleConcept] = field(default_factory=lambda: MappingProxyType({}))
    # gendered_given_names / gendered_titles → language → folded word → "female" | "male"
    genders: MappingProxyType[str, MappingProxyType[str, MappingProxyType[str, str]]] = field(
        default_factory=lambda: MappingProxyType({}))
    patterns: tuple[EntityPattern, ...] = ()

    @cached_property
    def topic_keywords(self) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
        """Language → (topic id, the folded keywords to look for) for every topic, in order:
        every statement's content is searched for them, so this is done once.  A topic is
        named wherever one of its keywords occurs, so empty keywords and those holding a
        shorter keyword of the same topic are left out."""
        def needed(keywords: tuple[str, ...]) -> tuple[str, ...]:
            kept: list[str] = []
            for keyword in sorted({fold(k) for k in keywords} - {""}, key=lambda k: (len(k), k)):
                if not any(shorter in keyword for shorter in kept):
                    kept.append(keyword)
            return tuple(kept)
        return {lang: tuple((t.id, needed(t.keywords[lang])) for t in self.topics) for lang in LANGS}


def _expand(term: str, prefixes: dict[str, str]) -> URIRef | None:
    if term.startswith("<") and term.endswith(">"):
        return URIRef(term[1:-1])
    prefix, sep, local = term.partition(":")
    if not sep or prefix not in prefixes:
        return None
    return URIRef(prefixes[prefix] + local)


_CLASS_TYPES = frozenset({OWL.Class, RDFS.Class})
_PROPERTY_TYPES = frozenset({OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property})


def _ontology_terms(path: Path) -> dict[URIRef, str]:
    """Every term the ontology declares → "a class", "a property" or "a term" (declared
    with no type: rdfs:label, owl:sameAs)."""
    graph = Graph()
    graph.parse(path, format="turtle")
    terms: dict[URIRef, str] = {}
    for term in {s for s in graph.subjects() if isinstance(s, URIRef)}:
        types = set(graph.objects(term, RDF.type))
        terms[term] = "a class" if types & _CLASS_TYPES else "a property" if types & _PROPERTY_TYPES \
            else "a term"
    return terms


def _line_of(node: yaml.Node | None, *keys: str | int) -> int | None:
    """The line of a nested value, following mapping keys and list indices."""
    for key in keys:
        if node is None:
            return None
        if isinstance(key, int) and isinstance(node, yaml.SequenceNode):
            node = node.value[key] if key < len(node.value) else None
        elif isinstance(node, yaml.MappingNode):
            node = child(node, str(key))
        else:
            return None
    return node.start_mark.line + 1 if node is not None else None


def _entries(value: Any, key: str) -> list[tuple[int, dict[str, Any]]] | None:
    """The readable items of the list ``key`` with their indices; None when the list itself
    is missing or broken, so that nothing is checked against it."""
    items = value.get(key) if isinstance(value, dict) else None
    if not isinstance(items, list):
        return None
    return [(index, item) for index, item in enumerate(items) if isinstance(item, dict)]


def _mapping(value: Any, *keys: str) -> dict[str, Any]:
    """The mapping at ``keys`` below ``value``; empty where any step is missing or broken."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def _check_gazetteer(value: Any, node: yaml.Node, file: str,
                     out: list[Problem]) -> dict[str, str | None] | None:
    """Ids are unique, a name belongs to one entry only, and countries and affiliations are
    entries.  Returns each id's type (None where the type is broken), or None when the list
    of entities is unreadable."""
    entries = _entries(value, "entities")
    if entries is None:
        return None
    types: dict[str, str | None] = {}
    id_lines: dict[str, int | None] = {}
    owners: dict[str, tuple[str, int | None]] = {}  # folded name → (entry, line)
    for index, entry in entries:
        entry_id = entry.get("id")
        if entry_id is not None:
            line = _line_of(node, "entities", index, "id")
            if entry_id in id_lines:
                out.append(problem("E111", file, line, f"entities[{index}].id", value=entry_id,
                                   first_line=id_lines[entry_id]))
            else:
                id_lines[entry_id], types[entry_id] = line, entry.get("type")
        owner = entry_id or f"entities[{index}]"
        for lang in LANGS:
            names: list[tuple[str, tuple[str | int, ...], str]] = []
            label = _mapping(entry, "labels").get(lang)
            if label is not None:
                names.append((label, ("labels", lang), f"labels.{lang}"))
            for number, alias in enumerate(_mapping(entry, "aliases").get(lang) or ()):
                if alias is not None:
                    names.append((alias, ("aliases", lang, number), f"aliases.{lang}"))
            for name, keys, where in names:
                folded = fold_words(name)
                line = _line_of(node, "entities", index, *keys)
                first = owners.setdefault(folded, (owner, line)) if folded else (owner, line)
                if first[0] != owner:
                    out.append(problem("E108", file, line, f"entities[{index}].{where}",
                                       alias=name, other=first[0], other_line=first[1]))
    for index, entry in entries:
        for ref in ("country", "affiliation"):
            if entry.get(ref) is not None and entry[ref] not in types:
                out.append(problem("E110", file, _line_of(node, "entities", index, ref),
                                   f"entities[{index}].{ref}", kind="entity", value=entry[ref]))
    return types


def _check_gazetteer_refs(values: dict[str, Any], nodes: dict[str, yaml.Node], known: set[str],
                          directory: Path, out: list[Problem]) -> None:
    """Role bodies and grammar tables name gazetteer entries: each must exist."""
    for index, role in _entries(values.get("roles"), "roles") or ():
        for country, body in _mapping(role, "bodies").items():
            for ref in (country, body):
                if ref not in known:
                    out.append(problem("E110", str(directory / "roles.yaml"),
                                       _line_of(nodes["roles"], "roles", index, "bodies", country),
                                       f"roles[{index}].bodies.{country}", kind="entity", value=ref))
    for key in GRAMMAR_TABLES:
        for lang, words in _mapping(values.get("grammar"), key).items():
            for word, ref in words.items():
                if ref not in known:
                    out.append(problem("E110", str(directory / "grammar.yaml"),
                                       _line_of(nodes["grammar"], key, lang, word),
                                       f"{key}.{lang}.{word}", kind="entity", value=ref))


def _check_pattern_entries(value: Any, node: yaml.Node, types: dict[str, str | None] | None, file: str,
                           out: list[Problem]) -> None:
    """A pattern's gazetteer entry exists and is of the pattern's type."""
    if types is None:
        return  # gazetteer.yaml is unreadable: nothing to check against
    for index, entry in _entries(value, "patterns") or ():
        gid = entry.get("gazetteer")
        if gid is None:
            continue
        line = _line_of(node, "patterns", index, "gazetteer")
        if gid not in types:
            out.append(problem("E110", file, line, f"patterns[{index}].gazetteer", kind="entity", value=gid))
        elif entry.get("type") is not None and types[gid] is not None and entry["type"] != types[gid]:
            out.append(problem("E114", file, _line_of(node, "patterns", index, "type"),
                               f"patterns[{index}].type", type=entry["type"], entry_type=types[gid], id=gid))


def _check_genders(value: Any, node: yaml.Node, file: str, out: list[Problem]) -> None:
    """A word of gendered_given_names or gendered_titles is listed under one gender only."""
    for key in GENDERED_NAMES:
        for lang, lists in _mapping(value, key).items():
            seen: dict[str, tuple[str, int | None]] = {}
            for gender in GENDERS:
                for index, word in enumerate(_mapping(lists).get(gender) or ()):
                    if word is None:
                        continue
                    line = _line_of(node, key, lang, gender, index)
                    first = seen.setdefault(fold_words(word), (gender, line))
                    if first[0] != gender:
                        out.append(problem("E113", file, line, f"{key}.{lang}.{gender}[{index}]",
                                           value=word, other=first[0], other_line=first[1]))


def _check_ids(value: Any, node: yaml.Node, key: str, file: str, out: list[Problem]) -> set[str] | None:
    """Ids of the list ``key`` are unique; returns them, or None when the list is unreadable."""
    entries = _entries(value, key)
    if entries is None:
        return None
    ids: dict[str, int | None] = {}
    for index, item in entries:
        item_id = item.get("id")
        if item_id is None:
            continue
        line = _line_of(node, key, index, "id")
        if item_id in ids:
            out.append(problem("E111", file, line, f"{key}[{index}].id", value=item_id,
                               first_line=ids[item_id]))
        ids.setdefault(item_id, line)
    return set(ids)


def _check_rdf(value: Any, node: yaml.Node, file: str, ontology: Path, out: list[Problem]) -> None:
    """Every class and property named is declared in the ontology, as a class or a property."""
    try:
        known = _ontology_terms(ontology)
    except (OSError, SyntaxError, ValueError) as err:
        out.append(problem("E201", file=str(ontology), reason=str(err)))
        return
    prefixes = _mapping(value, "prefixes")

    def check(term: str, needed: str, *keys: str | int) -> None:
        iri = _expand(term, prefixes)
        key_path = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys).lstrip(".")
        if iri is None or iri not in known:
            out.append(problem("E105", file, _line_of(node, *keys), key_path, term=term))
        elif known[iri] not in (needed, "a term"):
            out.append(problem("E116", file, _line_of(node, *keys), key_path, term=term, actual=known[iri],
                               expected=needed))

    for name, terms in _mapping(value, "classes").items():
        for index, term in enumerate(terms):
            if term is not None:
                check(term, "a class", "classes", name, index)
    for record, fields in _mapping(value, "properties").items():
        for name, term in fields.items():
            check(term, "a property", "properties", record, name)


def _read(path: Path, out: list[Problem]) -> str | None:
    """The text of a mapping file, or None with the problem reported."""
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        out.append(problem("E117", file=file, reason=err.strerror or str(err)))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        out.append(problem("E101", file=file, line=data[:err.start].count(b"\n") + 1,
                           reason=f"not UTF-8 text ({err.reason} at byte {err.start})"))
        return None


def load_mappings(directory: Path = MAPPINGS_DIR, ontology: Path = ONTOLOGY_PATH) -> Mappings:
    """Read and validate every mapping file; raise MappingError listing all problems.

    Each file is checked on its own first; the checks between entries and files then run
    on whatever had the right types, so one run reports every problem of every file."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    nodes: dict[str, yaml.Node] = {}
    for name, schema in SCHEMAS.items():
        path = directory / f"{name}.yaml"
        file = str(path)
        if not path.is_file():
            if name not in OPTIONAL_FILES:
                problems.append(problem("E112", file=file, missing=file))
            continue
        text = _read(path, problems)
        if text is None:
            continue
        node, _, syntax = load_yaml(text, file)
        if syntax:
            problems.extend(syntax)
            continue
        if node is None:
            problems.append(problem("E103", file=file, line=1, expected="a mapping", got="an empty file"))
            continue
        ctx = Context(file)
        value = schema.check(node, "", ctx)
        problems.extend(ctx.problems)
        values[name], nodes[name] = (value if isinstance(value, dict) else {}), node
    file_of = {name: str(directory / f"{name}.yaml") for name in values}
    types = None
    if "gazetteer" in values:
        types = _check_gazetteer(values["gazetteer"], nodes["gazetteer"], file_of["gazetteer"], problems)
        if types is not None:
            _check_gazetteer_refs(values, nodes, set(types), directory, problems)
    if "patterns" in values:
        _check_pattern_entries(values["patterns"], nodes["patterns"], types, file_of["patterns"], problems)
    role_ids = None
    if "roles" in values:
        role_ids = _check_ids(values["roles"], nodes["roles"], "roles", file_of["roles"], problems)
        for index, rank in enumerate(values["roles"].get("ranks") or ()):
            if role_ids is not None and rank is not None and rank not in role_ids:
                problems.append(problem("E110", file_of["roles"], _line_of(nodes["roles"], "ranks", index),
                                        f"ranks[{index}]", kind="role", value=rank))
    if "grammar" in values and role_ids is not None:
        for lang, words in _mapping(values["grammar"], "led_by").items():
            for word, role_id in words.items():
                if role_id not in role_ids:
                    problems.append(problem("E110", file_of["grammar"],
                                            _line_of(nodes["grammar"], "led_by", lang, word),
                                            f"led_by.{lang}.{word}", kind="role", value=role_id))
    if "names" in values:
        _check_genders(values["names"], nodes["names"], file_of["names"], problems)
    if "topics" in values:
        topic_ids = _check_ids(values["topics"], nodes["topics"], "topics", file_of["topics"], problems)
        for index, topic in _entries(values["topics"], "topics") or ():
            broader = topic.get("broader")
            if topic_ids is not None and broader is not None and broader not in topic_ids:
                problems.append(problem("E110", file_of["topics"],
                                        _line_of(nodes["topics"], "topics", index, "broader"),
                                        f"topics[{index}].broader", kind="topic", value=broader))
    if "rdf" in values:
        _check_rdf(values["rdf"], nodes["rdf"], file_of["rdf"], ontology, problems)
    if problems:
        # each file's problems together, in the order of their lines
        problems.sort(key=lambda p: (p.file, p.line or 0))
        raise MappingError(problems)
    return _build(directory, values)


def _build_rdf(value: dict[str, Any]) -> RdfMapping:
    """The rdf.yaml terms as IRIs; _check_rdf has found every one in the ontology."""
    prefixes = {str(k): str(v) for k, v in value["prefixes"].items()}

    def resolve(term: str) -> URIRef:
        iri = _expand(term, prefixes)
        assert iri is not None
        return iri

    classes = {name: tuple(resolve(t) for t in terms) for name, terms in value["classes"].items()}
    properties = {rec: MappingProxyType({f: resolve(t) for f, t in fields.items()})
                  for rec, fields in value["properties"].items()}
    return RdfMapping(MappingProxyType(prefixes), str(value["base"]), MappingProxyType(classes),
                      MappingProxyType(properties),
                      MappingProxyType({str(k): str(v) for k, v in (value.get("schemes") or {}).items()}))


def _numbered(items: list, lang: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(item["number"]), str(form)) for item in items for form in item.get(lang) or ())


def _build(directory: Path, v: dict[str, Any]) -> Mappings:
    entries = tuple(
        GazetteerEntry(
            id=e["id"], type=EntityType(e["type"]),
            labels=MappingProxyType({lang: str(e["labels"][lang]) for lang in LANGS}),
            aliases=_lang_forms(e.get("aliases")), anaphors=_lang_forms(e.get("anaphors")),
            demonyms=_lang_forms(e.get("demonyms")), surnames=_lang_forms(e.get("surnames")),
            wikidata=e.get("wikidata"), country=e.get("country"), affiliation=e.get("affiliation"))
        for e in v["gazetteer"]["entities"])
    roles = tuple(
        RoleConcept(id=r["id"], labels=MappingProxyType({lang: str(r["labels"][lang]) for lang in LANGS}),
                    forms=_lang_forms(r.get("forms")), national=bool(r.get("national", False)),
                    bodies=MappingProxyType({str(k): str(b) for k, b in (r.get("bodies") or {}).items()}),
                    party_office=bool(r.get("party_office", False)))
        for r in v["roles"]["roles"])
    topics = tuple(
        Topic(id=t["id"], labels=MappingProxyType({lang: str(t["labels"][lang]) for lang in LANGS}),
              keywords=_lang_forms(t.get("keywords")), broader=t.get("broader"))
        for t in v["topics"]["topics"])

    def cue_lexicon(raw: dict) -> CueLexicon:
        def groups(items: list | None) -> tuple[tuple[str, ...], ...]:
            return tuple(_forms(i) if isinstance(i, list) else (str(i),) for i in items or ())
        return CueLexicon(groups(raw.get("verbs")), groups(raw.get("participles")),
                          _forms(raw.get("according_to")), _forms(raw.get("complementizers")))

    cal = v["calendar"]
    calendar = Calendar(
        months=MappingProxyType({lang: _numbered(cal["months"], lang) for lang in LANGS}),
        hijri_months=MappingProxyType({lang: _numbered(cal.get("hijri_months") or [], lang)
                                       for lang in LANGS}),
        weekdays=MappingProxyType({lang: _numbered(cal.get("weekdays") or [], lang) for lang in LANGS}),
        relative_days=MappingProxyType({lang: MappingProxyType({str(k): int(n) for k, n in
                                        ((cal.get("relative_days") or {}).get(lang) or {}).items()})
                                        for lang in LANGS}),
        ordinals=MappingProxyType({lang: MappingProxyType({str(k): int(n) for k, n in
                                   ((cal.get("ordinals") or {}).get(lang) or {}).items()})
                                   for lang in LANGS}),
        words=MappingProxyType({key: MappingProxyType({lang: frozenset(fold_words(str(w)) for w in
                                                                       ((cal.get(key) or {}).get(lang) or ()))
                                                       for lang in LANGS})
                                for key in ("year_words", "date_links", "past_words", "next_words")}))
    names = v.get("names") or {}
    grammar = v.get("grammar") or {}
    folded_grammar = MappingProxyType({
        key: MappingProxyType({lang: frozenset(fold_words(str(w)) for w in
                                               ((grammar.get(key) or {}).get(lang) or ()))
                               for lang in LANGS})
        for key in GRAMMAR_LISTS})
    markers = grammar.get("interview_markers")
    led_by_raw = grammar.get("led_by") or {}
    led_by = MappingProxyType({lang: MappingProxyType({fold_words(str(w)): str(r)
                                                       for w, r in (led_by_raw.get(lang) or {}).items()})
                               for lang in LANGS})
    tables = MappingProxyType({
        key: MappingProxyType({lang: MappingProxyType({tag_key(str(w)): str(i) for w, i in
                                                       ((grammar.get(key) or {}).get(lang) or {}).items()})
                               for lang in LANGS})
        for key in GRAMMAR_TABLES})
    scheme = (v["topics"].get("scheme") or {"ar": "المواضيع", "en": "Topics"})
    return Mappings(
        directory=directory,
        gazetteer=entries,
        titles=_lang_forms(v["roles"].get("titles")),
        ranks=tuple(v["roles"].get("ranks") or ()),
        roles=roles,
        cues=MappingProxyType({lang: cue_lexicon((v["cues"] or {}).get(lang) or {}) for lang in LANGS}),
        calendar=calendar,
        topics=topics,
        topic_scheme_labels=MappingProxyType({lang: str(scheme[lang]) for lang in LANGS}),
        given_names=_lang_forms(names.get("given_names")),
        name_particles=_lang_forms(names.get("name_particles")),
        not_names=_lang_forms(names.get("not_names")),
        rdf=_build_rdf(v["rdf"]),
        spacy_models=MappingProxyType({lang: ((v.get("pipeline") or {}).get("spacy_models") or {}).get(lang)
                                       for lang in LANGS}),
        grammar=folded_grammar,
        led_by=led_by,
        tables=tables,
        interview_answer=re.compile(markers["answer"], re.M) if markers else None,
        interview_question=re.compile(markers["question"], re.M) if markers else None,
        gazetteer_by_id=MappingProxyType({e.id: e for e in entries}),
        role_by_id=MappingProxyType({r.id: r for r in roles}),
        genders=MappingProxyType({
            key: MappingProxyType({lang: MappingProxyType({
                fold_words(str(w)): gender for gender in GENDERS
                for w in (((names.get(key) or {}).get(lang) or {}).get(gender) or ())})
                for lang in LANGS})
            for key in GENDERED_NAMES}),
        patterns=tuple(EntityPattern(EntityType(p["type"]), tuple(p["pattern"]), p.get("lang"),
                                     p.get("gazetteer"))
                       for p in (v.get("patterns") or {}).get("patterns") or ()),
    )
