"""bench/robustness: one real build over good articles mixed with one input of every bad
kind, and the tally of what became of them.

The input folder holds N Arabic and N English articles (from ../shared/corpus, or from
tests/fixtures/ingest and examples/ without it) spread over .jsonl, .json, .txt, .md and
.html files, copies of some of them with control, zero-width and bidi characters, and
the bad inputs: invalid UTF-8, UTF-16, binary files, empty files, a 50 MB article, 20 MB
lines, broken and text-less JSON records, scripts and comments in HTML, bad front
matter, unsupported suffixes, an unreadable file, deep JSON and HTML nesting.  The real
command line builds it (`kgbuild build`, in a subprocess with a time limit), then:

* crashes: a traceback on stderr, an exit status other than 0, 1 and 2, or the time
  limit reached;
* invalid outputs: graph.ttl does not parse with rdflib or pyoxigraph, they or the store
  disagree on the triples, the store does not open, SHACL (kgbuild.validate) finds
  violations, or text from inside <script>, <style> or a comment reached the graph;
* lost good articles: a good article's id is not in the graph;
* unaccounted bad inputs: a bad input neither kept nor named by a problem in report.json.

Exit status 1 when any of those is not 0.
"""

from __future__ import annotations

import argparse
import codecs
import html
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from common import HERE, kgbuild_command, sample

MARKER = "KGBUILD_MUST_NOT_LEAK"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
CONTROLS = "\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\x9b"


@dataclass
class Item:
    """One input: a file, or one line of a JSON-lines file."""

    kind: str
    path: Path
    line: int | None = None
    good: bool = False  # a good article: its id must be in the graph
    kept_id: str | None = None  # the id the article would have, were it kept

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}" if self.line else self.path.name


class Inputs:
    def __init__(self, folder: Path, seed: int, skip: list[str]) -> None:
        self.folder = folder
        self.items: list[Item] = []
        self.extra: list[Path] = []  # given to the build by name, beside the folder
        self.random = random.Random(seed)
        self.skip = skip
        folder.mkdir(parents=True)

    def wanted(self, kind: str) -> bool:
        return not any(part.lower() in kind.lower() for part in self.skip)

    def file(self, name: str, data: bytes | str, kind: str, good: bool = False, kept_id: str | None = None,
             explicit: bool = False) -> Path | None:
        if not self.wanted(kind):
            return None
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.items.append(Item(kind, path, None, good, kept_id if kept_id is not None else path.stem))
        if explicit:
            self.extra.append(path)
        return path

    def junk(self, size: int, nul: bool = True) -> bytes:
        data = self.random.randbytes(size)
        return data if nul else data.replace(b"\0", b"\1")


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:60]


def _scatter(text: str, chars: str, rng: random.Random, every: int = 7) -> str:
    words = text.split(" ")
    return " ".join(w + (rng.choice(chars) if i % every == 0 else "") for i, w in enumerate(words))


def _html_page(record: dict[str, object]) -> str:
    title = html.escape(str(record.get("title") or ""))
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in str(record["text"]).split("\n") if p.strip())
    return (f'<!DOCTYPE html>\n<html lang="{record.get("lang", "")}"><head><meta charset="utf-8">'
            f"<title>{title}</title><script>var note = '{MARKER} script';</script>"
            f"<style>p::after {{ content: '{MARKER} style'; }}</style></head>"
            f"<body><!-- {MARKER} comment --><nav>{MARKER} nav</nav><article><h1>{title}</h1>{paragraphs}"
            f"<script type=\"application/ld+json\">{{\"note\": \"{MARKER} json\"}}</script></article>"
            f"<noscript>{MARKER} noscript</noscript></body></html>\n")


def _front_matter(record: dict[str, object]) -> str:
    keys = {k: record[k] for k in ("id", "title", "lang", "published", "date", "url") if record.get(k)}
    head = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in keys.items())
    return f"---\n{head}---\n\n{record['text']}\n"


