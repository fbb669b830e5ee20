"""bench/robustness in small: one real build over good articles mixed with one input of
every bad kind (without the 50 MB article; the endless lines at 100 KB), and the promise
that nothing crashes, every output is valid, no good article is lost and every bad input
is either kept or reported.

The inputs that once ended a whole build (bench/FINDINGS.md) are also tried one by one,
next to a good article, at the end.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
def run_robustness(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(ROOT / "bench" / "robustness"), "--big-mb", "0", "--line-mb", "0.1",
                           "--deep", "20000", "--timeout", "300", *args],
                          cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=600, check=False,
                          env={**os.environ, "PYTHON": sys.executable, "PYTHONIOENCODING": "utf-8"})


def figures(output: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(r"^([a-z ]+?)\s+(\d+)$", output, re.MULTILINE)}


def assert_nothing_broke(proc: subprocess.CompletedProcess[str]) -> dict[str, int]:
    output = proc.stdout + proc.stderr
    found = figures(proc.stdout)
    for name in ("crashes", "invalid outputs", "lost good articles", "unaccounted bad inputs"):
        assert found.get(name) == 0, f"{name}: {found.get(name)}\n{output}"
    assert proc.returncode == 0, output
    return found


def test_mixed_inputs_from_the_fixtures(tmp_path: Path) -> None:
    proc = run_robustness("--no-corpus", "--arabic", "3", "--english", "3", cwd=tmp_path)
    found = assert_nothing_broke(proc)
    # 6 good articles, 6 copies with odd characters twice over, and the bad inputs
    assert found["inputs tried"] > 6 + 12 + 30
    assert found["articles kept"] >= 6 + 12
    assert found["articles reported"] >= 30
    # every bad kind was tried: each has a row in the table
    for kind in ("UTF-16 LE with BOM", "binary: PNG header", "deep HTML nesting", "unsupported suffix",
                 "front matter with a Python tag", "unreadable file", "a 0.1 MB single line (.jsonl)"):
        assert kind in proc.stdout, proc.stdout


@pytest.mark.shared
def test_mixed_inputs_from_the_corpus(shared_dir: Path, tmp_path: Path) -> None:
    proc = run_robustness("--shared", str(shared_dir), "--arabic", "4", "--english", "4", "--no-shacl",
                          cwd=tmp_path)
    found = assert_nothing_broke(proc)
    assert "from " + str(shared_dir) in proc.stdout
    assert found["articles kept"] >= 8 + 12


HUGE_HEX = "0x" + "f" * 5000  # a YAML integer of over 4,300 decimal digits


def limited_memory() -> None:
    limit = 1536 * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.parametrize("name", ["hex-id.md", "hex-title.md", "hex-field.md", "timestamp.md", "zero.txt",
                                  "pipe.txt"])
def test_one_bad_file_does_not_end_the_build(name: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("A title\n\nThe minister said talks would go on.\n", encoding="utf-8")
    bad = folder / name
    if name == "zero.txt":
        bad.symlink_to("/dev/zero")
    elif name == "pipe.txt":
        os.mkfifo(bad)  # read, it would block the build for ever
    elif name == "timestamp.md":
        bad.write_text("---\ndate: !!timestamp 2015-0$-21\n---\n# A title\n\nThe text.\n", encoding="utf-8")
    else:
        field = {"hex-id.md": "id", "hex-title.md": "title", "hex-field.md": "rank"}[name]
        bad.write_text(f"---\n{field}: {HUGE_HEX}\n---\n# A title\n\nThe text.\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "kgbuild.cli", "build", str(folder), "-o", "out", "--quiet"],
                          cwd=tmp_path, capture_output=True, text=True, encoding="utf-8", timeout=120,
                          check=False, preexec_fn=limited_memory)
    assert "Traceback" not in proc.stderr and proc.returncode in (0, 1), proc.stderr[-2000:]
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["articles"] >= 1
    assert report["articles"] == 2 or any(p["file"].endswith(name) for p in report["problems"])
    # each is an input problem with its own code, not the reader's safety net for bugs
    assert not [p for p in report["problems"] if p["code"] in ("E021", "E399")], report["problems"]
    if name.endswith(".md"):  # the front matter is odd but readable: the article is kept
        assert report["articles"] == 2, report["problems"]
