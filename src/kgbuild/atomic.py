"""Files that appear whole or not at all: written under a temporary name in the same
folder, flushed to disk, then renamed over the old one (a rename is atomic), so a build
killed at any moment leaves the previous file intact and readable.

Temporary names are ``.NAME.XXXXXXXX.tmp``: a killed build leaves them behind, and the
next build into the folder (holding its lock, see kgbuild.outdir) knows them by that
shape and removes them.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import TextIO

TEMP_SUFFIX = ".tmp"
# what mkstemp makes of prefix ".NAME." and TEMP_SUFFIX: eight characters of its alphabet between
_TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))


def make_public(path: str | Path, directory: bool = False) -> None:
    """mkstemp and mkdtemp make private files; outputs are ordinary files for the user's umask."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if directory else 0o666) & ~umask)


def temporary_file(path: Path) -> tuple[int, str]:
    """An open descriptor and the name of a new temporary file beside ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)


def is_temporary(name: str) -> bool:
    """Whether a file name is one that ``temporary_file`` makes."""
    return _TEMP_NAME.fullmatch(name) is not None


def sync_dir(directory: Path) -> None:
    """Flush a folder's entries to disk: a rename is atomic at once, but durable (it survives
    a power cut) only once the folder itself is synced."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # a system whose folders cannot be opened (Windows) syncs them itself
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on a folder; the rename still stands
        pass
    finally:
        os.close(fd)


def replace_durably(source: str | Path, target: Path) -> None:
    """Rename ``source`` over ``target`` and make the rename survive a power cut."""
    os.replace(source, target)
    sync_dir(target.parent)


def write_atomic(path: Path, text: str) -> None:
    target = AtomicText(path)
    try:
        target.write(text)
        target.commit()
    except BaseException:
        target.discard()
        raise


class AtomicText:
    """A text file written under a temporary name and renamed into place by ``commit``."""

    def __init__(self, path: Path):
        self.path = path
        fd, self.tmp = temporary_file(path)
        self.handle: TextIO = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def write(self, text: str) -> None:
        self.handle.write(text)

    def flush(self) -> None:
        self.handle.flush()

    def commit(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        make_public(self.tmp)
        replace_durably(self.tmp, self.path)

    def discard(self) -> None:
        if not self.handle.closed:
            self.handle.close()
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)


__all__ = ["TEMP_SUFFIX", "AtomicText", "is_temporary", "make_public", "replace_durably", "sync_dir",
           "temporary_file", "write_atomic"]
