"""What bench/fuzz feeds kgbuild, and how it judges each answer.

Two targets, each a function of one input (bytes) that returns a label for what came out
and raises ``InvalidOutput`` when the answer breaks a promise; any other exception is a
crash.

* ingest: the bytes as a file of every supported suffix, and as standard input, read by
  ``kgbuild.ingest.iter_articles`` (what a build reads with).  Only ``Article`` and coded
  ``Problem`` records may come out, and an article must be one the later stages can take.
* extract: the bytes as an ``Article`` (see ``decode_article``) run through
  ``kgbuild.fragment.extract_fragment`` and ``kgbuild.spool.pack``, as a build's worker
  runs it.  The fragment's Turtle, N-Quads and N-Triples must parse with rdflib and with
  pyoxigraph into as many triples as the fragment says, keep the article's id and text
  exactly, and every mention must quote the text at its offsets.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import signal
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph
import rdflib
from rdflib.namespace import RDF

from kgbuild.errors import Errors, KGBuildError, Problem
from kgbuild.fragment import Fragment, extract_fragment, mapper_for
from kgbuild.ingest import SUFFIXES, detect_language, iter_articles, normalise_date, parse_json_record
from kgbuild.nlp import get_mappings
from kgbuild.ntriples import nt_line, prefix_block
from kgbuild.query import parse_graph
from kgbuild.records import Article
from kgbuild.spool import pack

ROOT = Path(__file__).resolve().parents[2]
FUZZED_SUFFIXES = (".txt", ".md", ".html", ".json", ".jsonl")
FIELD_SEPARATOR = "\x1f"  # between the fields of an extract input (see decode_article)
_LANG = re.compile(r"[a-z]{2}|und")
_INGEST_CODE = re.compile(r"E0\d\d")


class InvalidOutput(Exception):
    """The target answered, but with something a later stage cannot take."""


# --- ingest --------------------------------------------------------------------------------------


class IngestTarget:
    name = "ingest"

    def __init__(self, folder: Path) -> None:
        self.paths = [folder / f"fuzzed{suffix}" for suffix in FUZZED_SUFFIXES]

    def __call__(self, data: bytes) -> str:
        labels = []
        for path in self.paths:
            path.write_bytes(data)
            labels.append(judge_items(list(iter_articles([str(path)])), str(path)))
        # a build reads '-' from sys.stdin, which a C locale decodes with surrogateescape
        stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="surrogateescape")
        labels.append(judge_items(list(iter_articles(["-"], stdin=stdin)), "<stdin>"))
        return " ".join(sorted(set(labels)))


def judge_items(items: list[object], source: str) -> str:
    """"article" when an article came out, else the first problem's code."""
    if not items:
        raise InvalidOutput(f"{source}: neither an article nor a problem came out")
    codes = []
    for item in items:
        if isinstance(item, Problem):
            codes.append(_judge_problem(item))
        elif isinstance(item, Article):
            _judge_article(item, source)
        else:
            raise InvalidOutput(f"{source}: yielded a {type(item).__name__}, not an Article or a Problem")
    return "article" if len(codes) < len(items) else codes[0]


def _judge_problem(found: Problem) -> str:
    if not _INGEST_CODE.fullmatch(found.code) or not hasattr(Errors, found.code):
        raise InvalidOutput(f"problem with code {found.code!r}, not an ingest code of kgbuild.errors")
    if not isinstance(found.message, str) or not found.message:
        raise InvalidOutput(f"{found.code} without a message")
    return found.code


def _judge_article(article: Article, source: str) -> None:
    strings = {"id": article.id, "title": article.title, "text": article.text, "lang": article.lang,
               "url": article.url or "", "source": article.source,
               **{f"metadata {key!r}": value for key, value in article.metadata}}
    for name, value in strings.items():
        if not isinstance(value, str):
            raise InvalidOutput(f"{source}: article {name} is a {type(value).__name__}, not a string")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:
            raise InvalidOutput(f"{source}: article {name} is not writable as UTF-8 ({err.reason})") from None
    if not article.id.strip():
        raise InvalidOutput(f"{source}: article with a blank id")
    if not article.text.strip():
        raise InvalidOutput(f"{source}: article {article.id!r} with a blank text")
    if not _LANG.fullmatch(article.lang):
        raise InvalidOutput(f"{source}: article {article.id!r} with language {article.lang!r}")
    if article.published is not None:
        try:
            date.fromisoformat(article.published)
        except (TypeError, ValueError):
            raise InvalidOutput(f"{source}: article {article.id!r} published {article.published!r}") from None
    if article.line is not None and (not isinstance(article.line, int) or article.line < 1):
        raise InvalidOutput(f"{source}: article {article.id!r} at line {article.line!r}")


