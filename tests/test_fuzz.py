"""bench/fuzz: CI's short fuzzing pass, and the verdicts the fuzzer relies on.

The short pass runs the real script for a fixed number of inputs per target and fixed
seed (atheris when installed, and Hypothesis in any case), seeded from the fixtures and
examples only, so it runs the same with or without ../shared.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from kgbuild.errors import problem
from kgbuild.fragment import extract_fragment
from kgbuild.records import Article

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"


def bench_module(name: str) -> ModuleType:
    """A module of bench/lib, imported as the bench scripts import it."""
    sys.path.insert(0, str(BENCH / "lib"))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCH / "lib" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH / "lib"))


@pytest.fixture(scope="module")
def fuzztargets() -> ModuleType:
    return bench_module("fuzztargets")


def run_fuzz(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(BENCH / "fuzz"), *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=300, check=False,
                          env={**os.environ, "PYTHON": sys.executable, "PYTHONIOENCODING": "utf-8"})


def figure(name: str, output: str) -> int:
    found = re.search(rf"^{name}\s+(\d+)$", output, re.MULTILINE)
    assert found, f"no '{name}' figure in:\n{output}"
    return int(found[1])


@pytest.mark.parametrize("engine", ["auto", "hypothesis"])
def test_short_pass_finds_no_crash_and_no_invalid_output(engine: str, tmp_path: Path) -> None:
    runs = 120 if engine == "auto" else 80
    proc = run_fuzz("--engine", engine, "--runs", str(runs), "--seconds", "240", "--seed", "1", "--no-corpus",
                    "--crashes-dir", "crashes", cwd=tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    # every input of the budget was run: the pass stops on its count, not on the clock
    assert figure("inputs tried", output) == 2 * runs, output
    assert figure("crashes", output) == 0, output
    assert figure("invalid outputs", output) == 0, output
    for target in ("ingest", "extract"):
        assert re.search(rf"^{target}\s+{runs}\s", output, re.MULTILINE), output
    assert not (tmp_path / "crashes").exists()


def test_replay_runs_saved_inputs_again(tmp_path: Path) -> None:
    saved = tmp_path / "input"
    saved.write_bytes(b'{"id": "a", "text": "caf\xe9"}\n{"id": "b", "text": "fine"}')
    proc = run_fuzz("--target", "ingest", "--replay", str(saved), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith(f"{saved}: ok (")


def test_harness_counts_a_crash_once_per_bug_and_keeps_its_input(fuzztargets: ModuleType,
                                                                tmp_path: Path) -> None:
    def parse_number(data: bytes) -> str:
        return str(int(data))

    harness = fuzztargets.Harness(parse_number, "numbers", tmp_path / "crashes")
    for data in (b"12", b"x", b"y", b"7"):
        harness.run(data)
    tally = harness.tally()
    assert (tally["tried"], tally["crashes"], tally["invalid"]) == (4, 2, 0)
    assert tally["outcomes"] == {"12": 1, "7": 1}
    [found] = tally["findings"]
    assert found["signature"].startswith("ValueError at ") and found["count"] == 2
    assert Path(found["file"]).read_bytes() == b"x"
    assert "invalid literal for int()" in Path(found["file"] + ".txt").read_text(encoding="utf-8")


def test_harness_stops_an_input_that_hangs(fuzztargets: ModuleType, tmp_path: Path) -> None:
    def spin(data: bytes) -> str:
        while data:
            pass
        return "done"

    harness = fuzztargets.Harness(spin, "spin", tmp_path / "crashes", timeout=0.2)
    assert harness.run(b"") is None
    found = harness.run(b"forever")
    assert found is not None and found.signature.startswith("Hang at test_fuzz.py")
    assert harness.crashes == 1


@pytest.mark.parametrize(("article", "complaint"), [
    (Article(id="a", title="", text="bad \ud800 half", lang="en"), "not writable as UTF-8"),
    (Article(id=" ", title="", text="text", lang="en"), "blank id"),
    (Article(id="a", title="", text=" \n", lang="en"), "blank text"),
    (Article(id="a", title="", text="text", lang="english"), "language 'english'"),
    (Article(id="a", title="", text="text", lang="en", published="21/07/2015"), "published"),
])
def test_ingest_verdict_rejects_articles_later_stages_cannot_take(fuzztargets: ModuleType, article: Article,
                                                                  complaint: str) -> None:
    with pytest.raises(fuzztargets.InvalidOutput, match=re.escape(complaint)):
        fuzztargets.judge_items([article], "f.txt")


def test_ingest_verdict_accepts_articles_and_coded_problems(fuzztargets: ModuleType) -> None:
    good = Article(id="a", title="T", text="text", lang="und", published="2015-07-21")
    assert fuzztargets.judge_items([good], "f.txt") == "article"
    assert fuzztargets.judge_items([problem("E002", "f.txt", reason="x")], "f.txt") == "E002"
    with pytest.raises(fuzztargets.InvalidOutput, match="neither an article nor a problem"):
        fuzztargets.judge_items([], "f.txt")
    with pytest.raises(fuzztargets.InvalidOutput, match="not an ingest code"):
        fuzztargets.judge_items([problem("E301", "f.txt", id="a", reason="x")], "f.txt")


def test_extract_input_decodes_to_the_article_it_encodes(fuzztargets: ModuleType) -> None:
    article = Article(id="ar-1", title="عنوان", text="قال الوزير", lang="ar", published="2015-07-21",
                      url="https://example.org/a", source="fuzzed")
    assert fuzztargets.decode_article(fuzztargets.encode_article(article)) == article
    # bad bytes, an unknown language and a bad date still make an article ingest could give
    decoded = fuzztargets.decode_article(b"\xff\x1fid\x1f\x1fThe minister said so.\x1f\x1fyesterday")
    assert decoded == Article(id="id", title="", text="The minister said so.", lang="en", source="fuzzed")
    assert fuzztargets.decode_article(b"en\x1fid\x1ftitle\x1f \n ") is None


def test_extract_verdict_passes_a_real_fragment_and_rejects_broken_ones(fuzztargets: ModuleType) -> None:
    target = fuzztargets.ExtractTarget()
    article = Article(id="fz-1", title="Minister speaks", lang="en", source="fuzzed",
                      text='Defence Minister Khalid al-Obaidi said "the army is ready".')
    fragment = extract_fragment(article)
    target.judge(article, fragment)
    broken = {
        "own Turtle does not parse": dataclasses.replace(fragment, own_ttl=fragment.own_ttl + "\n<x> <y> ."),
        "the fragment counts": dataclasses.replace(fragment, own_triples=fragment.own_triples + 1),
        "fragment id 'other'": dataclasses.replace(fragment, id="other"),
        "as given": dataclasses.replace(fragment, own_ttl=fragment.own_ttl.replace("army", "navy"),
                                        own_nq=fragment.own_nq.replace("army", "navy")),
    }
    for complaint, wrong in broken.items():
        with pytest.raises(fuzztargets.InvalidOutput, match=complaint):
            target.judge(article, wrong)
