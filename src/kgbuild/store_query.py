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

import atexit
import contextlib
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
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
    ``max_rows`` rows (0 = all), and kill it after ``timeout`` seconds (0 = never).

    Children are kept between queries (one per query running at the same time), so a
    query pays a round trip, not a process start; a child that is killed is replaced by
    the next query."""
    request = json.dumps({"store": str(path), "query": text, "substitutions": dict(substitutions),
                          "max_rows": max_rows}, ensure_ascii=False)
    child = _POOL.take()
    try:
        answer = child.ask(request, timeout)
    except BaseException:
        child.kill()
        raise
    _POOL.give_back(child)
    return answer


class _Child:
    """One ``python -m kgbuild.store_query --serve`` process: requests and answers are
    JSON lines on its standard input and output."""

    def __init__(self) -> None:
        # the child imports this very copy of kgbuild, wherever the parent found it
        package_parent = str(Path(__file__).resolve().parents[1])
        search_path = os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH", "")) if p)
        # stderr goes to a file: a pipe nobody reads could fill and stall the child
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 -- lives as long as the child, closed by kill()
        self.process = subprocess.Popen([sys.executable, "-m", "kgbuild.store_query", "--serve"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors,
                                        env={**os.environ, "PYTHONPATH": search_path})
        self.owner = os.getpid()
        self.pending = b""

    def ask(self, request: str, timeout: float) -> StoreAnswer:
        assert self.process.stdin is not None
        deadline = time.monotonic() + timeout if timeout else None
        try:
            self.process.stdin.write(request.encode("utf-8") + b"\n")
            self.process.stdin.flush()
        except OSError:
            raise StoreQueryFailed(self._death()) from None
        head = self._line(deadline)
        if "error" in head:
            raise StoreQueryFailed(head["error"], opening=bool(head.get("opening")))
        rows: list[list[EncodedTerm | None]] = []
        while True:
            item = self._line(deadline)
            if isinstance(item, dict):
                if "error" in item:
                    raise StoreQueryFailed(item["error"])
                return StoreAnswer(head["columns"], rows, bool(item["more"]))
            rows.append(item)

    def _line(self, deadline: float | None) -> Any:
        """The next JSON line of the answer; JSON escapes newlines inside values, so only
        "\n" ends one (not U+2028 and the like, which JSON leaves as they are)."""
        assert self.process.stdout is not None
        stream = self.process.stdout.fileno()
        while b"\n" not in self.pending:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise StoreQueryTimedOut("the query ran out of time")
            ready, _, _ = select.select([stream], [], [], left)
            if not ready:
                continue  # the loop tells a timeout apart from a spurious wake-up
            chunk = os.read(stream, 1 << 16)
            if not chunk:
                raise StoreQueryFailed(self._death())
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return json.loads(line.decode("utf-8"))

    def _death(self) -> str:
        self.kill()
        self.errors.seek(0)
        reason = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        return reason[-1] if reason else f"the query process ended with {self.process.returncode}"

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self.errors.close()

    def close(self) -> None:
        """End an idle child: it leaves its loop when its input ends."""
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.kill()


class _Pool:
    """Idle children, shared by the threads of this process; a forked process starts its own."""

    KEEP = 2  # idle children kept; more only while queries overlap

    def __init__(self) -> None:
        self.idle: list[_Child] = []
        self.lock = threading.Lock()
        atexit.register(self.close)

    def take(self) -> _Child:
        with self.lock:
            while self.idle:
                child = self.idle.pop()
                if child.owner == os.getpid() and child.process.poll() is None:
                    return child
                if child.owner == os.getpid():
                    child.kill()
        return _Child()

    def give_back(self, child: _Child) -> None:
        with self.lock:
            if len(self.idle) < self.KEEP:
                self.idle.append(child)
                return
        child.close()

    def close(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for child in idle:
            if child.owner == os.getpid():
                child.close()


_POOL = _Pool()


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


def _answer(request: dict[str, Any],
            stores: dict[str, ox.Store]) -> Iterator[dict[str, Any] | list[EncodedTerm | None]]:
    # kept open by its real folder: a build that swaps output/store makes the next query
    # open the new one
    where = os.path.realpath(request["store"])
    store = stores.get(where)
    if store is None:
        try:
            store = ox.Store.read_only(request["store"])
        except OSError as err:
            yield {"error": str(err), "opening": True}
            return
        stores.clear()  # one store at a time: an old one may be deleted by now
        stores[where] = store
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


def _write_answer(request: dict[str, Any], stores: dict[str, ox.Store], out: Any) -> None:
    try:
        for item in _answer(request, stores):
            out.write(json.dumps(item, ensure_ascii=False).encode("utf-8") + b"\n")
    except (OSError, ValueError) as err:  # a failure while reading rows: what was written stays
        out.write(json.dumps({"error": str(err)}).encode("utf-8") + b"\n")
    out.flush()


def main(argv: list[str] | None = None) -> int:
    """Answer one request from standard input, or with ``--serve`` one per input line
    until the input ends."""
    args = sys.argv[1:] if argv is None else argv
    out = sys.stdout.buffer
    stores: dict[str, ox.Store] = {}
    if "--serve" not in args:
        _write_answer(json.loads(sys.stdin.buffer.read().decode("utf-8")), stores, out)
        return 0
    for line in sys.stdin.buffer:
        if line.strip():
            _write_answer(json.loads(line.decode("utf-8")), stores, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
