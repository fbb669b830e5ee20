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
from rdflib import Graph, URIRef

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
}
FILES = tuple(SCHEMAS)


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


def _ontology_terms(path: Path) -> set[URIRef]:
    graph = Graph()
    graph.parse(path, format="turtle")
    return {s for s in graph.subjects() if isinstance(s, URIRef)}


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


def _check_gazetteer(value: dict, node: yaml.Node, file: str, out: list[Problem]) -> None:
    ids: dict[str, int] = {}
    aliases: dict[str, tuple[str, int | None]] = {}
    entries = value.get("entities") or []
    for index, entry in enumerate(entries):
        line = _line_of(node, "entities", index)
        if entry["id"] in ids:
            out.append(problem("E111", file, line, f"entities[{index}].id", value=entry["id"],
                               first_line=ids[entry["id"]]))
        ids.setdefault(entry["id"], line or 0)
        for lang in LANGS:
            names = [entry["labels"][lang], *((entry.get("aliases") or {}).get(lang) or [])]
            for name in names:
                key = fold_words(str(name))
                owner = aliases.get(key)
                if owner and owner[0] != entry["id"]:
                    out.append(problem("E108", file, line, f"entities[{index}].aliases.{lang}",
                                       alias=name, other=owner[0], other_line=owner[1]))
                aliases.setdefault(key, (entry["id"], line))
    for index, entry in enumerate(entries):
        for ref in ("country", "affiliation"):
            if entry.get(ref) and entry[ref] not in ids:
                out.append(problem("E110", file, _line_of(node, "entities", index, ref),
                                   f"entities[{index}].{ref}", kind="entity", value=entry[ref]))


def _check_gazetteer_refs(values: dict[str, Any], nodes: dict[str, yaml.Node], directory: Path,
                          out: list[Problem]) -> None:
    """Role bodies and grammar tables name gazetteer entries: each must exist."""
    known = {e["id"] for e in values["gazetteer"].get("entities") or []}
    for index, role in enumerate((values.get("roles") or {}).get("roles") or []):
        for country, body in (role.get("bodies") or {}).items():
            for ref in (str(country), str(body)):
                if ref not in known:
                    out.append(problem("E110", str(directory / "roles.yaml"),
                                       _line_of(nodes["roles"], "roles", index, "bodies", str(country)),
                                       f"roles[{index}].bodies.{country}", kind="entity", value=ref))
    for key in GRAMMAR_TABLES:
        for lang, words in ((values.get("grammar") or {}).get(key) or {}).items():
            for word, ref in (words or {}).items():
                if str(ref) not in known:
                    out.append(problem("E110", str(directory / "grammar.yaml"),
                                       _line_of(nodes["grammar"], key, lang, str(word)),
                                       f"{key}.{lang}.{word}", kind="entity", value=ref))


def _check_genders(value: dict, node: yaml.Node, file: str, out: list[Problem]) -> None:
    """A word of gendered_given_names or gendered_titles is listed under one gender only."""
    for key in GENDERED_NAMES:
        for lang, lists in (value.get(key) or {}).items():
            seen: dict[str, tuple[str, int | None]] = {}
            for gender in GENDERS:
                for index, word in enumerate((lists or {}).get(gender) or ()):
                    line = _line_of(node, key, lang, gender, index)
                    first = seen.setdefault(fold_words(str(word)), (gender, line))
                    if first[0] != gender:
                        out.append(problem("E113", file, line, f"{key}.{lang}.{gender}[{index}]",
                                           value=word, other=first[0], other_line=first[1]))


def _check_ids(items: list, node: yaml.Node, key: str, file: str, out: list[Problem]) -> set[str]:
    ids: dict[str, int | None] = {}
    for index, item in enumerate(items):
        line = _line_of(node, key, index)
        if item["id"] in ids:
            out.append(problem("E111", file, line, f"{key}[{index}].id", value=item["id"],
                               first_line=ids[item["id"]]))
        ids.setdefault(item["id"], line)
    return set(ids)


