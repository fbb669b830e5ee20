"""The graph stage: merge per-article triples, settle labels, write every serialisation.

Serialisations are written by hand, sorted, so that the same input gives byte-identical
files whatever Python's hash seed (rdflib's own writers follow set order).  JSON-LD goes
through rdflib and is then sorted.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from .config import Mappings
from .crossscript import Actor
from .mapping import LabelCandidate, Mapper, Triple
from .records import ArticleResult

FORMATS = ("ttl", "trig", "nt", "nq", "jsonld")
_PN_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
VOCAB_PREFIXES = {
    "kg": "https://w3id.org/kgbuild/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


@dataclass
class KnowledgeGraph:
    """Triples per article plus label candidates; labels are settled on output."""

    mappings: Mappings
    per_article: dict[str, set[Triple]] = field(default_factory=dict)
    label_candidates: list[LabelCandidate] = field(default_factory=list)
    article_ids: dict[str, str] = field(default_factory=dict)  # article IRI → article id
    _labels: dict[URIRef, list[Triple]] | None = None
    _mapper: Mapper | None = None

    @property
    def mapper(self) -> Mapper:
        if self._mapper is None:
            self._mapper = Mapper(self.mappings)
        return self._mapper

    def add(self, result: ArticleResult) -> None:
        triples, labels = self.mapper.map_article(result)
        name = str(self.mapper.article_iri(result.article.id))
        self.per_article[name] = set(triples)
        self.article_ids[name] = result.article.id
        self.label_candidates += labels
        self._labels = None

    # ---- one actor, one node, across scripts (kgbuild.crossscript) -------------------------
    def actors(self) -> list[Actor]:
        """Every person, organisation and place not from the gazetteer, with its one
        preferred label and the articles it occurs in; actors already labelled in both
        scripts are left out (there is nothing to match)."""
        kinds = {cls: kind for kind in ("Person", "Organisation", "Place")
                 for cls in self.mappings.rdf.classes[kind][:1]}
        types: dict[URIRef, str] = {}
        seen_in: dict[URIRef, set[str]] = defaultdict(set)
        for name, triples in self.per_article.items():
            for s, p, o in triples:
                if p == RDF.type and o in kinds:
                    types[s] = kinds[o]  # type: ignore[index]
                    seen_in[s].add(self.article_ids[name])
        known = {c.entity for c in self.label_candidates if c.from_gazetteer}
        pref = self.mappings.rdf.properties["Entity"]["pref_label"]
        labels = self.label_triples()
        out: list[Actor] = []
        for node in sorted(types.keys() - known):
            names = [o for _, p, o in labels.get(node, ()) if p == pref]
            if len(names) == 1:
                out.append(Actor(str(node), types[node], str(names[0]), tuple(sorted(seen_in[node]))))
        return out

    def apply_merges(self, pairs: Iterable[tuple[URIRef, URIRef]]) -> None:
        """Make each (kept, merged) pair one node: every triple of ``merged`` is rewritten
        to ``kept``, which records ``owl:sameAs merged`` in each article graph that used
        the merged IRI (so the trig still says where that name came from); role nodes,
        whose IRIs are made from their person and organisation, are remade so that one
        office held by the merged actor is one node again."""
        rename: dict[Node, URIRef] = {merged: kept for kept, merged in pairs if kept != merged}
        if not rename:
            return
        for role, (person, office, org) in list(self.mapper.role_parts.items()):
            if person in rename or org in rename:
                rename[role] = self.mapper.role_iri(rename.get(person, person), office, rename.get(org, org))
        same_as = self.mappings.rdf.properties["Entity"]["same_as"]
        merged_nodes = {m for m in rename if m not in self.mapper.role_parts}
        for name, triples in self.per_article.items():
            touched = {n for s, _, o in triples for n in (s, o) if n in rename}
            if not touched:
                continue
            rewritten = {(rename.get(s, s), p, rename.get(o, o)) for s, p, o in triples}
            rewritten |= {(rename[n], same_as, n) for n in touched & merged_nodes}
            self.per_article[name] = rewritten
        self.label_candidates = [
            replace(c, entity=rename[c.entity]) if c.entity in rename else c for c in self.label_candidates]
        self._labels = None

    def label_triples(self) -> dict[URIRef, list[Triple]]:
        """One prefLabel per entity and language: the gazetteer's, else the name most often
        written in full; every other spelling becomes an altLabel."""
        if self._labels is not None:
            return self._labels
        props = self.mappings.rdf.properties["Entity"]
        grouped: dict[tuple[URIRef, str], list[LabelCandidate]] = defaultdict(list)
        for candidate in self.label_candidates:
            grouped[(candidate.entity, candidate.lang)].append(candidate)
        out: dict[URIRef, list[Triple]] = defaultdict(list)
        for (entity, lang), candidates in sorted(grouped.items()):
            gazetteer = [c for c in candidates if c.from_gazetteer and c.preferred]
            written = Counter(c.label for c in candidates if c.written)
            if written:
                # a known person is named as the sources spell him; the gazetteer form stays an altLabel
                chosen = min(written, key=lambda label: (-written[label], -len(label.split()), label))
            elif gazetteer:
                chosen = gazetteer[0].label
            else:
                votes = Counter(c.label for c in candidates if c.preferred)
                chosen = min(votes, key=lambda label: (-votes[label], -len(label.split()), label))
            lit = Literal(chosen, lang=lang) if lang in ("ar", "en") else Literal(chosen)
            out[entity] += [(entity, props["pref_label"], lit), (entity, props["label"], lit)]
            for label in sorted({c.label for c in candidates} - {chosen}):
                alt = Literal(label, lang=lang) if lang in ("ar", "en") else Literal(label)
                out[entity].append((entity, props["alt_label"], alt))
        self._labels = dict(out)
        return self._labels

    def article_triples(self, graph_name: str) -> set[Triple]:
        triples = set(self.per_article[graph_name])
        labels = self.label_triples()
        for subject in {s for s, _, _ in triples}:
            triples.update(labels.get(subject, ()))
        return triples

    def all_triples(self) -> set[Triple]:
        union: set[Triple] = set()
        for triples in self.per_article.values():
            union |= triples
        for label_triples in self.label_triples().values():
            union.update(label_triples)
        return union

    # ---- output --------------------------------------------------------------------------
    def serialise(self, fmt: str) -> str:
        if fmt == "ttl":
            return turtle(self.all_triples())
        if fmt == "nt":
            return "".join(sorted(_nt_line(t) for t in self.all_triples()))
        if fmt == "trig":
            parts = [_prefix_block()]
            for name in sorted(self.per_article):
                body = _turtle_body(self.article_triples(name), indent="    ")
                parts.append(f"<{name}> {{\n{body}}}\n")
            return "\n".join(parts)
        if fmt == "nq":
            lines = []
            for name in sorted(self.per_article):
                lines += [_nt_line(t, name) for t in self.article_triples(name)]
            return "".join(sorted(lines))
        if fmt == "jsonld":
            graph = Graph()
            for prefix, ns in VOCAB_PREFIXES.items():
                graph.bind(prefix, ns)
            for triple in self.all_triples():
                graph.add(triple)
            data = json.loads(graph.serialize(format="json-ld"))
            return json.dumps(_sorted_jsonld(data), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        raise ValueError(fmt)


def _sorted_jsonld(data: object) -> object:
    if isinstance(data, list):
        items = [_sorted_jsonld(x) for x in data]
        return sorted(items, key=lambda x: json.dumps(x, ensure_ascii=False, sort_keys=True))
    if isinstance(data, dict):
        return {k: _sorted_jsonld(v) for k, v in data.items()}
    return data


def _term(node: Node) -> str:
    if isinstance(node, URIRef):
        text = str(node)
        for prefix, ns in VOCAB_PREFIXES.items():
            if text.startswith(ns) and _PN_LOCAL.fullmatch(text[len(ns):]):
                return f"{prefix}:{text[len(ns):]}"
        return node.n3()
    if isinstance(node, Literal):
        return _literal(node)
    return node.n3()


def _literal(lit: Literal) -> str:
    escaped = (str(lit).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    if lit.language:
        return f'"{escaped}"@{lit.language}'
    if lit.datatype is not None and str(lit.datatype) != "http://www.w3.org/2001/XMLSchema#string":
        return f'"{escaped}"^^{_term(URIRef(lit.datatype))}'
    return f'"{escaped}"'


def _nt_line(triple: Triple, graph_name: str | None = None) -> str:
    s, p, o = triple
    obj = _literal_full(o) if isinstance(o, Literal) else o.n3()
    name = f" <{graph_name}>" if graph_name else ""
    return f"{s.n3()} {p.n3()} {obj}{name} .\n"


def _literal_full(lit: Literal) -> str:
    text = _literal(lit)
    if lit.language or lit.datatype is None or str(lit.datatype).endswith("#string"):
        return text
    return text.rsplit("^^", 1)[0] + f"^^<{lit.datatype}>"


def _prefix_block() -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(VOCAB_PREFIXES.items()))


def _turtle_body(triples: Iterable[Triple], indent: str = "") -> str:
    by_subject: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in triples:
        by_subject[s][p].append(o)
    lines: list[str] = []
    for subject in sorted(by_subject, key=str):
        predicates = by_subject[subject]
        ordered = sorted(predicates, key=lambda p: (p != RDF.type, _term(p)))
        parts = []
        for predicate in ordered:
            objects = sorted({_term(o) for o in predicates[predicate]})
            name = "a" if predicate == RDF.type else _term(predicate)
            parts.append(f"{name} " + f" ,\n{indent}        ".join(objects))
        lines.append(f"{indent}{_term(subject)}\n{indent}    " + f" ;\n{indent}    ".join(parts) + " .\n")
    return "\n".join(lines)


def turtle(triples: Iterable[Triple]) -> str:
    return _prefix_block() + "\n" + _turtle_body(triples)
