"""One actor, one node, across scripts: match an Arabic-script name to a Latin-script one.

Actors in the gazetteer already have one IRI in both languages.  An actor found only in
text gets its IRI from its name as written, so كينيث ماكينزي in an Arabic article and
Kenneth McKenzie in an English one would be two nodes.  This module proposes which
Arabic-script and Latin-script names are the same person; the graph stage applies the
confident proposals and the pipeline writes the doubtful ones for a person to review.

Both names are reduced to a *skeleton*: a sequence of units that survive
transliteration, consonant classes (``K`` for ك ق k c q ck kh, ``S`` for س ص ز s z …)
and vowel runs (``a`` ``i`` ``u``, which Arabic writes only when long).  Two skeletons
are compared by a weighted edit distance that forgives what transliteration blurs —
short vowels (Arabic leaves them out), ``h`` (silent in John, written in محمد),
near consonants (g/k, t/d, sh/ch) — and charges fully for a different consonant.

Everything here is a pure function of the names given, so the result does not depend on
the order the articles were read in.  The rules are conservative by design (see
docs/cross-script.md): only persons, only an Arabic-script name against a Latin-script
one, the same number of name tokens, every token close, and one partner only.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache

from .normalize import fold_words

# ---- thresholds (docs/cross-script.md explains the choice) --------------------------------
CONFIDENT_SCORE = 0.90  # mean token score of a merge
CONFIDENT_TOKEN = 0.85  # and every token at least this close
CONFIDENT_CONSONANTS = 5  # and at least this many consonants on the shorter side (Ed Crane has 4)
CANDIDATE_SCORE = 0.80  # a pair worth a person's look
CANDIDATE_TOKEN = 0.75

# ---- units --------------------------------------------------------------------------------
# Consonant classes are upper-case letters (and $ for sh), vowel runs lower-case strings of
# the vowels they may stand for, sorted ("a", "ai", "aiu").  ``AYN`` (ع, and the apostrophe
# that writes it in Latin) may stand for any vowel or none.
Unit = str
AYN = "aiu"
_VOWELS = frozenset("aiu")
# A vowel (or ع) that opens a word is written in both scripts (Obama أوباما, Ali علي), so
# leaving it out costs much more than leaving out a vowel inside a word: علي عمران is not
# Lee Moran.  Such a unit carries this mark after its vowels.
_INITIAL = "~"

# Arabic letters after hamza carriers and Persian letters have been resolved (see _AR_PRE)
_AR_CONSONANTS = {
    "ب": "B", "ت": "T", "ث": "T", "ج": "G", "ح": "H", "خ": "K", "د": "D", "ذ": "D", "ر": "R",
    "ز": "S", "س": "S", "ش": "$", "ص": "S", "ض": "D", "ط": "T", "ظ": "S", "غ": "G", "ف": "F",
    "ق": "K", "ك": "K", "ل": "L", "م": "M", "ن": "N", "ه": "H",
}
_AR_PRE = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ی": "ي", "ې": "ي", "ے": "ي",
    "ک": "ك", "ڪ": "ك", "ۀ": "ة", "ٹ": "ت",
}
# letters of Persian and Maghrebi spelling that Arabic news uses for foreign sounds
_AR_FOREIGN = {"گ": "G", "ڨ": "G", "پ": "B", "چ": "C", "ڤ": "F", "ژ": "$"}
_AR_PARTICLES = ("عبد", "ابو", "ابن", "بن", "بو")  # written apart in Arabic, often glued in Latin
_LATIN_PARTICLES = ("abd", "abdel", "abdul", "abu", "bin", "ibn", "ben", "bou")
_LATIN_ARTICLE = re.compile(r"^(?:al|el|ad|adh|an|ar|as|ash|at|ath|az|ud|ul)-(?=\w{2})")
_LATIN_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_LATIN_DROP = frozenset({"al", "el"}) | _LATIN_SUFFIXES
# a father and son share a name: a generational suffix on either side is never merged
_ARABIC_SUFFIXES = frozenset({"الابن", "الأب", "جونيور", "الثاني", "الثالث", "الرابع"})

_LATIN_DIGRAPHS = (
    ("tch", "C"), ("sch", "$"), ("sh", "$"), ("ch", "C"), ("zh", "$"), ("kh", "K"), ("gh", "G"),
    ("th", "T"), ("dh", "D"), ("ph", "F"), ("ck", "K"),
)
_LATIN_SINGLE = {
    "b": "B", "p": "B", "d": "D", "f": "F", "v": "F", "g": "G", "j": "G", "h": "H", "k": "K",
    "q": "K", "l": "L", "m": "M", "n": "N", "r": "R", "s": "S", "z": "S", "t": "T",
}
_LATIN_VOWELS = {"a": "a", "e": "i", "i": "i", "o": "u", "u": "u", "y": "i", "w": "u"}

# Substitution costs between consonant classes that transliteration confuses; any other
# pair of different consonants costs 1.
_NEAR: dict[frozenset[str], float] = {
    frozenset("KG"): 0.5,   # hard g written ك or ق; Egyptian ج
    frozenset("KC"): 0.3,   # ch as k (Michael, Christopher: مايكل، كريستوفر)
    frozenset("C$"): 0.3,   # ch written ش
    frozenset("S$"): 0.5,
    frozenset("GC"): 0.5,   # ج for ch
    frozenset("TD"): 0.5,
    frozenset("ST"): 0.5,   # ث as s or th
    frozenset("SD"): 0.5,   # ذ ظ as z or dh
    frozenset("BF"): 0.6,   # p written ف
}
_VOWEL_INDEL = 0.15  # Arabic writes only long vowels; English adds silent ones
_INITIAL_VOWEL_INDEL = 0.5
_AYN_INDEL = 0.05
_H_INDEL = 0.3       # h is silent in John, Sarah; written ه ح in Arabic
_CONSONANT_INDEL = 1.0


class Script(StrEnum):
    ARABIC = "arabic"
    LATIN = "latin"


def script_of(text: str) -> Script | None:
    """The script of a name: Arabic, Latin, or None when it mixes them or has neither."""
    arabic = latin = False
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("ARABIC"):
            arabic = True
        elif name.startswith("LATIN"):
            latin = True
        else:
            return None
    if arabic == latin:
        return None
    return Script.ARABIC if arabic else Script.LATIN


# ---- skeletons ----------------------------------------------------------------------------
def _push(units: list[Unit], unit: Unit) -> None:
    """Append a unit, collapsing doubled consonants and runs of vowels."""
    if units:
        last = units[-1]
        if unit == last and not _is_vowel(unit):
            return
        if _is_vowel(unit) and _is_vowel(last):
            units[-1] = "".join(sorted(set(last) | set(unit)))
            return
    units.append(unit)


def _is_vowel(unit: Unit) -> bool:
    return unit[0] in _VOWELS


@lru_cache(maxsize=1 << 16)
def arabic_token_skeleton(token: str) -> tuple[Unit, ...]:
    """The units of one Arabic-script name token (the article ال dropped)."""
    text = "".join(_AR_PRE.get(c, c) for c in unicodedata.normalize("NFC", token)
                   if unicodedata.category(c) not in ("Mn", "Cf") and c != "ـ")
    if text.startswith("ال") and len(text) > 3:
        text = text[2:]
    units: list[Unit] = []
    i = 0
    while i < len(text):
        char = text[i]
        if text.startswith("تش", i):  # تشارلز, ريتشارد: the ch sound
            _push(units, "C")
            i += 2
            continue
        if char in _AR_CONSONANTS:
            _push(units, _AR_CONSONANTS[char])
        elif char in _AR_FOREIGN:
            _push(units, _AR_FOREIGN[char])
        elif char == "ا":
            _push(units, "a")
        elif char == "و":
            _push(units, "W" if i == 0 else "u")
        elif char == "ي":
            _push(units, "Y" if i == 0 else "i")
        elif char == "ى":
            _push(units, "ai")  # مصطفى, موسى
        elif char == "ة":
            _push(units, "a")  # تاء مربوطة is read -a
        elif char == "ع":
            _push(units, AYN)
        # ء and anything else (digits, punctuation) carry no sound worth matching
        i += 1
    return _mark_initial(units)


@lru_cache(maxsize=1 << 16)
def latin_token_skeleton(token: str) -> tuple[Unit, ...]:
    """The units of one Latin-script name token (an al-/el- article dropped)."""
    text = "".join(c for c in unicodedata.normalize("NFKD", token.lower())
                   if unicodedata.category(c) != "Mn")
    text = _LATIN_ARTICLE.sub("", text)
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    # a silent final e (Mike, Jane) is not written in Arabic; it softens c (Pence) first
    if len(text) > 3 and text.endswith("e") and text[-2] not in "aeiouy":
        text = text[:-2] + ("s" if text[-2] == "c" else text[-2])
    units: list[Unit] = []
    i = 0
    while i < len(text):
        for digraph, unit in _LATIN_DIGRAPHS:
            if text.startswith(digraph, i):
                _push(units, unit)
                i += len(digraph)
                break
        else:
            char = text[i]
            following = text[i + 1] if i + 1 < len(text) else ""
            if char == "c":
                _push(units, "S" if following in ("e", "i", "y") else "K")
            elif char == "x":
                _push(units, "K")
                _push(units, "S")
            elif char in ("w", "y") and i == 0 and following in "aeiou" and following:
                _push(units, "W" if char == "w" else "Y")
            elif char in _LATIN_VOWELS:
                _push(units, _LATIN_VOWELS[char])
            elif char in _LATIN_SINGLE:
                _push(units, _LATIN_SINGLE[char])
            elif char == "'":
                _push(units, AYN)  # Sa'ad, Ja'afari: the apostrophe writes ع
            i += 1
    return _mark_initial(units)


def _mark_initial(units: list[Unit]) -> tuple[Unit, ...]:
    if units and _is_vowel(units[0]):
        units[0] += _INITIAL
    return tuple(units)


def _arabic_tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[\s\-‐–—.,،]+", name) if t]


def _latin_tokens(name: str) -> list[str]:
    raw = [t for t in re.split(r"\s+", name.replace("–", " ").replace("—", " ")) if t]
    tokens: list[str] = []
    for token in raw:
        bare = token.strip(".,'’\"()").lower()
        # initials (J., H) and suffixes (Jr., III) are seldom written in Arabic
        if len(bare) <= 1 or bare in _LATIN_DROP:
            continue
        article = _LATIN_ARTICLE.match(bare)
        rest = bare[article.end():] if article else bare
        tokens += [part for part in rest.split("-") if part]
    return tokens


def _join_particles(tokens: Sequence[str], particles: Iterable[str]) -> list[str]:
    """عبد الله → عبدالله: a particle written apart is glued to the name after it."""
    known = set(particles)
    out: list[str] = []
    glue = False
    for token in tokens:
        if glue:
            out[-1] += token
        else:
            out.append(token)
        glue = token in known
    return out


@lru_cache(maxsize=65536)
def arabic_skeleton(name: str) -> tuple[tuple[Unit, ...], ...]:
    """Per-token skeletons of an Arabic-script name."""
    return tuple(s for s in (arabic_token_skeleton(t) for t in _arabic_tokens(name)) if s)


@lru_cache(maxsize=65536)
def latin_skeleton(name: str) -> tuple[tuple[Unit, ...], ...]:
    """Per-token skeletons of a Latin-script name."""
    return tuple(s for s in (latin_token_skeleton(t) for t in _latin_tokens(name)) if s)


def _variants(name: str, script: Script) -> list[tuple[tuple[Unit, ...], ...]]:
    """The name's skeleton as written and with particles glued (Abdul Aziz / عبدالعزيز)."""
    if script is Script.ARABIC:
        tokens = _arabic_tokens(name)
        plain = arabic_skeleton(name)
        folded = [t.replace("أ", "ا").replace("إ", "ا") for t in tokens]
        glued = _join_particles(folded, _AR_PARTICLES)
        other = tuple(s for s in (arabic_token_skeleton(t) for t in glued) if s)
    else:
        plain = latin_skeleton(name)
        glued = _join_particles(_latin_tokens(name), _LATIN_PARTICLES)
        other = tuple(s for s in (latin_token_skeleton(t) for t in glued) if s)
    return [plain] if other == plain else [plain, other]


