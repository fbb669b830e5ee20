"""Load a built graph and run named or ad-hoc SPARQL queries over it.

The named queries live in ``ontology/queries/*.rq``; each is plain SPARQL 1.1 that also
runs in other engines.  Values from the command line are passed to rdflib as
``initBindings`` (to Oxigraph as substitutions) and never pasted into query text, so a
label such as ``"x" } ...`` cannot change what a query does.

Querying only reads: every query is checked before it runs, and SPARQL Update, SERVICE,
FROM / FROM NAMED and functions other than SPARQL's own and the XSD casts are refused
(rdflib would send SERVICE requests and fetch FROM IRIs over the network or from files;
Oxigraph sends SERVICE requests).  Each run has a time limit and a row limit
(:class:`QueryLimits`).
"""

from __future__ import annotations

import csv
import ctypes
import importlib
import io
import itertools
import json
import os
import re
import sys
import threading
import time
import unicodedata
import warnings
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, cast
from urllib.parse import unquote
from xml.sax import SAXParseException

import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, OWL, PROV, RDFS, SKOS, XSD
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import ResultRow
from rdflib.term import BNode, Identifier, Literal, URIRef, Variable

from kgbuild import store_query
from kgbuild.errors import KGBuildError, Problem, QueryError, QueryTimedOut, RowLimitReached, problem
from kgbuild.vocab import ID, KG_NS, NIF, ORG

_ROOT = Path(__file__).resolve().parents[2]
QUERY_DIR: Path = _ROOT / "ontology" / "queries"

NAMESPACES: dict[str, str] = {
    "kg": KG_NS,
    "id": str(ID),
    "org": str(ORG._NS),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "nif": str(NIF._NS),
    "owl": str(OWL),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "wd": "http://www.wikidata.org/entity/",
}

# rdflib parser names by file suffix.
_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".nq": "nquads",
    ".jsonld": "json-ld",
    ".rdf": "xml",
}
_QUAD_FORMATS = {"trig", "nquads"}

_LINE_RE = re.compile(r"\bline (\d+)", re.IGNORECASE)


# ---------------------------------------------------------------------------- graphs


