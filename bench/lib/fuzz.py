"""bench/fuzz: feed ingest and extraction inputs no one would write and count what breaks.

With atheris installed (pip install -e ".[fuzz]") the inputs come from libFuzzer, guided
by the coverage of kgbuild's code (and of the pure-Python parsers ingest relies on);
without it, from Hypothesis strategies that make junk bytes, odd encodings, JSON, HTML,
front matter and mutated seed articles.  Either way each target runs in a worker process
of its own, starting from the test fixtures, examples/ and a few corpus articles (read
from ../shared/corpus when present), and the report counts inputs tried, crashes (an
exception out of kgbuild, or a hang) and invalid outputs (see bench/lib/fuzztargets.py).
Each finding's input is written to the crashes folder, with its traceback beside it, and
can be run again with --replay.  Exit status 1 when anything was found.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported for real inside the worker, under atheris's instrumentation
    from fuzztargets import Harness

HERE = Path(__file__).resolve()
ROOT = HERE.parents[2]
TARGETS = ("ingest", "extract")
# what atheris instruments for coverage: kgbuild, plus what ingest parses with in Python
INSTRUMENTED = {"ingest": ["kgbuild", "bs4", "yaml"], "extract": ["kgbuild"]}
_STATS = re.compile(r"\bcov: (\d+) ft: (\d+)")
_FLUSH_EVERY = 2.0  # seconds between tally writes, so a worker that dies still leaves its counts


def limit_memory(megabytes: int) -> None:
    """An input that makes kgbuild allocate without bound meets a MemoryError (a crash,
    kept with its input) instead of taking the machine's memory."""
    limit = megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def atheris_version() -> str | None:
    try:
        return metadata.version("atheris")
    except metadata.PackageNotFoundError:
        return None


def shared_corpus(args: argparse.Namespace) -> Path | None:
    if args.no_corpus:
        return None
    return args.shared if (args.shared / "corpus").is_dir() else None


# --- the worker: one target, one engine, in a process of its own ---------------------------------


def worker(args: argparse.Namespace) -> None:
    warnings.simplefilter("ignore")  # parsers warn about odd input; the verdicts are what count
    limit_memory(args.memory_limit_mb)
    if args.engine == "atheris":
        import atheris

        with atheris.instrument_imports(include=INSTRUMENTED[args.worker]):
            import fuzztargets
    else:
        import fuzztargets
    inputs = fuzztargets.seeds(args.worker, args.seed_dir, shared_corpus(args))
    target = fuzztargets.make_target(args.worker, args.work)
    harness = fuzztargets.Harness(target, args.worker, args.crashes_dir, args.input_timeout)
    started = time.monotonic()
    deadline = started + args.seconds
    flushed = [started]

    def save() -> None:
        tally = harness.tally() | {"seeds": len(inputs), "seconds": round(time.monotonic() - started, 1)}
        partial = args.tally.with_suffix(".part")
        partial.write_text(json.dumps(tally), encoding="utf-8")
        partial.replace(args.tally)
        flushed[0] = time.monotonic()

    def spent() -> bool:
        now = time.monotonic()
        if now - flushed[0] > _FLUSH_EVERY:
            save()
        return harness.tried >= args.runs or now >= deadline

    if args.engine == "atheris":
        run_atheris(args, harness, inputs, spent, save)
    else:
        run_hypothesis(args, harness, inputs, spent)
    save()


def run_atheris(args: argparse.Namespace, harness: Harness, inputs: list[bytes], spent: Callable[[], bool],
                save: Callable[[], None]) -> None:
    import atheris
    import fuzztargets

    corpus = args.work / "corpus"  # libFuzzer adds the inputs it finds interesting here
    corpus.mkdir()
    for number, data in enumerate(inputs):
        (corpus / f"seed-{number:04}").write_bytes(data)
    artifacts = args.work / "artifacts"
    artifacts.mkdir()
    dictionary = args.work / "tokens.dict"
    tokens = "".join(f'"{_escaped(token)}"\n' for token in fuzztargets.DICTIONARY)
    dictionary.write_text(tokens, encoding="ascii")

    def one_input(data: bytes) -> None:
        harness.run(data)
        if spent():
            save()
            sys.stderr.flush()
            os._exit(0)  # libFuzzer never returns, and exits without running Python's atexit

    libfuzzer = [f"-seed={args.seed}", f"-max_len={args.max_len}", "-timeout=0", "-print_final_stats=1",
                 f"-max_total_time={int(args.seconds) + 120}", f"-artifact_prefix={artifacts}/",
                 f"-rss_limit_mb={args.memory_limit_mb}", f"-dict={dictionary}", str(corpus)]
    atheris.Setup([sys.argv[0], *libfuzzer], one_input)
    atheris.Fuzz()


