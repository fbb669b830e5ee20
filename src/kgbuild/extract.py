"""The extract and resolve stages: one Article in, one ArticleResult of frozen records out."""

from __future__ import annotations

import os

from spacy.tokens import Doc

from .config import Mappings
from .dates import find_dates
from .entities import EntityInfo
from .lexicon import tokens_of
from .nlp import get_mappings, make_pipeline
from .records import Article, ArticleResult, Entity, EntityType, Mention, Span
from .roles import extract_roles
from .statements import extract_statements


def _entity_record(info: EntityInfo, mappings: Mappings) -> Entity:
    if info.gazetteer_id:
        entry = mappings.gazetteer_by_id[info.gazetteer_id]
        labels = [(lang, entry.labels[lang]) for lang in ("ar", "en")]
        labels += [(lang, alias) for lang in ("ar", "en") for alias in entry.aliases[lang]]
        # how the article spells a known person's full name (ديفد شينكر / ديفيد شينكر)
        written = tuple(dict.fromkeys(s for s in info.surfaces if len(s[1].split()) > 1)) \
            if entry.type is EntityType.PERSON else ()
        return Entity(info.key, entry.type, tuple(labels), entry.id, entry.wikidata, written=written)
    # the fullest written form leads; the rest are kept as alternative labels, in the order
    # first seen (the sort is stable)
    ordered = sorted(dict.fromkeys(info.surfaces), key=lambda s: -len(s[1].split()))
    return Entity(info.key, info.type, tuple(ordered))


def entities_and_mentions(doc: Doc, mappings: Mappings) -> tuple[tuple[Entity, ...], tuple[Mention, ...]]:
    infos: dict[str, EntityInfo] = doc._.kg_entities
    entities = tuple(_entity_record(info, mappings) for info in infos.values()
                     if info.surfaces or info.gazetteer_id)
    known = {e.key for e in entities}
    text = tokens_of(doc).text  # spaCy rebuilds Doc.text through every Token on each access
    mentions = tuple(
        Mention(m.key, Span(m.start_char, m.end_char, text[m.start_char:m.end_char]), m.rule)
        for m in doc._.kg_mentions if m.key in known)
    return entities, mentions


def analyse(article: Article, mappings_dir: str | os.PathLike[str] | None = None) -> ArticleResult:
    """Run the pipeline of the article's language and read off every record."""
    directory = str(mappings_dir) if mappings_dir else None
    mappings = get_mappings(directory)
    nlp = make_pipeline(article.lang, directory)
    doc = nlp(article.doc_text)
    entities, mentions = entities_and_mentions(doc, mappings)
    roles = extract_roles(doc, mappings)
    dates = find_dates(doc, article.published, mappings.calendar)
    said = extract_statements(doc, mappings, article.id, len(article.title), dates)
    entities += said.entities
    # one span, one mention (a Mention has one kg:mentionOf): where the words naming an
    # unnamed source are exactly a named entity's mention ("Democrats said"), the span
    # stays the named entity's; the source keeps its label and its statements
    named_spans = {(m.span.start, m.span.end) for m in mentions}
    mentions += tuple(m for m in said.mentions if (m.span.start, m.span.end) not in named_spans)
    used = {m.entity_key for m in mentions} | {r.person_key for r in roles} | \
        {r.org_key for r in roles if r.org_key} | {r.represents for r in roles if r.represents} | \
        {s.speaker_key for s in said.statements} | \
        {k for s in said.statements for k in s.about}
    by_key = {e.key: e for e in entities}
    # organisations reached only through a demonym or a default country still need a node
    for key in sorted(used - set(by_key)):
        gid = key.removeprefix("gaz:")
        entry = mappings.gazetteer_by_id.get(gid)
        if entry is not None:
            by_key[key] = Entity(key, entry.type, tuple((lang, entry.labels[lang]) for lang in ("ar", "en")),
                                 entry.id, entry.wikidata)
    return ArticleResult(
        article=article,
        entities=tuple(by_key[k] for k in sorted(by_key) if by_key[k].type is not EntityType.ANONYMOUS
                       or k in used),
        mentions=tuple(sorted(mentions, key=lambda m: (m.span.start, m.span.end, m.entity_key))),
        roles=roles,
        statements=said.statements,
    )