def load_graph(path: Path, in_memory: bool = False) -> rdflib.Graph:
    """Open a built graph: a store folder (output/store) read-only through oxrdflib, or a
    graph file parsed by the syntax its suffix names.

    With ``in_memory`` a store is read into an in-memory Graph instead (for pyshacl and
    whole-graph scans), through an N-Triples dump so that simple literals stay simple:
    oxrdflib hands them out typed xsd:string, which rdflib tells apart.

    TriG and N-Quads (one named graph per article) are read as the union of their
    graphs: every query and shape looks at all articles at once, and a plain Graph
    keeps the rest of kgbuild independent of rdflib's changing Dataset API.
    """
    path = Path(path)
    if path.is_dir() and in_memory:
        import pyoxigraph

        from kgbuild.store import open_store

        store = open_store(path)
        triples = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph())
        dump = cast(bytes, triples)  # given no output file, dump returns the bytes
        return parse_graph(dump, "nt", str(path))
    if path.is_dir():
        return open_store_graph(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(_FORMATS)
        raise KGBuildError(
            problem(
                "E201", file=str(path), reason=f"unknown graph file suffix '{path.suffix}' (expected {known})"
            )
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KGBuildError(problem("E201", file=str(path), reason=exc.strerror or str(exc))) from exc
    return parse_graph(data, fmt, str(path), public_id=path.resolve().as_uri())


def open_store_graph(path: Path) -> rdflib.Graph:
    """The Oxigraph store at ``path`` as an rdflib Graph: SPARQL runs in Oxigraph itself,
    the rest of rdflib's API works unchanged, and nothing can write to it."""
    from oxrdflib import OxigraphStore

    from kgbuild.store import open_store

    # the store's default graph holds the data; oxrdflib knows it by rdflib's default-graph id
    store = OxigraphStore(store=open_store(path))
    _STORE_PATHS[store] = Path(path)
    graph = rdflib.Graph(store=store, identifier=DATASET_DEFAULT_GRAPH_ID)
    for prefix, namespace in NAMESPACES.items():
        graph.bind(prefix, namespace, override=False)
    return graph


# the folder each opened store was read from, so that a query with a time limit can be run
# by a child process that opens the store itself
_STORE_PATHS: weakref.WeakKeyDictionary[object, Path] = weakref.WeakKeyDictionary()


def default_graph_path(output: Path = Path("output")) -> Path:
    """What the commands read when not told: the store when a build made one, else graph.ttl."""
    store = output / "store"
    return store if store.is_dir() else output / "graph.ttl"


def is_store_graph(graph: rdflib.Graph) -> bool:
    return type(graph.store).__name__ == "OxigraphStore"


_XSD_STRING = str(XSD.string)


def _plain(value: Identifier | None) -> Identifier | None:
    """RDF 1.1 makes "x"^^xsd:string and "x" one term; rdflib does not, so rows from the
    store (which types every simple literal) are given rdflib's simple form."""
    if isinstance(value, Literal) and value.datatype is not None and str(value.datatype) == _XSD_STRING:
        return Literal(str(value))
    return value


def parse_graph(data: bytes, fmt: str, file: str, public_id: str | None = None) -> rdflib.Graph:
    """Parse serialised RDF in rdflib syntax ``fmt``; ``file`` names it in errors (E201)."""
    graph = rdflib.Graph()
    try:
        # rdflib 7.x warns about its own deprecated ConjunctiveGraph/Dataset internals
        # while parsing quads and JSON-LD; nothing here can act on that, and the tests
        # turn warnings into errors.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if fmt in _QUAD_FORMATS:
                dataset = rdflib.Dataset()
                dataset.parse(data=data, format=fmt, publicID=public_id)
                for s, p, o, _ in dataset.quads((None, None, None, None)):
                    graph.add((s, p, o))
            else:
                graph.parse(data=data, format=fmt, publicID=public_id)
    # rdflib's parser plugins raise whatever their internals hit (BadSyntax,
    # ParserError, SAXParseException, JSONDecodeError, even AttributeError for a
    # malformed JSON-LD context), so every failure of this one call is a parse error.
    except Exception as exc:
        raise KGBuildError(
            problem("E201", file=file, line=_error_line(exc), reason=_first_line(exc))
        ) from exc
    for prefix, namespace in NAMESPACES.items():
        graph.bind(prefix, namespace, override=False)
    return graph


def _error_line(exc: BaseException) -> int | None:
    if isinstance(exc, BadSyntax):
        return exc.lines + 1  # BadSyntax counts lines from 0
    if isinstance(exc, SAXParseException):
        return exc.getLineNumber()
    lineno = getattr(exc, "lineno", None)  # json.JSONDecodeError, SyntaxError
    if isinstance(lineno, int):
        return lineno
    match = _LINE_RE.search(str(exc))
    return int(match.group(1)) if match else None


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, BadSyntax):
        return str(getattr(exc, "_why", "") or "bad syntax")  # the message minus a byte dump
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


# ---------------------------------------------------------------------------- queries


def named_queries(directory: Path = QUERY_DIR) -> dict[str, Path]:
    """Map each query name (the file stem) to its ``.rq`` file, sorted by name."""
    return {path.stem: path for path in sorted(Path(directory).glob("*.rq"))}


def named_query(name: str, directory: Path = QUERY_DIR) -> Query:
    """Prepare the named query ``name``; unknown names raise QueryError E204."""
    queries = named_queries(directory)
    if name not in queries:
        raise QueryError(problem("E204", name=name, known=", ".join(queries) or "none"))
    return read_query(queries[name])


def read_query(path: Path) -> Query:
    """Read and prepare a query file; the file name is used in error messages."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(problem("E202", file=str(path), reason=str(exc))) from exc
    return prepare(text, source=str(path))


@dataclass(frozen=True)
class _QuerySource:
    text: str  # what Oxigraph runs: the text rdflib parsed, with the kgbuild prefixes declared
    source: str  # where the query came from, for messages


# the text each prepared query was made from: Oxigraph takes SPARQL text, not rdflib's algebra
_QUERY_SOURCES: weakref.WeakKeyDictionary[Query, _QuerySource] = weakref.WeakKeyDictionary()


def prepare(text: str, source: str = "<query>") -> Query:
    """Parse and translate a query once, with the kgbuild prefixes predeclared.

    Only a query that just reads the graph it is run on is accepted: an update raises
    QueryError E209, SERVICE and FROM / FROM NAMED E210, an unknown function E211 (see
    :func:`refusals`); a syntax error is E202.
    """
    try:
        prepared = prepareQuery(text, initNs=NAMESPACES)
    # rdflib reports syntax errors as pyparsing exceptions but unknown prefixes and
    # algebra problems as plain Exception, so only a broad catch turns all of them
    # into a coded error that names the query file.
    except Exception as exc:
        raise _not_a_query(text, source, exc) from exc
    # rdflib replaces \uXXXX escapes throughout the text before parsing it, Oxigraph only
    # inside strings and IRIs: an escaped quote could end a string for one and not for the
    # other, so Oxigraph is given the text exactly as rdflib parsed it
    engine_text = _with_prefixes(expandUnicodeEscapes(text))
    refused = refusals(prepared, engine_text, source)
    if refused:
        raise QueryError(refused)
    _QUERY_SOURCES[prepared] = _QuerySource(engine_text, source)
    return prepared


def _not_a_query(text: str, source: str, exc: Exception) -> QueryError:
    """The error for text rdflib cannot parse as a query: E209 for an update, else E202."""
    operations = _update_operations(text)
    if operations:
        return QueryError(problem("E209", file=source, operations=", ".join(operations)))
    # pyparsing errors carry the position in the query text; others do not.
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "col", None)
    reason = str(getattr(exc, "msg", None) or exc).strip()
    reason = reason.splitlines()[0] if reason else type(exc).__name__
    if isinstance(line, int) and isinstance(column, int):
        reason = f"{reason} (column {column})"
    where = line if isinstance(line, int) else None
    return QueryError(problem("E202", file=source, line=where, reason=reason))


_UPDATE_KEYWORDS = {
    "InsertData": "INSERT DATA", "DeleteData": "DELETE DATA", "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT", "Load": "LOAD", "Clear": "CLEAR", "Drop": "DROP", "Create": "CREATE",
    "Add": "ADD", "Move": "MOVE", "Copy": "COPY",
}


def _update_operations(text: str) -> list[str]:
    """The operations of ``text`` read as a SPARQL Update, or [] when it is not one."""
    try:
        update = parseUpdate(text)
    # like the query parser, the update parser fails with assorted exception types
    except Exception:
        return []
    names = [_UPDATE_KEYWORDS.get(op.name, op.name) for op in dict.get(update, "request") or ()]
    return list(dict.fromkeys(names))


_XSD_NS = str(XSD)


def refusals(query: Query, text: str | None = None, source: str = "<query>") -> list[Problem]:
    """What makes ``query`` more than a read of the graph it is run on, one problem each.

    The parsed algebra is walked, so a SERVICE in a string or a comment is no SERVICE:
    SERVICE anywhere (rdflib and Oxigraph both send it to the endpoint) and FROM / FROM
    NAMED (rdflib fetches those IRIs, from the network or from files) are E210; a call of
    a function that is neither a SPARQL built-in nor an XSD cast (rdflib looks such IRIs up
    among functions registered by any library in the process) is E211.  ``text``, the
    text an engine will run, is also scanned for the SERVICE and FROM keywords outside
    strings, IRIs and comments, so that where two parsers could read one text differently
    the query is refused rather than trusted.
    """
    found: dict[str, Problem] = {}

    def refuse(code: str, **values: str) -> None:
        item = problem(code, source, None, "", **values)
        found.setdefault(item.message, item)

    # CompValue.get answers a missing key with the key itself, so dict.get is used instead
    clauses = dict.get(query.algebra, "datasetClause") or ()
    for clause in clauses:
        if dict.get(clause, "default") is not None:
            refuse("E210", construct=f"FROM <{dict.get(clause, 'default')}>")
        else:
            refuse("E210", construct=f"FROM NAMED <{dict.get(clause, 'named')}>")
    services = 0
    for node in _algebra_nodes(query.algebra):
        if not isinstance(node, CompValue):
            continue
        if node.name == "ServiceGraphPattern":
            services += 1
            term = dict.get(node, "term")
            endpoint = f"?{term}" if isinstance(term, Variable) else f"<{term}>"
            refuse("E210", construct=f"SERVICE {endpoint}")
        elif node.name == "Function":
            iri = str(dict.get(node, "iri"))
            if not iri.startswith(_XSD_NS):
                refuse("E211", iri=iri)
    if text is not None:
        keywords = {word.upper() for _, word, _ in _words(text)}
        if "SERVICE" in keywords and not services:
            refuse("E210", construct="SERVICE")
        if "FROM" in keywords and not clauses:
            refuse("E210", construct="FROM")
    return list(found.values())


def _algebra_nodes(root: Any) -> Iterable[Any]:
    """Every node and term of a query's algebra, subqueries and EXISTS patterns included."""
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, CompValue | dict):
            stack.extend(node.values())
            # rdflib keeps the in-scope variables of each algebra node as an attribute.
            scoped = getattr(node, "_vars", None)
            if isinstance(scoped, set | frozenset):
                stack.extend(scoped)
        elif isinstance(node, list | tuple | set | frozenset):
            stack.extend(node)


