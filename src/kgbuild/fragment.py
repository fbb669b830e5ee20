"""One article's part of the graph, in the form the corpus-wide stage needs.

The triples of an article split in two.  Those that touch a node of the article's own
(the article, its mentions, evidence, statements and unnamed sources) are rendered here,
in the worker, as Turtle and N-Quads text: nothing later changes them unless a
cross-script merge renames an actor they name.  The rest are *shared*: facts about actors,
roles, concepts and rules that many articles repeat; they travel as N-Triples terms, with
the label candidates of the shared actors, to be united and labelled once for the whole
corpus.  A fragment holds strings and tuples only, so it pickles quickly between processes
and machines, and it depends on nothing but the article and the mappings: the same article
gives the same fragment in any worker, which makes parallel, distributed and incremental
builds equal to a single-process one.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .config import Mappings
from .extract import analyse
from .mapping import LabelCandidate, Mapper
from .nlp import get_mappings
from .ntriples import NTriple, bare, literal, turtle_body
from .records import Article, ArticleResult


@dataclass(frozen=True)
class Fragment:
    id: str
    iri: str  # the article's IRI, bare: also the name of its graph
    content_hash: str
    own_ttl: str  # Turtle body of the triples that touch the article's own nodes
    own_nq: str  # the same triples as N-Quads in the article's graph
    shared: tuple[NTriple, ...]  # triples among shared nodes
    labels: tuple[LabelCandidate, ...]  # label candidates of shared actors
    role_parts: tuple[tuple[str, str, str, str], ...]  # (role, person, office, organisation)
    refs: tuple[str, ...]  # shared nodes named by the own triples (a merge may rename them)
    own_triples: int = 0
    roles: int = 0
    statements: int = 0

    @property
    def graph(self) -> str:
        return f"<{self.iri}>"


@dataclass
class LabelTally:
    """The label candidates of one entity in one language, counted."""

    written: Counter[str] = field(default_factory=Counter)
    preferred: Counter[str] = field(default_factory=Counter)
    gazetteer: set[str] = field(default_factory=set)
    every: set[str] = field(default_factory=set)

    def add(self, candidate: LabelCandidate) -> None:
        self.every.add(candidate.label)
        if candidate.written:
            self.written[candidate.label] += 1
        if candidate.preferred:
            self.preferred[candidate.label] += 1
            if candidate.from_gazetteer:
                self.gazetteer.add(candidate.label)

    def update(self, other: LabelTally) -> None:
        self.written.update(other.written)
        self.preferred.update(other.preferred)
        self.gazetteer |= other.gazetteer
        self.every |= other.every

    def settle(self) -> tuple[str, list[str]]:
        """(preferred label, alternative labels): the name most often written in full for a
        known person (the gazetteer's form stays an alternative), else the gazetteer's, else
        the most frequent preferred candidate; ties go to the longer, then the smaller."""
        if self.written:
            chosen = min(self.written, key=lambda label: (-self.written[label], -len(label.split()), label))
        elif self.gazetteer:
            chosen = min(self.gazetteer)
        else:
            votes = self.preferred
            chosen = min(votes, key=lambda label: (-votes[label], -len(label.split()), label))
        return chosen, sorted(self.every - {chosen})


def tally_labels(candidates: Iterable[LabelCandidate]) -> dict[tuple[str, str], LabelTally]:
    tallies: dict[tuple[str, str], LabelTally] = defaultdict(LabelTally)
    for candidate in candidates:
        tallies[(candidate.entity, candidate.lang)].add(candidate)
    return tallies


def label_triples(tallies: dict[tuple[str, str], LabelTally], mapper: Mapper) -> dict[str, list[NTriple]]:
    """One prefLabel (also the rdfs:label) per entity and language, the rest altLabels."""
    props = mapper.props["Entity"]
    out: dict[str, list[NTriple]] = defaultdict(list)
    for (entity, lang), tally in sorted(tallies.items()):
        chosen, others = tally.settle()
        tag = lang if lang in ("ar", "en") else None
        lit = literal(chosen, tag)
        out[entity] += [(entity, props["pref_label"], lit), (entity, props["label"], lit)]
        out[entity] += [(entity, props["alt_label"], literal(other, tag)) for other in others]
    return dict(out)


def make_fragment(result: ArticleResult, mapper: Mapper) -> Fragment:
    """Split the article's triples into its own (rendered now) and shared ones."""
    article = result.article
    triples, candidates = mapper.map_article(result)
    scoped = mapper.scoped_prefixes(article.id)
    # the mapper's order is deterministic, so the own triples keep it (a dict, not a set:
    # set order changes with each worker's hash seed) and need no sorting
    own: dict[NTriple, None] = {}
    shared: set[NTriple] = set()
    for triple in triples:
        s, _, o = triple
        if s.startswith(scoped) or o.startswith(scoped):
            own[triple] = None
        else:
            shared.add(triple)
    # an unnamed source belongs to its article, so its labels can be settled here already
    local = [c for c in candidates if c.entity.startswith(scoped)]
    for entity_labels in label_triples(tally_labels(local), mapper).values():
        own.update(dict.fromkeys(entity_labels))
    graph = mapper.article_iri(article.id)
    refs = {term for triple in own for term in (triple[0], triple[2])
            if term[0] == "<" and not term.startswith(scoped)}
    shared_subjects = {s for s, _, _ in shared}
    role_parts = tuple(sorted((role, *parts) for role, parts in mapper.role_parts.items()
                              if role in shared_subjects))
    mapper.role_parts.clear()
    return Fragment(
        id=article.id,
        iri=bare(graph),
        content_hash=article.content_hash,
        own_ttl=turtle_body(own),
        own_nq="".join([f"{s} {p} {o} {graph} .\n" for s, p, o in own]),
        shared=tuple(sorted(shared)),
        labels=tuple(c for c in candidates if not c.entity.startswith(scoped)),
        role_parts=role_parts,
        refs=tuple(sorted(refs)),
        own_triples=len(own),
        roles=sum(1 for r in result.roles if r.org_key),
        statements=len(result.statements),
    )


_MAPPERS: dict[str | None, Mapper] = {}


def mapper_for(mappings: Mappings, directory: str | None) -> Mapper:
    if directory not in _MAPPERS:
        _MAPPERS[directory] = Mapper(mappings)
    return _MAPPERS[directory]


def extract_fragment(article: Article, mappings_dir: str | os.PathLike[str] | None = None) -> Fragment:
    """ingest's Article → extract → resolve → mapping, for one article (any worker)."""
    directory = str(mappings_dir) if mappings_dir else None
    mappings = get_mappings(directory)
    return make_fragment(analyse(article, directory), mapper_for(mappings, directory))


__all__ = ["Fragment", "LabelTally", "extract_fragment", "label_triples", "make_fragment", "tally_labels"]
