"""The gender of a person named in an English article, so that "she said" and "he said" go
to a person they can stand for.

A person's gender is known from a gendered title written before one of their mentions
("Mrs. Jones", "Sir Keir Starmer", "spokeswoman Sarah Sanders") or from the first word of
their name (names.yaml ``gendered_given_names``): for a gazetteer person the English label
("Hillary Clinton"), else a mention of two words or more ("Sarah Palin"). Titles win over
names; evidence for both genders leaves the gender unknown.  All functions are pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from spacy.tokens import Doc

from . import lexicon as lx
from .config import Mappings
from .normalize import fold_words
from .records import EntityType

Gender = Literal["female", "male"]
FEMALE: Gender = "female"
MALE: Gender = "male"
TITLE_REACH = 3  # tokens looked back from a name for a gendered title
_NONE: Mapping[str, str] = MappingProxyType({})


def _words(mappings: Mappings, key: str, lang: str) -> Mapping[str, str]:
    """names.yaml ``key`` (gendered_given_names, gendered_titles): folded word → gender."""
    by_lang = mappings.genders.get(key)
    return by_lang.get(lang, _NONE) if by_lang is not None else _NONE


def _gender(value: str | None) -> Gender | None:
    return FEMALE if value == FEMALE else MALE if value == MALE else None


def pronoun_gender(norm: str, grammar: dict[str, frozenset[str]]) -> Gender | None:
    """The gender a pronoun (its folded form) asks for: grammar.yaml ``feminine_pronouns``
    and ``masculine_pronouns``; None for any other word."""
    if norm in grammar.get("feminine_pronouns", frozenset()):
        return FEMALE
    if norm in grammar.get("masculine_pronouns", frozenset()):
        return MALE
    return None


def name_gender(name: str, mappings: Mappings, lang: str = "en") -> Gender | None:
    """The gender of a person's name from its first word: "Hillary Clinton" → female."""
    words = fold_words(name).split()
    if not words:
        return None
    return _gender(_words(mappings, "gendered_given_names", lang).get(words[0]))


def _in_title(tokens: lx.TokenTable, p: int) -> bool:
    """Whether token p is part of a title or role phrase ("Madam Secretary Clinton")."""
    for start in range(max(0, p - 3), p + 1):
        for category in (lx.TITLE, lx.ROLE):
            match = tokens.cat(start, category)
            if match is not None and match.end > p:
                return True
    return False


def title_gender(doc: Doc, start: int, mappings: Mappings, lang: str = "en") -> Gender | None:
    """The gender told by a title just before the name that opens at token ``start``; the
    words between may only be titles or roles ("Ms. Secretary", "Mr. President Obama")."""
    titles = _words(mappings, "gendered_titles", lang)
    tokens = lx.tokens_of(doc)
    for p in range(start - 1, max(-1, start - 1 - TITLE_REACH), -1):
        gender = _gender(titles.get(fold_words(tokens.texts[p])))
        if gender is not None:
            return gender
        if not _in_title(tokens, p):
            break
    return None


def _one(found: set[Gender]) -> Gender | None:
    return next(iter(found)) if len(found) == 1 else None


def person_gender(doc: Doc, mappings: Mappings, key: str) -> Gender | None:
    """"female", "male" or None (unknown) for the person ``key`` of an analysed English doc."""
    entry = mappings.gazetteer_by_id.get(key.removeprefix("gaz:")) if key.startswith("gaz:") else None
    if entry is not None and entry.type is EntityType.PERSON:
        gender = _one({g for name in entry.names("en") if (g := name_gender(name, mappings)) is not None})
        if gender is not None:
            return gender
    mentions = [m for m in doc._.kg_mentions or () if m.key == key]
    gender = _one({g for m in mentions if (g := title_gender(doc, m.start, mappings)) is not None})
    if gender is not None:
        return gender
    return _one({g for m in mentions if m.end - m.start >= 2 and
                 (g := name_gender(lx.tokens_of(doc).texts[m.start], mappings)) is not None})


def fits(doc: Doc, mappings: Mappings, key: str, wanted: Gender | None) -> bool:
    """Whether a pronoun asking for ``wanted`` may stand for ``key``: always when either
    gender is unknown."""
    if wanted is None:
        return True
    gender = person_gender(doc, mappings, key)
    return gender is None or gender == wanted
