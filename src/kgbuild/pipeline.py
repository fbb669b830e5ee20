"""ingest → extract → resolve → mapping → graph, and the files a build writes.

Articles stream through: each is extracted (in this process, in worker processes or on a
Dask cluster, see kgbuild.engine) into a fragment that goes straight to the spool on disk
(kgbuild.spool), so memory does not grow with the corpus.  The corpus-wide steps (labels,
cross-script merges) then read the spool's small shared parts, and every output is
written in one pass over the spool in article-IRI order (kgbuild.graph), with the
Oxigraph store loaded from the same stream (kgbuild.store).

Only this module and the CLI touch the file system on the output side.  Every file is
written to a temporary name and renamed, so an interrupted build leaves the previous
output whole; ``--update`` afterwards completes it.  A build holds the output folder's
lock and marks the folder while it replaces the files (kgbuild.outdir).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .atomic import AtomicText, write_atomic
from .crossscript import MergePlan, candidates_csv, plan_merges
from .engine import default_jobs, fingerprint, run_dask, run_local
from .errors import KGBuildError, Problem, outcome, problem
from .graph import FORMATS, CorpusGraph, GraphWriter, jsonld_from_ntriples
from .ingest import DEFAULT_MAX_ARTICLE_CHARS, check_max_article_chars, iter_articles
from .mapping import Mapper
from .nlp import get_mappings
from .ntriples import bare
from .outdir import OutputLock, mark_finished, mark_unfinished, remove_leftovers
from .records import Article
from .spool import SPOOL_FILE, Spool
from .store import STORE_DIR, StoreLoader

DEFAULT_FORMATS = ("ttl",)
ENGINES = ("local", "dask")
CANDIDATES_FILE = "merge_candidates.csv"


@dataclass
class BuildReport:
    output: Path
    articles: int = 0  # in the graph
    extracted: int = 0  # by this run (an update skips unchanged articles)
    unchanged: int = 0
    persons: int = 0
    organisations: int = 0
    places: int = 0
    roles: int = 0
    statements: int = 0
    triples: int = 0
    merged: int = 0  # actors merged across scripts
    merge_candidates: int = 0  # doubtful pairs written to merge_candidates.csv
    merges: list[tuple[str, str, float]] = field(default_factory=list)  # (kept, merged, score)
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def exit_status(self) -> int:
        return 1 if self.problems else 0

    @property
    def skipped(self) -> int:
        """Articles, records and files that did not reach the graph."""
        return sum(outcome(p) == "skipped" for p in self.problems)

    @property
    def warnings(self) -> int:
        """Problems of articles that were kept all the same."""
        return len(self.problems) - self.skipped

    def summary(self) -> str:
        lines = [
            f"articles       {self.articles}",
            f"extracted      {self.extracted}",
            f"unchanged      {self.unchanged}",
            f"persons        {self.persons}",
            f"organisations  {self.organisations}",
            f"places         {self.places}",
            f"roles          {self.roles}",
            f"statements     {self.statements}",
            f"triples        {self.triples}",
            f"merged         {self.merged}",
            f"candidates     {self.merge_candidates}",
        ]
        lines += [f"wrote          {self.output / f}" for f in self.files]
        if self.problems:
            lines.append(f"skipped {self.skipped} and kept {self.warnings} with a warning; see "
                         f"{self.output / 'report.json'}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, object]:
        return {
            "articles": self.articles, "extracted": self.extracted, "unchanged": self.unchanged,
            "persons": self.persons, "organisations": self.organisations,
            "places": self.places, "roles": self.roles, "statements": self.statements,
            "triples": self.triples, "merged": self.merged, "merge_candidates": self.merge_candidates,
            "merges": [{"kept": kept, "merged": merged, "score": score}
                       for kept, merged, score in self.merges],
            "files": self.files,
            # kept: articles in the graph from this run's inputs; inputs = kept + skipped
            "tally": {"inputs": self.extracted + self.unchanged + self.skipped,
                      "kept": self.extracted + self.unchanged, "skipped": self.skipped,
                      "warnings": self.warnings},
            "problems": [{"code": p.code, "file": p.file, "line": p.line, "message": p.message,
                          "article": outcome(p)} for p in self.problems],
        }


def _progress(enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(unit=" articles", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)


def build(
    inputs: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str] = "output",
    formats: Sequence[str] = DEFAULT_FORMATS,
    mappings_dir: str | os.PathLike[str] | None = None,
    stdin: TextIO | None = None,
    progress: bool | None = None,
    on_problem: object = None,
    jobs: int | None = None,
    update: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    store: bool = True,
    dask_client: Any = None,
    max_article_chars: int = DEFAULT_MAX_ARTICLE_CHARS,
    strict: bool = False,
    validate: bool = False,
) -> BuildReport:
    """Build the graph of every article under ``inputs`` and write it to ``output``.

    ``jobs`` worker processes extract the articles (default: one per core; 1 = this
    process).  With ``update`` the spool of an earlier build in ``output`` is kept and only
    new or changed articles (by id and content hash) are extracted; the outputs are then
    the same as a full build of every article ever given.  ``engine="dask"`` extracts on
    the Dask cluster at ``scheduler``.

    Articles longer than ``max_article_chars`` (title and text) are skipped (E018).  With
    ``strict`` the first problem stops the build: it is passed to ``on_problem``, then
    KGBuildError E391 is raised and no file in ``output`` has changed.  With ``validate``
    every article's graph is checked against the SHACL shapes as it is written; violations
    are reported as problems (E215, E206), after the outputs are written, even with
    ``strict``.
    """
    out_dir = Path(output)
    report = BuildReport(out_dir)
    for fmt in formats:
        if fmt not in FORMATS:
            raise KGBuildError(problem("E207", format=fmt))
    if engine not in ENGINES:
        raise KGBuildError(problem("E304", reason=f"unknown engine '{engine}' (known: {', '.join(ENGINES)})"))
    check_max_article_chars(max_article_chars)
    jobs = default_jobs() if jobs is None or jobs <= 0 else jobs
    directory = str(mappings_dir) if mappings_dir else None
    mappings = get_mappings(directory)
    mapper = Mapper(mappings)
    show = sys.stderr.isatty() if progress is None else progress

    def record(p: Problem) -> None:
        report.problems.append(p)
        if callable(on_problem):
            on_problem(p)

    def note(p: Problem) -> None:
        record(p)
        if strict:  # raised before the spool is committed: the new outputs are never written
            raise KGBuildError(problem("E391", file=str(out_dir)))

    # options are checked before the lock: a bad call must not even create the folder
    with OutputLock(out_dir):
        remove_leftovers(out_dir)
        stamp = fingerprint(directory)
        spool = Spool.open_existing(out_dir, stamp) if update else Spool.create(out_dir, stamp)
        try:
            known = spool.hashes() if update else {}

            def to_extract() -> Iterator[Article]:
                for item in iter_articles(list(inputs), stdin=stdin, max_article_chars=max_article_chars):
                    if isinstance(item, Problem):
                        note(item)
                    elif known.get(bare(mapper.article_iri(item.id))) == item.content_hash:
                        report.unchanged += 1
                    else:
                        yield item

            if engine == "dask":
                outcomes = run_dask(to_extract(), directory, scheduler, client=dask_client)
            else:
                outcomes = run_local(to_extract(), directory, jobs)
            bar = _progress(show)
            try:
                for outcome in outcomes:
                    if isinstance(outcome, Problem):
                        note(outcome)
                        continue
                    spool.put(outcome)
                    report.extracted += 1
                    if bar is not None:
                        bar.update(1)
            finally:
                if bar is not None:
                    bar.close()
            mark_unfinished(out_dir, inputs, formats, directory, store)
            spool.commit()
            for shape_problem in write_outputs(spool, out_dir, formats, mappings, report, store,
                                               jobs if validate else 0):
                record(shape_problem)
        finally:
            spool.close()
        report_text = json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n"
        write_atomic(out_dir / "report.json", report_text)
        mark_finished(out_dir)
        return report


def write_outputs(spool: Spool, out_dir: Path, formats: Sequence[str], mappings: Any, report: BuildReport,
                  store: bool = True, validate_jobs: int = 0) -> list[Problem]:
    """The corpus-wide steps over the spool, then every file in one pass; with
    ``validate_jobs`` > 0 the graph is checked against the shapes on the way, in that many
    processes, and the violations are returned."""
    corpus = CorpusGraph(mappings)
    for shared in spool.shared_parts():
        corpus.add(shared)
    plan = merge_across_scripts(corpus)
    report.articles = corpus.articles
    report.roles = corpus.roles
    report.statements = corpus.statements
    report.merged = len(plan.merges)
    report.merge_candidates = len(plan.candidates)
    report.merges = [(p.latin.iri, p.arabic.iri, p.match.score) for p in plan.merges]
    report.triples = corpus.triple_count()
    counts = corpus.type_counts()
    report.persons = counts["Person"]
    report.organisations = counts["Organisation"]
    report.places = counts["Place"]

    wanted = [fmt for fmt in FORMATS if fmt in formats]
    # JSON-LD is made by rdflib from the N-Triples, written for it when not asked for
    streamed = [fmt for fmt in wanted if fmt != "jsonld"]
    if "jsonld" in wanted and "nt" not in wanted:
        streamed.append("nt")
    with ExitStack() as stack:
        files = {fmt: AtomicText(out_dir / f"graph.{fmt}") for fmt in streamed}
        for handle in files.values():
            stack.callback(handle.discard)
        checker = None
        if validate_jobs > 0:
            from .validate import ShapeChecker  # pyshacl takes a while to import: only when asked

            checker = stack.enter_context(ShapeChecker(str(out_dir / "graph.ttl"), validate_jobs))
        loader = stack.enter_context(StoreLoader(out_dir)) if store else None
        writer = GraphWriter(corpus, files, loader, checker)
        writer.begin()
        for fragment in spool.fragments():
            writer.article(fragment)
        if "jsonld" in wanted:
            files["nt"].flush()
            jsonld = AtomicText(out_dir / "graph.jsonld")
            stack.callback(jsonld.discard)
            jsonld.write(jsonld_from_ntriples(Path(files["nt"].tmp).read_text(encoding="utf-8")))
            jsonld.commit()
        for fmt, handle in files.items():
            if fmt in wanted:
                handle.commit()
        shape_problems = checker.finish() if checker is not None else []
    report.files = [f"graph.{fmt}" for fmt in wanted]
    if store:
        report.files.append(STORE_DIR)
    # written even when empty, so that a stale list from an earlier build never survives
    write_atomic(out_dir / CANDIDATES_FILE, candidates_csv(plan.candidates, mappings.gazetteer_by_id))
    report.files += [CANDIDATES_FILE, SPOOL_FILE]
    return shape_problems


def merge_across_scripts(graph: CorpusGraph) -> MergePlan:
    """One actor, one node, across scripts: merge the persons whose Arabic-script and
    Latin-script names match confidently (the Latin-script IRI is kept, the other stays
    as its owl:sameAs) and return the plan, whose doubtful pairs the caller writes out."""
    given = [name for names in graph.mappings.given_names.values() for name in names]
    plan = plan_merges(graph.actors(), given)
    graph.apply_merges((p.latin.iri, p.arabic.iri) for p in plan.merges)
    return plan


__all__ = ["DEFAULT_FORMATS", "ENGINES", "AtomicText", "BuildReport", "build", "merge_across_scripts",
           "write_atomic", "write_outputs"]