def _with_prefixes(text: str) -> str:
    """The query with the kgbuild prefixes it does not declare itself put in front, as
    rdflib's initNs does for the in-memory engine."""
    declared = {m.group(1) for m in re.finditer(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", text)}
    missing = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in NAMESPACES.items() if p not in declared)
    return missing + text


def query_variables(query: Query) -> set[str]:
    """Names of every variable the query mentions, anywhere in its algebra."""
    return {str(node) for node in _algebra_nodes(query.algebra) if isinstance(node, Variable)}


def projected_variables(query: Query) -> set[str]:
    """The variables a SELECT query returns."""
    return {str(var) for var in getattr(query.algebra, "PV", None) or ()}


# SPARQL 1.1's VARNAME production
_NAME_START = (
    "A-Za-z_\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
VARNAME = re.compile(f"[{_NAME_START}0-9][{_NAME_START}0-9\u00b7\u0300-\u036f\u203f-\u2040]*")


def projecting(text: str, names: set[str]) -> tuple[str | None, set[str]]:
    """The query made to also return the variables ``names``, and those names.

    Oxigraph substitutes values for projected variables only, so a bound variable the
    query does not return is added to its SELECT list; it holds one value per run, so the
    rows stay the same, and the caller drops the added column again.  Only variable names
    are written into the text, never a value, and a name that is not a SPARQL variable
    name raises ValueError.  None when the main SELECT cannot be found.
    """
    if not names:
        return text, set()
    for name in names:
        if not VARNAME.fullmatch(name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
    at = _after_select(text)
    if at is None or text[at:].lstrip().startswith("*"):
        return None, set()
    added = " ".join(f"?{name}" for name in sorted(names))
    return f"{text[:at]} {added} {text[at:]}", names


_SELECT = re.compile(r"SELECT(?:\s+(?:DISTINCT|REDUCED))?\b", re.IGNORECASE)
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_NAME_CHARS = re.compile(r"[\w-]*")
_LOCAL_CHARS = re.compile(r"(?:[\w.:%-]|\\.)*")


def _end(pattern: re.Pattern[str], text: str, at: int) -> int:
    match = pattern.match(text, at)
    return match.end() if match else at


def _words(text: str) -> Iterable[tuple[int, str, int]]:
    """The bare words of a SPARQL text, as (start, word, brace depth): keywords and
    function names, but not what is inside comments, strings and IRIs, nor variables,
    prefixed names, blank node labels or language tags."""
    i, depth, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch == "<" and (match := _IRI.match(text, i)):
            i = match.end()
        elif ch in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else ch
            end = i + len(quote)
            while end < n and not text.startswith(quote, end):
                end += 2 if text[end] == "\\" else 1
            i = end + len(quote)
        elif ch in "?$@":
            i = _end(_NAME_CHARS, text, i + 1)
        elif ch == ":":
            i = _end(_LOCAL_CHARS, text, i + 1)
        elif ch == "{":
            depth, i = depth + 1, i + 1
        elif ch == "}":
            depth, i = depth - 1, i + 1
        elif ch.isalnum() or ch == "_":
            end = _end(_NAME_CHARS, text, i)
            if end < n and text[end] == ":":  # a prefixed name or a blank node label
                i = _end(_LOCAL_CHARS, text, end + 1)
            else:
                if ch.isalpha():
                    yield i, text[i:end], depth
                i = end
        else:
            i += 1


def _after_select(text: str) -> int | None:
    """Where the projection of the outermost SELECT starts: after the first SELECT keyword
    outside comments, IRIs, strings and braces."""
    for start, word, depth in _words(text):
        if depth == 0 and word.upper() == "SELECT":
            match = _SELECT.match(text, start)
            return match.end() if match else None
    return None


def parse_binding(spec: str) -> tuple[str, Identifier]:
    """Parse ``VAR=VALUE`` from the command line.

    ``<iri>``, ``http(s)://…`` and ``urn:…`` give IRIs, as does a prefixed name with a
    kgbuild prefix (``id:person/ashton-carter``, ``kg:Person``); anything else is a plain
    string literal (later resolved as an entity label by :func:`resolve_label_bindings`).
    """
    name, sep, value = spec.partition("=")
    name = name.strip().lstrip("?$")
    value = value.strip()
    if not sep or not value or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise QueryError(problem("E203", binding=spec))
    if value.startswith("<") and value.endswith(">") and len(value) > 2:
        return name, URIRef(value[1:-1])
    if re.match(r"(?:https?://|urn:)", value, re.IGNORECASE):
        return name, URIRef(value)
    prefix, colon, local = value.partition(":")
    if colon and prefix in NAMESPACES and local and not any(ch.isspace() for ch in local):
        return name, URIRef(NAMESPACES[prefix] + local)
    return name, Literal(value)


_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ة": "ه", "ک": "ك"})


def _local_fold(text: str) -> str:
    """Fold case and Arabic orthography so that spellings of one name compare equal."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch) and ch != "\u0640")  # marks, tatweel
    text = text.translate(_ARABIC_FOLD)
    return " ".join(text.casefold().split())


def _fold_function() -> Callable[[str], str]:
    # The project normaliser is preferred when present so that label lookup folds
    # exactly as entity matching does; it is looked up at run time so this module works
    # on its own.
    try:
        module = importlib.import_module("kgbuild.normalize")
    except ImportError:
        return _local_fold
    fold = getattr(module, "fold", None)
    if not callable(fold):
        return _local_fold
    project_fold = cast(Callable[[str], str], fold)
    # Labels typed on a command line often differ from the data only in spacing.
    return lambda text: " ".join(project_fold(text).split())


def resolve_label_bindings(
    graph: rdflib.Graph, bindings: Mapping[str, Identifier]
) -> dict[str, list[Identifier]]:
    """Replace literal values by the IRIs of the nodes they name.

    A literal is compared, after folding case and Arabic orthography, with every
    skos:prefLabel and skos:altLabel in the graph (entities, anonymous sources and
    concepts); all matching nodes are returned, sorted.  A literal that names nothing
    is kept, so a query can still compare it with a literal in the data.
    """
    fold = _fold_function()
    wanted = {name: fold(str(value)) for name, value in bindings.items() if isinstance(value, Literal)}
    matches: dict[str, set[URIRef]] = {name: set() for name in wanted}
    if wanted:
        for predicate in (SKOS.prefLabel, SKOS.altLabel):
            for subject, label in graph.subject_objects(predicate):
                if not isinstance(subject, URIRef) or not isinstance(label, Literal):
                    continue
                folded = fold(str(label))
                for name, target in wanted.items():
                    if folded == target:
                        matches[name].add(subject)
    resolved: dict[str, list[Identifier]] = {}
    for name, value in bindings.items():
        found = matches.get(name)
        resolved[name] = sorted(found) if found else [value]
    return resolved


def expand_bindings(resolved: Mapping[str, Sequence[Identifier]]) -> list[dict[str, Identifier]]:
    """Every combination of resolved values, one binding dict per query run."""
    names = list(resolved)
    return [
        dict(zip(names, combo, strict=True)) for combo in itertools.product(*(resolved[n] for n in names))
    ]


# ---------------------------------------------------------------------------- limits

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_ROWS = 100_000
TIMEOUT_VARIABLE = "KGBUILD_QUERY_TIMEOUT"
MAX_ROWS_VARIABLE = "KGBUILD_QUERY_MAX_ROWS"


@dataclass(frozen=True)
class QueryLimits:
    """How long a query may run (seconds) and how many rows it may give; 0 = no limit.

    The defaults, 60 seconds and 100,000 rows, can be changed with the environment
    variables KGBUILD_QUERY_TIMEOUT and KGBUILD_QUERY_MAX_ROWS (:meth:`from_environment`);
    ``kgbuild query --timeout --max-rows`` override both.
    """

    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS

    def __post_init__(self) -> None:
        timeout, max_rows = self.timeout, self.max_rows
        number = isinstance(timeout, int | float) and not isinstance(timeout, bool)
        if not number or not 0 <= timeout < float("inf"):
            raise QueryError(problem("E212", setting="timeout", value=timeout, expected=_SECONDS))
        if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 0:
            raise QueryError(problem("E212", setting="row limit", value=max_rows, expected=_WHOLE))

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, timeout: float | None = None,
                         max_rows: int | None = None) -> QueryLimits:
        """The defaults, as changed by KGBUILD_QUERY_TIMEOUT and KGBUILD_QUERY_MAX_ROWS;
        a ``timeout`` or ``max_rows`` given here wins over its variable, which is then
        not read at all."""
        environ = os.environ if environ is None else environ
        if timeout is None:
            timeout = _setting(environ, TIMEOUT_VARIABLE, float, _SECONDS)
        if max_rows is None:
            max_rows = cast(int | None, _setting(environ, MAX_ROWS_VARIABLE, int, _WHOLE))
        return cls(DEFAULT_TIMEOUT if timeout is None else timeout,
                   DEFAULT_MAX_ROWS if max_rows is None else max_rows)


_SECONDS = "a number of seconds >= 0 (0 = no limit)"
_WHOLE = "a whole number >= 0 (0 = no limit)"


def _setting(environ: Mapping[str, str], name: str, kind: type[float] | type[int],
             expected: str) -> float | None:
    text = environ.get(name, "").strip()
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        raise QueryError(problem("E212", setting=name, value=text, expected=expected)) from None
    if not 0 <= value < float("inf"):
        raise QueryError(problem("E212", setting=name, value=text, expected=expected))
    return value


class _TimeUp(BaseException):
    """Raised in the thread running a query when its time is up.  Not an Exception, so that
    rdflib's ``except Exception`` blocks let it through."""


def _raise_in(thread_id: int, kind: type[BaseException] | None) -> None:
    # CPython's way to raise an exception in another thread; it takes effect at the next
    # bytecode that thread runs, and None withdraws one not yet raised
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(kind) if kind else None)


class _TimeLimit:
    """Stop the Python work of the calling thread after ``seconds`` (0 = never).

    A watcher thread raises :class:`_TimeUp` in the calling thread, and again every 50 ms
    since rdflib has bare ``except:`` clauses that could swallow one.  Unlike SIGALRM this
    works in any thread and costs nothing until the time is up (a trace function checking
    the clock would slow rdflib down by half).  ``expired`` is set as soon as one is sent:
    a run that swallowed it is still a run that timed out.

    Like a KeyboardInterrupt, the exception lands in whatever Python code runs at that
    moment; in a garbage-collector callback or a ``__del__`` Python can only report it as
    "ignored", so such reports of _TimeUp are dropped while the limit is active (the next
    one follows 50 ms later).
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._stop = threading.Event()
        self._thread_id = threading.get_ident()
        self._watcher = threading.Thread(target=self._watch, name="kgbuild-query-timeout", daemon=True)
        self._previous_hook = sys.unraisablehook

    def _watch(self) -> None:
        wait = self.seconds
        while not self._stop.wait(wait):
            self.expired = True
            _raise_in(self._thread_id, _TimeUp)
            wait = 0.05

    def _report(self, unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, _TimeUp):
            self._previous_hook(unraisable)

    def __enter__(self) -> _TimeLimit:
        if self.seconds:
            self._previous_hook = sys.unraisablehook
            sys.unraisablehook = self._report
            self._watcher.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self.seconds:
            return
        self._stop.set()
        while True:
            # once the watcher has ended, nothing more is sent; one sent before is withdrawn
            # (or raised here, and then the loop withdraws the next)
            try:
                self._watcher.join()
                _raise_in(self._thread_id, None)
                break
            except _TimeUp:
                continue
        if sys.unraisablehook == self._report:
            sys.unraisablehook = self._previous_hook


def _seconds_text(seconds: float) -> str:
    return f"{seconds:g}"


# ---------------------------------------------------------------------------- running


Row = tuple[Identifier | None, ...]


def _prepared(query: Query | str | Path) -> Query:
    if isinstance(query, Path):
        return read_query(query)
    if isinstance(query, str):
        return prepare(query)
    return query


def run_query(
    graph: rdflib.Graph,
    query: Query | str | Path,
    bindings: Mapping[str, Identifier] | None = None,
    limits: QueryLimits | None = None,
) -> tuple[list[str], list[Row]]:
    """Run a SELECT query and return its column names and rows (None = unbound).

    ``query`` is a prepared query, SPARQL text, or a query file; whatever reaches beyond
    the graph is refused before anything runs (:func:`refusals`).  Bindings go in as
    ``initBindings``; naming a variable the query does not use raises QueryError E205,
    because a misspelt variable would otherwise silently return everything.

    ``limits`` (default :meth:`QueryLimits.from_environment`) bound the run: past its
    timeout the query is stopped and QueryTimedOut (E213) raised; with more rows than
    ``max_rows``, RowLimitReached (E214) is raised carrying the rows up to the limit.
    On a store opened by :func:`load_graph`, a query with a timeout runs in a child process
    that is killed when the time is up, since Oxigraph cannot be interrupted otherwise.
    """
    prepared = _prepared(query)
    known = _QUERY_SOURCES.get(prepared)
    source = known.source if known else "<query>"
    # prepare() refused what it had to before recording the query; one prepared by rdflib
    # directly has not been checked yet (checked once, not on every run: it costs ~1 ms)
    refused = refusals(prepared, None, source) if known is None else []
    if refused:
        raise QueryError(refused)
    kind = str(prepared.algebra.name)
    if kind != "SelectQuery":
        reason = f"only SELECT queries are supported, not {kind.removesuffix('Query').upper()}"
        raise QueryError(problem("E202", file=source, reason=reason))
    limits = limits or QueryLimits.from_environment()
    bindings = dict(bindings or {})
    if bindings:
        variables = query_variables(prepared)
        for name in bindings:
            if name not in variables:
                raise QueryError(problem("E205", var=name))
    for name, value in bindings.items():
        # rdflib would match such an IRI against nothing and Oxigraph reject it: one error for both
        if isinstance(value, URIRef) and _NOT_IN_IRI.search(value):
            raise QueryError(problem("E212", setting=f"IRI bound to ?{name}", value=value,
                                     expected="an IRI without spaces, quotes or any of <>{}|^`\\"))
    store = is_store_graph(graph)
    text: str | None = None
    hidden: set[str] = set()
    if store and known:
        # Oxigraph runs the text itself, the bindings become its substitutions
        text, hidden = projecting(known.text, set(bindings) - projected_variables(prepared))
    path = _STORE_PATHS.get(graph.store) if store else None
    timed_out = QueryTimedOut(problem("E213", file=source, seconds=_seconds_text(limits.timeout)))
    if text is not None and path is not None and limits.timeout:
        try:
            columns, rows, more = _run_in_child(path, text, bindings, limits)
        except store_query.StoreQueryTimedOut:
            raise timed_out from None
    else:
        time_limit = _TimeLimit(limits.timeout)
        try:
            with time_limit:
                # without a text (SELECT * with a hidden binding) rdflib's engine reads the store
                columns, rows, more = _run_here(graph, text or prepared, bindings, limits.max_rows, store)
        except _TimeUp:
            raise timed_out from None
        if time_limit.expired:
            raise timed_out
    if hidden:
        keep = [i for i, name in enumerate(columns) if name not in hidden]
        columns = [columns[i] for i in keep]
        rows = [tuple(row[i] for i in keep) for row in rows]
    if more:
        reached = problem("E214", file=source, limit=limits.max_rows)
        raise RowLimitReached(reached, columns, list(rows))
    return columns, rows


_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _run_here(graph: rdflib.Graph, query: Query | str, bindings: Mapping[str, Identifier], max_rows: int,
              store: bool) -> tuple[list[str], list[Row], bool]:
    """Run in this process: columns, rows up to ``max_rows``, and whether more exist."""
    try:
        result = graph.query(query, initBindings=bindings)
        columns = [str(var) for var in result.vars or []]
        rows: list[Row] = []
        for row in result:
            if max_rows and len(rows) == max_rows:
                return columns, rows, True
            assert isinstance(row, ResultRow)  # SELECT results iterate as ResultRows
            values = tuple(cast(Iterable[Identifier | None], row))
            rows.append(tuple(_plain(v) for v in values) if store else values)
        return columns, rows, False
    # Evaluation failures surface as assorted exception types from rdflib internals.
    except Exception as exc:
        raise QueryError(problem("E202", reason=str(exc) or type(exc).__name__)) from exc


def _run_in_child(path: Path, text: str, bindings: Mapping[str, Identifier],
                  limits: QueryLimits) -> tuple[list[str], list[Row], bool]:
    substitutions = {name: _encode_term(value) for name, value in bindings.items()}
    try:
        answer = store_query.run_in_child(path, text, substitutions, limits.max_rows, limits.timeout)
    except store_query.StoreQueryFailed as failed:
        if failed.opening:
            raise KGBuildError(problem("E305", file=str(path), reason=failed.reason)) from None
        raise QueryError(problem("E202", reason=failed.reason)) from None
    rows = [tuple(_decode_term(term) for term in row) for row in answer.rows]
    return answer.columns, rows, answer.more


def _encode_term(value: Identifier) -> store_query.EncodedTerm:
    if isinstance(value, Literal):
        return ["l", str(value), value.language, str(value.datatype) if value.datatype else None]
    if isinstance(value, BNode):
        return ["b", str(value)]
    return ["u", str(value)]


def _decode_term(term: store_query.EncodedTerm | None) -> Identifier | None:
    if term is None:
        return None
    kind, value = term[0], str(term[1])
    if kind == "u":
        return URIRef(value)
    if kind == "b":
        return BNode(value)
    language, datatype = term[2], term[3]
    if language:
        return Literal(value, lang=language)
    # RDF 1.1 makes "x"^^xsd:string and "x" one term; rdflib does not (see _plain)
    return Literal(value) if datatype in (None, _XSD_STRING) else Literal(value, datatype=URIRef(datatype))


def run_query_with_labels(
    graph: rdflib.Graph,
    query: Query | str | Path,
    bindings: Mapping[str, Identifier] | None = None,
    limits: QueryLimits | None = None,
) -> tuple[list[str], list[Row]]:
    """What ``kgbuild query`` answers: ``query`` run once for each combination of the
    nodes its literal bindings name (:func:`resolve_label_bindings`), the rows of every
    run given once each, in order.  The limits hold for all runs together: one timeout,
    and at most ``max_rows`` rows (RowLimitReached carries them when there are more)."""
    prepared = _prepared(query)
    limits = limits or QueryLimits.from_environment()
    known = _QUERY_SOURCES.get(prepared)
    source = known.source if known else "<query>"
    runs = expand_bindings(resolve_label_bindings(graph, bindings)) if bindings else [{}]
    started = time.monotonic()
    columns: list[str] = []
    rows: list[Row] = []
    seen: set[Row] = set()
    more = False
    for combo in runs:
        left = limits.timeout - (time.monotonic() - started) if limits.timeout else 0.0
        try:
            if limits.timeout and left <= 0:
                raise QueryTimedOut(problem("E213", file=source, seconds=_seconds_text(limits.timeout)))
            columns, found = run_query(graph, prepared, combo, replace(limits, timeout=left))
        except RowLimitReached as reached:
            columns, found, more = reached.columns, reached.rows, True
        except QueryTimedOut:
            raise QueryTimedOut(problem("E213", file=source, seconds=_seconds_text(limits.timeout))) from None
        for row in found:
            if row not in seen:
                seen.add(row)
                rows.append(row)
        if limits.max_rows and len(rows) > limits.max_rows:
            rows, more = rows[:limits.max_rows], True
        if more:
            raise RowLimitReached(problem("E214", file=source, limit=limits.max_rows), columns, rows)
    return columns, rows


# ---------------------------------------------------------------------------- output


def _cell_text(value: Identifier | None) -> str:
    return "" if value is None else str(value)


def _json_value(value: Identifier | None) -> Any:
    if value is None:
        return None
    if isinstance(value, Literal) and value.datatype is not None:
        native = value.toPython()
        # Only booleans and integers become JSON scalars: they convert exactly, while
        # decimals, doubles and dates keep their lexical form.
        if isinstance(native, bool | int):
            return native
    return str(value)


def _display_width(text: str) -> int:
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Cf", "Mn", "Me"):
            continue  # zero-width: Arabic harakat, joiners, direction marks
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _compact_iri(iri: str) -> str:
    """``id:person/سامي-الحداد`` for reading; csv and json keep the exact IRI."""
    for prefix, namespace in sorted(NAMESPACES.items(), key=lambda item: -len(item[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{unquote(iri[len(namespace) :])}"
    return unquote(iri)


def _table_cell(value: Identifier | None) -> str:
    text = _compact_iri(str(value)) if isinstance(value, URIRef) else _cell_text(value)
    # A table row must stay on one line whatever the text holds.
    return " ".join(text.split())


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))


def format_rows(columns: Sequence[str], rows: Iterable[Sequence[Identifier | None]], fmt: str) -> str:
    """Render query results as ``table``, ``csv`` (RFC 4180) or ``json``.

    The table is for reading: IRIs are shortened to known prefixes and percent-decoded
    (Arabic keys become legible).  csv and json carry the exact IRIs and lexical forms.
    """
    rows = list(rows)
    if fmt == "table":
        cells = [[_table_cell(v) for v in row] for row in rows]
        widths = [_display_width(c) for c in columns]
        for row in cells:
            widths = [max(w, _display_width(c)) for w, c in zip(widths, row, strict=True)]
        lines = [" | ".join(_pad(c, w) for c, w in zip(columns, widths, strict=True)).rstrip()]
        lines.append("-+-".join("-" * w for w in widths))
        lines.extend(
            " | ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
        )
        return "\n".join(lines) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([_cell_text(v) for v in row] for row in rows)
        return buffer.getvalue()
    if fmt == "json":
        objects = [
            {column: _json_value(value) for column, value in zip(columns, row, strict=True)} for row in rows
        ]
        return json.dumps(objects, ensure_ascii=False, indent=2) + "\n"
    raise KGBuildError(problem("E207", format=fmt))
