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
# IRIREF of N-Triples: no controls, space or <>"{}|^`\
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def iri(value: str) -> str:
    """``<value>``, with the characters N-Triples forbids in an IRI percent-encoded."""
    if _IRI_FORBIDDEN.search(value):
        value = _IRI_FORBIDDEN.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode()), value)
    return f"<{value}>"


def literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal with a language tag, a datatype IRI (bare, not bracketed) or neither."""
    quoted = '"' + text.translate(_ESCAPES) + '"'
    if lang:
        return f"{quoted}@{lang}"
    if datatype and datatype != XSD_NS + "string":
        return f"{quoted}^^<{datatype}>"
    return quoted


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
        lexical, _, datatype = term.rpartition("^^")
        return f"{lexical}^^{turtle_term(datatype)}"
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


__all__ = ["RDF_TYPE", "VOCAB_PREFIXES", "NTriple", "bare", "iri", "literal", "nt_line", "prefix_block",
           "split_triple", "turtle_body", "turtle_term", "typed"]
