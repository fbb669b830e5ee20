"""The mapping stage: an ArticleResult becomes RDF triples, terms taken from rdf.yaml.

Every node gets a deterministic IRI (no blank nodes), so the same article always gives
the same triples and graphs of different articles merge by union.  Entity labels are
not written here: the graph stage picks one preferred label per language over all
articles, from the candidates this stage returns.  Terms are N-Triples strings
(kgbuild.ntriples), which is what crosses process and machine boundaries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from .config import Mappings
from .normalize import fold_words
from .ntriples import RDF_TYPE, NTriple, bare, iri, literal, typed
from .records import Article, ArticleResult, Entity, EntityType, Span

Triple = NTriple
ENTITY_PATH = {EntityType.PERSON: "person", EntityType.ORGANISATION: "org", EntityType.PLACE: "place"}


@dataclass(frozen=True)
class LabelCandidate:
    entity: str  # N-Triples term of the entity
    lang: str
    label: str
    preferred: bool
    from_gazetteer: bool
    written: bool = False  # a known person's full name as an article writes it


@lru_cache(maxsize=4096)
def _seg(text: str) -> str:
    return quote(text, safe="-._~")


def date_literal(value: str) -> str:
    if value.startswith("--"):
        return typed(value, "gMonthDay")
    if len(value) == 7:
        return typed(value, "gYearMonth")
    if len(value) == 4:
        return typed(value, "gYear")
    return typed(value, "date")


class Mapper:
    def __init__(self, mappings: Mappings):
        self.m = mappings
        self.rdf = mappings.rdf
        self.base = self.rdf.base
        self.classes = {name: tuple(iri(str(c)) for c in classes)
                        for name, classes in self.rdf.classes.items()}
        self.props = {record: {name: iri(str(p)) for name, p in fields.items()}
                      for record, fields in self.rdf.properties.items()}
        # what each role node's IRI was made of, so a merge of actors can remake it
        self.role_parts: dict[str, tuple[str, str, str]] = {}

    def iri(self, path: str) -> str:
        # every path is made of percent-encoded segments (_seg), so nothing needs escaping
        return f"<{self.base}{path}>"

    def article_iri(self, article_id: str) -> str:
        return self.iri(f"article/{_seg(article_id)}")

    def entity_iri(self, key: str) -> str:
        kind, _, rest = key.partition(":")
        if kind == "gaz":
            entry = self.m.gazetteer_by_id[rest]
            return self.iri(f"{ENTITY_PATH[entry.type]}/{_seg(rest)}")
        if kind == "anon":
            article_id, _, number = rest.rpartition(":")
            return self.iri(f"source/{_seg(article_id)}/{number}")
        return self.iri(f"{kind}/{_seg(rest)}")

    def role_iri(self, person: str, office: str, org: str) -> str:
        """One node per person, office and organisation, however the office is spelt."""
        digest = hashlib.sha256(f"{bare(person)}|{office}|{bare(org)}".encode()).hexdigest()
        node = self.iri(f"role/{digest[:20]}")
        self.role_parts[node] = (person, office, org)
        return node

    def role_concept_iri(self, concept: str) -> str:
        return self.iri(f"concept/role/{_seg(concept)}")

    def topic_iri(self, topic: str) -> str:
        return self.iri(f"concept/topic/{_seg(topic)}")

    def rule_iri(self, rule: str) -> str:
        return self.iri(f"rule/{_seg(rule)}")

    def scoped_prefixes(self, article_id: str) -> tuple[str, ...]:
        """Starts of the IRIs of nodes that belong to one article only (the article and its
        fields, its mentions, evidence, statements and unnamed sources); every other node
        (actors, roles, concepts, rules) is shared by all articles that name it."""
        seg = _seg(article_id)
        return tuple(f"<{self.base}{kind}/{seg}{end}" for kind, end in (
            ("article", ">"), ("article", "/"), ("mention", "/"), ("evidence", "/"), ("statement", "/"),
            ("source", "/")))

    def lit(self, text: str, lang: str) -> str:
        return literal(text, lang if lang in ("ar", "en") else None)

    # ---- nodes ---------------------------------------------------------------------------
    def article(self, article: Article) -> Iterator[Triple]:
        p = self.props["Article"]
        node = self.article_iri(article.id)
        for cls in self.classes["Article"]:
            yield node, RDF_TYPE, cls
        yield node, p["identifier"], literal(article.id)
        if article.title:
            yield node, p["title"], self.lit(article.title, article.lang)
        yield node, p["language"], literal(article.lang)
        if article.published:
            yield node, p["published"], typed(article.published, "date")
        if article.url:
            yield node, p["url"], typed(article.url, "anyURI")
        yield node, p["content_hash"], literal(article.content_hash)
        f = self.props["TextField"]
        for name, value in (("title", article.title), ("text", article.text)):
            if not value:
                continue
            field_node = f"{node[:-1]}/{name}>"
            for cls in self.classes["TextField"]:
                yield field_node, RDF_TYPE, cls
            yield field_node, f["article"], node
            yield field_node, f["field"], literal(name)
            yield field_node, f["string"], literal(value)

    def span_node(self, kind: str, article: Article, span: Span) -> tuple[str, list[Triple]]:
        """A Mention or Evidence node for a doc_text span, located in the title or body."""
        field_name, start, end = article.locate(span.start, span.end)
        article_node = self.article_iri(article.id)
        node = self.iri(f"{kind.lower()}/{_seg(article.id)}/{field_name}/{start}-{end}")
        p = self.props[kind]
        source = article.title if field_name == "title" else article.text
        triples: list[Triple] = [(node, RDF_TYPE, cls) for cls in self.classes[kind]]
        triples += [
            (node, p["article"], article_node),
            (node, p["context"], f"{article_node[:-1]}/{field_name}>"),
            (node, p["begin"], typed(str(start), "integer")),
            (node, p["end"], typed(str(end), "integer")),
            (node, p["anchor"], literal(source[start:end])),
        ]
        return node, triples

    def entity(self, entity: Entity) -> tuple[list[Triple], list[LabelCandidate]]:
        node = self.entity_iri(entity.key)
        class_key = "AnonymousSource" if entity.type is EntityType.ANONYMOUS else entity.type.value
        classes = self.classes[class_key]
        triples: list[Triple] = [(node, RDF_TYPE, cls) for cls in classes]
        p = self.props["Entity"]
        if entity.wikidata:
            triples.append((node, p["same_as"], iri(f"http://www.wikidata.org/entity/{entity.wikidata}")))
        if entity.affiliation:
            triples.append((node, p["affiliation"], self.entity_iri(entity.affiliation)))
        labels: list[LabelCandidate] = []
        first_seen: set[str] = set()
        for lang, label in entity.labels:
            labels.append(LabelCandidate(node, lang, label, lang not in first_seen,
                                         entity.gazetteer_id is not None))
            first_seen.add(lang)
        labels += [LabelCandidate(node, lang, label, True, False, written=True)
                   for lang, label in entity.written]
        return triples, labels

    # ---- a whole article -----------------------------------------------------------------
    def map_article(self, result: ArticleResult) -> tuple[list[Triple], list[LabelCandidate]]:
        article = result.article
        article_node = self.article_iri(article.id)
        triples: list[Triple] = list(self.article(article))
        labels: list[LabelCandidate] = []
        for entity in result.entities:
            entity_triples, entity_labels = self.entity(entity)
            triples += entity_triples
            labels += entity_labels
        rules: set[str] = set()
        mp = self.props["Mention"]
        for mention in result.mentions:
            node, span_triples = self.span_node("Mention", article, mention.span)
            triples += span_triples
            triples.append((node, mp["entity"], self.entity_iri(mention.entity_key)))
            triples.append((node, mp["rule"], self.rule_iri(mention.rule)))
            rules.add(mention.rule)
        rp = self.props["RoleAssignment"]
        for role in result.roles:
            if role.org_key is None:
                continue
            person, org = self.entity_iri(role.person_key), self.entity_iri(role.org_key)
            office = f"concept:{role.role_concept}" if role.role_concept else fold_words(role.role_label.text)
            node = self.role_iri(person, office, org)
            evidence, span_triples = self.span_node("Evidence", article, role.evidence)
            triples += span_triples
            triples += [(node, RDF_TYPE, cls) for cls in self.classes["RoleAssignment"]]
            triples += [
                (node, rp["person"], person),
                (node, rp["organisation"], org),
                (node, rp["role_label"], self.lit(role.role_label.text, article.lang)),
                (node, rp["evidence"], evidence),
                (node, rp["article"], article_node),
                (node, rp["rule"], self.rule_iri(role.rule)),
            ]
            if role.represents:
                triples.append((node, rp["represents"], self.entity_iri(role.represents)))
            if role.role_concept:
                triples.append((node, rp["role"], self.role_concept_iri(role.role_concept)))
                triples += self.concept_triples("roles", role.role_concept)
            rules.add(role.rule)
        sp = self.props["Statement"]
        for statement in result.statements:
            field_name, start, end = article.locate(statement.content.start, statement.content.end)
            node = self.iri(f"statement/{_seg(article.id)}/{field_name}/{start}-{end}")
            evidence_nodes = []
            for piece in statement.parts or (statement.evidence,):
                evidence, span_triples = self.span_node("Evidence", article, piece)
                triples += span_triples
                evidence_nodes.append(evidence)
            triples += [(node, RDF_TYPE, cls) for cls in self.classes["Statement"]]
            triples += [
                (node, sp["speaker"], self.entity_iri(statement.speaker_key)),
                (node, sp["cue"], self.lit(statement.cue.text, article.lang)),
                (node, sp["content"], self.lit(statement.content.text, article.lang)),
                (node, sp["quote"], typed("true" if statement.is_quote else "false", "boolean")),
                (node, sp["article"], article_node),
                (node, sp["rule"], self.rule_iri(statement.rule)),
            ]
            triples += [(node, sp["evidence"], evidence) for evidence in evidence_nodes]
            if statement.voiced_by:
                triples.append((node, sp["voiced_by"], self.entity_iri(statement.voiced_by)))
            triples += [(node, sp["about"], self.entity_iri(key)) for key in statement.about]
            for topic in statement.topics:
                triples.append((node, sp["topic"], self.topic_iri(topic)))
                triples += self.concept_triples("topics", topic)
            if statement.date:
                triples.append((node, sp["stated_on"], date_literal(statement.date)))
            triples += [(node, sp["mentions_date"], date_literal(d)) for d in statement.mentioned_dates]
            rules.add(statement.rule)
        for rule in sorted(rules):
            triples += [(self.rule_iri(rule), RDF_TYPE, cls) for cls in self.classes["Rule"]]
            triples.append((self.rule_iri(rule), self.props["Rule"]["label"], literal(rule)))
        return triples, labels

    def concept_triples(self, scheme: str, concept_id: str) -> list[Triple]:
        cp = self.props["Concept"]
        scheme_node = self.iri(self.rdf.schemes.get(scheme, f"scheme/{scheme}"))
        if scheme == "roles":
            node = self.role_concept_iri(concept_id)
            role = self.m.role_by_id.get(concept_id)
            labels = role.labels if role else {}
            classes = self.classes["RoleConcept"]
            scheme_labels = {"en": "Roles", "ar": "المناصب"}
            broader = None
        else:
            node = self.topic_iri(concept_id)
            topic = next((t for t in self.m.topics if t.id == concept_id), None)
            labels = topic.labels if topic else {}
            classes = self.classes["TopicConcept"]
            scheme_labels = dict(self.m.topic_scheme_labels)
            broader = topic.broader if topic else None
        triples: list[Triple] = [(node, RDF_TYPE, cls) for cls in classes]
        triples.append((node, cp["in_scheme"], scheme_node))
        triples += [(node, cp["pref_label"], literal(text, lang)) for lang, text in labels.items()]
        if broader:
            triples.append((node, cp["broader"], self.topic_iri(broader)))
            triples += self.concept_triples(scheme, broader)
        triples += [(scheme_node, RDF_TYPE, cls) for cls in self.classes["Scheme"]]
        triples += [(scheme_node, self.props["Scheme"]["pref_label"], literal(text, lang))
                    for lang, text in scheme_labels.items()]
        return triples
