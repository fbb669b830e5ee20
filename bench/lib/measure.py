"""Run a command and measure it: wall time and the peak resident memory of its whole
process tree (the build's workers included), sampled from /proc every 50 ms.

Two sums are kept: RSS, which counts a page shared by forked workers once per process
(so it overstates), and PSS, which splits each shared page among its sharers (what the
tree really holds)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float  # the largest sum of RSS over the process tree seen at one moment
    peak_main_mb: float  # the command's own process
    peak_pss_mb: float  # the largest sum of PSS over the tree
    returncode: int
    stdout: str
    stderr: str


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the process ended meanwhile
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _field_kb(path: str, name: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    return 0


def tree_memory_kb(pid: int) -> tuple[int, int, int]:
    """(RSS of the tree rooted at pid, RSS of pid itself, PSS of the tree), in kB."""
    rss, pss, stack, seen = 0, 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        rss += _field_kb(f"/proc/{current}/status", "VmRSS:")
        pss += _field_kb(f"/proc/{current}/smaps_rollup", "Pss:")
        stack += _children(current)
    return rss, _field_kb(f"/proc/{pid}/status", "VmRSS:"), pss


def run(command: Sequence[str], stdin: object = None, cwd: str | None = None,
        env: dict[str, str] | None = None) -> Measured:
    started = time.perf_counter()
    proc = subprocess.Popen(list(command), stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=cwd, env={**os.environ, **(env or {})}, text=True)
    peak = [0, 0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for i, value in enumerate(tree_memory_kb(proc.pid)):
                peak[i] = max(peak[i], value)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return Measured(seconds, peak[0] / 1024, peak[1] / 1024, peak[2] / 1024, proc.returncode, stdout, stderr)