def load_mappings(directory: Path = MAPPINGS_DIR, ontology: Path = ONTOLOGY_PATH) -> Mappings:
    """Read and validate every mapping file; raise MappingError listing all problems."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    nodes: dict[str, yaml.Node] = {}
    for name, schema in SCHEMAS.items():
        path = directory / f"{name}.yaml"
        file = str(path)
        if not path.is_file():
            problems.append(problem("E112", file=file, missing=file))
            continue
        node, value, syntax = load_yaml(path.read_text(encoding="utf-8"), file)
        if syntax:
            problems.extend(syntax)
            continue
        if node is None:
            problems.append(problem("E103", file=file, line=1, expected="a mapping", got="an empty file"))
            continue
        ctx = Context(file)
        schema.check(node, "", ctx)
        problems.extend(ctx.problems)
        if not ctx.problems:
            values[name], nodes[name] = value, node
    if "gazetteer" in values:
        _check_gazetteer(values["gazetteer"], nodes["gazetteer"], str(directory / "gazetteer.yaml"), problems)
    if "roles" in values:
        role_ids = _check_ids(values["roles"]["roles"], nodes["roles"], "roles",
                              str(directory / "roles.yaml"), problems)
        for index, rank in enumerate(values["roles"].get("ranks") or []):
            if rank not in role_ids:
                problems.append(problem("E110", str(directory / "roles.yaml"),
                                        _line_of(nodes["roles"], "ranks", index), f"ranks[{index}]",
                                        kind="role", value=rank))
    if "grammar" in values and "roles" in values:
        known_roles = {r["id"] for r in values["roles"]["roles"]}
        for lang, words in ((values["grammar"] or {}).get("led_by") or {}).items():
            for word, role_id in (words or {}).items():
                if role_id not in known_roles:
                    problems.append(problem("E110", str(directory / "grammar.yaml"),
                                            _line_of(nodes["grammar"], "led_by", lang, str(word)),
                                            f"led_by.{lang}.{word}", kind="role", value=role_id))
    if "gazetteer" in values:
        _check_gazetteer_refs(values, nodes, directory, problems)
    if "names" in values:
        _check_genders(values["names"] or {}, nodes["names"], str(directory / "names.yaml"), problems)
    if "topics" in values:
        topic_ids = _check_ids(values["topics"]["topics"], nodes["topics"], "topics",
                               str(directory / "topics.yaml"), problems)
        for index, topic in enumerate(values["topics"]["topics"]):
            if topic.get("broader") and topic["broader"] not in topic_ids:
                problems.append(problem("E110", str(directory / "topics.yaml"),
                                        _line_of(nodes["topics"], "topics", index, "broader"),
                                        f"topics[{index}].broader", kind="topic", value=topic["broader"]))
    rdf_mapping = None
    if "rdf" in values:
        rdf_mapping = _build_rdf(values["rdf"], nodes["rdf"], str(directory / "rdf.yaml"), ontology, problems)
    if problems:
        raise MappingError(problems)
    assert rdf_mapping is not None
    return _build(directory, values, rdf_mapping)


def _build_rdf(value: dict, node: yaml.Node, file: str, ontology: Path,
               out: list[Problem]) -> RdfMapping | None:
    prefixes = {str(k): str(v) for k, v in value["prefixes"].items()}
    try:
        known = _ontology_terms(ontology)
    except (OSError, SyntaxError, ValueError) as err:
        out.append(problem("E201", file=str(ontology), reason=str(err)))
        return None

    def resolve(term: str, *keys: str | int) -> URIRef:
        iri = _expand(term, prefixes)
        if iri is None or iri not in known:
            key_path = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys).lstrip(".")
            out.append(problem("E105", file, _line_of(node, *keys), key_path, term=term))
            return URIRef(term)
        return iri

    classes = {name: tuple(resolve(t, "classes", name, i) for i, t in enumerate(terms))
               for name, terms in value["classes"].items()}
    properties = {rec: MappingProxyType({f: resolve(t, "properties", rec, f) for f, t in fields.items()})
                  for rec, fields in value["properties"].items()}
    return RdfMapping(MappingProxyType(prefixes), str(value["base"]), MappingProxyType(classes),
                      MappingProxyType(properties),
                      MappingProxyType({str(k): str(v) for k, v in (value.get("schemes") or {}).items()}))


def _numbered(items: list, lang: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(item["number"]), str(form)) for item in items for form in item.get(lang) or ())


def _build(directory: Path, v: dict[str, Any], rdf_mapping: RdfMapping) -> Mappings:
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
        rdf=rdf_mapping,
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
    )