def _escaped(token: bytes) -> str:
    """A token as libFuzzer's dictionary format writes it: printable ASCII as is, the rest
    as \\xNN."""
    return "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\x{b:02x}" for b in token)


class _BudgetSpent(BaseException):
    """Ends a Hypothesis run early (not an Exception, so Hypothesis does not take it for a
    failing example and shrink it)."""


def run_hypothesis(args: argparse.Namespace, harness: Harness, inputs: list[bytes],
                   spent: Callable[[], bool]) -> None:
    import fuzzgen
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    for data in inputs:  # the seeds first, as libFuzzer does
        harness.run(data)
        if spent():
            return
    strategy = fuzzgen.ingest_inputs(inputs) if args.worker == "ingest" else fuzzgen.extract_inputs(inputs)

    @hypothesis_seed(args.seed)
    @settings(max_examples=max(1, args.runs - len(inputs)), database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def one_input(data: bytes) -> None:
        harness.run(data)
        if spent():
            raise _BudgetSpent

    with contextlib.suppress(_BudgetSpent):
        one_input()


# --- the command ---------------------------------------------------------------------------------


def run_target(target: str, engine: str, seconds: float, args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"kgbuild-fuzz-{target}-"))
    try:
        tally_path = work / "tally.json"
        command = [sys.executable, str(HERE), "--worker", target, "--engine", engine,
                   "--seconds", str(seconds), "--runs", str(args.runs), "--seed", str(args.seed),
                   "--max-len", str(args.max_len),
                   "--input-timeout", str(args.input_timeout), "--memory-limit-mb", str(args.memory_limit_mb),
                   "--tally", str(tally_path), "--work", str(work), "--crashes-dir", str(args.crashes_dir)]
        if args.seed_dir:
            command += ["--seed-dir", str(args.seed_dir)]
        command += ["--shared", str(args.shared)] + (["--no-corpus"] if args.no_corpus else [])
        started = time.monotonic()
        try:
            proc = subprocess.run(command, capture_output=True, text=True, errors="replace", check=False,
                                  timeout=seconds + 300)
            status, log = proc.returncode, proc.stderr + proc.stdout
        except subprocess.TimeoutExpired as err:
            output = err.stderr or b""
            status, log = None, output.decode("utf-8", "replace") if isinstance(output, bytes) else output
        if args.verbose:
            sys.stderr.write(log)
        tally: dict[str, Any] = {"target": target, "tried": 0, "crashes": 0, "invalid": 0, "outcomes": {},
                                    "findings": [], "seeds": 0}
        if tally_path.is_file():
            tally = json.loads(tally_path.read_text(encoding="utf-8"))
        tally["seconds"] = round(time.monotonic() - started, 1)
        stats = _STATS.findall(log)
        tally["coverage"], tally["features"] = (int(stats[-1][0]), int(stats[-1][1])) if stats else \
            (None, None)
        if status != 0:
            # the worker itself died: libFuzzer caught a signal or ran out of memory, or it hung
            what = "timed out" if status is None else f"exited with status {status}"
            kept = _keep_artifacts(work / "artifacts", target, args.crashes_dir)
            tally["crashes"] += 1
            tally["findings"] = [*tally["findings"], {
                "kind": "crash", "signature": f"the {target} worker {what}", "count": 1,
                "file": ", ".join(kept) or "(no input saved)", "detail": log[-3000:], "died": True}]
        return tally
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _keep_artifacts(folder: Path, target: str, crashes_dir: Path) -> list[str]:
    kept = []
    for found in sorted(folder.glob("*")) if folder.is_dir() else []:
        crashes_dir.mkdir(parents=True, exist_ok=True)
        destination = crashes_dir / f"{target}-{found.name}"
        shutil.move(found, destination)
        kept.append(str(destination))
    return kept


