"""ingest → extract → resolve → mapping → graph, and the files a build writes.

Only this module and the CLI touch the file system on the output side.  Every file is
written to a temporary name and renamed, so an interrupted build leaves the previous
output whole.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from rdflib import RDF, URIRef

from .crossscript import MergePlan, candidates_csv, plan_merges
from .errors import Problem, problem
from .extract import analyse
from .graph import FORMATS, KnowledgeGraph
from .ingest import iter_articles
from .nlp import get_mappings
from .records import Article
from .vocab import KG

DEFAULT_FORMATS = ("ttl", "trig")
CANDIDATES_FILE = "merge_candidates.csv"


@dataclass
class BuildReport:
    output: Path
    articles: int = 0
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

    def summary(self) -> str:
        lines = [
            f"articles       {self.articles}",
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
            lines.append(f"skipped/reported {len(self.problems)} problem(s); see report.json")
        return "\n".join(lines)

    def as_json(self) -> dict[str, object]:
        return {
            "articles": self.articles, "persons": self.persons, "organisations": self.organisations,
            "places": self.places, "roles": self.roles, "statements": self.statements,
            "triples": self.triples, "merged": self.merged, "merge_candidates": self.merge_candidates,
            "merges": [{"kept": kept, "merged": merged, "score": score}
                       for kept, merged, score in self.merges],
            "files": self.files,
            "problems": [{"code": p.code, "file": p.file, "line": p.line, "message": p.message}
                         for p in self.problems],
        }


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private; outputs are ordinary files for the user's umask
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _progress(total_hint: int | None, enabled: bool) -> object:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total_hint, unit="article", file=sys.stderr, dynamic_ncols=True)


def build(
    inputs: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str] = "output",
    formats: Sequence[str] = DEFAULT_FORMATS,
    mappings_dir: str | os.PathLike[str] | None = None,
    stdin: TextIO | None = None,
    progress: bool | None = None,
    on_problem: object = None,
) -> BuildReport:
    """Build the graph of every article under ``inputs`` and write it to ``output``."""
    out_dir = Path(output)
    report = BuildReport(out_dir)
    mappings = get_mappings(str(mappings_dir) if mappings_dir else None)
    graph = KnowledgeGraph(mappings)
    show = sys.stderr.isatty() if progress is None else progress
    bar = _progress(None, show)

    def note(p: Problem) -> None:
        report.problems.append(p)
        if callable(on_problem):
            on_problem(p)

    for item in iter_articles(list(inputs), stdin=stdin):
        if isinstance(item, Problem):
            note(item)
            continue
        article: Article = item
        try:
            result = analyse(article, mappings_dir)
        except Exception as err:  # one article's failure must not cost the rest
            detail = "".join(traceback.format_exception_only(type(err), err)).strip()
            note(problem("E301", file=article.source or article.id, line=article.line,
                         id=article.id, reason=detail))
            continue
        graph.add(result)
        report.articles += 1
        report.roles += sum(1 for r in result.roles if r.org_key)
        report.statements += len(result.statements)
        if bar is not None:
            bar.update(1)  # type: ignore[attr-defined]
    if bar is not None:
        bar.close()  # type: ignore[attr-defined]

    plan = merge_across_scripts(graph)
    report.merged = len(plan.merges)
    report.merge_candidates = len(plan.candidates)
    report.merges = [(p.latin.iri, p.arabic.iri, p.match.score) for p in plan.merges]
    triples = graph.all_triples()
    report.triples = len(triples)
    types = {(s, o) for s, p, o in triples if p == RDF.type}
    report.persons = sum(1 for _, o in types if o == KG.Person)
    report.organisations = sum(1 for _, o in types if o == KG.Organisation)
    report.places = sum(1 for _, o in types if o == KG.Place)
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(fmt)
        path = out_dir / f"graph.{fmt}"
        write_atomic(path, graph.serialise(fmt))
        report.files.append(path.name)
    # written even when empty, so that a stale list from an earlier build never survives
    write_atomic(out_dir / CANDIDATES_FILE, candidates_csv(plan.candidates, mappings.gazetteer_by_id))
    report.files.append(CANDIDATES_FILE)
    write_atomic(out_dir / "report.json", json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
    return report


def merge_across_scripts(graph: KnowledgeGraph) -> MergePlan:
    """One actor, one node, across scripts: merge the persons whose Arabic-script and
    Latin-script names match confidently (the Latin-script IRI is kept, the other stays
    as its owl:sameAs) and return the plan, whose doubtful pairs the caller writes out."""
    given = [name for names in graph.mappings.given_names.values() for name in names]
    plan = plan_merges(graph.actors(), given)
    graph.apply_merges((URIRef(p.latin.iri), URIRef(p.arabic.iri)) for p in plan.merges)
    return plan


__all__ = ["BuildReport", "build", "merge_across_scripts", "write_atomic"]
