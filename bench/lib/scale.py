"""bench/scale: the whole shared corpus replicated under fresh ids to N articles (default
250,000) and built with `kgbuild build --jobs 2`: total time, articles/s and the peak
resident memory of the build's whole process tree.  The replicated corpus is written to
disk first (not timed)."""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import measure
from common import all_records, kgbuild_command, replicated, shared_dir, verdict, write_jsonl


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/scale", description=__doc__)
    parser.add_argument("--articles", type=int, default=250_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the corpus and the output go (default: a temporary folder, removed)")
    args = parser.parse_args()
    base = all_records(shared_dir())
    work = Path(tempfile.mkdtemp(prefix="kgbuild-scale-", dir=args.workdir))
    try:
        corpus = work / "corpus.jsonl"
        started = time.perf_counter()
        count = write_jsonl(corpus, replicated(base, args.articles))
        print(f"corpus: {count:,} articles ({len(base):,} distinct texts) written in "
              f"{time.perf_counter() - started:.0f} s, {size_mb(corpus):,.0f} MB")
        command = kgbuild_command("build", str(corpus), "-o", str(work / "out"), "--jobs", str(args.jobs),
                                  "--quiet")
        run = measure.run(command)
        if run.returncode not in (0, 1):
            raise SystemExit(f"the build failed:\n{run.stderr[-3000:]}")
        report = json.loads((work / "out" / "report.json").read_text(encoding="utf-8"))
        minutes = run.seconds / 60
        print(f"build --jobs {args.jobs}: {report['articles']:,} articles, {report['triples']:,} triples, "
              f"{len(report['problems'])} problem(s)")
        print(f"total time       {minutes:8.1f} min  ({report['articles'] / run.seconds:.0f} articles/s)")
        print(f"peak RSS (tree)  {run.peak_rss_mb:8.0f} MB  (main process {run.peak_main_mb:.0f} MB; "
              f"PSS of the tree {run.peak_pss_mb:.0f} MB: pages the forked workers share counted once)")
        for name in ("graph.ttl", "store", "fragments.sqlite"):
            print(f"{name:17}{size_mb(work / 'out' / name):8,.0f} MB")
        scaled = run.seconds * 250_000 / max(1, report["articles"])
        if args.articles != 250_000:
            print(f"(at this rate 250,000 articles would take {scaled / 60:.1f} min)")
        print(f"target 250,000 articles < 20 min: {verdict(scaled < 20 * 60)}; "
              f"peak RSS < 1.5 GB: {verdict(run.peak_rss_mb < 1536)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
