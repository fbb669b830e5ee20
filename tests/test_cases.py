"""Golden cases: tests/cases/<name>/input.<ext> must build into tests/cases/<name>/expected.ttl.

Each case is built with ``kgbuild.pipeline.build`` and the fixture mappings
(tests/fixtures/mappings/), and the result is compared with expected.ttl as RDF graphs
(``rdflib.compare.isomorphic``), so prefixes, order and layout do not matter.  On a
mismatch the message lists the triples only in expected.ttl and only in the actual
output, as sorted N-Triples.

To accept a change in the output, rebuild the expected graphs and review the diff:

    KGBUILD_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_cases.py
    git diff tests/cases/

With ``KGBUILD_UPDATE_GOLDEN=1`` every expected.ttl is rewritten from the actual output
(the case then passes).  Read each rewritten file: the golden files are only worth
anything if they state what the input text says.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kgbuild.pipeline import build

CASES = Path(__file__).resolve().parent / "cases"
FIXTURE_MAPPINGS = Path(__file__).resolve().parent / "fixtures" / "mappings"
UPDATE = os.environ.get("KGBUILD_UPDATE_GOLDEN") == "1"
MAX_DIFF_LINES = 60


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir()) if CASES.is_dir() else []


def nt_lines(graph: rdflib.Graph) -> list[str]:
    return sorted(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in graph)


def readable_diff(expected: rdflib.Graph, actual: rdflib.Graph) -> str:
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = [f"only in expected ({len(only_expected)}):", *nt_lines(only_expected),
             f"only in actual ({len(only_actual)}):", *nt_lines(only_actual)]
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... {len(lines) - MAX_DIFF_LINES} more lines"]
    return "\n".join(lines)


def test_cases_exist() -> None:
    names = {p.name for p in case_dirs()}
    assert {"ar_title_apposition", "ar_clitics_and_dates", "en_said"} <= names


@pytest.mark.parametrize("case", case_dirs(), ids=lambda p: p.name)
def test_golden_case(case: Path, tmp_path: Path) -> None:
    inputs = sorted(case.glob("input.*"))
    assert len(inputs) == 1, f"{case}: expected one input.<ext>, found {[p.name for p in inputs]}"
    report = build([inputs[0]], tmp_path, formats=["ttl"], mappings_dir=FIXTURE_MAPPINGS, progress=False)
    assert report.problems == [], "\n".join(str(p) for p in report.problems)
    assert report.articles == 1
    produced = tmp_path / "graph.ttl"
    expected_path = case / "expected.ttl"
    if UPDATE:
        shutil.copyfile(produced, expected_path)
    assert expected_path.is_file(), f"{expected_path} is missing: run with KGBUILD_UPDATE_GOLDEN=1"
    actual = rdflib.Graph().parse(produced, format="turtle")
    expected = rdflib.Graph().parse(expected_path, format="turtle")
    assert isomorphic(expected, actual), f"{case.name}: output differs from expected.ttl\n" + \
        readable_diff(expected, actual)