# ---- scoring ------------------------------------------------------------------------------
def _indel(unit: Unit) -> float:
    if unit.endswith(_INITIAL):
        return _INITIAL_VOWEL_INDEL
    if unit == AYN:
        return _AYN_INDEL
    if _is_vowel(unit):
        return _VOWEL_INDEL
    return _H_INDEL if unit == "H" else _CONSONANT_INDEL


def _substitute(a: Unit, b: Unit) -> float:
    if a == b:
        return 0.0
    va, vb = _is_vowel(a), _is_vowel(b)
    if va and vb:
        sa, sb = set(a) - {_INITIAL}, set(b) - {_INITIAL}
        if sa & sb:
            return 0.0
        return 0.5 if {"i", "u"} == sa | sb else 0.3
    if va or vb:
        vowel, consonant = (a, b) if va else (b, a)
        # Oueslati / الوسلاتي, Yusuf / يوسف: w and y are both vowel and consonant
        if (consonant == "W" and "u" in vowel) or (consonant == "Y" and "i" in vowel):
            return 0.3
        return 1.0
    return _NEAR.get(frozenset((a, b)), 1.0)


def _consonants(skeleton: Sequence[Unit]) -> int:
    return sum(1 for u in skeleton if not _is_vowel(u))


@lru_cache(maxsize=1 << 18)  # a corpus pairs the same few thousand name tokens again and again
def token_score(a: Sequence[Unit], b: Sequence[Unit]) -> float:
    """1 for skeletons equal up to what transliteration blurs, falling to 0."""
    rows, cols = len(a), len(b)
    previous = [0.0] * (cols + 1)
    for j in range(1, cols + 1):
        previous[j] = previous[j - 1] + _indel(b[j - 1])
    for i in range(1, rows + 1):
        current = [previous[0] + _indel(a[i - 1])] + [0.0] * cols
        for j in range(1, cols + 1):
            current[j] = min(previous[j] + _indel(a[i - 1]), current[j - 1] + _indel(b[j - 1]),
                             previous[j - 1] + _substitute(a[i - 1], b[j - 1]))
        previous = current
    scale = max(_consonants(a), _consonants(b), 2)
    return max(0.0, 1.0 - previous[cols] / scale)