# --- extract -------------------------------------------------------------------------------------


def decode_article(data: bytes) -> Article | None:
    """The article an extract input stands for: UTF-8 (bad bytes replaced) split at U+001F
    into language, id, title, text, URL and date, each cleaned as ingest cleans it, so that
    every input is an article ingest could hand over; None when the text is blank (ingest
    never hands such an article over)."""
    fields = [*data.decode("utf-8", "replace").split(FIELD_SEPARATOR, 5), "", "", "", "", "", ""]
    lang, article_id, title, text, url, published = fields[:6]
    if not text.strip():
        return None
    code = lang.strip().lower()[:2]
    title = title.strip()
    if not (len(code) == 2 and code.isascii() and code.isalpha()):
        code = detect_language(f"{title}\n{text}")
    try:
        day = normalise_date(published)
    except ValueError:  # ingest reports E012 and keeps the article without a date
        day = None
    return Article(
        id=article_id.strip() or hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        title=title,
        text=text,
        lang=code,
        published=day,
        url=url.strip() or None,
        source="fuzzed",
    )


def encode_article(article: Article) -> bytes:
    parts = (article.lang, article.id, article.title, article.text, article.url or "",
             article.published or "")
    return FIELD_SEPARATOR.join(parts).encode("utf-8")


class ExtractTarget:
    name = "extract"

    def __init__(self) -> None:
        mapper = mapper_for(get_mappings(None), None)
        self.identifier = rdflib.URIRef(mapper.props["Article"]["identifier"][1:-1])
        self.string = rdflib.URIRef(mapper.props["TextField"]["string"][1:-1])
        mention = mapper.props["Mention"]
        self.anchor, self.context, self.begin, self.end = (
            rdflib.URIRef(mention[key][1:-1]) for key in ("anchor", "context", "begin", "end"))

    def __call__(self, data: bytes) -> str:
        article = decode_article(data)
        if article is None:
            return "blank text"
        fragment = extract_fragment(article)
        pack(fragment)  # what a worker sends back: it must pickle
        self.judge(article, fragment)
        found = [kind for kind, count in (("roles", fragment.roles), ("statements", fragment.statements))
                 if count]
        return f"{article.lang}: {' and '.join(found) or 'no facts'}"

    def judge(self, article: Article, fragment: Fragment) -> None:
        if fragment.id != article.id:
            raise InvalidOutput(f"fragment id {fragment.id!r} for article {article.id!r}")
        own = _parsed("own Turtle", prefix_block() + fragment.own_ttl, "turtle", fragment.own_triples)
        _parsed("own N-Quads", fragment.own_nq, "nquads", fragment.own_triples)
        _parsed("shared N-Triples", "".join(nt_line(t) for t in fragment.shared), "nt", len(fragment.shared))
        node = rdflib.URIRef(fragment.iri)
        if own.value(node, self.identifier) != rdflib.Literal(article.id):
            raise InvalidOutput(f"the graph gives the id as {own.value(node, self.identifier)!r}, "
                                f"not {article.id!r}")
        for name, value in (("title", article.title), ("text", article.text)):
            stored = own.value(rdflib.URIRef(f"{fragment.iri}/{name}"), self.string)
            if value and (stored is None or str(stored) != value):
                raise InvalidOutput(f"the graph does not hold the article's {name} as given")
        contexts = {str(s): str(o) for s, o in own.subject_objects(self.string)}
        for mention, anchor in own.subject_objects(self.anchor):
            begin, end = own.value(mention, self.begin), own.value(mention, self.end)
            context = contexts.get(str(own.value(mention, self.context)))
            if context is None or begin is None or end is None:
                raise InvalidOutput(f"{mention} has no context or offsets")
            quoted = context[int(str(begin)):int(str(end))]
            if quoted != str(anchor):
                raise InvalidOutput(f"{mention} quotes {str(anchor)!r}, the text at {begin}-{end} {quoted!r}")
        if not any(True for _ in own.triples((node, RDF.type, None))):
            raise InvalidOutput("the article node has no type")


