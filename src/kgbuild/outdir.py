"""The output folder of a build: one build at a time, nothing left of killed builds, and a
mark while its files are being replaced.

Every output is renamed into place whole (kgbuild.atomic, the store's link swap), but one
at a time: a build killed between two renames leaves some files of the new build and
some of the old one.  So a build writes ``.kgbuild-unfinished`` just before it starts
replacing files and deletes it after the last one; the commands that read a folder warn
while it is there (E309, or E310 while its build still runs), and ``kgbuild build
--update`` with the same inputs completes the folder.

A build holds an exclusive lock on ``.kgbuild.lock`` (``flock``, released by the system
however the build ends; forked workers close their copy of it), so a second build into
the folder fails at once (E307) and the first thing a build does is safe: remove the
temporary files and half-loaded stores that killed builds left.  Readers take no lock:
every file they open is whole.
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import socket
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from .atomic import is_temporary, sync_dir, write_atomic
from .errors import KGBuildError, Problem, UsageError, problem
from .store import remove_abandoned

LOCK_FILE = ".kgbuild.lock"
UNFINISHED_FILE = ".kgbuild-unfinished"

# lock descriptors this process holds: a forked child (a worker) closes its copies, so that
# the lock ends with the build even when a worker outlives it
_held: set[int] = set()


def _close_inherited() -> None:
    for fd in _held:
        os.close(fd)  # not LOCK_UN: that would unlock the parent's build too
    _held.clear()


os.register_at_fork(after_in_child=_close_inherited)


class OutputLock:
    """``with OutputLock(out_dir): …`` — the folder to oneself for as long as the block
    runs; raises E307 at once when another build holds it."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.path = out_dir / LOCK_FILE
        self.fd: int | None = None

    def __enter__(self) -> OutputLock:
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise UsageError(problem("E311", file=str(self.out_dir)))
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as err:
            raise KGBuildError(problem("E308", file=str(self.path), reason=err.strerror or str(err))) from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _recorded_pid(fd)
            os.close(fd)
            who = f"pid {holder}" if holder else "its pid not yet recorded"
            raise KGBuildError(problem("E307", file=str(self.out_dir), holder=who)) from None
        except OSError as err:  # a file system without locks (some network mounts)
            os.close(fd)
            raise KGBuildError(problem("E308", file=str(self.path), reason=err.strerror or str(err))) from err
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd
        _held.add(fd)
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.fd is None:
            return
        _held.discard(self.fd)
        # emptied first, so that a pid found in the file is always the holder's (or a killed build's)
        os.ftruncate(self.fd, 0)
        os.close(self.fd)
        self.fd = None


def _recorded_pid(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


def remove_leftovers(out_dir: Path) -> None:
    """Delete the temporary files and store folders of killed builds.  Only safe while
    holding the folder's lock: then no build is writing them."""
    for entry in out_dir.iterdir():
        if is_temporary(entry.name) and entry.is_file() and not entry.is_symlink():
            entry.unlink(missing_ok=True)
    remove_abandoned(out_dir)


def mark_unfinished(out_dir: Path, inputs: Sequence[str | os.PathLike[str]], formats: Sequence[str],
                    mappings_dir: str | None, store: bool) -> None:
    """Note, before the first output is replaced, that the folder's files may mix two
    builds, and how to complete it."""
    given = [inputs] if isinstance(inputs, str | os.PathLike) else inputs
    note = {
        "pid": os.getpid(), "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "cwd": os.getcwd(),
        "inputs": [os.fspath(i) for i in given], "formats": list(formats),
        "mappings": mappings_dir, "store": store,
    }
    write_atomic(out_dir / UNFINISHED_FILE, json.dumps(note, ensure_ascii=False, indent=1) + "\n")


def mark_finished(out_dir: Path) -> None:
    """Every output is in place: the folder holds one build again."""
    (out_dir / UNFINISHED_FILE).unlink(missing_ok=True)
    sync_dir(out_dir)


def unfinished_warning(graph: Path) -> Problem | None:
    """E309 (or E310 while its build runs) when ``graph`` — a store folder or a graph file
    — is in an output folder whose files a build has not finished replacing."""
    folder = Path(graph).parent
    try:
        note = json.loads((folder / UNFINISHED_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        note = {}
    if not isinstance(note, dict):
        note = {}
    pid = note.get("pid", "unknown")
    if note.get("host") == socket.gethostname() and isinstance(pid, int) and _running(pid):
        return problem("E310", file=str(folder), pid=pid)
    return problem("E309", file=str(folder), pid=pid, started=note.get("started", "unknown"),
                   command=completion_command(note, folder))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def completion_command(note: dict[str, object], folder: Path) -> str:
    """The ``kgbuild build --update`` that completes an interrupted build, as noted by
    ``mark_unfinished``; inputs given relative to another folder are made absolute."""
    words = ["kgbuild", "build", "--update", "-o", str(folder)]
    formats = note.get("formats")
    if isinstance(formats, list):
        for fmt in formats:
            if fmt != "ttl":
                words += ["--format", str(fmt)]
    if note.get("mappings"):
        words += ["--mappings", str(note["mappings"])]
    if note.get("store") is False:
        words.append("--no-store")
    inputs = note.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        return shlex.join(words) + " INPUTS"
    base = str(note.get("cwd") or "")
    here = os.getcwd()
    for given in map(str, inputs):
        moved = base and base != here and given != "-" and not os.path.isabs(given)
        words.append(os.path.join(base, given) if moved else given)
    return shlex.join(words)


__all__ = ["LOCK_FILE", "UNFINISHED_FILE", "OutputLock", "completion_command",
           "mark_finished", "mark_unfinished", "remove_leftovers", "unfinished_warning"]
