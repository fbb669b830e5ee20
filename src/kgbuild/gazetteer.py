"""Growing the gazetteer: the frequent actors of a built graph that it does not know yet.

``suggest`` reads a graph that ``kgbuild build`` wrote and ranks every person and
organisation that did not come from mappings/gazetteer.yaml by the number of articles
naming it, with a few passages where it is named (from the mention offsets and the
article text the graph keeps) and a gazetteer entry ready to paste.  Adding an actor to
the gazetteer is what makes it one node in both languages for good: its Arabic and
English names then match the same entry.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import rdflib
from rdflib import RDF, Literal, URIRef

from .config import Mappings
from .crossscript import gazetteer_stub
from .errors import KGBuildError, problem
from .mapping import Mapper
from .ntriples import bare
from .query import load_graph, parse_graph

TYPES = ("Person", "Organisation", "Place")
SUGGEST_FORMATS = ("text", "yaml", "csv", "json")
GRAPH_SYNTAX = {"ttl": "turtle", "trig": "trig", "nt": "nt", "nq": "nquads", "jsonld": "json-ld"}
WIKIDATA = "http://www.wikidata.org/entity/"


@dataclass(frozen=True)
class Context:
    """A passage naming the actor: the article id and the words around the mention,
    the mention itself in [brackets]."""

    article: str
    text: str


@dataclass(frozen=True)
class Suggestion:
    iri: str
    type: str
    labels: tuple[tuple[str, str], ...]  # (lang, preferred label), ar before en
    aliases: tuple[tuple[str, str], ...]  # (lang, other spelling)
    articles: int
    mentions: int
    contexts: tuple[Context, ...]
    stub: str  # one gazetteer entry, YAML flow style


def read_graph(source: str, stdin: BinaryIO | None = None, syntax: str | None = None) -> rdflib.Graph:
    """A graph file (syntax from its suffix), or standard input for '-' (Turtle unless
    ``syntax`` says otherwise: ttl, trig, nt, nq, jsonld)."""
    if source != "-":
        return load_graph(Path(source), in_memory=True)
    data = (stdin or sys.stdin.buffer).read()
    return parse_graph(data, GRAPH_SYNTAX[syntax or "ttl"], "<stdin>")


def _window(text: str, begin: int, end: int, width: int) -> str:
    """The mention in [brackets] with about ``width`` characters either side, cut at spaces."""
    before, after = text[max(0, begin - width):begin], text[end:end + width]
    if begin - width > 0 and " " in before:
        before = "…" + before.split(" ", 1)[1]
    if end + width < len(text) and " " in after:
        after = after.rsplit(" ", 1)[0] + "…"
    return re.sub(r"\s+", " ", f"{before}[{text[begin:end]}]{after}").strip()


def suggest(graph: rdflib.Graph, mappings: Mappings, *, min_count: int = 2, limit: int = 20,
            types: Sequence[str] = ("Person", "Organisation"), contexts: int = 2,
            width: int = 60) -> list[Suggestion]:
    """The actors of ``graph`` that the gazetteer does not know, most widely named first.

    An actor counts as known when its IRI is a gazetteer entry's or it has an owl:sameAs
    to Wikidata (only the gazetteer gives those).  ``min_count`` is the least number of
    articles naming it; ``contexts`` passages are taken from different articles.
    """
    rdf = mappings.rdf
    mapper = Mapper(mappings)
    known: set[object] = {URIRef(bare(mapper.entity_iri(f"gaz:{entry.id}"))) for entry in mappings.gazetteer}
    same_as = rdf.properties["Entity"]["same_as"]
    known |= {s for s, o in graph.subject_objects(same_as) if str(o).startswith(WIKIDATA)}
    wanted = {rdf.classes[t][0]: t for t in types}
    actors: dict[URIRef, str] = {}
    for cls, kind in wanted.items():
        for node in graph.subjects(RDF.type, cls):
            if isinstance(node, URIRef) and node not in known:
                actors[node] = kind

    m = rdf.properties["Mention"]
    identifier = rdf.properties["Article"]["identifier"]
    article_id: dict[URIRef, str] = {}

    def aid(article: object) -> str:
        if not isinstance(article, URIRef):
            return ""
        if article not in article_id:
            value = graph.value(article, identifier)
            article_id[article] = str(value) if value is not None else str(article)
        return article_id[article]

    mentions: dict[URIRef, list[tuple[str, int, int, URIRef]]] = defaultdict(list)
    for mention, actor in graph.subject_objects(m["entity"]):
        if not isinstance(actor, URIRef) or actor not in actors or not isinstance(mention, URIRef):
            continue
        begin, end = graph.value(mention, m["begin"]), graph.value(mention, m["end"])
        field = graph.value(mention, m["context"])
        if not isinstance(begin, Literal) or not isinstance(end, Literal) or not isinstance(field, URIRef):
            continue
        article = aid(graph.value(mention, m["article"]))
        mentions[actor].append((article, int(begin), int(end), field))
    articles: dict[URIRef, set[str]] = defaultdict(set)
    for actor, found in mentions.items():
        articles[actor] |= {a for a, _, _, _ in found}
    # a speaker or office holder may be named only through a pronoun or a title
    for record, actor_prop in (("Statement", "speaker"), ("RoleAssignment", "person")):
        props = rdf.properties[record]
        for node, actor in graph.subject_objects(props[actor_prop]):
            if isinstance(actor, URIRef) and actor in actors:
                articles[actor].add(aid(graph.value(node, props["article"])))

    ranked = sorted((a for a in actors if len(articles[a] - {""}) >= min_count),
                    key=lambda a: (-len(articles[a] - {""}), -len(mentions[a]), str(a)))
    if limit > 0:
        ranked = ranked[:limit]
    string = rdf.properties["TextField"]["string"]
    pref, alt = rdf.properties["Entity"]["pref_label"], rdf.properties["Entity"]["alt_label"]
    taken = set(mappings.gazetteer_by_id)
    out: list[Suggestion] = []
    for actor in ranked:
        labels = _by_lang(graph.objects(actor, pref))
        aliases = _by_lang(graph.objects(actor, alt))
        passages: list[Context] = []
        used: set[str] = set()
        for article, start, stop, field_node in sorted(mentions[actor], key=lambda x: (x[0], x[1], x[2])):
            if len(passages) >= contexts or article in used:
                continue
            text = graph.value(field_node, string)
            if text is not None:
                passages.append(Context(article, _window(str(text), start, stop, width)))
                used.add(article)
        pref_map = dict(labels)
        stub = gazetteer_stub(actors[actor], pref_map, taken,
                              {lang: [label for la, label in aliases if la == lang] for lang in ("ar", "en")})
        taken.add(stub.split("id: ", 1)[1].split(",", 1)[0])  # two suggestions never share an id
        out.append(Suggestion(str(actor), actors[actor], labels, aliases, len(articles[actor] - {""}),
                              len(mentions[actor]), tuple(passages), stub))
    return out


def _by_lang(literals: Iterable[object]) -> tuple[tuple[str, str], ...]:
    found = {(lit.language or "", str(lit)) for lit in literals if isinstance(lit, Literal)}
    return tuple(sorted(found, key=lambda x: (x[0] != "ar", x[0], x[1])))


def format_suggestions(items: Sequence[Suggestion], fmt: str = "text") -> str:
    """text (for reading), yaml (the entries alone, indented to paste under ``entities:``),
    csv or json."""
    if fmt == "yaml":
        lines = []
        for s in items:
            lines.append(f"  # {s.articles} article(s), {s.mentions} mention(s): {s.iri}")
            lines.append(f"  {s.stub}")
        return "\n".join(lines) + ("\n" if lines else "")
    if fmt == "json":
        data = [{"iri": s.iri, "type": s.type, "labels": dict(s.labels),
                 "aliases": [{"lang": lang, "label": label} for lang, label in s.aliases],
                 "articles": s.articles, "mentions": s.mentions,
                 "contexts": [{"article": c.article, "text": c.text} for c in s.contexts],
                 "gazetteer_entry": s.stub} for s in items]
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["iri", "type", "label_ar", "label_en", "articles", "mentions", "contexts",
                         "gazetteer_entry"])
        for s in items:
            labels = dict(s.labels)
            writer.writerow([s.iri, s.type, labels.get("ar", ""), labels.get("en", ""), s.articles,
                             s.mentions, " | ".join(f"{c.article}: {c.text}" for c in s.contexts), s.stub])
        return out.getvalue()
    if fmt != "text":
        raise KGBuildError(problem("E207", format=fmt))
    if not items:
        return "no actors outside the gazetteer are named often enough (see --min-count)\n"
    blocks = []
    for number, s in enumerate(items, 1):
        names = " · ".join(f"{lang} {label}" for lang, label in s.labels)
        lines = [f"{number}. {names}  ({s.type}, {s.articles} article(s), {s.mentions} mention(s))",
                 f"   {s.iri}"]
        lines += [f"   {c.article}: {c.text}" for c in s.contexts]
        lines.append(f"   {s.stub}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n\npaste an entry under 'entities:' in mappings/gazetteer.yaml " \
        "(check ids and any romanised label), then rebuild\n"
