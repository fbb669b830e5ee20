"""What the benchmark scripts share: the corpus sample, the command line, the verdicts."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
ARABIC_FILES = ("ar/saudinewsnet_iraq.jsonl", "ar/ant_politics.jsonl")
ENGLISH_FILES = ("en/polnear_train.jsonl", "en/polnear_dev.jsonl")


def kgbuild_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kgbuild.cli", *args]


def records(shared: Path, files: tuple[str, ...], limit: int) -> list[dict[str, object]]:
    """``limit`` records with text, the first of each file in turn (a short file leaves
    the rest to the others)."""
    pools = []
    for name in files:
        with (shared / "corpus" / name).open(encoding="utf-8") as handle:
            pools.append([r for r in map(json.loads, handle) if r.get("text")])
    out: list[dict[str, object]] = []
    depth = 0
    while len(out) < limit and any(depth < len(pool) for pool in pools):
        out += [pool[depth] for pool in pools if depth < len(pool)][:limit - len(out)]
        depth += 1
    return out


def sample(shared: Path, arabic: int, english: int) -> list[dict[str, object]]:
    return records(shared, ARABIC_FILES, arabic) + records(shared, ENGLISH_FILES, english)


def all_records(shared: Path) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for name in ARABIC_FILES + ENGLISH_FILES:
        with (shared / "corpus" / name).open(encoding="utf-8") as handle:
            found += [r for r in map(json.loads, handle) if r.get("text")]
    return found


def replicated(base: list[dict[str, object]], count: int) -> Iterator[dict[str, object]]:
    """``count`` records: the base corpus over and over, each copy under fresh ids."""
    for n in range(count):
        record = dict(base[n % len(base)])
        record["id"] = f"{record['id']}~{n // len(base)}"
        record.pop("gold_attributions", None)
        yield record


def write_jsonl(path: Path, items: object) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for record in items:  # type: ignore[attr-defined]
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def shared_dir() -> Path:
    shared = Path(os.environ.get("KGBUILD_SHARED", HERE.parent / "shared"))
    if not (shared / "corpus").is_dir():
        sys.exit(f"{Path(sys.argv[0]).name}: {shared}/corpus not found (needs ../shared beside the checkout)")
    return shared


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"