def write_good(inputs: Inputs, records: list[dict[str, object]]) -> None:
    """Each good article in one of the formats, in turn; the JSON-lines ones share a file
    with broken lines (written by write_bad_lines)."""
    listed: list[dict[str, object]] = []
    for number, record in enumerate(records):
        turn = number % 6
        if turn in (0, 1):
            continue  # into mixed.jsonl
        if turn == 2:
            stem = f"good-{number:03}-{_safe(str(record['id']))}"
            inputs.file(f"good/{stem}.txt", f"{record.get('title') or ''}\n\n{record['text']}\n", "good .txt",
                        good=True)
        elif turn == 3:
            inputs.file(f"good/{number:03}.md", _front_matter(record), "good .md with front matter",
                        good=True, kept_id=str(record["id"]))
        elif turn == 4:
            stem = f"good-{number:03}-{_safe(str(record['id']))}"
            inputs.file(f"good/{stem}.html", _html_page(record), "good .html with scripts, styles, comments",
                        good=True)
        else:
            listed.append(record)
    if listed:
        text = json.dumps(listed, ensure_ascii=False, indent=1)
        path = inputs.file("good/list.json", text, "good .json list")
        if path is not None:
            inputs.items.pop()  # the file stands for its records, counted one by one
            inputs.items += [Item("good .json list", path, None, True, str(r["id"])) for r in listed]


def write_mixed_lines(inputs: Inputs, records: list[dict[str, object]], deep: int) -> None:
    """mixed.jsonl: the good records of turns 0 and 1 among one broken line of each kind.

    The line with a NUL byte comes after the first 8 KB, where ingest judges it on its own:
    a NUL within the first 8 KB makes ingest take the whole file for binary (see
    bench/FINDINGS.md)."""
    good = [r for number, r in enumerate(records) if number % 6 in (0, 1)]
    bad: list[tuple[str, bytes]] = [
        ("broken JSON line", b'{"id": "broken", "text": "no closing brace"'),
        ("JSON line that is not an object", b'["a", "list"]'),
        ("JSON line without text", b'{"id": "no-text", "title": "a title only"}'),
        ("JSON line with blank text", b'{"id": "blank-text", "text": " \\n\\t "}'),
        ("JSON line with a wrong-typed id", b'{"id": {"nested": 1}, "text": "some text"}'),
        ("JSON line with a lone surrogate", b'{"id": "surrogate", "text": "bad \\ud800 escape"}'),
        ("JSON line of invalid UTF-8", b'{"id": "latin1", "text": "caf\xe9 cr\xe8me"}'),
        ("JSON line with a 5,000-digit number", b'{"id": "number", "text": "x", "n": ' + b"9" * 5000 + b"}"),
        ("deeply nested JSON line", b"[" * deep + b"]" * deep),
        ("JSON line with a bad date", b'{"id": "bad-date", "text": "A report with a bad date.", '
                                      b'"date": "yesterday"}'),
    ]
    bad = [(kind, data) for kind, data in bad if inputs.wanted(kind)]
    path = inputs.folder / "good" / "mixed.jsonl"
    lines: list[tuple[Item, bytes]] = []

    def add_good(record: dict[str, object]) -> None:
        lines.append((Item("good .jsonl line", path, 0, True, str(record["id"])),
                      json.dumps(record, ensure_ascii=False).encode("utf-8")))

    for index in range(max(len(good), len(bad))):
        if index < len(good):
            add_good(good[index])
        if index < len(bad):
            kind, data = bad[index]
            kept = json.loads(data).get("id") if kind == "JSON line with a bad date" else None
            lines.append((Item(kind, path, 0, False, kept), data))
    filler = 0
    while sum(len(data) + 1 for _, data in lines) <= 8192:
        record = records[filler % len(records)]
        add_good({**record, "id": f"{record['id']}~filler-{filler}"})
        filler += 1
    if inputs.wanted("JSON line with a NUL byte (after the first 8 KB)"):
        lines.append((Item("JSON line with a NUL byte (after the first 8 KB)", path, 0),
                      b'{"id": "nul", "text": "a\x00b"}'))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        for number, (item, data) in enumerate(lines, 1):
            item.line = number
            handle.write(data + b"\n")
            inputs.items.append(item)


