"""Crash safety (issue 5): a real ``kgbuild build`` process killed with SIGKILL at any point
leaves the previous output whole and readable, and ``kgbuild build --update`` with the same
inputs then completes it, byte for byte what a clean full build writes.

The kills land where they are meant to with no hook in kgbuild itself:

* mid-extraction, by observation: the last input is a named pipe; the build extracts the
  articles before it and blocks opening the pipe, which the test sees (an open for writing
  that does not wait succeeds only once a reader waits) and kills it there;
* at a file-system step (a file renamed into place, the store's link made, the old store
  being deleted, graph.ttl half written, the new store open but not yet filled) the
  command runs under HARNESS: a Python audit hook (``sys.addaudithook``) installed before
  ``kgbuild.cli.main`` runs unchanged; at the chosen event it reports on a pipe and
  freezes the process, which the test inspects and kills.

After a kill every output (graph.ttl, merge_candidates.csv, report.json, the store, the
spool) is, one by one, that of the previous build or that of the killed one, whole; when
they are not all of the same build the folder carries the mark readers warn about.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import select
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
import rdflib

from kgbuild.atomic import is_temporary
from kgbuild.errors import KGBuildError
from kgbuild.ingest import iter_articles
from kgbuild.outdir import LOCK_FILE, UNFINISHED_FILE, OutputLock, completion_command, unfinished_warning
from kgbuild.records import Article

TIMEOUT = 180  # seconds any one step may take on a loaded machine before the test gives up
COMPARED = ("graph.ttl", "merge_candidates.csv", "report.json")
LATE_ARTICLE = """Coalition to send more advisers to Iraq

WASHINGTON (Example Wire) - Defense Secretary Ashton Carter said on Monday that the
coalition would send more military advisers to Iraq to support the offensive on Mosul.

"We will do more, and we will do it faster," Carter told reporters at the Pentagon.
"""

# Runs kgbuild's command line unchanged in this process, after installing an audit hook
# that freezes the process at the point described by argv[1] (JSON) and says so on the
# pipe whose descriptor is argv[2].  The point is an event: "rename" (a file renamed onto
# "name"), "remove" (file "name" deleted), "mkdir" (a folder named "prefix"…), "symlink",
# "rmtree"; the process freezes there, or with "then" at the "count"-th event of that kind
# (any kind for "*") in the same thread after it.  "filled" freezes at the first event
# once the temporary file opened under a name starting with "prefix" holds bytes.
HARNESS = r"""
import json, os, sys, threading, time

spec = json.loads(sys.argv[1])
report = int(sys.argv[2])
state = {"frozen": False, "busy": False, "armed": None, "seen": 0}


def name(value):
    if not isinstance(value, (str, bytes, os.PathLike)):
        return ""
    return os.path.basename(os.fsdecode(os.fspath(value)))


def named(value):
    found = name(value)
    return found == spec["name"] if "name" in spec else found.startswith(spec["prefix"])


def freeze():
    state["frozen"] = True
    os.write(report, b"frozen\n")
    while True:
        time.sleep(3600)


def writes(args):
    mode, flags = args[1], args[2]
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & (os.O_WRONLY | os.O_RDWR))


def reached(event, args):
    at = spec["at"]
    if at == "rename":
        return event == "os.rename" and named(args[1])
    if at == "remove":
        return event == "os.remove" and named(args[0])
    if at == "mkdir":
        return event == "os.mkdir" and named(args[0])
    if at == "filled":
        return event == "open" and named(args[0]) and writes(args)
    return event == {"symlink": "os.symlink", "rmtree": "shutil.rmtree"}[at]


def hook(event, args):
    if state["frozen"] or state["busy"]:
        return
    state["busy"] = True
    try:
        armed = state["armed"]
        if armed is None:
            if reached(event, args):
                if spec["at"] == "filled":
                    state["armed"] = (threading.get_ident(), os.fsdecode(os.fspath(args[0])))
                elif "then" in spec:
                    state["armed"] = (threading.get_ident(), None)
                else:
                    freeze()
        elif armed[0] == threading.get_ident():
            if armed[1] is not None:
                if os.path.getsize(armed[1]) > 0:
                    freeze()
            elif spec["then"] in ("*", event):
                state["seen"] += 1
                if state["seen"] >= spec.get("count", 1):
                    freeze()
    finally:
        state["busy"] = False


