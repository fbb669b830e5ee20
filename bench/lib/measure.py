"""Run a command and measure it: wall time and the peak resident memory of its whole
process tree (the build's workers included), sampled from /proc every 50 ms."""

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
    peak_rss_mb: float  # the largest sum over the process tree seen at one moment
    peak_main_mb: float  # the command's own process
    returncode: int
    stdout: str
    stderr: str


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the process ended meanwhile
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(pid: int) -> tuple[int, int]:
    """(RSS of the tree rooted at pid, RSS of pid itself), in kB."""
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _rss_kb(current)
        stack += _children(current)
    return total, _rss_kb(pid)


def run(command: Sequence[str], stdin: object = None, cwd: str | None = None,
        env: dict[str, str] | None = None) -> Measured:
    started = time.perf_counter()
    proc = subprocess.Popen(list(command), stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=cwd, env={**os.environ, **(env or {})}, text=True)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            total, main = tree_rss_kb(proc.pid)
            peak[0], peak[1] = max(peak[0], total), max(peak[1], main)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return Measured(seconds, peak[0] / 1024, peak[1] / 1024, proc.returncode, stdout, stderr)
