"""Frozen records passed between the pipeline stages.

ingest → Article; extract/resolve → ArticleResult (entities, mentions, roles, statements);
mapping turns an ArticleResult into RDF.  Offsets are character offsets into
``Article.doc_text`` (the title, a blank line, then the body); ``Article.locate`` turns
them back into offsets into the title or the body, which is what the graph records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

TITLE_SEPARATOR = "\n\n"


class EntityType(StrEnum):
    PERSON = "Person"
    ORGANISATION = "Organisation"
    PLACE = "Place"
    ANONYMOUS = "AnonymousSource"


@dataclass(frozen=True)
class Article:
    """One news article as ingested: the text exactly as given, plus metadata."""

    id: str
    title: str
    text: str
    lang: str
    published: str | None = None  # ISO date (YYYY-MM-DD) when known
    url: str | None = None
    source: str = ""  # file the article came from
    line: int | None = None  # line of the record in a JSON-lines file
    metadata: tuple[tuple[str, str], ...] = ()

    @property
    def doc_text(self) -> str:
        """The string the extractors read: title, blank line, body."""
        if not self.title:
            return self.text
        return self.title + TITLE_SEPARATOR + self.text

    @property
    def body_offset(self) -> int:
        return len(self.title) + len(TITLE_SEPARATOR) if self.title else 0

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for part in (self.id, self.title, self.text, self.lang, self.published or "", self.url or ""):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()

    def locate(self, start: int, end: int) -> tuple[str, int, int]:
        """Map a doc_text span to ("title" | "text", start, end) within that field."""
        if self.title and start < len(self.title):
            return "title", start, min(end, len(self.title))
        offset = self.body_offset
        return "text", start - offset, end - offset


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Entity:
    """An actor or place; ``key`` decides its IRI (gazetteer id or normalised name)."""

    key: str
    type: EntityType
    labels: tuple[tuple[str, str], ...]  # (lang, label), preferred label first per language
    gazetteer_id: str | None = None
    wikidata: str | None = None
    affiliation: str | None = None  # entity key of the organisation an anonymous source speaks for
    written: tuple[tuple[str, str], ...] = ()  # (lang, full name) as this article writes it


@dataclass(frozen=True)
class Mention:
    entity_key: str
    span: Span
    rule: str


@dataclass(frozen=True)
class RoleAssignment:
    person_key: str
    role_label: Span  # the role as written
    role_concept: str | None  # id of a concept of the role scheme
    org_key: str | None
    evidence: Span
    rule: str
    represents: str | None = None  # entity key of the place a legislator represents ("(R-Ariz.)")


@dataclass(frozen=True)
class Statement:
    speaker_key: str
    cue: Span
    content: Span
    is_quote: bool
    evidence: Span
    rule: str
    about: tuple[str, ...] = ()  # entity keys mentioned in the content
    topics: tuple[str, ...] = ()  # topic concept ids
    date: str | None = None  # when it was said: xsd:date or --MM-DD
    mentioned_dates: tuple[str, ...] = ()
    # the pieces of the content when the report interrupts it ('"A," he said. "B."' or
    # "A, he said, B"): content.text joins them with " … " and each piece is evidence
    parts: tuple[Span, ...] = ()
    # "a State Department spokesman said": the organisation speaks; the unnamed spokesperson
    # (an anonymous source of it) is kept as whom it spoke through
    voiced_by: str | None = None


@dataclass(frozen=True)
class ArticleResult:
    article: Article
    entities: tuple[Entity, ...] = ()
    mentions: tuple[Mention, ...] = ()
    roles: tuple[RoleAssignment, ...] = ()
    statements: tuple[Statement, ...] = ()
