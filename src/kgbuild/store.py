"""The embedded store: an on-disk Oxigraph database of the graph (output/store/).

It holds exactly the triples of graph.ttl, in its default graph, so a query gives the
same rows on the store as on the Turtle file, only much sooner.  The store is loaded by
Oxigraph's bulk loader from the N-Triples stream of the build, in a thread of its own
(Oxigraph parses and indexes outside Python's lock while the build goes on writing the
other files).  The loader is handed the stream in slices of ``LOAD_BYTES``: it holds a
whole slice in memory while sorting it into the indexes (about 20 times the text), so
the slice size, not the corpus, bounds its memory.

``output/store`` is a symbolic link to a directory ``output/.store-XXXX``: a new store is
built beside the old one and the link is replaced in one rename, so a reader (or a killed
build) never sees a half-loaded store; what a killed build leaves (a half-loaded
``.store-XXXX``, a link not yet renamed) is removed by ``remove_abandoned`` when the next
build starts.  Through oxrdflib the store is also an rdflib Graph, so everything written
against rdflib's API works on it unchanged.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
from pathlib import Path
from types import TracebackType

import pyoxigraph as ox

from .atomic import make_public, sync_dir
from .errors import KGBuildError, problem

STORE_DIR = "store"
LOAD_BYTES = 16 << 20  # N-Triples text per bulk load
_CHUNK_BYTES = 1 << 22  # what the loader thread may lag behind the writer, per queue slot
_QUEUE_SLOTS = 4
_LINK_PREFIX = f".{STORE_DIR}-link-"


class StoreLoader:
    """Bulk-load N-Triples text into a new store while the caller keeps writing it:
    ``with StoreLoader(out_dir) as loader: loader.write(text) …``; on a clean exit the
    new store replaces ``out_dir/store``, on an error it is deleted."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.target = Path(tempfile.mkdtemp(prefix=f".{STORE_DIR}-", dir=out_dir))
        make_public(self.target, directory=True)
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUE_SLOTS)
        self.pending: list[str] = []
        self.pending_size = 0
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._load, name="kgbuild-store", daemon=True)

    def __enter__(self) -> StoreLoader:
        self.thread.start()
        return self

    def _load(self) -> None:
        try:
            store = ox.Store(str(self.target))
            pending: list[bytes] = []
            size = 0
            for chunk in iter(self.chunks.get, None):
                pending.append(chunk)
                size += len(chunk)
                if size >= LOAD_BYTES:
                    store.bulk_load(b"".join(pending), format=ox.RdfFormat.N_TRIPLES)
                    pending, size = [], 0
            if pending:
                store.bulk_load(b"".join(pending), format=ox.RdfFormat.N_TRIPLES)
            store.flush()
            # each slice became its own set of index files; compacting them once costs a few
            # seconds per million triples and halves query times on a bulk-loaded store
            store.optimize()
            del store
        except BaseException as err:  # handed to the writer's thread, which raises it
            self.error = err
            while self.chunks.get() is not None:  # let the writer finish instead of blocking
                pass

    def write(self, text: str) -> None:
        self.pending.append(text)
        self.pending_size += len(text)
        if self.pending_size >= _CHUNK_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self.chunks.put("".join(self.pending).encode("utf-8"))
            self.pending, self.pending_size = [], 0

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self._flush()
        self.chunks.put(None)
        self.thread.join()
        if kind is not None or self.error is not None:
            shutil.rmtree(self.target, ignore_errors=True)
            if kind is None and self.error is not None:
                failure = problem("E305", file=str(self.target), reason=str(self.error))
                raise KGBuildError(failure) from self.error
            return
        swap_in(self.out_dir, self.target)


def swap_in(out_dir: Path, target: Path) -> None:
    """Point ``out_dir/store`` at ``target`` in one rename and delete older stores."""
    link = out_dir / STORE_DIR
    if link.exists() and not link.is_symlink():
        # a store directory from elsewhere (or an older kgbuild): moved aside, then removed
        aside = Path(tempfile.mkdtemp(prefix=f".{STORE_DIR}-old-", dir=out_dir))
        os.replace(link, aside / STORE_DIR)
    temporary = out_dir / f"{_LINK_PREFIX}{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(target.name, temporary)
    os.replace(temporary, link)
    sync_dir(out_dir)
    remove_abandoned(out_dir)


def remove_abandoned(out_dir: Path) -> None:
    """Delete every store folder that ``out_dir/store`` does not point at and every link
    not renamed into place: left by a killed build, or replaced by a newer one.  Only safe
    while no other build writes to ``out_dir`` (a build holds its lock)."""
    link = out_dir / STORE_DIR
    current = link.resolve() if link.is_symlink() else None
    for entry in out_dir.glob(f".{STORE_DIR}-*"):
        if entry.is_symlink():
            if entry.name.startswith(_LINK_PREFIX):
                entry.unlink()
        elif entry.is_dir() and entry.resolve() != current:
            shutil.rmtree(entry, ignore_errors=True)


def open_store(path: Path) -> ox.Store:
    """Open a store read-only: queries cannot change it, and any number of readers may
    share it while a build prepares the next one."""
    try:
        return ox.Store.read_only(str(path))
    except OSError as err:
        raise KGBuildError(problem("E305", file=str(path), reason=str(err))) from err


__all__ = ["STORE_DIR", "StoreLoader", "open_store", "remove_abandoned", "swap_in"]