sys.addaudithook(hook)
from kgbuild.cli import main

sys.exit(main(sys.argv[3:]))
"""


# ---- inputs and reference builds ---------------------------------------------------------------
def write_jsonl(path: Path, articles: list[Article]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for a in articles:
            record = {"id": a.id, "title": a.title, "text": a.text, "lang": a.lang, "published": a.published}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


@dataclass(frozen=True)
class Inputs:
    folder: Path
    old: tuple[str, ...]  # the previous build's inputs
    new: tuple[str, ...]  # the killed build's: one article changed, four new, none dropped


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Inputs:
    folder = tmp_path_factory.mktemp("inputs")
    base = [a for a in iter_articles([str(examples_dir)]) if isinstance(a, Article)]
    assert len(base) == 5
    changed = Article(base[0].id, base[0].title, base[0].text + "\n\nUpdated later.", base[0].lang,
                      base[0].published, base[0].url)
    fresh = [Article(f"{a.id}-copy", a.title, a.text + "\n\nA copy.", a.lang, a.published, a.url)
             for a in base[1:4]]
    old = write_jsonl(folder / "old.jsonl", base)
    new = write_jsonl(folder / "new.jsonl", [changed, *base[1:], *fresh])
    (folder / "late.txt").write_text(LATE_ARTICLE, encoding="utf-8")
    return Inputs(folder, (str(old),), (str(new), str(folder / "late.txt")))


def kgbuild(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kgbuild.cli", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=TIMEOUT, check=False,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def explain(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"


def build_args(mappings: Path, *extra: str) -> tuple[str, ...]:
    return ("-o", "out", "--mappings", str(mappings), "--jobs", "1", "--quiet", *extra)


def built(cwd: Path, inputs: tuple[str, ...], mappings: Path, *extra: str) -> Path:
    cwd.mkdir(parents=True, exist_ok=True)
    proc = kgbuild("build", *inputs, *build_args(mappings, *extra), cwd=cwd)
    assert proc.returncode == 0, explain(proc)
    return cwd / "out"


@dataclass(frozen=True)
class Outputs:
    """What a reader sees in a folder: each compared file's bytes, the store's triples and
    the spool's (article, content hash) pairs; None for what is not there."""

    files: dict[str, bytes | None]
    store: tuple[str, ...] | None
    spool: frozenset[tuple[str, str]] | None


NOTHING = Outputs(dict.fromkeys(COMPARED), None, None)


def store_triples(link: Path) -> tuple[str, ...] | None:
    if not link.exists():
        return None
    store = pyoxigraph.Store.read_only(str(link))
    dump = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph())
    return tuple(sorted(dump.decode("utf-8").splitlines()))


def spool_contents(folder: Path, scratch: Path) -> frozenset[tuple[str, str]] | None:
    """The spool as the next build opens it: a copy (with its journal, if a killed update
    left one) is opened, which rolls an unfinished transaction back, and checked whole."""
    spool = folder / "fragments.sqlite"
    if not spool.exists():
        return None
    scratch.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("fragments.sqlite*"):
        shutil.copyfile(path, scratch / path.name)
    db = sqlite3.connect(scratch / spool.name)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return frozenset(db.execute("SELECT iri, content_hash FROM fragment"))
    finally:
        db.close()
        shutil.rmtree(scratch)


def read_outputs(folder: Path, scratch: Path) -> Outputs:
    files = {name: (folder / name).read_bytes() if (folder / name).exists() else None for name in COMPARED}
    return Outputs(files, store_triples(folder / "store"), spool_contents(folder, scratch))


@dataclass(frozen=True)
class References:
    old: Outputs  # a full build of the old inputs
    new: Outputs  # a clean full build of the new inputs: what every completion must equal
    updated: Outputs  # the old build updated with the new inputs (only report.json differs)
    old_folder: Path


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory, inputs: Inputs,
               fixture_mappings: Path) -> References:
    root = tmp_path_factory.mktemp("references")
    old = built(root / "old", inputs.old, fixture_mappings)
    new = built(root / "new", inputs.new, fixture_mappings)
    shutil.copytree(old, root / "updated" / "out", symlinks=True)
    updated = built(root / "updated", inputs.new, fixture_mappings, "--update")
    refs = References(read_outputs(old, root / "scratch"), read_outputs(new, root / "scratch"),
                      read_outputs(updated, root / "scratch"), old)
    assert refs.old.store != refs.new.store and refs.old.files["graph.ttl"] != refs.new.files["graph.ttl"]
    assert refs.updated.store == refs.new.store and refs.updated.spool == refs.new.spool
    return refs


