"""spaCy pipelines for Arabic and English: tokenizer, normaliser, clitic splitter, lexicon,
token patterns.

No trained model is needed: ``spacy.blank`` gives the tokenizer; our components fold
orthography into ``Token.norm_``, split Arabic proclitics off known stems, and run the
mapping lexicon.  Each component takes a Doc and returns it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import cast

import numpy
import spacy
from spacy.attrs import IS_ALPHA, NORM, ORTH, SPACY
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_suffix_regex
from thinc.types import Ints2d

from . import entities as _entities  # noqa: F401  (registers the kg_entities factory)
from .config import Mappings, load_mappings
from .errors import KGBuildError, problem
from .lexicon import FUNCTION, Lexicon, TokenTable, build_lexicon, lang_of, letters_with_marks
from .normalize import fold

if not Doc.has_extension("kg_model_ents"):
    Doc.set_extension("kg_model_ents", default=None)  # [(start_char, end_char, label)] from a trained model
if not Doc.has_extension("kg_pattern_ents"):
    Doc.set_extension("kg_pattern_ents", default=None)  # [(start, end, index in Mappings.patterns)]
if not Doc.has_extension("kg_lex"):
    Doc.set_extension("kg_lex", default=None)  # list[LexMatch], sorted
    Doc.set_extension("kg_clitics", default=None)  # token index → the proclitic split off before it

# Proclitics, longest first: conjunction (و ف) + preposition (ب ل ك) combinations.
PROCLITICS = ("وبال", "وكال", "فبال", "وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك")
_PROCLITIC_INITIALS = frozenset(prefix[0] for prefix in PROCLITICS)
# Quotes and tatweel glue to words in Arabic copy: لـ"الوطن", بـ«المهمة», (داعش)
_AR_INFIXES = [r'(?<=[\u0600-\u06FF\u0640])["«»“”\'(\[]', r'["«»“”\')\]](?=[\u0600-\u06FF])']
_AR_SUFFIXES = [r"\.", r"[\u060C\u061B\u061F]", r'["«»“”]', r"/", r"\./"]  # "بغداد./" ends a sentence

_MAPPINGS_CACHE: dict[str, Mappings] = {}


def get_mappings(directory: str | Path | None = None) -> Mappings:
    key = str(Path(directory).resolve()) if directory else ""
    if key not in _MAPPINGS_CACHE:
        _MAPPINGS_CACHE[key] = load_mappings(Path(directory)) if directory else load_mappings()
    return _MAPPINGS_CACHE[key]


class Normalizer:
    """Every token's norm is its folded text (or the text, when folding leaves nothing)."""

    def __init__(self) -> None:
        # orth → norm, None when it is the text itself: words repeat, so each is folded once
        self._norm_of: dict[int, str | None] = {}

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        norm_of = self._norm_of
        words, where = numpy.unique(doc.to_array(ORTH), return_inverse=True)
        norms: list[int] = []
        for orth in words.tolist():
            norm = norm_of.get(orth, "")  # "" for a word not seen yet: no norm is empty
            if norm == "":
                text = strings[orth]
                norm = fold(text) or text
                norm = norm_of[orth] = None if norm == text else norm
            # a norm unlike the text is interned in this doc's vocab, as Token.norm_ does
            norms.append(orth if norm is None else strings.add(norm))
        doc.from_array([NORM], _column(numpy.array(norms, dtype="uint64")[where]))
        return doc


def _column(ids: list[int] | numpy.ndarray) -> Ints2d:
    """String ids as the one-attribute array ``Doc.from_array`` takes."""
    return cast(Ints2d, numpy.asarray(ids, dtype="uint64").reshape(-1, 1))


@Language.factory("kg_normalizer")
def make_normalizer(nlp: Language, name: str) -> Normalizer:
    return Normalizer()


