"""RDF terms as N-Triples strings, and the Turtle writer that reads them.

The build moves triples between processes, machines and runs, so its currency is the
N-Triples text of each term (``<iri>``, ``"text"@ar``, ``"5"^^<…#integer>``) rather than
rdflib objects: plain strings pickle, hash and sort quickly, and one writer turns them into
Turtle, TriG or N-Quads without a round trip through rdflib.  Every IRI kgbuild makes is
built from percent-encoded segments, so it never holds a space or a character N-Triples
forbids; IRIs from elsewhere (Wikidata ids, mapping terms) go through ``iri`` which
escapes what it must.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

NTriple = tuple[str, str, str]

XSD_NS = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
VOCAB_PREFIXES = {
    "kg": "https://w3id.org/kgbuild/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": XSD_NS,
}
_PN_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# What no part of an IRI may hold (RFC 3987): controls, space, <>"{}|^`\, code points
# outside ucschar (private use, noncharacters, specials, tags), and a "%" that does not
# start a percent-encoded octet.  N-Triples forbids only the first few, but Oxigraph reads
# IRIs by RFC 3987 and rejects the rest; and rdflib ends an IRI at any Unicode white space
# (no-break space, U+2028 …), so that is encoded as well.
_NOT_UCSCHAR = [(0x7F, 0x9F), (0xD800, 0xF8FF), (0xFDD0, 0xFDEF), (0xFFF0, 0xFFFF),
                *((plane + 0xFFFE, plane + 0xFFFF) for plane in range(0x10000, 0xE0000, 0x10000)),
                (0xE0000, 0xE0FFF), (0xEFFFE, 0x10FFFF)]
_UNICODE_SPACES = "".join(c for c in map(chr, range(0xA0, 0x3001)) if c.isspace())
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\' + _UNICODE_SPACES
                            + "".join(f"{chr(a)}-{chr(b)}" for a, b in _NOT_UCSCHAR)
                            + r"]|%(?![0-9A-Fa-f]{2})")
_IRI_PARTS = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*:(?://[^/?#]*)?)([^#]*)(#?)(.*)", re.DOTALL)
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
# Every other control character and the Unicode line and paragraph separators go out as
# \uXXXX: N-Triples allows them raw, but str.splitlines, grep and sort would break a line
# of graph.nt (or of a fragment's N-Quads, which the graph stage splits) inside the literal.
_ESCAPES.update({code: f"\\u{code:04X}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029)
                 if code not in _ESCAPES})
_UNESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def iri(value: str) -> str:
    """``<value>`` for an absolute IRI ``value``, with what an IRI cannot hold percent-encoded:
    forbidden characters, a second "#", and "[" or "]" after the authority (they may only
    enclose an IP address).  A valid IRI is returned as it is."""
    if _IRI_FORBIDDEN.search(value):
        value = _IRI_FORBIDDEN.sub(_percent_encoded, value)
    parts = _IRI_PARTS.fullmatch(value)
    if parts and ("[" in value[parts.end(1):] or "]" in value[parts.end(1):] or "#" in parts[4]):
        head, path, hash_sign, fragment = parts.groups()
        value = head + _brackets_encoded(path) + hash_sign + _brackets_encoded(fragment).replace("#", "%23")
    return f"<{value}>"


def _brackets_encoded(text: str) -> str:
    return text.replace("[", "%5B").replace("]", "%5D")


def _percent_encoded(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group(0).encode())


def literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal with a language tag, a datatype IRI (bare, not bracketed) or neither."""
    quoted = '"' + text.translate(_ESCAPES) + '"'
    if lang:
        return f"{quoted}@{lang}"
    if datatype and datatype != XSD_NS + "string":
        return f"{quoted}^^<{datatype}>"
    return quoted


def lexical(term: str) -> str:
    """The text of an N-Triples literal: what ``literal`` was given."""
    body = term[1:term.rindex('"')]
    return _UNESCAPE.sub(_unescape, body) if "\\" in body else body


def _unescape(match: re.Match[str]) -> str:
    short, long, char = match.groups()
    return chr(int(short or long, 16)) if char is None else _ECHARS[char]


def typed(text: str, xsd_name: str) -> str:
    return literal(text, datatype=XSD_NS + xsd_name)


def bare(term: str) -> str:
    """The IRI inside ``<…>``."""
    return term[1:-1]


def split_triple(line: str) -> NTriple:
    """(subject, predicate, object) of one N-Triples line that kgbuild wrote: subjects and
    predicates are IRIs without spaces, so only the object (a literal may hold spaces)
    takes the rest of the line."""
    subject, predicate, rest = line.rstrip("\n").split(" ", 2)
    return subject, predicate, rest.removesuffix(" .")


def nt_line(triple: NTriple, graph: str | None = None) -> str:
    s, p, o = triple
    return f"{s} {p} {o} {graph} .\n" if graph else f"{s} {p} {o} .\n"


# ---- Turtle ---------------------------------------------------------------------------------
def turtle_term(term: str) -> str:
    """The Turtle form of an N-Triples term: vocabulary IRIs as prefixed names."""
    if term[-1] == '"' or term[-1] != ">":  # a plain or language-tagged literal: as it is
        return term
    return _turtle_iri_or_typed(term)


@lru_cache(maxsize=65536)
def _turtle_iri_or_typed(term: str) -> str:
    if term.startswith("<"):
        value = term[1:-1]
        for prefix, namespace in VOCAB_PREFIXES.items():
            if value.startswith(namespace) and _PN_LOCAL.fullmatch(value[len(namespace):]):
                return f"{prefix}:{value[len(namespace):]}"
        return term
    if term.endswith(">") and '"^^<' in term:
        quoted, _, datatype = term.rpartition("^^")
        return f"{quoted}^^{turtle_term(datatype)}"
    return term


def prefix_block() -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(VOCAB_PREFIXES.items()))


def turtle_body(triples: Iterable[NTriple], indent: str = "") -> str:
    """Triples grouped by subject (sorted), rdf:type first, objects sorted and distinct."""
    by_subject: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    term = turtle_term
    for s, p, o in triples:
        by_subject[s][p].add(term(o))
    blocks: list[str] = []
    joiner = f" ,\n{indent}        "
    separator = f" ;\n{indent}    "
    for subject in sorted(by_subject):
        predicates = by_subject[subject]
        parts = []
        for predicate in sorted(predicates, key=_predicate_order):
            name = "a" if predicate == RDF_TYPE else term(predicate)
            parts.append(f"{name} " + joiner.join(sorted(predicates[predicate])))
        blocks.append(f"{indent}{term(subject)}\n{indent}    " + separator.join(parts) + " .\n")
    return "\n".join(blocks)


def _predicate_order(predicate: str) -> tuple[bool, str]:
    return predicate != RDF_TYPE, turtle_term(predicate)


__all__ = ["RDF_TYPE", "VOCAB_PREFIXES", "NTriple", "bare", "iri", "lexical", "literal", "nt_line",
           "prefix_block", "split_triple", "turtle_body", "turtle_term", "typed"]