class Verdict(StrEnum):
    MERGE = "merge"
    CANDIDATE = "candidate"
    NONE = "none"


@dataclass(frozen=True)
class NameMatch:
    """How close an Arabic-script and a Latin-script name are, and what to do about it."""

    score: float  # mean token score, weighted by consonants
    weakest: float  # the lowest token score
    verdict: Verdict
    reason: str  # why it is not a merge ("" for a merge)


def _score_aligned(a: Sequence[tuple[Unit, ...]], b: Sequence[tuple[Unit, ...]]) -> tuple[float, float]:
    scores = [token_score(x, y) for x, y in zip(a, b, strict=True)]
    weights = [max(_consonants(x), _consonants(y), 1) for x, y in zip(a, b, strict=True)]
    return sum(s * w for s, w in zip(scores, weights, strict=True)) / sum(weights), min(scores)


def _drop_one_inner(tokens: Sequence[tuple[Unit, ...]]) -> list[tuple[tuple[Unit, ...], ...]]:
    """The name with one token other than the first and last left out (a middle name)."""
    return [tuple(tokens[:i]) + tuple(tokens[i + 1:]) for i in range(1, len(tokens) - 1)]


def _has_suffix(arabic: str, latin: str) -> bool:
    return any(t in _ARABIC_SUFFIXES for t in _arabic_tokens(arabic)) or \
        any(t.strip(".,").lower() in _LATIN_SUFFIXES for t in latin.split())


