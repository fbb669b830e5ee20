"""Inputs for bench/fuzz when atheris is not installed: Hypothesis strategies that make the
kinds of files ingest meets (junk bytes, text in several encodings, JSON, HTML, Markdown
with front matter) and the articles extraction meets, and that mutate the seed inputs as
a coverage-guided fuzzer would, without the coverage.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from fuzztargets import FIELD_SEPARATOR
from hypothesis import strategies as st

# characters that have broken text pipelines before: invisibles, direction marks, line
# breaks beyond \n, controls, Arabic marks and punctuation, quotes, markup
AWKWARD = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
           "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x1f",
           "\x7f", "\x85", "\u2028", "\u2029", "\r", "\r\n", "\t", "\n\n", "\ufffd", "\uffff", "\U0001f600",
           "\u0640", "\u0651", "\u064b", "\u066b", "\u060c", "\u061f", "«", "»", "“", "”", '"', "'", "\\",
           "<", ">", "&", "{", "}", "[", "]", "---", "# ", ": ", "قال", "said", "وزير", "minister", "المتحدث",
           "spokesman", "according to", "وفقا لـ"]
TAGS = ["p", "div", "span", "article", "main", "body", "h1", "title", "script", "style", "td", "tr", "table",
        "br", "li", "ul", "time", "meta", "a", "pre", "!--", "svg"]
KEYS = ["id", "title", "text", "body", "content", "lang", "language", "url", "link", "date", "published",
        "pubDate", "published_at", "articles", "author"]
DATES = ["2015-07-21", "21-07-2015", "2015/7/21 10:00", "Tue, 21 Jul 2015 10:00:00 +0000", "yesterday",
         "9999-99-99", "0000-00-00", "2016-02-30", "٢٠١٥-٠٧-٢١", "2015-07-21T25:61:00", "-1", ""]
ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1256", "latin-1"]


def words_of(seeds: Sequence[bytes], limit: int = 3000) -> list[str]:
    found: dict[str, None] = {}
    for seed in seeds:
        for word in seed.decode("utf-8", "replace").split():
            found.setdefault(word)
            if len(found) >= limit:
                return list(found)
    return list(found) or ["text"]


def texts(words: list[str]) -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(words), st.sampled_from(AWKWARD), st.text(max_size=6))
    return st.lists(piece, max_size=80).map(" ".join)


def _encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, "replace")


def _apply(seed: bytes, edits: list[tuple[float, float, str, bytes]]) -> bytes:
    data = bytearray(seed)
    for at, span, op, chunk in edits:
        start = int(at * len(data))
        end = min(len(data), start + int(span * 64))
        if op == "insert":
            data[start:start] = chunk
        elif op == "delete":
            del data[start:end]
        elif op == "replace":
            data[start:end] = chunk
        elif op == "repeat":
            data[start:start] = data[start:end] * 8
        else:  # truncate
            del data[start:]
    return bytes(data)


def mutated(seeds: Sequence[bytes]) -> st.SearchStrategy[bytes]:
    tokens = st.one_of(st.sampled_from([t.encode() for t in AWKWARD]), st.binary(min_size=1, max_size=8))
    edit = st.tuples(st.floats(0, 1), st.floats(0, 1),
                     st.sampled_from(["insert", "delete", "replace", "repeat", "truncate"]), tokens)
    return st.builds(_apply, st.sampled_from(list(seeds)), st.lists(edit, min_size=1, max_size=6))


def _json_values(words: list[str]) -> st.SearchStrategy[object]:
    leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts(words),
                       st.sampled_from(DATES))
    keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=5))
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)), max_leaves=12)


def _records(words: list[str]) -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries({}, optional={
        "id": st.one_of(st.text(max_size=12), st.integers(), st.booleans()),
        "title": texts(words), "text": texts(words), "lang": st.sampled_from(["ar", "en", "AR-iq", "x", ""]),
        "date": st.sampled_from(DATES), "url": st.text(max_size=20), "extra": _json_values(words)})


def _html(words: list[str]) -> st.SearchStrategy[str]:
    def element(parts: tuple[str, list[str]]) -> str:
        tag, inner = parts
        if tag == "!--":
            return f"<!--{''.join(inner)}-->"
        return f"<{tag}>{''.join(inner)}</{tag}>"

    return st.recursive(texts(words), lambda inner: st.tuples(st.sampled_from(TAGS),
                                                              st.lists(inner, max_size=4)).map(element),
                        max_leaves=16)


def _front_matter(words: list[str]) -> st.SearchStrategy[str]:
    line = st.tuples(st.sampled_from([*KEYS, "tags", "- x", "? y", "&a", "*a", "!!python/object"]),
                     st.one_of(texts(words), st.sampled_from(DATES)))
    return st.builds(lambda lines, body: "---\n" + "".join(f"{k}: {v}\n" for k, v in lines) + "---\n" + body,
                     st.lists(line, max_size=6), texts(words))


def _alias_bomb(depth: int, width: int) -> str:
    """YAML whose aliases stand for width ** depth copies of one string."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


def _hostile_front_matter() -> st.SearchStrategy[str]:
    """Front matter that is valid YAML and still hostile: numbers too long to print in
    decimal, aliases that multiply, tags of every kind."""
    digits = st.one_of(st.integers(1, 6000), st.sampled_from([4300, 4301, 5000]))
    value = st.one_of(
        digits.map(lambda count: "0x" + "f" * count),
        digits.map(lambda count: "9" * count),
        st.sampled_from(["!!binary aGk=", "!!set {a, b}", "!!timestamp 2015-07-21", "!!float .nan", ".inf",
                         "!!omap [a: 1]", "[*x]", "{? [a]: b}", "!!str 1", "0o777", "null", "~", "[]", "{}"]),
    )
    field = st.sampled_from(["id", "title", "lang", "date", "url", "extra"])
    plain = st.lists(st.tuples(field, value), max_size=4).map(
        lambda pairs: "".join(f"{key}: {text}\n" for key, text in pairs))
    bomb = st.builds(_alias_bomb, st.integers(1, 9), st.integers(1, 9))
    return st.builds(lambda head, body: f"---\n{head}---\n# Title\n\n{body}\n", st.one_of(plain, bomb),
                     st.sampled_from(["Text.", "The minister said so."]))


def ingest_inputs(seeds: Sequence[bytes]) -> st.SearchStrategy[bytes]:
    words = words_of(seeds)
    documents = st.one_of(
        texts(words),
        _json_values(words).map(lambda v: json.dumps(v, ensure_ascii=False)),
        st.lists(st.one_of(_records(words).map(lambda r: json.dumps(r, ensure_ascii=False)), texts(words)),
                 max_size=5).map("\n".join),
        _html(words),
        _front_matter(words),
        _hostile_front_matter(),
    )
    return st.one_of(
        st.binary(max_size=512),
        st.builds(_encoded, documents, st.sampled_from(ENCODINGS)),
        mutated(seeds),
    )


def extract_inputs(seeds: Sequence[bytes]) -> st.SearchStrategy[bytes]:
    words = words_of(seeds)
    body = st.builds(lambda first, rest: f"{first} {rest}", st.sampled_from(words), texts(words))
    fields = st.tuples(st.sampled_from(["ar", "en", "", "und", "fr", "Arabic"]), st.text(max_size=16),
                       texts(words), body, st.text(max_size=24), st.sampled_from(DATES))
    return st.one_of(fields.map(lambda f: FIELD_SEPARATOR.join(f).encode("utf-8", "replace")),
                     mutated(seeds))