def write_variants(inputs: Inputs, records: list[dict[str, object]]) -> None:
    """Good articles again, under new ids, with invisible, direction and control
    characters strewn through their text: still good articles."""
    by_lang = {r["lang"]: r for r in reversed(records)}
    path = inputs.folder / "good" / "odd-characters.jsonl"
    lines = []
    for lang, record in sorted(by_lang.items()):
        for name, chars in (("zero-width", ZERO_WIDTH), ("bidi", BIDI), ("control", CONTROLS)):
            text = _scatter(str(record["text"]), chars, inputs.random)
            copy = {"id": f"{record['id']}~{name}", "lang": lang, "title": record.get("title"), "text": text}
            lines.append(json.dumps(copy, ensure_ascii=False))
            inputs.items.append(Item(f"good article with {name} characters (.jsonl)", path, len(lines), True,
                                     str(copy["id"])))
            stem = f"{name}-{lang}"
            inputs.file(f"good/{stem}.txt", f"{copy['title'] or ''}\n\n{text}\n",
                        f"good article with {name} characters (.txt)", good=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_bad_files(inputs: Inputs, sample_record: dict[str, object], big_mb: float, line_mb: float,
                    deep: int) -> None:
    text = f"{sample_record.get('title') or ''}\n\n{sample_record['text']}\n"
    arabic = str(sample_record["text"])
    f = inputs.file
    f("bad/junk.txt", inputs.junk(4096, nul=False), "invalid UTF-8: random junk")
    f("bad/cp1256.txt", text.encode("cp1256", "replace"), "invalid UTF-8: Arabic in cp1256")
    raw = text.encode("utf-8")
    f("bad/bad-bytes.txt", raw[:200] + b"\xff\xfe" + raw[200:400] + b"\xc3\x28" + raw[400:],
      "invalid UTF-8: a few bad bytes in an article")
    f("bad/utf16-le.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "UTF-16 LE with BOM")
    f("bad/utf16-be.md", codecs.BOM_UTF16_BE + text.encode("utf-16-be"), "UTF-16 BE with BOM")
    f("bad/utf16-le.jsonl", codecs.BOM_UTF16_LE
      + json.dumps({"id": "utf16-line", "text": arabic}, ensure_ascii=False).encode("utf-16-le"),
      "UTF-16 LE with BOM (.jsonl)", kept_id="utf16-line")
    f("bad/image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + inputs.junk(2048), "binary: PNG header")
    f("bad/random.html", inputs.junk(4096), "binary: random bytes")
    f("bad/nuls.json", b"\0" * 1024, "binary: NUL bytes")
    f("bad/nul-line.jsonl", b'{"id": "nul-first", "text": "a\x00b"}\n{"id": "after-nul", "text": "x"}\n',
      "binary: a JSON-lines file with a NUL byte in its first 8 KB")
    f("bad/empty.txt", b"", "empty file")
    f("bad/empty.jsonl", b"", "empty file")
    f("bad/blank.md", b" \n\t\n  \r\n", "whitespace-only file")
    f("bad/blank.jsonl", b"\n\n   \n", "whitespace-only file")
    if big_mb:
        paragraph = (arabic.replace("\n", " ") + "\n\n").encode("utf-8")
        f("bad/huge.txt", b"A very long article\n\n" + paragraph * int(big_mb * 2**20 // len(paragraph) + 1),
          f"a {big_mb:g} MB article")
    if line_mb:
        words = arabic.replace("\n", " ") + " "
        long_line = words * int(line_mb * 2**20 // len(words.encode("utf-8")) + 1)
        f("bad/long-line.txt", long_line, f"a {line_mb:g} MB single line (.txt)")
        f("bad/long-line.jsonl", json.dumps({"id": "long-line", "text": long_line}, ensure_ascii=False),
          f"a {line_mb:g} MB single line (.jsonl)", kept_id="long-line")
    f("bad/no-text.json", json.dumps({"id": "no-text-json", "title": "Only a title"}),
      "JSON record without text")
    f("bad/empty-list.json", "[]", "JSON list without records")
    f("bad/scripts-only.html", f"<html><head><script>{MARKER}</script></head><body><style>{MARKER}</style>"
      f"<!-- {MARKER} --></body></html>", "HTML of scripts, styles and comments only")
    f("bad/unclosed.md", "---\nid: unclosed\ntitle: No end\n\nThe text goes on.\n", "front matter not closed")
    f("bad/bad-yaml.md", "---\nid: [unclosed\ntitle: x\n---\nThe text.\n", "front matter of invalid YAML")
    f("bad/list-yaml.md", "---\n- a\n- b\n---\nThe text.\n", "front matter that is a list")
    f("bad/python-yaml.md", "---\n!!python/object/apply:os.system ['echo owned']\n---\nThe text.\n",
      "front matter with a Python tag")
    aliases = "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}' if i else 'lol'] * 9)}]\n" for i in range(9))
    f("bad/alias-bomb.md", f"---\nid: alias-bomb\n{aliases}---\n# A title\n\nThe text.\n",
      "front matter of YAML aliases that multiply (billion laughs)")
    f("bad/hex-id.md", f"---\nid: 0x{'f' * 5000}\n---\n# A title\n\nThe text.\n",
      "front matter with a 5,000-digit hexadecimal id", kept_id=f"0x{'f' * 5000}")
    f("bad/hex-field.md", f"---\nid: hex-field\nrank: 0x{'f' * 5000}\n---\n# A title\n\nThe text.\n",
      "front matter with a 5,000-digit hexadecimal field", kept_id="hex-field")
    f("bad/bad-timestamp.md", "---\nid: bad-timestamp\ndate: !!timestamp 2015-0$-21\n---\n# Title\n\nText.\n",
      "front matter with a malformed explicit !!timestamp", kept_id="bad-timestamp")
    f("bad/bad-date.md", "---\nid: bad-date-md\ndate: 31/31/2015\n---\n# A title\n\nThe text.\n",
      "front matter with a bad date", kept_id="bad-date-md")
    f("bad/deep.json", b"[" * deep + b"]" * deep, "deep JSON nesting")
    f("bad/deep-nesting.html", "<div>" * deep + "Deep inside, the minister said nothing." + "</div>" * deep,
      "deep HTML nesting")
    f("bad/deep-lists.md", "- " * 5000 + "text\n" + "> " * 5000 + "quote\n", "deep Markdown nesting")
    if os.geteuid() != 0:
        locked = f("bad/locked.txt", text, "unreadable file (chmod 000)")
        if locked is not None:
            locked.chmod(0)
    elif inputs.wanted("unreadable file (dangling link; running as root)"):
        # root reads anything: a link to nowhere is the unreadable file it cannot open
        link(inputs, "bad/dangling.txt", inputs.folder / "bad" / "nowhere",
             "unreadable file (dangling link; running as root)")
    for name in ("table.csv", "paper.pdf", "README"):
        inputs.file(f"../extra/{name}", text, "unsupported suffix (named on the command line)", explicit=True)


def link(inputs: Inputs, name: str, target: Path, kind: str) -> None:
    path = inputs.folder / name
    path.symlink_to(target)
    inputs.items.append(Item(kind, path, None, False, path.stem))


def write_special_files(inputs: Inputs) -> None:
    """Files that are not regular files, under article names: reading them blocks or
    never ends."""
    if inputs.wanted("special file: a FIFO"):
        os.mkfifo(inputs.folder / "bad" / "fifo.txt")
        inputs.items.append(Item("special file: a FIFO named .txt", inputs.folder / "bad" / "fifo.txt"))
    if inputs.wanted("special file: a link to /dev/zero") and Path("/dev/zero").exists():
        link(inputs, "bad/zero.txt", Path("/dev/zero"), "special file: a link to /dev/zero named .txt")


# --- judging the build ---------------------------------------------------------------------------


def graph_ids(graph: object) -> set[str]:
    rows = graph.query(  # type: ignore[attr-defined]
        "SELECT ?id WHERE { ?a a <https://w3id.org/kgbuild/ontology#Article> ; "
        "<http://purl.org/dc/terms/identifier> ?id }")
    return {str(row[0]) for row in rows}


def check_outputs(out: Path, shacl: bool) -> tuple[list[str], set[str], dict[str, float]]:
    """(what is wrong with the outputs, the article ids in the graph, seconds per check)."""
    import pyoxigraph
    import rdflib

    from kgbuild.store import open_store
    from kgbuild.validate import validate_graph

    wrong: list[str] = []
    ids: set[str] = set()
    timings: dict[str, float] = {}
    ttl = out / "graph.ttl"
    graph = None
    counts: dict[str, int] = {}
    started = time.perf_counter()
    try:
        graph = rdflib.Graph()
        graph.parse(ttl, format="turtle")
        counts["rdflib"] = len(graph)
        ids = graph_ids(graph)
    except Exception as err:  # any parser error is the finding
        wrong.append(f"graph.ttl does not parse with rdflib: {type(err).__name__}: {str(err)[:300]}")
        graph = None
    timings["rdflib"] = time.perf_counter() - started
    started = time.perf_counter()
    try:
        counts["pyoxigraph"] = sum(1 for _ in pyoxigraph.parse(path=ttl, format=pyoxigraph.RdfFormat.TURTLE))
    except Exception as err:  # as above
        wrong.append(f"graph.ttl does not parse with pyoxigraph: {type(err).__name__}: {str(err)[:300]}")
    timings["pyoxigraph"] = time.perf_counter() - started
    try:
        store = open_store(out / "store")
        counts["store"] = len(store)
        del store
    except Exception as err:  # as above
        wrong.append(f"the store does not open: {type(err).__name__}: {str(err)[:300]}")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    counts["report.json"] = int(report["triples"])
    if len(set(counts.values())) > 1:
        wrong.append("the triples disagree: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    with ttl.open(encoding="utf-8") as handle:
        if any(MARKER in line for line in handle):
            wrong.append(f"text from <script>, <style>, <noscript>, <nav> or a comment is in graph.ttl "
                         f"({MARKER})")
    if graph is not None and shacl:
        started = time.perf_counter()
        conforms, text, violations = validate_graph(graph)
        timings["SHACL"] = time.perf_counter() - started
        if not conforms:
            wrong.append(f"SHACL: {violations} violation(s)\n{text[:2000]}")
    return wrong, ids, timings


def accounted(item: Item, problems: list[dict[str, object]], ids: set[str]) -> tuple[bool, bool]:
    """(kept, reported) for one input."""
    where = os.path.realpath(item.path)
    reported = any(p["file"] and os.path.realpath(str(p["file"])) == where
                   and (item.line is None or p["line"] == item.line) for p in problems)
    return item.kept_id in ids, reported


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/robustness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arabic", type=int, default=50, help="good Arabic articles (default 50)")
    parser.add_argument("--english", type=int, default=50, help="good English articles (default 50)")
    shared = Path(os.environ.get("KGBUILD_SHARED", HERE.parent / "shared"))
    parser.add_argument("--shared", type=Path, default=shared,
                        help="the folder holding corpus/ (default ../shared)")
    parser.add_argument("--no-corpus", action="store_true",
                        help="take the good articles from tests/fixtures/ingest and examples/ only")
    parser.add_argument("--big-mb", type=float, default=50, help="size of the huge article (0: none)")
    parser.add_argument("--line-mb", type=float, default=20, help="length of the endless lines (0: none)")
    parser.add_argument("--deep", type=int, default=100_000, help="nesting depth of the deep JSON and HTML")
    parser.add_argument("--no-shacl", dest="shacl", action="store_false", help="skip the SHACL check")
    parser.add_argument("--skip", action="append", default=[], metavar="TEXT",
                        help="leave out the input kinds whose name holds TEXT (repeatable)")
    parser.add_argument("--special-files", action="store_true",
                        help="add a FIFO and a link to /dev/zero named .txt (a build may block on them until "
                             "the time limit)")
    parser.add_argument("--memory-limit-mb", type=int, default=4096,
                        help="address space of the build's processes (default 4096; 0: none)")
    parser.add_argument("--jobs", type=int, default=None, help="passed to kgbuild build (default: its own)")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds the build may take (default 1800)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random bytes")
    parser.add_argument("--workdir", type=Path, default=None, help="where the temporary folder goes")
    parser.add_argument("--keep", action="store_true", help="keep the inputs and outputs (printed)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kgbuild-robustness-", dir=args.workdir))
    try:
        sys.exit(run(args, work))
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            for path in work.rglob("*"):  # a chmod 000 file would stop rmtree
                if path.is_file() and not path.is_symlink():
                    path.chmod(0o644)
            shutil.rmtree(work, ignore_errors=True)


def traceback_summary(text: str) -> str:
    """The exception and the innermost kgbuild line of a printed traceback."""
    lines = text.rstrip().splitlines()
    ours = [line.strip() for line in lines if line.strip().startswith("File ") and "/kgbuild/" in line]
    return f"{lines[-1]}\n    at {ours[-1] if ours else '?'}"


def limit_memory(megabytes: int) -> None:
    """Runs in the build's process before it starts: an input that makes kgbuild allocate
    without bound meets a MemoryError (a traceback: a crash) instead of taking the
    machine's memory."""
    if megabytes:
        limit = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def good_records(args: argparse.Namespace) -> tuple[list[dict[str, object]], str]:
    if not args.no_corpus and (args.shared / "corpus").is_dir():
        records = [{k: v for k, v in r.items() if k != "gold_attributions"}
                   for r in sample(args.shared, args.arabic, args.english)]
        return records, f"{args.shared}/corpus"
    from kgbuild.ingest import iter_articles
    from kgbuild.records import Article

    found = iter_articles([str(HERE / "tests" / "fixtures" / "ingest"), str(HERE / "examples")])
    articles = [a for a in found if isinstance(a, Article)]
    chosen = [a for a in articles if a.lang == "ar"][:args.arabic] + \
        [a for a in articles if a.lang == "en"][:args.english]
    records = [{"id": a.id, "lang": a.lang, "title": a.title, "text": a.text, "published": a.published,
                "url": a.url} for a in chosen]
    return records, "tests/fixtures/ingest and examples/"


def run(args: argparse.Namespace, work: Path) -> int:
    records, origin = good_records(args)
    if not records:
        raise SystemExit("no good articles to start from")
    inputs = Inputs(work / "input", args.seed, args.skip)
    write_good(inputs, records)
    write_mixed_lines(inputs, records, args.deep)
    write_variants(inputs, records)
    arabic = next((r for r in records if r["lang"] == "ar"), records[0])
    write_bad_files(inputs, arabic, args.big_mb, args.line_mb, args.deep)
    if args.special_files:
        write_special_files(inputs)
    good = [i for i in inputs.items if i.good]
    bad = [i for i in inputs.items if not i.good]
    langs = Counter(str(r["lang"]) for r in records)
    print(f"bench/robustness: {len(good)} good articles ({langs['ar']} Arabic and {langs['en']} English from "
          f"{origin}, some copied with odd characters) and {len(bad)} bad inputs of "
          f"{len({i.kind for i in bad})} kinds")
    out = work / "out"
    command = kgbuild_command("build", str(inputs.folder), *map(str, inputs.extra), "-o", str(out), "--quiet")
    if args.jobs:
        command += ["--jobs", str(args.jobs)]
    started = time.perf_counter()
    crashes: list[str] = []
    try:
        proc = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=args.timeout,
                              check=False, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
                              preexec_fn=partial(limit_memory, args.memory_limit_mb))
        status, stderr = proc.returncode, proc.stderr
    except subprocess.TimeoutExpired:
        status, stderr = None, ""
        crashes.append(f"the build ran past {args.timeout:.0f} s")
    seconds = time.perf_counter() - started
    if status is not None and status not in (0, 1, 2):
        crashes.append(f"the build exited with status {status}")
    if "Traceback (most recent call last)" in stderr:
        crashes.append(traceback_summary(stderr[stderr.index("Traceback"):]))
    print(f"build: exit status {status} in {seconds:.1f} s (time limit {args.timeout:.0f} s)")
    report_path = out / "report.json"
    if not report_path.is_file():
        report: dict[str, object] = {"articles": 0, "problems": []}
        wrong: list[str] = ["the build wrote no report.json and no graph: it ended before its outputs"]
        ids: set[str] = set()
    else:
        report = json.loads(report_path.read_text(encoding="utf-8"))
        wrong, ids, timings = check_outputs(out, args.shacl)
        print("checks: " + ", ".join(f"{name} {t:.1f} s" for name, t in timings.items()))
    problems: list[dict[str, object]] = report["problems"]  # type: ignore[assignment]
    lost = [i for i in good if i.kept_id not in ids]
    unaccounted = []
    by_kind: dict[str, list[int]] = {}
    for item in inputs.items:
        kept, reported = accounted(item, problems, ids)
        counts = by_kind.setdefault(item.kind, [0, 0, 0])
        counts[0] += 1
        counts[1] += int(kept)
        counts[2] += int(reported)
        if not item.good and not kept and not reported:
            unaccounted.append(item)
    print(f"{'input kind':56}{'inputs':>7}{'kept':>6}{'reported':>10}")
    for kind, (count, kept_count, reported_count) in by_kind.items():
        print(f"{kind[:55]:56}{count:>7}{kept_count:>6}{reported_count:>10}")
    codes = Counter(str(p["code"]) for p in problems)
    print("problems by code: " + ", ".join(f"{code} {n}" for code, n in sorted(codes.items())))
    print(f"inputs tried            {len(inputs.items)}")
    print(f"articles kept           {report['articles']}")
    print(f"articles reported       {len(problems)}")
    print(f"crashes                 {len(crashes)}")
    print(f"invalid outputs         {len(wrong)}")
    print(f"lost good articles      {len(lost)}")
    print(f"unaccounted bad inputs  {len(unaccounted)}")
    for text in crashes:
        print(f"  crash: {text}")
    if crashes and not report_path.is_file():
        print("  (the build ended early, so every input counts as lost or unaccounted; bench/FINDINGS.md "
              "lists the known crashes, and --skip leaves their kinds out)")
    for text in wrong:
        print(f"  invalid output: {text}")
    if report_path.is_file():  # else every input is on the lists: naming them says nothing
        for item in lost:
            print(f"  lost: {item.kind}: {item.where} (id {item.kept_id})")
        for item in unaccounted:
            print(f"  unaccounted: {item.kind}: {item.where}")
    return 1 if crashes or wrong or lost or unaccounted else 0


if __name__ == "__main__":
    main()