_OXIGRAPH_FORMATS = {"turtle": pyoxigraph.RdfFormat.TURTLE, "nquads": pyoxigraph.RdfFormat.N_QUADS,
                     "nt": pyoxigraph.RdfFormat.N_TRIPLES}


def _parsed(what: str, text: str, fmt: str, expected: int) -> rdflib.Graph:
    """``text`` parsed by rdflib as kgbuild's query and validate commands parse it (all
    graphs in one, returned) and by pyoxigraph; both must find ``expected`` triples."""
    data = text.encode("utf-8")
    try:
        merged = parse_graph(data, fmt, what)
    except KGBuildError as err:
        raise InvalidOutput(f"{what} does not parse with rdflib: {err.problems[0].message[:300]}") from None
    try:
        quads = list(pyoxigraph.parse(data, _OXIGRAPH_FORMATS[fmt]))
    except (SyntaxError, ValueError) as err:
        raise InvalidOutput(f"{what} does not parse with pyoxigraph: {str(err)[:300]}") from None
    if len(merged) != expected or len(quads) != expected:
        raise InvalidOutput(f"{what}: the fragment counts {expected} triples, rdflib parsed {len(merged)} "
                            f"and pyoxigraph {len(quads)}")
    return merged


# --- running inputs ------------------------------------------------------------------------------


class Hang(BaseException):
    """An input ran past its time limit (a BaseException, so no ``except Exception`` in
    the code under test can swallow it)."""


@dataclass
class Finding:
    kind: str  # "crash" or "invalid"
    signature: str
    count: int
    file: str
    detail: str


@dataclass
class Harness:
    """Runs inputs through a target, counts what came out and keeps each finding's input
    (under ``crashes_dir``, created when the first one turns up)."""

    target: Callable[[bytes], str]
    name: str
    crashes_dir: Path
    timeout: float = 0.0  # seconds an input may take (0: no limit)
    tried: int = 0
    crashes: int = 0
    invalid: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    findings: dict[str, Finding] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.timeout:
            signal.signal(signal.SIGALRM, _hang)

    def run(self, data: bytes) -> Finding | None:
        self.tried += 1
        try:
            if self.timeout:
                signal.setitimer(signal.ITIMER_REAL, self.timeout)
            try:
                self.outcomes[self.target(data)] += 1
            finally:
                if self.timeout:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            return None
        except InvalidOutput as err:
            self.invalid += 1
            return self._keep("invalid", data, str(err), str(err))
        except (Exception, Hang) as err:  # everything the target lets out is a crash
            self.crashes += 1
            detail = "".join(traceback.format_exception(err))
            return self._keep("crash", data, _signature(err), detail)

    def _keep(self, kind: str, data: bytes, signature: str, detail: str) -> Finding:
        known = self.findings.get(signature)
        if known is not None:
            known.count += 1
            return known
        self.crashes_dir.mkdir(parents=True, exist_ok=True)
        path = self.crashes_dir / f"{self.name}-{kind}-{hashlib.sha1(data).hexdigest()[:16]}"
        path.write_bytes(data)
        path.with_name(path.name + ".txt").write_text(f"{signature}\n\n{detail}", encoding="utf-8")
        found = Finding(kind, signature, 1, str(path), detail)
        self.findings[signature] = found
        return found

    def tally(self) -> dict[str, object]:
        return {"target": self.name, "tried": self.tried, "crashes": self.crashes, "invalid": self.invalid,
                "outcomes": dict(self.outcomes),
                "findings": [vars(f) | {"detail": f.detail[-2000:]} for f in self.findings.values()]}


def _hang(signum: int, frame: object) -> None:
    raise Hang("the input ran past its time limit")