def report(engine: str, args: argparse.Namespace, tallies: list[dict[str, Any]]) -> int:
    counts = {key: sum(t[key] for t in tallies) for key in ("tried", "crashes", "invalid")}
    print(f"{'target':10}{'inputs':>9}{'seeds':>7}{'crashes':>9}{'invalid':>9}{'coverage':>10}{'features':>10}"
          f"{'seconds':>9}")
    for t in tallies:
        cov = "-" if t["coverage"] is None else t["coverage"]
        ft = "-" if t["features"] is None else t["features"]
        print(f"{t['target']!s:10}{t['tried']:>9}{t['seeds']:>7}{t['crashes']:>9}{t['invalid']:>9}{cov!s:>10}"
              f"{ft!s:>10}{t['seconds']:>9}")
    for t in tallies:
        outcomes = sorted(t["outcomes"].items(), key=lambda kv: (-kv[1], kv[0]))
        shown = ", ".join(f"{label} {count}" for label, count in outcomes[:8])
        more = f", {len(outcomes) - 8} more" if len(outcomes) > 8 else ""
        print(f"  {t['target']} outcomes: {shown}{more}")
    if engine == "hypothesis":
        print("  (coverage and features come from libFuzzer: install atheris for a coverage-guided run)")
    else:
        print("  (coverage: code edges reached; features: libFuzzer's finer count of distinct behaviours)")
    print(f"inputs tried     {counts['tried']}")
    print(f"crashes          {counts['crashes']}")
    print(f"invalid outputs  {counts['invalid']}")
    findings = [f for t in tallies for f in t["findings"]]
    for found in findings:
        print(f"  {found['kind']}: {found['signature']} ({found['count']} input(s)); input: {found['file']}")
        if found.get("died"):  # no input to replay: the worker's last words instead
            print("    " + "\n    ".join(found["detail"].rstrip().splitlines()[-12:]))
    if findings:
        print(f"run again with: bench/fuzz --target TARGET --replay FILE  (in {args.crashes_dir})")
    return 1 if counts["crashes"] or counts["invalid"] else 0


def replay(args: argparse.Namespace) -> int:
    """Each file through the target once, in this process, with the full traceback."""
    import fuzztargets

    limit_memory(args.memory_limit_mb)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="kgbuild-fuzz-") as folder:
        target = fuzztargets.make_target(args.target, Path(folder))
        for path in args.replay:
            try:
                outcome = target(path.read_bytes())
                print(f"{path}: ok ({outcome})")
            except fuzztargets.InvalidOutput as err:
                failed += 1
                print(f"{path}: invalid output: {err}")
            except Exception:  # reported in full: that is what a replay is for
                failed += 1
                print(f"{path}: crash\n{traceback.format_exc()}")
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="time for the whole run (default 60)")
    parser.add_argument("--runs", type=int, default=10**12, help="stop each target after this many inputs")
    parser.add_argument("--target", choices=(*TARGETS, "all"), default="all")
    parser.add_argument("--seed-dir", type=Path, default=None, help="more starting inputs: article files")
    shared = Path(os.environ.get("KGBUILD_SHARED", ROOT.parent / "shared"))
    parser.add_argument("--shared", type=Path, default=shared,
                        help="the folder holding corpus/ (default ../shared)")
    parser.add_argument("--no-corpus", action="store_true", help="seed from the fixtures and examples only")
    parser.add_argument("--crashes-dir", type=Path, default=Path("fuzz-crashes"),
                        help="where each finding's input is written (default fuzz-crashes/)")
    parser.add_argument("--engine", choices=("auto", "atheris", "hypothesis"), default="auto",
                        help="auto: atheris when installed, else hypothesis")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same inputs)")
    parser.add_argument("--max-len", type=int, default=32768, help="longest input libFuzzer makes, in bytes")
    parser.add_argument("--input-timeout", type=float, default=30.0,
                        help="seconds one input may take before it counts as a hang")
    parser.add_argument("--memory-limit-mb", type=int, default=3072,
                        help="address space of a worker: past it kgbuild meets a MemoryError (default 3072)")
    parser.add_argument("--replay", type=Path, nargs="+", metavar="FILE", help="run saved inputs once")
    parser.add_argument("--verbose", action="store_true", help="show the workers' output (libFuzzer's log)")
    parser.add_argument("--worker", choices=TARGETS, help=argparse.SUPPRESS)
    parser.add_argument("--tally", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if args.replay:
        if args.target == "all":
            parser.error("--replay needs --target ingest or --target extract")
        sys.exit(replay(args))
    version = atheris_version()
    engine = args.engine if args.engine != "auto" else ("atheris" if version else "hypothesis")
    if engine == "atheris" and not version:
        parser.error('atheris is not installed (pip install -e ".[fuzz]"); use --engine hypothesis')
    targets = list(TARGETS) if args.target == "all" else [args.target]
    seconds = args.seconds / len(targets)
    described = f"atheris {version} (libFuzzer, coverage-guided)" if engine == "atheris" else \
        f"hypothesis {metadata.version('hypothesis')} (random generation; atheris is not installed)" \
        if not version else f"hypothesis {metadata.version('hypothesis')} (random generation)"
    limit = f", at most {args.runs} inputs per target" if args.runs < 10**12 else ""
    corpus = "with corpus seeds" if shared_corpus(args) else "no corpus seeds: fixtures and examples only"
    print(f"bench/fuzz: {described}, seed {args.seed}, {seconds:g} s per target{limit}, {corpus}")
    tallies = [run_target(target, engine, seconds, args) for target in targets]
    sys.exit(report(engine, args, tallies))


if __name__ == "__main__":
    main()