def _has_initial(latin: str) -> bool:
    return any(len(t.strip(".,")) == 1 for t in latin.split())


def match_names(arabic: str, latin: str) -> NameMatch:
    """Compare an Arabic-script name with a Latin-script one.

    A merge needs at least two tokens on each side, the same number after particles are
    glued, every token close and enough consonants to tell names apart.  A pair that
    differs by one middle name (Stephen J. Townsend's J. is dropped anyway) is at most
    a candidate.
    """
    if script_of(arabic) is not Script.ARABIC or script_of(latin) is not Script.LATIN:
        return NameMatch(0.0, 0.0, Verdict.NONE, "not an Arabic-script and a Latin-script name")
    # every alignment of the name variants is judged; the best verdict wins, then the score
    # (Ben Rhodes / بن رودز glued as a particle is one token, as written it is two)
    best: NameMatch | None = None
    for a in _variants(arabic, Script.ARABIC):
        for b in _variants(latin, Script.LATIN):
            pairs: list[tuple[Sequence[tuple[Unit, ...]], Sequence[tuple[Unit, ...]], bool]] = []
            if len(a) == len(b) and a:
                pairs.append((a, b, True))
            elif len(a) == len(b) + 1 and len(b) >= 2:
                pairs += [(x, b, False) for x in _drop_one_inner(a)]
            elif len(b) == len(a) + 1 and len(a) >= 2:
                pairs += [(a, y, False) for y in _drop_one_inner(b)]
            for x, y, whole in pairs:
                score, weakest = _score_aligned(x, y)
                shortest = min(sum(_consonants(t) for t in x), sum(_consonants(t) for t in y))
                judged = _judge(arabic, latin, round(score, 3), round(weakest, 3), whole, shortest, len(x))
                if best is None or _rank(judged) > _rank(best):
                    best = judged
    if best is None:
        return NameMatch(0.0, 0.0, Verdict.NONE, "different number of name tokens")
    return best


