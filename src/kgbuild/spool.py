"""The spool: every article's fragment, on disk, in one SQLite file (output/fragments.sqlite).

It is what lets a build stream (fragments leave memory as soon as they arrive and are read
back one at a time, in IRI order, when the outputs are written) and what ``--update``
builds on: an article whose id and content hash are already here is not extracted again.
Each fragment is stored as two zlib-compressed pickles, the shared part that the
corpus-wide steps read for every article and the own text that is only copied out.

A full build writes a new spool under a temporary name and renames it into place; an
update changes the spool in one SQLite transaction.  Either way a killed build leaves the
previous spool whole.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .atomic import make_public, replace_durably, temporary_file
from .errors import KGBuildError, problem
from .fragment import Fragment

SPOOL_FILE = "fragments.sqlite"
SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fragment (
    iri TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    shared BLOB NOT NULL,
    own BLOB NOT NULL
);
"""


@dataclass(frozen=True)
class PackedFragment:
    """A fragment as the spool stores it: packed in the worker, so that the main process
    only writes bytes."""

    iri: str
    id: str
    content_hash: str
    shared: bytes
    own: bytes


def pack(fragment: Fragment) -> PackedFragment:
    own = (fragment.own_ttl, fragment.own_nq)
    light = replace(fragment, own_ttl="", own_nq="")
    return PackedFragment(fragment.iri, fragment.id, fragment.content_hash,
                          zlib.compress(pickle.dumps(light, protocol=pickle.HIGHEST_PROTOCOL), 1),
                          zlib.compress(pickle.dumps(own, protocol=pickle.HIGHEST_PROTOCOL), 1))


def _shared_part(blob: bytes) -> Fragment:
    fragment = pickle.loads(zlib.decompress(blob))
    assert isinstance(fragment, Fragment)
    return fragment


def unpack(shared: bytes, own: bytes) -> Fragment:
    own_ttl, own_nq = pickle.loads(zlib.decompress(own))
    return replace(_shared_part(shared), own_ttl=own_ttl, own_nq=own_nq)


class Spool:
    def __init__(self, path: Path, final: Path | None = None):
        self.path = path
        self.final = final  # where a new spool goes when the build is done
        self.db = sqlite3.connect(path, isolation_level=None)
        # FULL: an update's one transaction must survive a power cut whole or not at all
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.executescript(_SCHEMA)
        self.db.execute("BEGIN")

    # ---- opening ----------------------------------------------------------------------
    @classmethod
    def create(cls, out_dir: Path, fingerprint: str) -> Spool:
        """A new, empty spool, moved over any old one by ``commit``."""
        fd, tmp = temporary_file(out_dir / SPOOL_FILE)
        os.close(fd)
        make_public(tmp)
        spool = cls(Path(tmp), final=out_dir / SPOOL_FILE)
        spool.db.execute("PRAGMA journal_mode = OFF")  # a temporary file: nothing to roll back to
        spool._set_info(fingerprint)
        return spool

    @classmethod
    def open_existing(cls, out_dir: Path, fingerprint: str) -> Spool:
        """The spool of an earlier build, for ``--update``; refused when the mappings or
        kgbuild's own rules have changed since (every article would have to be redone)."""
        path = out_dir / SPOOL_FILE
        if not path.exists():
            return cls.create(out_dir, fingerprint)
        try:
            spool = cls(path)
            found = dict(spool.db.execute("SELECT key, value FROM info"))
        except sqlite3.DatabaseError as err:
            raise KGBuildError(problem("E302", file=str(path), reason=str(err))) from err
        if found.get("schema") != SCHEMA_VERSION or found.get("fingerprint") != fingerprint:
            spool.db.rollback()
            spool.db.close()
            raise KGBuildError(problem("E303", file=str(path)))
        return spool

    def _set_info(self, fingerprint: str) -> None:
        self.db.executemany("INSERT OR REPLACE INTO info VALUES (?, ?)",
                            [("schema", SCHEMA_VERSION), ("fingerprint", fingerprint)])

    # ---- contents ---------------------------------------------------------------------
    def hashes(self) -> dict[str, str]:
        """article IRI → content hash of every article in the spool."""
        return dict(self.db.execute("SELECT iri, content_hash FROM fragment"))

    def put(self, packed: PackedFragment) -> None:
        self.db.execute("INSERT OR REPLACE INTO fragment VALUES (?, ?, ?, ?, ?)",
                        (packed.iri, packed.id, packed.content_hash, packed.shared, packed.own))

    def shared_parts(self) -> Iterator[Fragment]:
        """Every fragment without its own text, in IRI order."""
        for (blob,) in self.db.execute("SELECT shared FROM fragment ORDER BY iri"):
            yield _shared_part(blob)

    def fragments(self) -> Iterator[Fragment]:
        """Every fragment, whole, in IRI order."""
        for shared, own in self.db.execute("SELECT shared, own FROM fragment ORDER BY iri"):
            yield unpack(shared, own)

    def commit(self) -> None:
        """Make the spool durable and, for a new one, move it into place."""
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")
        if self.final is not None:
            self.db.execute("COMMIT")
            self.db.close()
            _fsync(self.path)  # on disk before the rename, whatever SQLite syncs without a journal
            replace_durably(self.path, self.final)
            self.path, self.final = self.final, None
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.execute("BEGIN")

    def close(self) -> None:
        """Give up what was not committed (a new spool is deleted)."""
        try:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            self.db.close()
        finally:
            if self.final is not None and self.path.exists():
                self.path.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["SPOOL_FILE", "PackedFragment", "Spool", "pack", "unpack"]
