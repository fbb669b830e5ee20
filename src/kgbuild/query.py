"""Load a built graph and run named or ad-hoc SPARQL queries over it.

The named queries live in ``ontology/queries/*.rq``; each is plain SPARQL 1.1 that also
runs in other engines.  Values from the command line are passed to rdflib as
``initBindings`` and never pasted into query text, so a label such as ``"x" } ...``
cannot change what a query does.
"""

from __future__ import annotations

import csv
import importlib
import io
import itertools
import json
import re
import unicodedata
import warnings
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote
from xml.sax import SAXParseException

import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, OWL, PROV, RDFS, SKOS, XSD
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import ResultRow
from rdflib.term import Identifier, Literal, URIRef, Variable

from kgbuild.errors import KGBuildError, QueryError, problem
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
    graph = rdflib.Graph(store=OxigraphStore(store=open_store(path)), identifier=DATASET_DEFAULT_GRAPH_ID)
    for prefix, namespace in NAMESPACES.items():
        graph.bind(prefix, namespace, override=False)
    return graph


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


# the text each prepared query was made from: Oxigraph takes SPARQL text, not rdflib's algebra
_QUERY_TEXT: weakref.WeakKeyDictionary[Query, str] = weakref.WeakKeyDictionary()


def query_text(query: Query) -> str:
    """The SPARQL text of a prepared query, with the kgbuild prefixes declared."""
    return _QUERY_TEXT[query]


def prepare(text: str, source: str = "<query>") -> Query:
    """Parse and translate a query once, with the kgbuild prefixes predeclared."""
    try:
        prepared = prepareQuery(text, initNs=NAMESPACES)
        _QUERY_TEXT[prepared] = _with_prefixes(text)
        return prepared
    # rdflib reports syntax errors as pyparsing exceptions but unknown prefixes and
    # algebra problems as plain Exception, so only a broad catch turns all of them
    # into a coded error that names the query file.
    except Exception as exc:
        # pyparsing errors carry the position in the query text; others do not.
        line = getattr(exc, "lineno", None)
        column = getattr(exc, "col", None)
        reason = str(getattr(exc, "msg", None) or exc).strip()
        reason = reason.splitlines()[0] if reason else type(exc).__name__
        if isinstance(line, int) and isinstance(column, int):
            reason = f"{reason} (column {column})"
        raise QueryError(
            problem("E202", file=source, line=line if isinstance(line, int) else None, reason=reason)
        ) from exc


def _with_prefixes(text: str) -> str:
    """The query with the kgbuild prefixes it does not declare itself put in front, as
    rdflib's initNs does for the in-memory engine."""
    declared = {m.group(1) for m in re.finditer(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", text)}
    missing = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in NAMESPACES.items() if p not in declared)
    return missing + text


def query_variables(query: Query) -> set[str]:
    """Names of every variable the query mentions, anywhere in its algebra."""
    found: set[str] = set()
    stack: list[Any] = [query.algebra]
    while stack:
        node = stack.pop()
        if isinstance(node, Variable):
            found.add(str(node))
        elif isinstance(node, CompValue | dict):
            stack.extend(node.values())
            # rdflib keeps the in-scope variables of each algebra node as an attribute.
            scoped = getattr(node, "_vars", None)
            if isinstance(scoped, set | frozenset):
                stack.extend(scoped)
        elif isinstance(node, list | tuple | set | frozenset):
            stack.extend(node)
    return found


def projected_variables(query: Query) -> set[str]:
    """The variables a SELECT query returns."""
    return {str(var) for var in getattr(query.algebra, "PV", None) or ()}


def projecting(text: str, names: set[str]) -> tuple[str | None, set[str]]:
    """The query made to also return the variables ``names``, and those names.

    Oxigraph substitutes values for projected variables only, so a bound variable the
    query does not return is added to its SELECT list; it holds one value per run, so the
    rows stay the same, and the caller drops the added column again.  Only variable names
    are written into the text, never a value.  None when the main SELECT cannot be found.
    """
    if not names:
        return text, set()
    at = _after_select(text)
    if at is None or text[at:].lstrip().startswith("*"):
        return None, set()
    added = " ".join(f"?{name}" for name in sorted(names))
    return f"{text[:at]} {added} {text[at:]}", names


_SELECT = re.compile(r"SELECT(?:\s+(?:DISTINCT|REDUCED))?\b", re.IGNORECASE)


def _after_select(text: str) -> int | None:
    """Where the projection of the outermost SELECT starts: the first SELECT keyword
    outside comments, IRIs, strings and braces."""
    i, depth, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch == "<" and (match := re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:])):
            i += match.end()
        elif ch in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else ch
            end = i + len(quote)
            while end < n and not text.startswith(quote, end):
                end += 2 if text[end] == "\\" else 1
            i = end + len(quote)
        elif ch == "{":
            depth, i = depth + 1, i + 1
        elif ch == "}":
            depth, i = depth - 1, i + 1
        elif depth == 0 and (match := _SELECT.match(text, i)) and (i == 0 or not text[i - 1].isalnum()):
            return match.end()
        else:
            i += 1
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


def run_query(
    graph: rdflib.Graph,
    query: Query | str | Path,
    bindings: Mapping[str, Identifier] | None = None,
) -> tuple[list[str], list[tuple[Identifier | None, ...]]]:
    """Run a SELECT query and return its column names and rows (None = unbound).

    ``query`` is a prepared query, SPARQL text, or a query file.  Bindings go in as
    ``initBindings``; naming a variable the query does not use raises QueryError E205,
    because a misspelt variable would otherwise silently return everything.
    """
    if isinstance(query, Path):
        prepared = read_query(query)
    elif isinstance(query, str):
        prepared = prepare(query)
    else:
        prepared = query
    bindings = dict(bindings or {})
    if bindings:
        known = query_variables(prepared)
        for name in bindings:
            if name not in known:
                raise QueryError(problem("E205", var=name))
    try:
        hidden: set[str] = set()
        store = is_store_graph(graph)
        if store:
            # Oxigraph runs the text itself, the bindings become its substitutions
            text, hidden = projecting(query_text(prepared), set(bindings) - projected_variables(prepared))
            result = graph.query(text, initBindings=bindings) if text else \
                graph.query(prepared, initBindings=bindings)  # rdflib's engine over the store
        else:
            result = graph.query(prepared, initBindings=bindings)
    # Evaluation failures surface as assorted exception types from rdflib internals.
    except Exception as exc:
        raise QueryError(problem("E202", reason=str(exc) or type(exc).__name__)) from exc
    if result.type != "SELECT":
        raise QueryError(problem("E202", reason=f"only SELECT queries are supported, not {result.type}"))
    columns = [str(var) for var in result.vars or []]
    keep = [i for i, name in enumerate(columns) if name not in hidden]
    rows: list[tuple[Identifier | None, ...]] = []
    for row in result:
        assert isinstance(row, ResultRow)  # SELECT results iterate as ResultRows
        values = tuple(cast(Iterable[Identifier | None], row))
        if store:
            values = tuple(_plain(v) for v in values)
        rows.append(tuple(values[i] for i in keep) if hidden else values)
    return [columns[i] for i in keep], rows


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