_VERDICT_RANK = {Verdict.MERGE: 2, Verdict.CANDIDATE: 1, Verdict.NONE: 0}


def _rank(match: NameMatch) -> tuple[int, float, float]:
    return _VERDICT_RANK[match.verdict], match.score, match.weakest


def _judge(arabic: str, latin: str, score: float, weakest: float, whole: bool, shortest: int,
           tokens: int) -> NameMatch:
    if score >= CONFIDENT_SCORE and weakest >= CONFIDENT_TOKEN:
        if _has_suffix(arabic, latin):
            return NameMatch(score, weakest, Verdict.CANDIDATE, "a generational suffix (Jr., II)")
        if _has_initial(latin):
            # George W. Bush and George H. W. Bush are both جورج بوش
            return NameMatch(score, weakest, Verdict.CANDIDATE, "a middle initial the Arabic name lacks")
        if not whole:
            return NameMatch(score, weakest, Verdict.CANDIDATE, "one name has an extra middle name")
        if tokens < 2:
            return NameMatch(score, weakest, Verdict.CANDIDATE, "a single name")
        if shortest < CONFIDENT_CONSONANTS:
            return NameMatch(score, weakest, Verdict.CANDIDATE, "too short to be sure")
        return NameMatch(score, weakest, Verdict.MERGE, "")
    if score >= CANDIDATE_SCORE and weakest >= CANDIDATE_TOKEN:
        return NameMatch(score, weakest, Verdict.CANDIDATE, "close but not close enough")
    return NameMatch(score, weakest, Verdict.NONE, "names differ")


# ---- actors of a build --------------------------------------------------------------------
@dataclass(frozen=True)
class Actor:
    """An actor found only in text: its node, type, preferred label and articles."""

    iri: str
    type: str  # "Person" | "Organisation" | "Place"
    label: str
    articles: tuple[str, ...]  # article ids, sorted (a build keeps the first ten)
    article_count: int = 0  # every article naming it; 0 = len(articles)


@dataclass(frozen=True)
class Proposal:
    arabic: Actor
    latin: Actor
    match: NameMatch
    reason: str  # why a candidate is not merged; "" for a merge


@dataclass(frozen=True)
class MergePlan:
    merges: tuple[Proposal, ...]  # the Latin-script node is kept (see docs/cross-script.md)
    candidates: tuple[Proposal, ...]


# Only persons: organisations are translated (وزارة الدفاع / Ministry of Defence), not
# transliterated, and places are in the gazetteer; a sound-alike between two of them is
# more likely a coincidence than one body.
MATCHED_TYPES = frozenset({"Person"})


