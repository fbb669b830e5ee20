"""The graph stage: unite the fragments of every article, settle labels, merge actors
across scripts and write each serialisation as a stream.

What this stage keeps in memory grows with the number of distinct actors, roles and
concepts, not with the number of articles: the per-article text (rendered by the workers)
is read back from the spool one article at a time, in the order of the article IRIs, and
copied to the outputs.  Only an article that names an actor merged across scripts is
re-rendered.  Every serialisation is therefore a deterministic function of the set of
articles, whatever the number of workers or machines and whatever order they finished in.

Layout of graph.ttl: the prefixes, then the shared nodes (actors with their labels, roles,
concepts, rules) sorted by IRI, then one block per article, in IRI order, holding the
triples that touch the article's own nodes.  TriG and N-Quads hold one named graph per
article: its own triples, the shared triples it gave, and the labels of its actors.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from .config import Mappings
from .crossscript import Actor
from .fragment import Fragment, LabelTally, label_triples
from .mapping import Mapper
from .ntriples import (
    RDF_TYPE,
    VOCAB_PREFIXES,
    NTriple,
    bare,
    lexical,
    nt_line,
    prefix_block,
    split_triple,
    turtle_body,
)

FORMATS = ("ttl", "trig", "nt", "nq", "jsonld")
_LISTED = 10  # article ids kept per actor for the review file


@dataclass
class _Seen:
    count: int = 0
    first: list[str] = field(default_factory=list)  # the smallest ids seen, at most _LISTED

    def add(self, article_id: str) -> None:
        self.count += 1
        if article_id in self.first:
            return
        self.first.append(article_id)
        if len(self.first) > _LISTED:
            self.first.remove(max(self.first))


@dataclass
class CorpusGraph:
    """What the corpus-wide steps need of every fragment: shared triples, label tallies,
    the parts of role IRIs and where each actor was seen."""

    mappings: Mappings
    shared: set[NTriple] = field(default_factory=set)
    tallies: dict[tuple[str, str], LabelTally] = field(default_factory=lambda: defaultdict(LabelTally))
    gazetteer_nodes: set[str] = field(default_factory=set)
    role_parts: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    seen: dict[str, _Seen] = field(default_factory=lambda: defaultdict(_Seen))
    rename: dict[str, str] = field(default_factory=dict)  # merged node → kept node
    merged_nodes: set[str] = field(default_factory=set)  # actors (not roles) renamed
    articles: int = 0
    roles: int = 0
    statements: int = 0
    own_triples: int = 0
    _labels: dict[str, list[NTriple]] | None = None

    def __post_init__(self) -> None:
        self.mapper = Mapper(self.mappings)
        self._kinds = {self.mapper.classes[kind][0]: kind for kind in ("Person", "Organisation", "Place")}
        self._same_as = self.mapper.props["Entity"]["same_as"]

    def add(self, fragment: Fragment) -> None:
        """Take in one article's shared part (its own text stays in the spool)."""
        self.articles += 1
        self.roles += fragment.roles
        self.statements += fragment.statements
        self.own_triples += fragment.own_triples
        self.shared.update(fragment.shared)
        for s, p, o in fragment.shared:
            if p == RDF_TYPE and o in self._kinds:
                self.seen[s].add(fragment.id)
        for candidate in fragment.labels:
            self.tallies[(candidate.entity, candidate.lang)].add(candidate)
            if candidate.from_gazetteer:
                self.gazetteer_nodes.add(candidate.entity)
        for role, person, office, org in fragment.role_parts:
            self.role_parts[role] = (person, office, org)
        self._labels = None

    # ---- one actor, one node, across scripts (kgbuild.crossscript) ------------------------
    def actors(self) -> list[Actor]:
        """Every person, organisation and place not from the gazetteer, with its one
        preferred label and the articles it occurs in; actors already labelled in both
        scripts are left out (there is nothing to match)."""
        types = {s: self._kinds[o] for s, p, o in self.shared if p == RDF_TYPE and o in self._kinds}
        pref = self.mapper.props["Entity"]["pref_label"]
        labels = self.label_triples()
        out: list[Actor] = []
        for node in sorted(types.keys() - self.gazetteer_nodes):
            names = [o for _, p, o in labels.get(node, ()) if p == pref]
            if len(names) == 1:
                seen = self.seen[node]
                out.append(Actor(bare(node), types[node], lexical(names[0]), tuple(sorted(seen.first)),
                                 seen.count))
        return out

    def apply_merges(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Make each (kept, merged) pair of bare IRIs one node: every triple naming
        ``merged`` names ``kept`` instead, and ``kept owl:sameAs merged`` is said in each
        article graph that used the merged IRI; role nodes, whose IRIs are made from their
        person and organisation, are remade so that one office is one node again."""
        rename = {f"<{merged}>": f"<{kept}>" for kept, merged in pairs if kept != merged}
        if not rename:
            return
        self.merged_nodes |= set(rename)
        for role, (person, office, org) in list(self.role_parts.items()):
            if person in rename or org in rename:
                new = self.mapper.role_iri(rename.get(person, person), office, rename.get(org, org))
                rename[role] = new
                self.role_parts[new] = self.mapper.role_parts.pop(new)
        self.rename.update(rename)
        self.shared = {self._renamed(t) for t in self.shared}
        self.shared |= {(rename[n], self._same_as, n) for n in self.merged_nodes if n in rename}
        tallies: dict[tuple[str, str], LabelTally] = defaultdict(LabelTally)
        for (entity, lang), tally in self.tallies.items():
            tallies[(rename.get(entity, entity), lang)].update(tally)
        self.tallies = tallies
        self.gazetteer_nodes = {rename.get(n, n) for n in self.gazetteer_nodes}
        self._labels = None

    def _renamed(self, triple: NTriple) -> NTriple:
        s, p, o = triple
        return self.rename.get(s, s), p, self.rename.get(o, o)

    def label_triples(self) -> dict[str, list[NTriple]]:
        if self._labels is None:
            self._labels = label_triples(self.tallies, self.mapper)
        return self._labels

    # ---- what each output holds -------------------------------------------------------------
    def shared_section(self) -> set[NTriple]:
        triples = set(self.shared)
        for entity_labels in self.label_triples().values():
            triples.update(entity_labels)
        return triples

    def triple_count(self) -> int:
        return len(self.shared_section()) + self.own_triples

    def type_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for _, p, o in self.shared:
            if p == RDF_TYPE and o in self._kinds:
                counts[self._kinds[o]] += 1
        return counts

    def touched(self, fragment: Fragment) -> bool:
        rename = self.rename
        return bool(rename) and (any(r in rename for r in fragment.refs) or
                                 any(s in rename or o in rename for s, _, o in fragment.shared))

    def own(self, fragment: Fragment) -> tuple[str, str]:
        """(Turtle body, N-Quads) of the article's own triples, renamed where a merge asks."""
        if not self.touched(fragment):
            return fragment.own_ttl, fragment.own_nq
        suffix = f" {fragment.graph} .\n"
        triples = {self._renamed(split_triple(line.removesuffix(suffix) + " .")) for line in
                   fragment.own_nq.splitlines(keepends=True)}
        return turtle_body(triples), "".join(sorted(nt_line(t, fragment.graph) for t in triples))

    def article_extra(self, fragment: Fragment) -> set[NTriple]:
        """What an article's graph holds beyond its own triples: its shared triples, the
        labels of its subjects and owl:sameAs for each merged IRI it used."""
        shared = {self._renamed(t) for t in fragment.shared}
        labels = self.label_triples()
        for subject in {s for s, _, _ in shared}:
            shared.update(labels.get(subject, ()))
        used = {n for t in fragment.shared for n in (t[0], t[2])} | set(fragment.refs)
        shared |= {(self.rename[n], self._same_as, n) for n in used & self.merged_nodes}
        return shared


# ---- writers -----------------------------------------------------------------------------------
class TextSink(Protocol):
    """Where a serialisation goes: a text file, an AtomicText, the store's loader."""

    def write(self, text: str, /) -> object: ...


class ArticleChecker(Protocol):
    """What looks at each article's graph as it is written (kgbuild.validate.ShapeChecker)."""

    def add(self, ntriples: str, /) -> None: ...


class GraphWriter:
    """Every requested serialisation, written in one pass over the fragments: call
    ``begin`` once, then ``article`` for each fragment in IRI order.  ``sinks`` maps a
    format ("ttl", "trig", "nt", "nq") to where it goes; ``store`` receives the same
    N-Triples as graph.nt; ``checker`` receives each article's graph (what graph.trig
    holds for it) as N-Triples."""

    def __init__(self, corpus: CorpusGraph, sinks: Mapping[str, TextSink], store: TextSink | None = None,
                 checker: ArticleChecker | None = None):
        self.corpus = corpus
        self.sinks = sinks
        self.store = store
        self.checker = checker

    def _triples_out(self, text: str) -> None:
        if "nt" in self.sinks:
            self.sinks["nt"].write(text)
        if self.store is not None:
            self.store.write(text)

    def begin(self) -> None:
        shared = self.corpus.shared_section()
        if "ttl" in self.sinks:
            self.sinks["ttl"].write(prefix_block() + "\n" + turtle_body(shared))
        if "trig" in self.sinks:
            self.sinks["trig"].write(prefix_block())
        self._triples_out("".join(sorted(nt_line(t) for t in shared)))

    def article(self, fragment: Fragment) -> None:
        body, quads = self.corpus.own(fragment)
        if "ttl" in self.sinks:
            self.sinks["ttl"].write("\n" + body)
        if "nq" in self.sinks or "trig" in self.sinks or self.checker is not None:
            extra = self.corpus.article_extra(fragment)
            if "trig" in self.sinks:
                self.sinks["trig"].write(f"\n{fragment.graph} {{\n{body}\n{turtle_body(extra)}}}\n")
            if "nq" in self.sinks:
                self.sinks["nq"].write(quads + "".join(sorted(nt_line(t, fragment.graph) for t in extra)))
        if "nt" in self.sinks or self.store is not None or self.checker is not None:
            triples = quads.replace(f" {fragment.graph} .\n", " .\n")
            if "nt" in self.sinks or self.store is not None:
                self._triples_out(triples)
            if self.checker is not None:
                self.checker.add(triples + "".join(nt_line(t) for t in extra))


def jsonld_from_ntriples(ntriples: str) -> str:
    """JSON-LD through rdflib, sorted so that it is deterministic.  This one needs the
    whole graph in memory: for very large builds prefer Turtle, N-Quads or the store."""
    from rdflib import Graph

    graph = Graph()
    for prefix, namespace in VOCAB_PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.parse(data=ntriples, format="nt")
    data = json.loads(graph.serialize(format="json-ld"))
    return json.dumps(_sorted_jsonld(data), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _sorted_jsonld(data: object) -> object:
    if isinstance(data, list):
        items = [_sorted_jsonld(x) for x in data]
        return sorted(items, key=lambda x: json.dumps(x, ensure_ascii=False, sort_keys=True))
    if isinstance(data, dict):
        return {k: _sorted_jsonld(v) for k, v in data.items()}
    return data


__all__ = ["FORMATS", "ArticleChecker", "CorpusGraph", "GraphWriter", "TextSink", "jsonld_from_ntriples"]