def _signature(err: BaseException) -> str:
    """The exception's type and the innermost kgbuild line it passed through (else the
    innermost line): the same bug found from many inputs is kept once.  A hang noticed
    while another exception unwound (the time ran out inside C code) is named by that
    exception."""
    if isinstance(err, Hang) and err.__context__ is not None:
        return f"Hang, then {_signature(err.__context__)}"
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.name != "_hang"]
    ours = [f for f in frames if "/kgbuild/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno} in {ours[-1].name}" if ours else "?"
    return f"{type(err).__name__} at {where}"


def make_target(name: str, folder: Path) -> Callable[[bytes], str]:
    """The target called ``name``; ingest writes its files into ``folder``."""
    if name == "ingest":
        return IngestTarget(folder)
    return ExtractTarget()


# --- seeds ---------------------------------------------------------------------------------------


def corpus_records(shared: Path, per_file: int) -> list[dict[str, object]]:
    """The first ``per_file`` records with text of each corpus file (read, never copied)."""
    found: list[dict[str, object]] = []
    for path in sorted((shared / "corpus").glob("[ae][rn]/*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            records = (json.loads(line) for line in handle if line.strip())
            kept = [r for _, r in zip(range(per_file), (r for r in records if r.get("text")), strict=False)]
        found += [{k: v for k, v in r.items() if k != "gold_attributions"} for r in kept]
    return found


def _seed_files(seed_dir: Path | None) -> Iterator[Path]:
    folders = [ROOT / "tests" / "fixtures" / "ingest", ROOT / "examples"]
    folders += [seed_dir] if seed_dir else []
    for folder in folders:
        yield from sorted(p for p in folder.rglob("*") if p.is_file())


def _as_documents(record: dict[str, object]) -> Iterator[bytes]:
    """One record written as each kind of file ingest reads."""
    title, text = str(record.get("title") or ""), str(record.get("text") or "")
    yield json.dumps(record, ensure_ascii=False).encode("utf-8")
    yield f"{title}\n\n{text}".encode()
    front = {k: record[k] for k in ("id", "lang", "date", "published") if k in record}
    yield ("---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in front.items())
           + f"---\n# {title}\n\n{text}").encode()
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n") if p.strip())
    yield (f"<html lang=\"{record.get('lang', '')}\"><head><title>{title}</title></head>"
           f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>").encode()


# Small specimens of input that has broken parsers elsewhere, for the fuzzer to grow:
# YAML anchors and aliases, big and odd numbers, tags, deep nesting, escapes, BOMs.
HOSTILE = [
    b"---\nid: a\nx: &a [1, 2]\ny: &b [*a, *a]\nz: [*b, *b]\n---\n# Title\n\nText.\n",
    b"---\nid: 0xff\nn: 0o17\nf: .inf\nb: !!binary aGk=\ns: !!set {a, b}\n---\nT\n\nText.\n",
    b"---\ndate: !!timestamp 2015-07-21\ntitle: !!str 12\n? [a, b]\n: c\n---\nT\n\nText.\n",
    b'{"id": 12345678901234567890, "text": "x", "n": 1e999, "d": "2015-07-21"}',
    b'{"id": "s", "text": "\\ud800 \\u0000 \\u202e"}',
    b"[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]",
    b"<div><div><div><div><p>deep</p></div></div></div></div>",
    b"\xef\xbb\xbf\xff\xfeT\x00e\x00x\x00t\x00",
    b'<html><head><meta property="article:published_time" content="yesterday"><script>x</script></head>'
    b"<body><article><time datetime=\"2015-02-30\">d</time><p>Text</p></article></body></html>",
]
# Tokens libFuzzer splices into inputs (its -dict), for the same reason.
DICTIONARY = [b"---\n", b": &a ", b"*a", b"!!python/object:", b"!!binary ", b"0x", b"ffffffffffffffff",
              b"9999999999999999", b"1e999", b"\\ud800", b"\\u0000", b'"text": "', b'"id": ', b'"date": "',
              b'{"articles": [', b"<script>", b"<!--", b"<![CDATA[", b"<article>", b'<time datetime="', b"</",
              b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00", b"\r\n", b"\xe2\x80\xae", b"\xd8\xa7",
              "قال المتحدث".encode(), b"said", b"Minister"]


def seeds(target: str, seed_dir: Path | None, shared: Path | None, per_file: int = 2) -> list[bytes]:
    """Starting inputs: the test fixtures, the examples, ``seed_dir``, a few corpus
    articles (when ``shared`` holds the corpus) and, for ingest, the HOSTILE specimens;
    as raw files for ingest and as decoded articles for extract."""
    files = list(_seed_files(seed_dir))
    records = corpus_records(shared, per_file) if shared and (shared / "corpus").is_dir() else []
    if target == "ingest":
        found = [p.read_bytes() for p in files] + HOSTILE
        found += [doc for record in records for doc in _as_documents(record)]
        return found
    articles = [a for a in iter_articles([str(p) for p in files if p.suffix.lower() in SUFFIXES])
                if isinstance(a, Article)]
    from_corpus = (parse_json_record(r, "corpus", None, "corpus") for r in records)
    articles += [a for a in from_corpus if isinstance(a, Article)]
    return [encode_article(a) for a in articles]