def _block_keys(skeleton: Sequence[tuple[Unit, ...]]) -> set[tuple[str, ...]]:
    """Coarse keys of the last name, so that only plausible pairs are scored."""
    coarse = {"G": "K", "C": "K", "$": "S", "D": "T", "F": "B", "W": "", "Y": "", "H": ""}
    keys: set[tuple[str, ...]] = set()
    for token in skeleton[-1:]:
        letters = tuple(c for c in (coarse.get(u, u) for u in token if not _is_vowel(u)) if c)
        keys.add(letters[:2])
    return keys


def _all_given_names(name: str, given_names: frozenset[str]) -> bool:
    words = fold_words(name).split()
    return bool(words) and all(w in given_names for w in words)


def plan_merges(actors: Iterable[Actor], given_names: Iterable[str] = ()) -> MergePlan:
    """Pair Arabic-script with Latin-script actors of the same type.

    A pair whose names match confidently is merged when neither actor has another
    confident or candidate partner and neither name is made only of ``given_names``
    (محمد علي names many people); everything doubtful becomes a candidate.  The result
    is sorted, so it does not depend on the order of ``actors``.
    """
    common = frozenset(fold_words(n) for n in given_names)
    arabic: dict[tuple[str, ...], list[Actor]] = defaultdict(list)
    latin: dict[tuple[str, ...], list[Actor]] = defaultdict(list)
    for actor in sorted(set(actors), key=lambda a: a.iri):
        if actor.type not in MATCHED_TYPES:
            continue
        script = script_of(actor.label)
        if script is Script.ARABIC:
            skeleton = arabic_skeleton(actor.label)
            target = arabic
        elif script is Script.LATIN:
            skeleton = latin_skeleton(actor.label)
            target = latin
        else:
            continue
        if not skeleton:
            continue
        for key in _block_keys(skeleton):
            target[(actor.type, *key)].append(actor)
    found: dict[tuple[str, str], Proposal] = {}
    for key in sorted(arabic.keys() & latin.keys()):
        for a in arabic[key]:
            for b in latin[key]:
                if (a.iri, b.iri) in found:
                    continue
                match = match_names(a.label, b.label)
                if match.verdict is Verdict.MERGE and (
                        _all_given_names(a.label, common) or _all_given_names(b.label, common)):
                    match = replace(match, verdict=Verdict.CANDIDATE,
                                    reason="every part of the name is a common given name")
                if match.verdict is not Verdict.NONE:
                    found[(a.iri, b.iri)] = Proposal(a, b, match, match.reason)
    partners: dict[str, list[Proposal]] = defaultdict(list)
    for proposal in found.values():
        partners[proposal.arabic.iri].append(proposal)
        partners[proposal.latin.iri].append(proposal)
    merges: list[Proposal] = []
    candidates: list[Proposal] = []
    for pair in sorted(found):
        proposal = found[pair]
        rivals = sorted({p.latin.label if p.arabic is proposal.arabic else p.arabic.label
                         for p in partners[proposal.arabic.iri] + partners[proposal.latin.iri]
                         if p is not proposal})
        if proposal.match.verdict is Verdict.MERGE and not rivals:
            merges.append(proposal)
        elif proposal.match.verdict is Verdict.MERGE:
            candidates.append(Proposal(proposal.arabic, proposal.latin, proposal.match,
                                       "also close to " + ", ".join(rivals)))
        else:
            candidates.append(proposal)
    return MergePlan(tuple(sorted(merges, key=_proposal_order)),
                     tuple(sorted(candidates, key=_proposal_order)))


def _proposal_order(proposal: Proposal) -> tuple[float, str, str]:
    return -proposal.match.score, proposal.arabic.iri, proposal.latin.iri


# ---- romanisation, for gazetteer stubs ----------------------------------------------------
_ROMAN = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r",
    "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh",
    "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a", "ا": "a",
    "و": "w", "ي": "y", "ى": "a", "ء": "", "گ": "g", "پ": "p", "چ": "ch", "ڤ": "v", "ژ": "zh",
}