class CliticSplitter:
    """Split و ف ب ل ك (and لل = ل + ال) off a word when the rest is a word we know.

    Splitting only before known stems or the article ال keeps names such as وليد or
    بغداد whole, while للتحالف، وداعش، وقال، بالجيش find their entries.
    """

    def __init__(self, mappings_dir: str | None):
        self.mappings_dir = mappings_dir
        self.known: set[str] | None = None
        self.verbs: set[str] = set()
        # orth → split, or None: the normaliser makes a token's norm a function of its text,
        # and words repeat, so each is looked at once
        self._split_of: dict[int, tuple[str, str, str] | None] = {}

    def initialise(self, nlp: Language) -> None:
        lexicon = get_lexicon(lang_of(nlp), self.mappings_dir)
        self.known = lexicon.known_words
        self.verbs = lexicon.single.get("CUE", set()) | lexicon.single.get("PARTICIPLE", set())

    def split_point(self, norm: str) -> tuple[int, str] | None:
        assert self.known is not None
        if norm[:1] not in _PROCLITIC_INITIALS:
            return None
        for prefix in PROCLITICS:
            if not norm.startswith(prefix) or len(norm) <= len(prefix) + 1:
                continue
            stem = norm[len(prefix):]
            if prefix.endswith("ل") and stem.startswith("ل") and not stem.startswith("ال"):
                restored = "ا" + stem  # للتحالف: the alef of ال is not written after ل
                if len(restored) >= 4:
                    return len(prefix), restored
            if prefix.endswith("ال"):
                return len(prefix) - 2, "ال" + stem
            if stem in self.known and (len(stem) >= 3 or stem.startswith("ال")):
                if stem in self.verbs and prefix not in ("و", "ف"):
                    continue  # a preposition never glues to a verb: وكلفت is not و+ك+لفت
                return len(prefix), stem
            if stem.startswith("ال") and len(stem) >= 4:
                return len(prefix), stem
        return None

    def __call__(self, doc: Doc) -> Doc:
        if self.known is None:
            return doc
        strings = doc.vocab.strings
        attrs = doc.to_array([ORTH, NORM, IS_ALPHA])
        # each distinct word once: its first token, and for every token which word it is
        _, first, where = numpy.unique(attrs[:, 0], return_index=True, return_inverse=True)
        splitting: dict[int, tuple[str, str, str]] = {}  # distinct word → its split
        for word, (orth, norm, is_alpha) in enumerate(attrs[first].tolist()):
            split = self._split_of.get(orth, _UNSEEN)
            if split is _UNSEEN:
                text, folded = strings[orth], strings[norm]
                letters = bool(is_alpha) or letters_with_marks(text, folded)
                split = self._split_of[orth] = self.split_word(text, folded, letters)
            if split is not None:
                splitting[word] = split
        if not splitting:
            return doc
        tokens = numpy.flatnonzero(numpy.isin(where, list(splitting))).tolist()
        words_split = where[tokens].tolist()
        return _rebuilt(doc, {i: splitting[word] for i, word in zip(tokens, words_split, strict=True)})

    def split_word(self, text: str, norm: str, is_alpha: bool) -> tuple[str, str, str] | None:
        """(proclitic, rest, norm of the rest) when the word splits, else None."""
        assert self.known is not None
        if norm in self.known or not is_alpha:
            return None
        point = self.split_point(norm)
        if point is None:
            return None
        # the split point counts folded characters; map it onto the original text
        cut = _original_offset(text, point[0])
        if cut is None or not 0 < cut < len(text):
            return None
        return text[:cut], text[cut:], point[1]


_UNSEEN = ("", "", "")  # not looked at yet, as opposed to None: looked at, no split


def _rebuilt(doc: Doc, splits: dict[int, tuple[str, str, str]]) -> Doc:
    """The doc with the given tokens split in two, norms kept (the stem's for a split word),
    and ``kg_clitics`` set.  Built anew from words: the retokenizer moves every later token
    for each split, which cost more than the rest of the pipeline together."""
    strings = doc.vocab.strings
    orths = doc.to_array(ORTH).tolist()
    spaces = doc.to_array(SPACY).astype(bool).tolist()
    norms = doc.to_array(NORM).tolist()
    for i in sorted(splits, reverse=True):  # from the end, so that the indices still hold
        clitic, rest, stem = splits[i]
        orths[i:i + 1] = (strings.add(clitic), strings.add(rest))
        spaces[i:i + 1] = (False, spaces[i])
        norms[i:i + 1] = (strings.add(fold(clitic)), strings.add(stem))
    # Doc takes string ids as words too: no text is decoded or hashed again
    rebuilt = Doc(doc.vocab, words=orths, spaces=spaces)
    rebuilt.from_array([NORM], _column(norms))
    proclitic_of = {strings.add(proclitic): proclitic for proclitic in PROCLITICS}
    # a proclitic glued to the next token, whether split here or written apart (بـ"…")
    glued = numpy.flatnonzero(~rebuilt.to_array(SPACY)[:-1].astype(bool)).tolist()
    rebuilt._.kg_clitics = {i + 1: proclitic_of[norms[i]] for i in glued if norms[i] in proclitic_of}
    return rebuilt


def _original_offset(text: str, folded_offset: int) -> int | None:
    """The index in ``text`` after which its folded characters number ``folded_offset``;
    None when no character boundary of ``text`` (before its end) falls there."""
    folded_len = 0
    for index, char in enumerate(text):
        if folded_len == folded_offset:
            return index
        folded_len += len(fold(char))
    return None


@Language.factory("kg_clitics", default_config={"mappings_dir": None})
def make_clitics(nlp: Language, name: str, mappings_dir: str | None) -> CliticSplitter:
    splitter = CliticSplitter(mappings_dir)
    splitter.initialise(nlp)
    return splitter


