"""Check a built graph against the SHACL shapes in ``ontology/shapes.ttl``.

Validation runs without RDFS/OWL inference: the graph must state every type it relies
on, which is what docs/data-model.md promises, and inference would hide a missing one.
The ontology is still passed to pyshacl as ``ont_graph`` so that subclass axioms (for
``sh:class`` checks) come from one place.

``kgbuild validate`` checks a whole graph at once.  ``kgbuild build --validate`` checks the
graph while it is written, one batch of article graphs at a time (``ShapeChecker``): each
article's graph (its own triples, the shared triples it gave and the labels of its actors,
as in graph.trig) holds every node its shapes look at, so memory stays bounded and the
batches can go to worker processes.  The union of the article graphs is the whole graph.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType

import pyshacl
import rdflib
from rdflib.namespace import RDF, SH

from kgbuild.errors import Problem, problem
from kgbuild.ntriples import VOCAB_PREFIXES
from kgbuild.query import load_graph

_ROOT = Path(__file__).resolve().parents[2]
SHAPES_PATH: Path = _ROOT / "ontology" / "shapes.ttl"
ONTOLOGY_PATH: Path = _ROOT / "ontology" / "kgbuild.ttl"
# Triples per batch of ShapeChecker: pyshacl holds a batch (and the report) in memory at
# about 2 kB a triple, and its fixed cost per call (parsing shapes and ontology, 0.05 s)
# is small beside the few seconds a batch this size takes.
BATCH_TRIPLES = 20_000
LISTED_VIOLATIONS = 100  # E215 problems reported one by one; E206 gives the total
Violation = tuple[str, str, str]  # (focus node, property path, message), N-Triples/prefixed


def validate_graph(
    data: rdflib.Graph, shapes: Path = SHAPES_PATH, ontology: Path = ONTOLOGY_PATH
) -> tuple[bool, str, int]:
    """Validate ``data``; return (conforms, report text, number of violations).

    Only results of severity sh:Violation are counted; warnings and infos (none of the
    shipped shapes emit them) still appear in the report text.  ``data`` is not changed:
    pyshacl mixes the ontology into a copy.
    """
    conforms, results, text = _validate(data, shapes, ontology)
    return conforms, text, len(violations(results))


def _validate(data: rdflib.Graph, shapes: Path, ontology: Path) -> tuple[bool, rdflib.Graph, str]:
    # Parsed on every call rather than cached: pyshacl adds triples to the shapes graph.
    conforms, results, text = pyshacl.validate(
        data,
        shacl_graph=load_graph(shapes),
        ont_graph=load_graph(ontology),
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        inplace=False,
    )
    assert isinstance(results, rdflib.Graph)  # pyshacl returns the report as a graph
    return bool(conforms), results, str(text)


def violations(results: rdflib.Graph) -> list[Violation]:
    """The sh:Violation results of a pyshacl report graph, sorted."""
    found = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = results.value(result, SH.focusNode)
        if results.value(result, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent:
            # the span checks have one focus node for the whole graph; the span is the value
            focus = results.value(result, SH.value) or focus
        path = results.value(result, SH.resultPath)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        found.add((_name(focus), _name(path) if isinstance(path, rdflib.URIRef) else "", "; ".join(messages)))
    return sorted(found)


def _name(term: object) -> str:
    if isinstance(term, rdflib.URIRef):
        for prefix, namespace in VOCAB_PREFIXES.items():
            if term.startswith(namespace) and term != namespace:
                return f"{prefix}:{term[len(namespace):]}"
        return f"<{term}>"
    return term.n3() if isinstance(term, rdflib.term.Node) else str(term)


def check_ntriples(text: str) -> list[Violation]:
    """The violations of a graph given as N-Triples text (what a worker process is sent)."""
    graph = rdflib.Graph()
    graph.parse(data=text, format="nt")
    return violations(_validate(graph, SHAPES_PATH, ONTOLOGY_PATH)[1])


class ShapeChecker:
    """The shapes, checked while a build writes its graph: ``add`` each article's graph as
    N-Triples, then ``finish`` for the problems (E215 per violation, E206 with the count).

    With ``jobs`` > 1, batches are checked in as many worker processes (started with the
    first full batch, so small builds never start one) while the build goes on writing;
    at most two batches per worker wait, so memory stays bounded.  ``file`` names the
    graph in the problems."""

    def __init__(self, file: str, jobs: int = 1, batch_triples: int = BATCH_TRIPLES):
        self.file = file
        self.jobs = jobs
        self.batch_triples = batch_triples
        self.pending: list[str] = []
        self.pending_triples = 0
        self.found: set[Violation] = set()
        self.failures: list[str] = []
        self.pool: ProcessPoolExecutor | None = None
        self.running: deque[Future[list[Violation]]] = deque()

    def __enter__(self) -> ShapeChecker:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def add(self, ntriples: str) -> None:
        self.pending.append(ntriples)
        self.pending_triples += ntriples.count("\n")
        if self.pending_triples >= self.batch_triples:
            self._check(in_pool=self.jobs > 1)

    def _check(self, in_pool: bool) -> None:
        text = "".join(self.pending)
        self.pending, self.pending_triples = [], 0
        if not in_pool:
            self._collect(lambda: check_ntriples(text))
            return
        if self.pool is None:
            # spawned, not forked: the store loader's thread is running in this process
            self.pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn"))
        self.running.append(self.pool.submit(check_ntriples, text))
        while len(self.running) > 2 * self.jobs:
            self._collect(self.running.popleft().result)

    def _collect(self, outcome: Callable[[], list[Violation]]) -> None:
        try:
            self.found.update(outcome())
        except Exception as err:  # a checker's failure is reported, never the build's undoing
            self.failures.append(f"{type(err).__name__}: {err}")

    def finish(self) -> list[Problem]:
        if self.pending:
            self._check(in_pool=self.pool is not None)
        while self.running:
            self._collect(self.running.popleft().result)
        self.close()
        found = sorted(self.found)
        problems = [problem("E215", file=self.file, node=node, prop=f" {path}" if path else "",
                            message=message) for node, path, message in found[:LISTED_VIOLATIONS]]
        if found:
            problems.append(problem("E206", file=self.file, count=len(found)))
        problems += [problem("E216", file=self.file, reason=reason) for reason in sorted(set(self.failures))]
        return problems

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


__all__ = ["BATCH_TRIPLES", "ONTOLOGY_PATH", "SHAPES_PATH", "ShapeChecker", "check_ntriples",
           "validate_graph", "violations"]