def romanise(name: str) -> str:
    """A rough Latin spelling of an Arabic-script name (letters only; short vowels unknown).

    Good enough for a gazetteer id a person then checks; never used for matching.
    """
    words = []
    for token in _arabic_tokens(name):
        text = "".join(_AR_PRE.get(c, c) for c in unicodedata.normalize("NFC", token)
                       if unicodedata.category(c) not in ("Mn", "Cf") and c != "ـ")
        prefix = ""
        if text.startswith("ال") and len(text) > 3:
            prefix, text = "al-", text[2:]
        out = []
        for i, char in enumerate(text):
            if char in ("و", "ي") and i > 0:
                out.append("u" if char == "و" else "i")  # long vowels inside a word
            else:
                out.append(_ROMAN.get(char, char if char.isascii() and char.isalnum() else ""))
        word = prefix + "".join(out)
        if word.strip("-"):
            words.append(word)
    return " ".join(words)


def ascii_slug(text: str) -> str:
    """A gazetteer id ([a-z0-9-]+) from a Latin-script name."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if unicodedata.category(c) != "Mn")
    return "-".join(re.findall(r"[a-z0-9]+", plain))


# ---- the review file ----------------------------------------------------------------------
CANDIDATE_COLUMNS = ("score", "reason", "arabic_iri", "arabic_label", "latin_iri", "latin_label",
                     "arabic_articles", "latin_articles", "gazetteer_hint")
_LISTED_ARTICLES = 10


def _article_list(actor: Actor) -> str:
    listed = " ".join(actor.articles[:_LISTED_ARTICLES])
    more = max(actor.article_count, len(actor.articles)) - min(len(actor.articles), _LISTED_ARTICLES)
    return f"{listed} (+{more} more)" if more > 0 else listed


def gazetteer_stub(type_: str, labels: dict[str, str], taken: Iterable[str] = (),
                   aliases: dict[str, Sequence[str]] | None = None) -> str:
    """One gazetteer entry in YAML flow style, to paste under ``entities:``.

    The id comes from the English label, else from a romanisation of the Arabic one, and
    is made unique against ``taken``.  The gazetteer needs both labels; one that no
    article gave is left empty, with a comment, so that loading the gazetteer stops at
    it until a person fills it in: a guessed label would be worse than none.
    """
    arabic, english = labels.get("ar", ""), labels.get("en", "")
    base = ascii_slug(english or romanise(arabic)) or "actor"
    used = set(taken)
    gid, n = base, 2
    while gid in used:
        gid, n = f"{base}-{n}", n + 1
    parts = [f"id: {gid}", f"type: {type_}",
             f"labels: {{ar: {_yaml_str(arabic)}, en: {_yaml_str(english)}}}"]
    listed = {lang: [a for a in names if a != labels.get(lang)] for lang, names in (aliases or {}).items()}
    if any(listed.values()):
        parts.append("aliases: {" + ", ".join(
            f"{lang}: [" + ", ".join(_yaml_str(a) for a in names) + "]"
            for lang, names in sorted(listed.items()) if names) + "}")
    stub = "- {" + ", ".join(parts) + "}"
    if not english and arabic:
        stub += f"  # fill in the en label (romanised: {romanise(arabic)})"
    elif not arabic:
        stub += "  # fill in the ar label"
    return stub


def _yaml_str(text: str) -> str:
    # a JSON string is a valid double-quoted YAML scalar
    return json.dumps(text, ensure_ascii=False)


def candidates_csv(candidates: Iterable[Proposal], taken_ids: Iterable[str] = ()) -> str:
    """merge_candidates.csv: one doubtful pair a line, best first, with a gazetteer entry
    that accepts it (paste it into mappings/gazetteer.yaml and rebuild)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CANDIDATE_COLUMNS)
    taken = set(taken_ids)
    for p in candidates:
        hint = gazetteer_stub(p.latin.type, {"ar": p.arabic.label, "en": p.latin.label}, taken)
        writer.writerow((f"{p.match.score:.3f}", p.reason, p.arabic.iri, p.arabic.label, p.latin.iri,
                         p.latin.label, _article_list(p.arabic), _article_list(p.latin),
                         hint))
    return out.getvalue()
