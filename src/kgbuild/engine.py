"""Where articles are extracted: in this process, in worker processes, or on a Dask cluster.

Every engine turns a stream of articles into a stream of packed fragments (or problems),
in input order, holding only a bounded window of articles in flight, so memory does not
grow with the corpus.  A fragment depends on nothing but its article and the mappings,
so every engine gives the same fragments and the build the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import multiprocessing
import os
import signal
import tempfile
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import MAPPINGS_DIR
from .errors import KGBuildError, Problem, problem
from .fragment import extract_fragment
from .nlp import get_mappings, make_pipeline
from .records import Article
from .spool import PackedFragment, pack

Outcome = PackedFragment | Problem
_PACKAGE = Path(__file__).resolve().parent
# modules that only move, write or query fragments: editing them does not change a fragment
_NOT_EXTRACTION = frozenset({"atomic.py", "cli.py", "crossscript.py", "engine.py", "gazetteer.py", "graph.py",
                             "outdir.py", "pipeline.py", "query.py", "spool.py", "store.py", "validate.py"})
_PARENT_POLL_SECONDS = 0.25


def extract_packed(article: Article, mappings_dir: str | None) -> Outcome:
    """One article's packed fragment; a failure becomes an E301 problem, never a crash of
    the run."""
    try:
        return pack(extract_fragment(article, mappings_dir))
    except Exception as err:  # one article's failure must not cost the rest
        detail = "".join(traceback.format_exception_only(type(err), err)).strip()
        return problem("E301", file=article.source or article.id, line=article.line, id=article.id,
                       reason=detail)


def extract_batch(articles: list[Article], mappings_dir: str | None) -> list[Outcome]:
    return [extract_packed(article, mappings_dir) for article in articles]


def _warm(mappings_dir: str | None, parent: int) -> None:
    """Load the mappings and both pipelines once per worker, before the first article."""
    _exit_with(parent)
    # Ctrl-C reaches every process of the terminal's group: the main process alone stops
    # the build (one line, kgbuild.cli), workers would each print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    get_mappings(mappings_dir)
    for lang in ("ar", "en"):
        make_pipeline(lang, mappings_dir)


def _exit_with(parent: int) -> None:
    """End this worker when the build process ``parent`` is gone: a build killed with
    SIGKILL cannot stop its pool, and its workers would wait for work forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="kgbuild-parent-watch", daemon=True).start()


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(articles)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _ordered_window(submit: Callable[[list[Article]], Any], articles: Iterable[Article], batch_size: int,
                    in_flight: int, result: Callable[[Any], list[Outcome]]) -> Iterator[Outcome]:
    """Submit batches, at most ``in_flight`` at a time, and yield their outcomes in order."""
    window: deque[Any] = deque()
    for batch in _batches(articles, batch_size):
        window.append(submit(batch))
        if len(window) >= in_flight:
            yield from result(window.popleft())
    while window:
        yield from result(window.popleft())


def run_local(articles: Iterable[Article], mappings_dir: str | None, jobs: int) -> Iterator[Outcome]:
    """``jobs`` worker processes (1 = in this process, no pool at all)."""
    if jobs <= 1:
        for article in articles:
            yield extract_packed(article, mappings_dir)
        return
    # fork shares the loaded mappings with the workers; elsewhere they load their own
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method), initializer=_warm,
                             initargs=(mappings_dir, os.getpid())) as pool:
        def submit(batch: list[Article]) -> Future[list[Outcome]]:
            return pool.submit(extract_batch, batch, mappings_dir)

        yield from _ordered_window(submit, articles, batch_size=8, in_flight=jobs * 4,
                                   result=lambda future: future.result())


# ---- Dask --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MappingsBundle:
    """The mapping files themselves, shipped to Dask workers that may not share a disk."""

    fingerprint: str
    files: tuple[tuple[str, bytes], ...]

    @classmethod
    def read(cls, directory: str | None) -> MappingsBundle:
        folder = Path(directory) if directory else MAPPINGS_DIR
        files = tuple((path.name, path.read_bytes()) for path in sorted(folder.glob("*.yaml")))
        digest = hashlib.sha256()
        for name, data in files:
            digest.update(name.encode() + b"\0" + data + b"\0")
        return cls(digest.hexdigest()[:16], files)

    def materialise(self) -> str:
        """A folder holding the files, made once per worker process."""
        folder = Path(tempfile.gettempdir()) / f"kgbuild-mappings-{self.fingerprint}"
        if not folder.exists():
            staging = Path(tempfile.mkdtemp(prefix=folder.name + "-"))
            for name, data in self.files:
                (staging / name).write_bytes(data)
            with contextlib.suppress(OSError):  # another worker on this machine was first
                os.replace(staging, folder)
        return str(folder)


def extract_partition(articles: list[Article], bundle: MappingsBundle) -> list[Outcome]:
    """A Dask task: extract one partition of articles on a worker."""
    return extract_batch(articles, bundle.materialise())


def run_dask(articles: Iterable[Article], mappings_dir: str | None, scheduler: str | None,
             partition_size: int = 64, client: Any = None) -> Iterator[Outcome]:
    """Partitions of articles extracted on the workers of the Dask cluster at
    ``scheduler`` (host:port), or on ``client``'s cluster when one is given."""
    try:
        from dask.distributed import Client
    except ImportError as err:
        raise KGBuildError(problem("E306", reason="dask[distributed] is not installed "
                                   "(pip install 'kgbuild[dask]')")) from err
    own_client = client is None
    if own_client:
        if not scheduler:
            raise KGBuildError(problem("E304", reason="--engine dask needs --scheduler ADDRESS"))
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as err:
            reason = f"cannot reach the scheduler at {scheduler}: {err}"
            raise KGBuildError(problem("E306", reason=reason)) from err
    try:
        bundle = client.scatter(MappingsBundle.read(mappings_dir), broadcast=True)
        workers = max(1, len(client.scheduler_info().get("workers", {})))

        def submit(batch: list[Article]) -> Any:
            return client.submit(extract_partition, batch, bundle, pure=False)

        def result(future: Any) -> list[Outcome]:
            try:
                return list(future.result())
            except Exception as err:
                raise KGBuildError(problem("E306", reason=f"{type(err).__name__}: {err}")) from err

        yield from _ordered_window(submit, articles, batch_size=partition_size, in_flight=workers * 3,
                                   result=result)
    finally:
        if own_client:
            client.close()


def fingerprint(mappings_dir: str | None) -> str:
    """What an extracted fragment depends on besides its article: the mapping files and
    kgbuild's own code.  A spool made under another fingerprint cannot be updated."""
    digest = hashlib.sha256(MappingsBundle.read(mappings_dir).fingerprint.encode())
    for path in sorted(p for p in _PACKAGE.glob("*.py") if p.name not in _NOT_EXTRACTION):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


__all__ = ["MappingsBundle", "default_jobs", "extract_batch", "extract_packed", "extract_partition",
           "fingerprint", "run_dask", "run_local"]