class LexiconMatcher:
    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon

    def __call__(self, doc: Doc) -> Doc:
        matches = self.lexicon.match(doc)
        doc._.kg_lex = matches
        doc._.kg_tokens = TokenTable(doc, matches, doc._.kg_clitics or {},
                                     self.lexicon.single.get(FUNCTION, set()))
        return doc


@Language.factory("kg_lexicon", default_config={"mappings_dir": None})
def make_lexicon_matcher(nlp: Language, name: str, mappings_dir: str | None) -> LexiconMatcher:
    # matchers must share the pipeline's vocab, so this lexicon is built on ``nlp`` itself
    return LexiconMatcher(build_lexicon(nlp, get_mappings(mappings_dir)))


class ModelEntities:
    """Entities of an installed spaCy pipeline named in pipeline.yaml, as character spans.

    The trained pipeline runs on the text by itself (its own tokenizer and components), so
    any pipeline works, whatever its tok2vec layout; our tokens are aligned afterwards.
    """

    def __init__(self, trained: Language):
        self.trained = trained

    def __call__(self, doc: Doc) -> Doc:
        analysed = self.trained(doc.text)
        doc._.kg_model_ents = [(ent.start_char, ent.end_char, ent.label_) for ent in analysed.ents]
        return doc


@Language.factory("kg_model_entities", default_config={"mappings_dir": None})
def make_model_entities(nlp: Language, name: str, mappings_dir: str | None) -> ModelEntities:
    mappings = get_mappings(mappings_dir)
    model = mappings.spacy_models.get(lang_of(nlp))
    assert model
    # a path is read relative to the mappings folder; anything else is a package name
    candidate = mappings.directory / model
    try:
        trained = spacy.load(candidate if candidate.exists() else model)
    except OSError as err:
        raise KGBuildError(problem("E208", name=model, reason=str(err))) from err
    return ModelEntities(trained)


class PatternMatcher:
    """Where the token patterns of patterns.yaml match, as token spans, longest first; the
    entity recogniser decides which of them become mentions."""

    def __init__(self, nlp: Language, mappings: Mappings):
        lang = lang_of(nlp)
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.index_of: dict[int, int] = {}  # match id → index in Mappings.patterns
        for index, entry in enumerate(mappings.patterns):
            if entry.lang in (None, lang):
                key = f"pattern {index}"
                self.index_of[nlp.vocab.strings.add(key)] = index
                self.matcher.add(key, [[dict(token) for token in entry.pattern]], greedy="LONGEST")

    def __call__(self, doc: Doc) -> Doc:
        found = [(start, end, self.index_of[match_id]) for match_id, start, end in self.matcher(doc)]
        found.sort(key=lambda m: (m[0] - m[1], m[0], m[2]))
        doc._.kg_pattern_ents = found
        return doc


@Language.factory("kg_patterns", default_config={"mappings_dir": None})
def make_pattern_matcher(nlp: Language, name: str, mappings_dir: str | None) -> PatternMatcher:
    return PatternMatcher(nlp, get_mappings(mappings_dir))


_LEXICONS: dict[tuple[str, str], Lexicon] = {}


def get_lexicon(lang: str, mappings_dir: str | None) -> Lexicon:
    key = (lang, mappings_dir or "")
    if key not in _LEXICONS:
        base = spacy.blank(lang)
        _customise_tokenizer(base)
        base.add_pipe("kg_normalizer")
        _LEXICONS[key] = build_lexicon(base, get_mappings(mappings_dir))
    return _LEXICONS[key]


def _customise_tokenizer(nlp: Language) -> None:
    if nlp.lang != "ar":
        return
    # spaCy types Language.tokenizer as a bare Callable; spacy.blank() always installs a Tokenizer
    tokenizer = cast(Tokenizer, nlp.tokenizer)
    infixes = list(nlp.Defaults.infixes or []) + _AR_INFIXES
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    suffixes = list(nlp.Defaults.suffixes or []) + _AR_SUFFIXES
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search


@lru_cache(maxsize=8)
def make_pipeline(lang: str, mappings_dir: str | None = None) -> Language:
    """The pipeline for ``lang`` ("ar" or "en"; anything else is read as English)."""
    lang = lang if lang in ("ar", "en") else "en"
    nlp = spacy.blank(lang)
    _customise_tokenizer(nlp)
    nlp.add_pipe("kg_normalizer")
    if lang == "ar":
        nlp.add_pipe("kg_clitics", config={"mappings_dir": mappings_dir})
    nlp.add_pipe("kg_lexicon", config={"mappings_dir": mappings_dir})
    mappings = get_mappings(mappings_dir)
    if any(entry.lang in (None, lang) for entry in mappings.patterns):
        nlp.add_pipe("kg_patterns", config={"mappings_dir": mappings_dir})
    if mappings.spacy_models.get(lang):
        nlp.add_pipe("kg_model_entities", config={"mappings_dir": mappings_dir})
    nlp.add_pipe("kg_entities", config={"mappings_dir": mappings_dir})
    return nlp