def previous_output(references: References, case: Path) -> Path:
    """``case/out`` as the old build left it."""
    shutil.copytree(references.old_folder, case / "out", symlinks=True)
    return case / "out"


# ---- running a build to a chosen point and killing it -----------------------------------------
@contextmanager
def frozen_build(case: Path, spec: dict[str, object],
                 args: tuple[str, ...]) -> Iterator[subprocess.Popen[bytes]]:
    """A real build started in ``case`` and frozen at ``spec``; killed (SIGKILL) when the
    block ends, whatever happens in it."""
    reader, writer = os.pipe()
    proc = subprocess.Popen([sys.executable, "-c", HARNESS, json.dumps(spec), str(writer), "build", *args],
                            cwd=case, pass_fds=(writer,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(writer)
    try:
        ready, _, _ = select.select([reader], [], [], TIMEOUT)
        if not ready:
            pytest.fail(f"the build did not reach {spec} in {TIMEOUT} s")
        if os.read(reader, 64) != b"frozen\n":  # the pipe closed: the build ended short of the point
            _, stderr = proc.communicate(timeout=TIMEOUT)
            pytest.fail(f"the build never reached {spec} (exit {proc.returncode}):\n{stderr.decode()}")
        yield proc
    finally:
        os.close(reader)
        kill(proc)


def kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=TIMEOUT)
    if proc.stderr:
        proc.stderr.close()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@contextmanager
def waiting_on_a_pipe(path: Path) -> Iterator[None]:
    """Make ``path`` a named pipe; the block runs once a build waits to read it, with the
    pipe held open (the build stays blocked on it)."""
    os.mkfifo(path)
    fd = -1

    def reader_waits() -> bool:
        nonlocal fd
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as err:
            if err.errno != errno.ENXIO:  # ENXIO: nobody has it open for reading yet
                raise
            return False
        return True

    wait_for(reader_waits, f"the build to open {path.name}")
    try:
        yield
    finally:
        os.close(fd)


def killed_mid_extraction(case: Path, inputs: Inputs, options: tuple[str, ...]) -> tuple[str, ...]:
    """Kill a build of the new inputs, given ``options``, once it has extracted new.jsonl
    and waits for late.txt (a named pipe in ``case``); then late.txt is the article it
    was to be, and the inputs are returned, to be given again."""
    late = case / "late.txt"
    killed_inputs = (inputs.new[0], str(late))
    command = [sys.executable, "-m", "kgbuild.cli", "build", *killed_inputs, *options]
    proc = subprocess.Popen(command, cwd=case)
    try:
        with waiting_on_a_pipe(late):
            kill(proc)
    finally:
        kill(proc)
    late.unlink()
    late.write_text(LATE_ARTICLE, encoding="utf-8")
    return killed_inputs


def stop_when_store_opened(folder: Path) -> None:
    """The build is frozen just after making its new store folder; its loader thread runs
    on and opens the store there: kill once it has."""
    def opened() -> bool:
        stores = [p for p in folder.glob(".store-*") if p.is_dir() and p != (folder / "store").resolve()]
        return any((p / "CURRENT").exists() for p in stores)

    wait_for(opened, "the new store to be opened")


# ---- what must hold after a kill ---------------------------------------------------------------
def leftovers(folder: Path) -> list[str]:
    """Temporary files, links and store folders that are not the current store."""
    target = (folder / "store").resolve() if (folder / "store").is_symlink() else None
    return sorted(p.name for p in folder.iterdir() if is_temporary(p.name) or (
        p.name.startswith(".store-") and (p.is_symlink() or p.resolve() != target)))


def assert_whole(folder: Path, candidates: dict[str, Outputs], scratch: Path) -> dict[str, set[str]]:
    """Each output is one candidate's, whole: for each (the compared files, "store",
    "spool") the candidates it is; a folder whose outputs are not all of one candidate
    must say so."""
    found = read_outputs(folder, scratch)
    parts = {name: {label for label, c in candidates.items() if c.files[name] == found.files[name]}
             for name in COMPARED}
    parts["store"] = {label for label, c in candidates.items() if c.store == found.store}
    parts["spool"] = {label for label, c in candidates.items() if c.spool == found.spool}
    for part, labels in parts.items():
        assert labels, f"{part} is no complete build's"
    if found.files["graph.ttl"] is not None:
        assert len(rdflib.Graph().parse(folder / "graph.ttl", format="turtle")) > 0
    if found.files["report.json"] is not None:
        json.loads(found.files["report.json"])
    if not set.intersection(*parts.values()):
        assert (folder / UNFINISHED_FILE).exists(), "a folder mixing two builds must say so"
    return parts


def of(parts: dict[str, set[str]], *names: str) -> set[str]:
    """The candidates that all of ``names`` (default: every part) agree with."""
    return set.intersection(*(parts[n] for n in names or parts))


VISIBLE = (*COMPARED, "store")  # what readers see; the spool is the build's own


def complete(case: Path, new_inputs: tuple[str, ...], mappings: Path, references: References) -> None:
    """``kgbuild build --update`` with the killed build's inputs completes the folder: what
    a clean full build writes, and nothing left of the killed build."""
    proc = kgbuild("build", "--update", *new_inputs, *build_args(mappings), cwd=case)
    assert proc.returncode == 0, explain(proc)
    out = case / "out"
    for name in ("graph.ttl", "merge_candidates.csv"):
        assert (out / name).read_bytes() == references.new.files[name], f"{name} differs from a full build"
    assert store_triples(out / "store") == references.new.store
    assert spool_contents(out, case / "scratch") == references.new.spool
    assert leftovers(out) == []
    assert not (out / UNFINISHED_FILE).exists()


# ---- kills -------------------------------------------------------------------------------------
def test_build_killed_mid_extraction_leaves_the_old_output_and_no_worker(
        tmp_path: Path, inputs: Inputs, references: References, fixture_mappings: Path) -> None:
    psutil = pytest.importorskip("psutil", reason="lists the build's worker processes")
    out = previous_output(references, tmp_path)
    late = tmp_path / "late.txt"
    killed_inputs = (inputs.new[0], str(late))
    proc = subprocess.Popen([sys.executable, "-m", "kgbuild.cli", "build", *killed_inputs, "-o", "out",
                             "--mappings", str(fixture_mappings), "--jobs", "2", "--quiet"], cwd=tmp_path)
    workers: list[Any] = []

    def ended(worker: Any) -> bool:
        try:
            return bool(worker.status() == psutil.STATUS_ZOMBIE)
        except psutil.NoSuchProcess:
            return True

    try:
        with waiting_on_a_pipe(late):
            workers = psutil.Process(proc.pid).children()
            assert len(workers) == 2, "two worker processes extract the articles read so far"
            for worker in workers:
                worker.suspend()  # stopped, they outlive the build for as long as the test wants
            kill(proc)
            # the lock went with the build, not with the workers that inherited its descriptor
            with OutputLock(out):
                pass
            for worker in workers:
                worker.resume()
            wait_for(lambda: all(ended(w) for w in workers), "the orphaned workers to end")
    finally:
        kill(proc)
        for worker in workers:
            if not ended(worker):
                worker.kill()
    assert of(assert_whole(out, {"old": references.old}, tmp_path / "scratch")) == {"old"}
    assert any(name.startswith(".fragments.sqlite.") for name in leftovers(out)), "the unfinished spool"
    late.unlink()
    late.write_text(LATE_ARTICLE, encoding="utf-8")
    complete(tmp_path, killed_inputs, fixture_mappings, references)


AFTER = {"then": "*"}  # frozen at the thread's next event: the step is done
KILL_POINTS: dict[str, dict[str, object]] = {
    "spool written, not renamed": {"at": "rename", "name": "fragments.sqlite"},
    "spool renamed": {"at": "rename", "name": "fragments.sqlite", **AFTER},
    "graph.ttl half written": {"at": "filled", "prefix": ".graph.ttl."},
    # frozen while the next fragment is read, once the loader thread has started
    "new store opened, not loaded": {"at": "mkdir", "prefix": ".store-", "then": "pickle.find_class"},
    "graph.ttl written, not renamed": {"at": "rename", "name": "graph.ttl"},
    "graph.ttl renamed": {"at": "rename", "name": "graph.ttl", **AFTER},
    "store loaded, no link yet": {"at": "symlink"},
    "store link made, not renamed": {"at": "rename", "name": "store"},
    "store link renamed": {"at": "rename", "name": "store", **AFTER},
    "old store half deleted": {"at": "rmtree", "then": "os.remove", "count": 3},
    "candidates written, not renamed": {"at": "rename", "name": "merge_candidates.csv"},
    "report written, not renamed": {"at": "rename", "name": "report.json"},
    "report renamed": {"at": "rename", "name": "report.json", **AFTER},
    "mark removed": {"at": "remove", "name": UNFINISHED_FILE, **AFTER},
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_build_killed_while_replacing_the_outputs(tmp_path: Path, inputs: Inputs, references: References,
                                                  fixture_mappings: Path, point: str) -> None:
    out = previous_output(references, tmp_path)
    with frozen_build(tmp_path, KILL_POINTS[point], (*inputs.new, *build_args(fixture_mappings))):
        if point == "new store opened, not loaded":
            stop_when_store_opened(out)
    parts = assert_whole(out, {"old": references.old, "new": references.new}, tmp_path / "scratch")
    if point == "graph.ttl half written":
        assert any(n.startswith(".graph.ttl.") for n in leftovers(out)), "killed with graph.ttl half written"
    if point == "old store half deleted":
        assert any(n.startswith(".store-") for n in leftovers(out)), "killed with the old store half deleted"
    if point == "spool written, not renamed":
        assert of(parts) == {"old"}
    if point in ("graph.ttl half written", "new store opened, not loaded"):
        assert of(parts, *VISIBLE) == {"old"} and parts["spool"] == {"new"}
    if point == "mark removed":
        assert of(parts) == {"new"}
    complete(tmp_path, inputs.new, fixture_mappings, references)


FIRST_BUILD_POINTS: dict[str, dict[str, object] | None] = {
    "mid-extraction": None,
    "spool renamed": KILL_POINTS["spool renamed"],
    "graph.ttl renamed": KILL_POINTS["graph.ttl renamed"],
    "store link made, not renamed": KILL_POINTS["store link made, not renamed"],
}


@pytest.mark.parametrize("point", list(FIRST_BUILD_POINTS))
def test_first_build_killed_then_update_builds_everything(tmp_path: Path, inputs: Inputs,
                                                          references: References, fixture_mappings: Path,
                                                          point: str) -> None:
    """No earlier output: after the kill there is nothing or a part of the new build, and
    ``--update`` on a folder without a (complete) spool builds every article."""
    spec = FIRST_BUILD_POINTS[point]
    if spec is None:
        killed_inputs = killed_mid_extraction(tmp_path, inputs, build_args(fixture_mappings))
    else:
        killed_inputs = inputs.new
        with frozen_build(tmp_path, spec, (*inputs.new, *build_args(fixture_mappings))):
            pass
    out = tmp_path / "out"
    parts = assert_whole(out, {"nothing": NOTHING, "new": references.new}, tmp_path / "scratch")
    if spec is None:
        assert of(parts) == {"nothing"}
    complete(tmp_path, killed_inputs, fixture_mappings, references)


UPDATE_POINTS: dict[str, dict[str, object] | None] = {
    "mid-extraction": None,
    "marked, spool not committed": {"at": "rename", "name": UNFINISHED_FILE, **AFTER},
    "graph.ttl renamed": KILL_POINTS["graph.ttl renamed"],
    "store link renamed": KILL_POINTS["store link renamed"],
    "report written, not renamed": KILL_POINTS["report written, not renamed"],
}


@pytest.mark.parametrize("point", list(UPDATE_POINTS))
def test_update_killed_then_rerun(tmp_path: Path, inputs: Inputs, references: References,
                                  fixture_mappings: Path, point: str) -> None:
    out = previous_output(references, tmp_path)
    spec = UPDATE_POINTS[point]
    if spec is None:
        killed_inputs = killed_mid_extraction(tmp_path, inputs, ("--update", *build_args(fixture_mappings)))
    else:
        killed_inputs = inputs.new
        with frozen_build(tmp_path, spec, ("--update", *inputs.new, *build_args(fixture_mappings))):
            pass
    parts = assert_whole(out, {"old": references.old, "updated": references.updated}, tmp_path / "scratch")
    if point in ("mid-extraction", "marked, spool not committed"):
        assert of(parts) == {"old"}, "an update's spool changes in one transaction"
    complete(tmp_path, killed_inputs, fixture_mappings, references)


# ---- one build at a time; readers told of a half-replaced folder -------------------------------
def test_one_build_at_a_time_and_readers_are_warned(tmp_path: Path, inputs: Inputs, references: References,
                                                    fixture_mappings: Path) -> None:
    out = previous_output(references, tmp_path)
    old_roles = kgbuild("query", "--name", "roles", "--format", "csv", "--graph", "out/store", cwd=tmp_path)
    assert old_roles.returncode == 0 and old_roles.stderr == "", explain(old_roles)
    spec = KILL_POINTS["graph.ttl renamed"]  # graph.ttl new, the store still old
    with frozen_build(tmp_path, spec, (*inputs.new, *build_args(fixture_mappings))) as first:
        second = kgbuild("build", *inputs.old, *build_args(fixture_mappings), cwd=tmp_path)
        assert second.returncode == 1, explain(second)
        assert "[E307]" in second.stderr and f"pid {first.pid}" in second.stderr, second.stderr
        assert "Traceback" not in second.stderr
        # readers take no lock; while the files are being replaced they are told so
        during = kgbuild("query", "--name", "roles", "--format", "csv", "--graph", "out/store", cwd=tmp_path)
        assert during.returncode == 0 and during.stdout == old_roles.stdout, explain(during)
        assert "[E310]" in during.stderr and f"pid {first.pid}" in during.stderr, during.stderr
    after = kgbuild("query", "--name", "roles", "--format", "csv", "--graph", "out/graph.ttl", cwd=tmp_path)
    assert after.returncode == 0, explain(after)
    warning = [line for line in after.stderr.splitlines() if "[E309]" in line]
    assert len(warning) == 1 and "interrupted build" in warning[0], after.stderr
    valid = kgbuild("validate", "out/store", cwd=tmp_path)
    assert valid.returncode == 0 and "[E309]" in valid.stderr, explain(valid)
    # the warning's own advice completes the folder
    advice = re.search(r"run `([^`]+)` to complete it", warning[0])
    assert advice is not None, warning[0]
    command = shlex.split(advice[1])
    assert command[:3] == ["kgbuild", "build", "--update"]
    done = kgbuild(*command[1:], cwd=tmp_path)
    assert done.returncode == 0, explain(done)
    assert (out / "graph.ttl").read_bytes() == references.new.files["graph.ttl"]
    assert store_triples(out / "store") == references.new.store
    quiet = kgbuild("query", "--name", "roles", "--format", "csv", "--graph", "out/store", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == "", explain(quiet)


def test_every_output_is_renamed_into_place(tmp_path: Path, inputs: Inputs, fixture_mappings: Path) -> None:
    """Traced with the audit hook: a build opens for writing only temporary files (and its
    lock), every output appears by a rename, the store by its link, in every format."""
    tracer = r"""
import os, sys
log = []
def hook(event, args):
    if event in ("open", "os.rename", "os.symlink", "sqlite3.connect"):
        path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            log.append([event] + [os.fsdecode(os.fspath(a)) if isinstance(a, (str, bytes, os.PathLike))
                                  else a for a in args[:3]])
sys.addaudithook(hook)
from kgbuild.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as handle:
    import json
    json.dump(log, handle)
sys.exit(code)
"""
    formats = ("--format", "trig", "--format", "nq", "--format", "nt", "--format", "jsonld")
    out = tmp_path / "out"
    for run, extra in (("full", ()), ("update", ("--update",))):
        trace = tmp_path / f"{run}.json"
        proc = subprocess.run([sys.executable, "-c", tracer, str(trace), "build", *extra, *inputs.new,
                               *build_args(fixture_mappings), *formats], cwd=tmp_path, capture_output=True,
                              text=True, timeout=TIMEOUT, check=False)
        assert proc.returncode == 0, explain(proc)
        renamed: set[str] = set()
        for event, path, *rest in json.loads(trace.read_text()):
            inside = (tmp_path / path).resolve().parent == out.resolve()
            if event == "open" and inside and _writes(rest[0], rest[1]):
                assert is_temporary(Path(path).name) or Path(path).name == LOCK_FILE, path
            if event == "sqlite3.connect" and inside:
                # an update edits the spool in one transaction; a full build fills a new one, and
                # opens it again only once renamed into place
                name = Path(path).name
                in_place = name == "fragments.sqlite" and (run == "update" or name in renamed)
                assert in_place or (run == "full" and is_temporary(name)), path
            if event == "os.rename":
                assert is_temporary(Path(path).name) or Path(path).name.startswith(".store-link-"), path
                renamed.add(Path(rest[0]).name)
        wrote = {"graph.ttl", "graph.trig", "graph.nq", "graph.nt", "graph.jsonld", "merge_candidates.csv",
                 "report.json", "store", UNFINISHED_FILE}
        assert renamed == (wrote | {"fragments.sqlite"} if run == "full" else wrote)
        visible = {p.name for p in out.iterdir() if not p.name.startswith(".")}
        assert visible == (renamed | {"fragments.sqlite"}) - {UNFINISHED_FILE}
        assert leftovers(out) == [] and not (out / UNFINISHED_FILE).exists()


def _writes(mode: object, flags: object) -> bool:
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & (os.O_WRONLY | os.O_RDWR))


# ---- the pieces, in this process ---------------------------------------------------------------
def test_a_held_lock_refuses_a_second_holder_and_ends_with_its_block(tmp_path: Path) -> None:
    with OutputLock(tmp_path / "out"):
        with pytest.raises(KGBuildError) as refused, OutputLock(tmp_path / "out"):
            pass
        assert refused.value.problems[0].code == "E307"
        assert f"pid {os.getpid()}" in str(refused.value)
        assert (tmp_path / "out" / LOCK_FILE).read_text() == f"{os.getpid()}\n"
    with OutputLock(tmp_path / "out"):  # released: taken again at once
        pass
    assert (tmp_path / "out" / LOCK_FILE).read_text() == "", "no stale pid once released"


def test_a_lock_on_a_folder_that_cannot_be_made_is_a_coded_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(KGBuildError) as failed, OutputLock(tmp_path / "file" / "out"):
        pass
    assert failed.value.problems[0].code == "E308"


def test_a_forked_child_does_not_keep_the_lock(tmp_path: Path) -> None:
    ready, said = os.pipe()
    with OutputLock(tmp_path / "out"):
        child = os.fork()
        if child == 0:  # runs after the fork handlers: says so, then sleeps until killed
            os.write(said, b"1")
            time.sleep(TIMEOUT)
            os._exit(0)
    os.close(said)
    assert os.read(ready, 1) == b"1"
    os.close(ready)
    try:
        fd = os.open(tmp_path / "out" / LOCK_FILE, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if the child had kept it
        finally:
            os.close(fd)
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


def test_the_completion_command_repeats_the_build(tmp_path: Path) -> None:
    note: dict[str, object] = {"inputs": ["corpus/", "-", "/data/x.jsonl"], "formats": ["ttl", "trig"],
                               "mappings": "my maps", "store": False, "cwd": os.getcwd()}
    assert completion_command(note, Path("out")) == (
        "kgbuild build --update -o out --format trig --mappings 'my maps' --no-store corpus/ - /data/x.jsonl")
    moved = completion_command({**note, "cwd": str(tmp_path)}, Path("out"))
    assert moved.endswith(f" {os.path.join(tmp_path, 'corpus/')} - /data/x.jsonl"), moved
    assert completion_command({}, Path("out")) == "kgbuild build --update -o out INPUTS"


def test_no_warning_for_a_finished_folder_nor_a_file_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "graph.ttl").write_text("")
    assert unfinished_warning(tmp_path / "graph.ttl") is None
    (tmp_path / UNFINISHED_FILE).write_text("not json")
    warning = unfinished_warning(tmp_path / "store")
    assert warning is not None and warning.code == "E309" and "INPUTS" in warning.message
