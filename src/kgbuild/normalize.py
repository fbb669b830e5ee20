"""Orthographic folding for matching, never for what the graph records.

Arabic news spells one name many ways: with or without hamza (الأمر / الامر), alef
maqsura for yeh, teh marbuta for heh, Persian yeh and kaf (فاونديشن / فاوندیشن), harakat
and tatweel.  The pipeline folds each token into ``Token.norm_`` and matches on that,
while the token keeps its place in the original text — so evidence always points at the
exact original characters.  ``fold_with_offsets`` does the same for a whole string: for
every folded character, the index of the character it came from.
"""

from __future__ import annotations

import re
import unicodedata

_LETTER_MAP = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ې": "ي", "ے": "ي",
    "ک": "ك", "ڪ": "ك", "ة": "ه", "ۀ": "ه", "ؤ": "و", "ئ": "ي", "ٹ": "ت", "ڤ": "ف",
    "پ": "ب", "چ": "ج", "گ": "ك", "ژ": "ز",
    # typographic variants that differ between outlets
    "’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "ـ": "",
    "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
    "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
    "،": ",", "؛": ";", "؟": "?",
}
_DROP_CATEGORIES = {"Mn", "Cf"}  # harakat, tanwin, shadda; zero-width and bidi controls


def _fold_char(char: str) -> str:
    mapped = _LETTER_MAP.get(char)
    if mapped is not None:
        return mapped
    if unicodedata.category(char) in _DROP_CATEGORIES:
        return ""
    decomposed = unicodedata.normalize("NFKC", char)
    if len(decomposed) != 1:
        # ligatures such as ﻻ fold to two letters; keep both, both mapped to this char
        return "".join(_LETTER_MAP.get(c, c) for c in decomposed).lower()
    return decomposed.lower()


class _FoldTable(dict[int, str]):
    """``str.translate`` table from code point to folded form, filled on first sight: folding
    is per character, so translating is folding, at C speed."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """The folded form of ``text`` used for every comparison."""
    return text.translate(_FOLD_TABLE)


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Folded text and, per folded character, the index of its source character."""
    out: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = _FOLD_TABLE[ord(char)]
        for piece in folded:
            out.append(piece)
            offsets.append(index)
    return "".join(out), offsets


def fold_words(text: str) -> str:
    """Folded text with punctuation dropped and spaces collapsed: a lookup key."""
    return " ".join(re.findall(r"\w+", fold(text)))


def slug(text: str) -> str:
    """An IRI path segment from a name: folded words joined by '-'."""
    words = re.findall(r"\w+", fold(text))
    return "-".join(words)

