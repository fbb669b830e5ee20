"""Word lists from the mappings, compiled into a spaCy PhraseMatcher over folded norms, and
the per-doc ``TokenTable`` the rules read tokens and matches from.

One ``Lexicon`` per language and mappings directory.  Matching is on ``Token.norm_``,
which the normaliser sets to the folded form (and the clitic splitter to the bare stem),
so a form written once in YAML finds every spelling and clitic variant in text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.attrs import IDX, IS_ALPHA, IS_SPACE, LIKE_NUM, NORM, ORTH, SPACY
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .config import GazetteerEntry, Mappings

if not Doc.has_extension("kg_tokens"):
    Doc.set_extension("kg_tokens", default=None)  # TokenTable, set by the lexicon component

# Categories of lexical matches; payload is what the match stands for.
TITLE = "TITLE"
ROLE = "ROLE"
CUE = "CUE"
PARTICIPLE = "PARTICIPLE"
ACCORDING = "ACCORDING"
COMP = "COMP"
DEMONYM = "DEMONYM"
MONTH = "MONTH"
HIJRI = "HIJRI"
WEEKDAY = "WEEKDAY"
RELDAY = "RELDAY"
ORDINAL = "ORDINAL"
GIVEN = "GIVEN"
PARTICLE = "PARTICLE"
NOT_NAME = "NOT_NAME"  # never part of a person's name (names.yaml not_names + function words)
FUNCTION = "FUNCTION"  # grammar words: they end organisation names and role phrases
ORG_HEAD = "ORG_HEAD"
ANON_HEAD = "ANON_HEAD"
GAZ = "GAZ"
SURNAME = "SURNAME"
ANAPHOR = "ANAPHOR"

@dataclass(slots=True)
class LexMatch:
    category: str
    payload: str
    start: int
    end: int


_NO_FORMS: frozenset[str] = frozenset()


@dataclass
class Lexicon:
    lang: str
    mappings: Mappings
    # one matcher for every category: a PhraseMatcher walks the whole doc on each call
    matcher: PhraseMatcher | None = None
    keys: dict[int, tuple[str, str]] = field(default_factory=dict)  # match id → (category, payload)
    known_words: set[str] = field(default_factory=set)  # stems a clitic may be glued to
    single: dict[str, set[str]] = field(default_factory=dict)  # category → folded one-word forms

    def match(self, doc: Doc) -> list[LexMatch]:
        if self.matcher is None:
            return []
        keys = self.keys
        found = [LexMatch(*keys[match_id], start, end) for match_id, start, end in self.matcher(doc)]
        found.sort(key=lambda m: (m.start, -(m.end - m.start), m.category, m.payload))
        return found

    def has(self, category: str, folded: str) -> bool:
        return folded in self.single.get(category, _NO_FORMS)


_COMP_PREFIX = re.compile(r"^[وف]?ب?")
_COMP_SUFFIX = re.compile(r"(ه|ها|هم|هما|هن|نا|ني|كم)$")


@lru_cache(maxsize=65536)  # asked of most Arabic words, several times each, by several rules
def is_complementizer_form(norm: str) -> bool:
    """أن/إن with a glued conjunction, preposition or pronoun: بانه، وانها، فانهم."""
    core = _COMP_PREFIX.sub("", norm)
    if core in ("ان", "انا"):
        return core == "ان"
    return _COMP_SUFFIX.sub("", core) == "ان"


def _forms_of(entry: GazetteerEntry, lang: str) -> Iterable[str]:
    yield from entry.names(lang)
    # Arabic reports transliterate Latin names; English ones rarely write Arabic
    if lang == "ar":
        yield entry.labels["en"]


@lru_cache(maxsize=4096)  # asked of every punctuation token; they are few and repeat
def is_terminal(text: str) -> bool:
    """".", "./", "..", "؟!": punctuation that ends a sentence, however decorated."""
    return bool(text) and not any(c.isalnum() for c in text) and any(c in ".!?؟" for c in text)


_NO_MATCHES: dict[str, LexMatch] = {}


def letters_with_marks(text: str, norm: str) -> bool:
    """A word of letters written with harakat, combining accents or invisible marks
    (يَحيى، كار\u200cتر), which spaCy's IS_ALPHA does not count as letters: its folded form
    drops the marks and is all letters.  Apostrophes and the like stay non-letters."""
    return bool(norm) and norm.isalpha() and any(unicodedata.category(c) in ("Mn", "Cf") for c in text)


class TokenTable:
    """A doc's tokens as plain Python lists, with their lexicon matches and sentences.

    The rules look at every token many times.  ``doc[i]`` builds a new spaCy Token on each
    call, ``doc._`` reads cost more still, and sentence bounds were searched anew for each
    question; reading everything once per doc into lists made extraction several times faster.
    """

    def __init__(self, doc: Doc, matches: list[LexMatch], clitics: dict[int, str], function_words: set[str]):
        strings = doc.vocab.strings
        columns = doc.to_array([ORTH, SPACY, NORM, IDX, IS_ALPHA, IS_SPACE, LIKE_NUM]).T
        orths, spaces, norms, starts = (column.tolist() for column in columns[:4])
        alpha, space, like_num = (column.astype(bool).tolist() for column in columns[4:])
        self.texts: list[str] = [strings[h] for h in orths]
        # as Doc.text, which spaCy rebuilds through every Token object on each access
        self.text: str = "".join([text + " " if space else text
                                  for text, space in zip(self.texts, spaces, strict=True)])
        self.norms: list[str] = [strings[h] for h in norms]
        self.starts: list[int] = starts  # character offsets, as Token.idx
        self.ends: list[int] = [start + len(text) for start, text in zip(starts, self.texts, strict=True)]
        self.alpha: list[bool] = [
            is_alpha or letters_with_marks(text, norm)
            for is_alpha, text, norm in zip(alpha, self.texts, self.norms, strict=True)
        ]
        self.space: list[bool] = space
        self.like_num: list[bool] = like_num
        n = len(self.texts)
        # the proclitic split off before each token ("" for none)
        self.clitics: list[str] = [""] * n
        for i, clitic in clitics.items():
            self.clitics[i] = clitic
        self.matches = matches
        self.lex_at: dict[int, list[LexMatch]] = {}  # token → matches starting there, longest first
        self.cats_at: dict[int, dict[str, LexMatch]] = {}  # token → category → its longest match there
        for match in matches:
            here = self.lex_at.get(match.start)
            if here is None:
                self.lex_at[match.start] = [match]
                self.cats_at[match.start] = {match.category: match}
            else:
                here.append(match)
                self.cats_at[match.start].setdefault(match.category, match)
        # tokens where a function word starts; one-word ones are not matched, only looked up
        self.function: set[int] = {i for i, norm in enumerate(self.norms) if norm in function_words}
        self.function.update(match.start for match in matches if match.category == FUNCTION)
        # a word (most tokens) is not terminal punctuation and holds no line break
        others = [i for i, alpha in enumerate(self.alpha) if not alpha]
        self.terminal: set[int] = {i for i in others if is_terminal(self.texts[i])}  # ".", "؟!" …
        # sentence ends, in order: terminal punctuation or a line break
        self.boundaries: list[int] = [i for i in others if i in self.terminal or "\n" in self.texts[i]]
        self.boundary: set[int] = set(self.boundaries)

    def __len__(self) -> int:
        return len(self.texts)

    def cat(self, i: int, category: str) -> LexMatch | None:
        """The longest lexicon match of ``category`` starting at token i."""
        return self.cats_at.get(i, _NO_MATCHES).get(category)

    def cats(self, i: int) -> dict[str, LexMatch]:
        """Category → the longest match of it starting at token i (do not modify)."""
        return self.cats_at.get(i, _NO_MATCHES)

    def span_text(self, start: int, end: int) -> str:
        """The text of tokens [start, end), as ``doc[start:end].text``."""
        n = len(self.texts)
        if 0 <= start < end <= n:  # the usual case; the rest is slicing as Doc does it
            return self.text[self.starts[start]:self.ends[end - 1]]
        start = min(n, max(0, start + n if start < 0 else start))
        end = min(n, max(start, end + n if end < 0 else end))
        return self.text[self.starts[start]:self.ends[end - 1]] if end > start else ""

    def sentence(self, i: int) -> tuple[int, int]:
        """First token of the sentence holding token i, and the token that ends it (its
        terminal mark or line break; the doc's length when there is none)."""
        if 0 <= i < len(self.texts):
            after = bisect_left(self.boundaries, i)  # the first boundary at or after token i
            start = self.boundaries[after - 1] + 1 if after else 0  # a sentence's end mark is its own
            end = self.boundaries[after] if after < len(self.boundaries) else len(self.texts)
            return start, end
        # outside the doc (a caller one past the end): walk as Doc indexing would
        n = len(self.texts)

        def ends_sentence(k: int) -> bool:
            if not -n <= k < n:
                raise IndexError(k)
            return k % n in self.boundary

        start = i
        while start > 0 and not ends_sentence(start - 1):
            start -= 1
        end = i
        while end < n and not ends_sentence(end):
            end += 1
        return start, end


def tokens_of(doc: Doc) -> TokenTable:
    """The table the lexicon component stored on ``doc``."""
    table: TokenTable = doc._.kg_tokens
    return table


def lang_of(nlp: Language) -> str:
    """The pipeline's language code (spaCy types it Optional; ``spacy.blank(lang)`` always sets it)."""
    assert nlp.lang is not None, "a kgbuild pipeline always has a language"
    return nlp.lang


def build_lexicon(nlp: Language, mappings: Mappings) -> Lexicon:
    lang = lang_of(nlp)
    lex = Lexicon(lang, mappings)
    entries: dict[str, list[tuple[str, str]]] = {}

    def add(category: str, payload: str, form: str) -> None:
        form = form.strip()
        if form:
            # PhraseMatcher keys must be non-empty strings
            entries.setdefault(category, []).append((payload or "_", form))

    for entry in mappings.gazetteer:
        for form in _forms_of(entry, lang):
            add(GAZ, entry.id, form)
        for form in entry.surnames[lang]:
            add(SURNAME, entry.id, form)
        for form in entry.anaphors[lang]:
            add(ANAPHOR, entry.id, form)
        for form in entry.demonyms[lang]:
            add(DEMONYM, entry.id, form)
    for form in mappings.titles[lang]:
        add(TITLE, "", form)
    for role in mappings.roles:
        for form in role.forms[lang]:
            add(ROLE, role.id, form)
    cues = mappings.cues[lang]
    for index, group in enumerate(cues.verbs):
        for form in group:
            add(CUE, group[0] if group else str(index), form)
    for group in cues.participles:
        for form in group:
            add(PARTICIPLE, group[0], form)
    for form in cues.according_to:
        add(ACCORDING, "", form)
    for form in cues.complementizers:
        add(COMP, "", form)
    cal = mappings.calendar
    for number, form in cal.months[lang]:
        add(MONTH, str(number), form)
    for number, form in cal.hijri_months[lang]:
        add(HIJRI, str(number), form)
    for number, form in cal.weekdays[lang]:
        add(WEEKDAY, str(number), form)
    for form, offset in cal.relative_days[lang].items():
        add(RELDAY, str(offset), form)
    for form, number in cal.ordinals[lang].items():
        add(ORDINAL, str(number), form)
    for form in mappings.given_names[lang]:
        add(GIVEN, "", form)
    for form in mappings.name_particles[lang]:
        add(PARTICLE, "", form)
    grammar = mappings.grammar
    function_words = grammar["function_words"][lang]
    for form in (*mappings.not_names[lang], *function_words):
        add(NOT_NAME, "", form)
    for form in function_words:
        add(FUNCTION, "", form)
    for form in grammar["organisation_heads"][lang]:
        add(ORG_HEAD, "", form)
    for form in grammar["anonymous_source_heads"][lang]:
        add(ANON_HEAD, "", form)

    normalise = nlp.get_pipe("kg_normalizer")
    # forms are split like text, so "القيادة المركزية للجيش" meets "ل" + "الجيش" in text too
    split = nlp.get_pipe("kg_clitics") if "kg_clitics" in nlp.pipe_names else None
    lex.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
    for category, items in entries.items():
        by_payload: dict[str, list[Doc]] = {}
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for payload, form in items:
            pattern = normalise(nlp.make_doc(form))
            if split is not None and len(pattern) > 1:
                pattern = split(pattern)
            norms = tuple(t.norm_ for t in pattern)
            if not norms or (payload, norms) in seen:
                continue
            seen.add((payload, norms))
            by_payload.setdefault(payload, []).append(pattern)
            if category not in (NOT_NAME, FUNCTION):
                # "وقال" listed as not-a-name must still be split into و + قال
                lex.known_words.add(norms[0])
            if len(norms) == 1:
                lex.single.setdefault(category, set()).add(norms[0])
        if category == NOT_NAME:
            continue  # only ever asked of single words (Lexicon.has): matching it in text is waste
        for payload, patterns in by_payload.items():
            if category == FUNCTION:
                # the token table looks one-word function words up instead: they are most words
                patterns = [pattern for pattern in patterns if len(pattern) > 1]
                if not patterns:
                    continue
            key = f"{category} {payload}"
            lex.keys[nlp.vocab.strings.add(key)] = (category, payload)
            lex.matcher.add(key, patterns)
    lex.known_words.update(function_words)
    return lex
