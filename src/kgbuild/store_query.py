"""One SELECT query on an Oxigraph store, run in a child process that can be killed.

Oxigraph evaluates a query in Rust and returns to Python only between result rows, so
neither a signal handler nor an exception sent to the thread can stop a query that
sorts a huge intermediate result before giving its first row.  A query with a timeout is
therefore run by ``python -m kgbuild.store_query``: the child opens the store read-only
itself (a RocksDB handle cannot be shared across processes), writes the rows to its
standard output as JSON lines, and is killed when the time is up.  The child imports
only pyoxigraph, so it starts in a few hundredths of a second.

Terms travel as JSON lists: ``["u", iri]``, ``["b", id]``, ``["l", lexical, lang,
datatype]``; an unbound value is ``null``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

EncodedTerm = list[str | None]


@dataclass(frozen=True)
class StoreAnswer:
    """What the child sent back: column names, rows of encoded terms, and whether rows
    were left unread because there were more than ``max_rows``."""

    columns: list[str]
    rows: list[list[EncodedTerm | None]]
    more: bool


class StoreQueryFailed(Exception):
    """The child could not open the store (``opening``) or run the query."""

    def __init__(self, reason: str, opening: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.opening = opening


class StoreQueryTimedOut(Exception):
    """The child was still running when its time was up, and was killed."""


def run_in_child(path: Path, text: str, substitutions: Mapping[str, EncodedTerm], max_rows: int,
                 timeout: float) -> StoreAnswer:
    """Run the SELECT ``text`` on the store at ``path`` in a child process, reading at most
    ``max_rows`` rows (0 = all), and kill it after ``timeout`` seconds (0 = never)."""
    request = json.dumps({"store": str(path), "query": text, "substitutions": dict(substitutions),
                          "max_rows": max_rows})
    # the child imports this very copy of kgbuild, wherever the parent found it
    package_parent = str(Path(__file__).resolve().parents[1])
    search_path = os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH", "")) if p)
    try:
        # subprocess.run kills and reaps the child when the timeout expires
        done = subprocess.run([sys.executable, "-m", "kgbuild.store_query"], input=request.encode("utf-8"),
                              capture_output=True, timeout=timeout or None, check=False,
                              env={**os.environ, "PYTHONPATH": search_path})
    except subprocess.TimeoutExpired as expired:
        raise StoreQueryTimedOut(str(expired)) from None
    # JSON escapes newlines inside values, and only "\n" ends a line (splitlines would also
    # split at U+2028 and the like, which JSON leaves as they are)
    lines = done.stdout.decode("utf-8").rstrip("\n").split("\n") if done.stdout else []
    if done.returncode != 0 or not lines:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise StoreQueryFailed(reason[-1] if reason else f"the query process ended with {done.returncode}")
    head = json.loads(lines[0])
    if "error" in head:
        raise StoreQueryFailed(head["error"], opening=bool(head.get("opening")))
    tail = json.loads(lines[-1])
    if isinstance(tail, dict) and "error" in tail:
        raise StoreQueryFailed(tail["error"])
    if not isinstance(tail, dict) or "more" not in tail:
        raise StoreQueryFailed("the query process stopped before its last row")
    return StoreAnswer(head["columns"], [json.loads(line) for line in lines[1:-1]], bool(tail["more"]))


# ---------------------------------------------------------------------------- the child


def _encode(term: Any) -> EncodedTerm | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ["u", term.value]
    if isinstance(term, ox.BlankNode):
        return ["b", term.value]
    if isinstance(term, ox.Literal):
        return ["l", term.value, term.language, term.datatype.value]
    raise ValueError(f"unsupported value in a result row: {term}")


def _decode(term: EncodedTerm) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    kind, value = term[0], str(term[1])
    if kind == "u":
        return ox.NamedNode(value)
    if kind == "b":
        return ox.BlankNode(value)
    language, datatype = term[2], term[3]
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(datatype) if datatype else None)


def _answer(request: dict[str, Any]) -> Iterator[dict[str, Any] | list[EncodedTerm | None]]:
    try:
        store = ox.Store.read_only(request["store"])
    except OSError as err:
        yield {"error": str(err), "opening": True}
        return
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(name): _decode(term) for name, term in request["substitutions"].items()
    }
    try:
        solutions = store.query(request["query"], substitutions=substitutions)
    except (SyntaxError, OSError, ValueError) as err:
        yield {"error": str(err)}
        return
    if not isinstance(solutions, ox.QuerySolutions):
        yield {"error": "only SELECT queries are supported"}
        return
    columns = [variable.value for variable in solutions.variables]
    yield {"columns": columns}
    max_rows = int(request["max_rows"])
    for count, solution in enumerate(solutions):
        if max_rows and count == max_rows:
            yield {"more": True}
            return
        yield [_encode(solution[name]) for name in columns]
    yield {"more": False}


def main() -> int:
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    out = sys.stdout.buffer
    try:
        for item in _answer(request):
            out.write(json.dumps(item, ensure_ascii=False).encode("utf-8") + b"\n")
    except (OSError, ValueError) as err:  # a failure while reading rows: what was written stays
        out.write(json.dumps({"error": str(err)}).encode("utf-8") + b"\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
