"""Read news articles from text, Markdown, HTML and JSON files into ``Article`` records.

Bad input never raises: it becomes a coded ``Problem`` yielded in place of the article, so one
broken file or line does not stop a run.  A few problems are warnings yielded next to the
article they concern, which is kept (``kgbuild.errors.KEPT_WITH_WARNING``): a bad date
(E012, ``published=None``) and text that had to be decoded with a fallback (E015, E016).

Bytes become text by these rules, for files, JSON lines and standard input alike:

* UTF-16 with a byte-order mark; otherwise UTF-8 (a UTF-8 BOM is dropped);
* bytes that are not UTF-8 are read as Windows-1256 when most non-ASCII bytes are not UTF-8
  and the result reads as Arabic (E015); else, when at most one byte in 20 letters is bad,
  each bad byte becomes U+FFFD (E016, with the count and the first line); else the file or
  line is skipped (E002).  NUL bytes (E011) or control characters (at least 8, and more
  than 5% of the text: E017) mark binary files, which never become articles.

Every field is then cleaned: CR LF and CR become LF; VT, FF, the separators FS, GS, RS and
NEL become LF; every other C0 and C1 control except tab and LF is removed, as is DEL, and so
are the bidi embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069, which only
reorder the display (and can disguise text).  Zero-width characters and the marks LRM, RLM
and ALM are kept: matching ignores them (kgbuild.normalize).  Offsets in the graph refer to
the cleaned text.

Size limits keep memory and time bounded whatever the input: an article (title and text)
longer than ``max_article_chars`` is skipped (E018); nothing is read whole beyond
``BYTES_PER_CHAR`` bytes per allowed character: not a file (E019), not a line of a JSON-lines
file (E020, the lines after it still land); an HTML page may hold at most a quarter as many
tags as characters (E022).  JSON-lines files and JSON lines on standard input are streamed,
so they may be of any size.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import itertools
import json
import os
import re
import stat
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO, TextIO, cast

import yaml
from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from kgbuild.errors import Problem, UsageError, problem
from kgbuild.records import TITLE_SEPARATOR, Article

SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"})
STDIN_NAME = "<stdin>"

# An article of 1,000,000 characters is extracted in 3-5 s with ~300 MB (measured on news
# text, English and Arabic); spaCy refuses longer texts (nlp.max_length), and an article
# must be refused here, with a clear problem, never there.
DEFAULT_MAX_ARTICLE_CHARS = 1_000_000
MAX_ARTICLE_CHARS_CEILING = 1_000_000
# Bytes read whole per allowed character: room for UTF-8 (up to 4 bytes a character), JSON
# \uXXXX escapes (6) and HTML markup around the text.
BYTES_PER_CHAR = 16

# Canonical field -> accepted keys, first present wins; the keys not chosen stay in metadata.
_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "title": ("title",),
    "text": ("text", "body", "content"),
    "lang": ("lang", "language"),
    "url": ("url", "link"),
    "published": ("published", "date", "pubDate", "published_at"),
}
_FRONT_MATTER_FIELDS = ("id", "title", "lang", "url", "published")
_FRONT_MATTER_MAX = 65536  # characters: metadata, and PyYAML is slow on big blocks

_DROP = frozenset(
    {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg", "template"}
    # embedded objects and form controls: their text is fallback ("your browser does not ...") or UI
    | {"object", "embed", "applet", "canvas", "audio", "video", "math", "button", "select", "textarea"}
)
_BLOCK = frozenset(
    {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "blockquote", "section"}
    # Not in the brief's list, but without them list items and tables run into each other.
    | {"article", "main", "body", "ul", "ol", "table", "pre", "hr", "figure", "figcaption", "dl", "dt", "dd"}
)
_CELL = frozenset({"td", "th"})
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)
_HTML_META = {"author": "author", "article:author": "author", "og:site_name": "site_name"}

_HEADING = re.compile(r" {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")
_SETEXT_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SLASHED_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")

# What clean() removes (None) or turns into a line break.
_CLEAN_TABLE: dict[int, str | None] = {
    code: None
    for code in (*range(0x00, 0x09), *range(0x0E, 0x1C), 0x1F, *range(0x7F, 0x85), *range(0x86, 0xA0),
                 *range(0x202A, 0x202F), *range(0x2066, 0x206A))
}
_CLEAN_TABLE.update({ord(char): "\n" for char in "\r\v\f\x1c\x1d\x1e\x85"})
_TO_CLEAN = re.compile("[" + "".join(re.escape(chr(code)) for code in _CLEAN_TABLE) + "]")
_BINARY_CONTROL = re.compile("[\x01-\x08\x0e-\x1f\x7f]")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, under surrogateescape
_DECODED_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")
_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff]")
_VISIBLE = re.compile(r"\S")
# something to read: neither white space nor a zero-width or format character
_CONTENT = re.compile(r"[^\s\u00ad\u061c\u180e\u200b-\u200f\u2060-\u2064\u206a-\u206f\ufeff]")

_HEAD_BYTES = 8192  # looked at first, to tell UTF-16 and binary files apart
_CHUNK_BYTES = 1 << 16

# The article (or the problem that replaced it) plus problems that do not cost the article.
Result = tuple[Article | Problem, list[Problem]]
# A line of a byte stream: (byte offset, the line with its LF), or (offset, length) for a
# line too long to hold, whose bytes were read past.
ByteLine = tuple[int, bytes | int]


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings, so a bad date is E012 (article kept), not E007,
    and refuses aliases: a few nested ones expand to billions of values when the metadata is
    written out."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", mark)
        return super().compose_node(parent, index)


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_INT_DIGITS = 4000  # below Python's limit on printing an int in decimal (4,300 digits)


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    # an explicit !!timestamp is a date like any other: kept as text and checked by
    # normalise_date (E012); PyYAML's own constructor fails on a malformed one
    return str(node.value)


def _int_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | str:
    # 0x followed by thousands of digits loads fine but can never be printed in decimal
    value = loader.construct_yaml_int(node)
    return str(node.value) if value.bit_length() > _INT_DIGITS * 3.33 else value


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
_FrontMatterLoader.add_constructor("tag:yaml.org,2002:int", _int_or_text)


# --- public API --------------------------------------------------------------------------------


def iter_articles(
    paths: Sequence[str | os.PathLike[str]],
    stdin: TextIO | BinaryIO | None = None,
    max_article_chars: int = DEFAULT_MAX_ARTICLE_CHARS,
) -> Iterator[Article | Problem]:
    """Yield every article (and every problem) found in ``paths``; ``-`` reads ``stdin``
    (its bytes, through ``stdin.buffer`` when it has one).  A limit out of range raises
    UsageError E390 at once, before anything is read."""
    check_max_article_chars(max_article_chars)
    if isinstance(paths, str | os.PathLike):  # a lone path string would otherwise be read per character
        paths = [paths]
    results = (result for given in list(paths) for result in _read_given(os.fspath(given), stdin,
                                                                          max_article_chars))
    return _settle(results, max_article_chars, seen={})


def read_path(path: Path, max_article_chars: int = DEFAULT_MAX_ARTICLE_CHARS) -> Iterator[Article | Problem]:
    """Read one file, whatever its suffix (an unsupported one is E006)."""
    check_max_article_chars(max_article_chars)
    return _settle(_guarded(_read_file(Path(path), str(path), max_article_chars), str(path)),
                   max_article_chars, seen=None)


def check_max_article_chars(value: object) -> None:
    """Raise UsageError E390 unless ``value`` is a usable article size limit."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ARTICLE_CHARS_CEILING:
        raise UsageError(problem("E390", ceiling=MAX_ARTICLE_CHARS_CEILING, value=value))


def clean(text: str) -> str:
    """``text`` as every article field holds it: line breaks as LF, no control characters
    but tab and LF, no bidi embeddings, overrides or isolates (see the module text)."""
    text = text.replace("\r\n", "\n")
    return text.translate(_CLEAN_TABLE) if _TO_CLEAN.search(text) else text


def parse_text_document(raw: str, source: str, default_id: str) -> Article | Problem:
    """A .txt/.md body; a bad date leaves ``published=None`` (only the readers report E012)."""
    return _text_document(raw, source, default_id)[0]


def parse_html(raw: str, source: str, default_id: str) -> Article | Problem:
    return _html(raw, source, default_id, DEFAULT_MAX_ARTICLE_CHARS // 4)[0]


def parse_json_record(obj: object, source: str, line: int | None, default_id: str) -> Article | Problem:
    return _json_record(obj, source, line, default_id, "")[0]


def detect_language(text: str) -> str:
    """Return "ar", "en" or "und" from the share of Arabic-script and Latin letters.

    Arabic wins from 30% of the letters on, because Arabic news quotes Latin names freely.
    """
    letters = arabic = latin = 0
    for char in text:
        if not char.isalpha():
            continue
        letters += 1
        code = ord(char)
        if 0x0600 <= code <= 0x08FF or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
            arabic += 1
        elif code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
            latin += 1
    if not letters:
        return "und"
    if arabic * 10 >= letters * 3:
        return "ar"
    return "en" if latin * 2 > letters else "und"


def normalise_date(value: object) -> str | None:
    """Calendar date as written (no time-zone shift) as YYYY-MM-DD; None for no value."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    text = value.strip().translate(_ARABIC_DIGITS)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        pass
    if match := _SLASHED_DATE.fullmatch(text):
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    if match := _DAY_FIRST_DATE.fullmatch(text):
        return date(int(match[3]), int(match[2]), int(match[1])).isoformat()
    try:
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, OverflowError, IndexError):
        raise ValueError(f"unrecognised date: {value!r}") from None


# --- files and streams -------------------------------------------------------------------------


def _settle(
    results: Iterable[Result], limit: int, seen: dict[str, str] | None
) -> Iterator[Article | Problem]:
    """Each article that passes the size limit (and, with ``seen``, is not a duplicate id)
    after its warnings; an article that does not becomes the problem, without its warnings."""
    for item, side_problems in results:
        if isinstance(item, Article):
            item = _within_limit(item, limit)
        if isinstance(item, Article) and seen is not None:
            first = seen.get(item.id)
            if first is not None:
                item = problem("E009", item.source, item.line, id=item.id, first=first)
            else:
                seen[item.id] = item.source if item.line is None else f"{item.source}:{item.line}"
        if isinstance(item, Article):
            yield from side_problems
        yield item


def _within_limit(article: Article, limit: int) -> Article | Problem:
    size = len(article.text) + (len(article.title) + len(TITLE_SEPARATOR) if article.title else 0)
    if size > limit:
        return problem("E018", article.source, article.line, size=size, limit=limit)
    return article


def _guarded(results: Iterator[Result], source: str) -> Iterator[Result]:
    try:
        yield from results
    except Exception as exc:  # a bug in a reader must cost its own file, never the rest of the run
        yield problem("E021", source, reason=f"{type(exc).__name__}: {exc}"), []


def _read_given(name: str, stdin: TextIO | BinaryIO | None, limit: int) -> Iterator[Result]:
    if name == "-":
        yield from _guarded(_read_stdin(stdin if stdin is not None else sys.stdin, limit), STDIN_NAME)
        return
    path = Path(name)
    if not name or not (path.exists() or path.is_symlink()):  # Path("") would mean the current folder
        yield problem("E010", name), []
    elif path.is_dir():
        for found in _walk(name):
            if isinstance(found, Problem):
                yield found, []
            else:
                yield from _guarded(_read_file(Path(found), found, limit), found)
    else:
        yield from _guarded(_read_file(path, name, limit), name)


def _walk(folder: str) -> Iterator[str | Problem]:
    errors: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=errors.append):
        yield from (problem("E001", str(e.filename or root), reason=e.strerror or str(e)) for e in errors)
        errors.clear()
        # Hidden entries are editor swap files, .git and the like, never articles.
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in SUFFIXES:
                path = os.path.join(root, name)
                kind = _special_kind(path)
                # a pipe would block the walk forever and a device never ends: only a file
                # named on purpose is read as a stream
                yield path if kind is None else problem("E023", path, kind=kind)
    yield from (problem("E001", str(e.filename or folder), reason=e.strerror or str(e)) for e in errors)


def _special_kind(path: str) -> str | None:
    """What a path found in a folder is when it is not a regular file (links followed);
    None for a regular file, and for a dangling link, which reading reports as missing."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _read_file(path: Path, source: str, limit: int) -> Iterator[Result]:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield problem("E006", source, suffix=path.suffix), []
        return
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield _unreadable(exc, source), []
        return
    with handle:
        try:
            yield from _read_handle(handle, source, path.stem, suffix, limit)
        except OSError as exc:
            yield problem("E001", source, reason=exc.strerror or str(exc)), []


def _read_stdin(stream: TextIO | BinaryIO | None, limit: int) -> Iterator[Result]:
    if stream is None:  # no standard input at all (a detached process)
        yield problem("E001", STDIN_NAME, reason="standard input is closed"), []
        return
    try:
        yield from _read_handle(_bytes_of(stream), STDIN_NAME, None, None, limit)
    except (OSError, ValueError) as exc:  # ValueError: reading a closed stream
        yield problem("E001", STDIN_NAME, reason=getattr(exc, "strerror", None) or str(exc)), []


def _bytes_of(stream: TextIO | BinaryIO) -> BinaryIO:
    """The bytes under a text stream, so that standard input is decoded as files are."""
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return cast(BinaryIO, buffer)
    if isinstance(stream, io.TextIOBase):  # io.StringIO and the like: text with no bytes beneath
        return io.BytesIO(stream.read().encode("utf-8", "surrogatepass"))
    return cast(BinaryIO, stream)


def _unreadable(exc: OSError, source: str) -> Problem:
    if isinstance(exc, FileNotFoundError):
        return problem("E010", source)
    return problem("E001", source, reason=exc.strerror or str(exc))


def _read_handle(handle: BinaryIO, source: str, stem: str | None, suffix: str | None,
                 limit: int) -> Iterator[Result]:
    """One file (``suffix`` None: standard input, JSON lines or one document).  JSON lines
    stream one line at a time; everything else, and a file that starts as UTF-16 or binary,
    is read whole, up to the byte limit."""
    cap = limit * BYTES_PER_CHAR
    size = _regular_size(handle)
    if suffix != ".jsonl" and size is not None and size > cap:
        yield problem("E019", source, size=f"{size} bytes", cap=cap), []
        return
    rest = _chunks(handle)
    head = next(rest, b"")
    chunks = itertools.chain([head], rest)
    whole: Iterable[bytes | int] = chunks
    # A NUL early in a JSON-lines feed costs its own line only, like one further on; a
    # binary file never starts with a JSON object.
    binary = b"\0" in head[:_HEAD_BYTES] and not (suffix == ".jsonl" and head.lstrip()[:1] == b"{")
    if not (head.startswith(_UTF16_BOMS) or binary):
        if suffix == ".jsonl":
            yield from _json_lines_stream(_byte_lines(chunks, cap), source, stem, cap)
            return
        if suffix is None:
            lines = _byte_lines(chunks, cap)
            seen, streamed = _sniff_json_lines(lines)
            if streamed:
                yield from _json_lines_stream(itertools.chain(seen, lines), source, stem, cap)
                return
            whole = (raw for _, raw in itertools.chain(seen, lines))
    data = _read_whole(whole, cap)
    if data is None:
        yield problem("E019", source, size=f"{size} bytes" if size else f"more than {cap} bytes", cap=cap), []
        return
    decoded = _decode(data, source)
    if isinstance(decoded, Problem):
        yield decoded, []
        return
    text, decoding = decoded
    for item, side_problems in _parse_whole(text, source, stem, suffix, limit):
        if decoding and isinstance(item, Article):  # said once, before the file's first article
            side_problems, decoding = decoding + side_problems, []
        yield item, side_problems


def _parse_whole(text: str, source: str, stem: str | None, suffix: str | None,
                 limit: int) -> Iterator[Result]:
    if suffix == ".json":
        yield from _json_document(text, source, stem)
    elif suffix == ".jsonl":
        yield from _json_lines(text, source, stem)
    elif suffix in (".html", ".htm"):
        yield _html(text, source, stem, limit // 4)
    elif suffix is None:
        start = text.lstrip()[:1]
        if start == "{" and not _parses(text) and any(_parses(line, dict) for line in text.split("\n")):
            yield from _json_lines(text, source, stem)
        elif start in ("{", "["):
            yield from _json_document(text, source, stem)
        else:
            yield _text_document(text, source, stem)
    else:
        yield _text_document(text, source, stem)


def _regular_size(handle: BinaryIO) -> int | None:
    try:
        status = os.fstat(handle.fileno())
    except (OSError, ValueError):  # io.BytesIO has no file number
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    while chunk := handle.read(_CHUNK_BYTES):
        yield chunk


def _read_whole(pieces: Iterable[bytes | int], cap: int) -> bytes | None:
    """The pieces joined, or None when they come to more than ``cap`` bytes (read no further)."""
    parts: list[bytes] = []
    total = 0
    for piece in pieces:
        if isinstance(piece, int):
            return None
        total += len(piece)
        if total > cap:
            return None
        parts.append(piece)
    return b"".join(parts)


def _byte_lines(chunks: Iterable[bytes], cap: int) -> Iterator[ByteLine]:
    """The lines of a byte stream, holding at most ``cap`` bytes of a line at a time."""
    offset = 0
    pending = bytearray()
    skipped = -1  # bytes of a line too long to hold, read so far; -1 outside one
    for chunk in chunks:
        start = 0
        while start < len(chunk):
            end = chunk.find(b"\n", start)
            stop = len(chunk) if end < 0 else end + 1
            if skipped >= 0:
                skipped += stop - start
            else:
                pending += chunk[start:stop]
                if len(pending) > cap:
                    skipped, pending = len(pending), bytearray()
            if end >= 0:
                if skipped >= 0:
                    yield offset, skipped
                    offset, skipped = offset + skipped, -1
                else:
                    yield offset, bytes(pending)
                    offset, pending = offset + len(pending), bytearray()
            start = stop
    if skipped >= 0:
        yield offset, skipped
    elif pending:
        yield offset, bytes(pending)


def _sniff_json_lines(lines: Iterator[ByteLine]) -> tuple[list[ByteLine], bool]:
    """The lines read up to the first with content, and whether that line is a JSON object
    by itself (so the stream is JSON lines, read one line at a time)."""
    seen: list[ByteLine] = []
    for entry in lines:
        seen.append(entry)
        raw = entry[1]
        if isinstance(raw, int):
            return seen, False
        if raw.strip():
            text = raw.decode("utf-8", "replace").lstrip("\ufeff").strip()
            if not text.startswith("{"):
                return seen, False
            try:
                obj = json.loads(text, strict=False)
            except (ValueError, RecursionError):
                return seen, False
            # one object wrapping the articles is a document, not a line of a feed
            return seen, isinstance(obj, dict) and not isinstance(obj.get("articles"), list)
    return seen, False


def _decode(data: bytes, source: str) -> tuple[str, list[Problem]] | Problem:
    """A whole file's bytes as text, with the warnings of a fallback decoding."""
    warned: list[Problem] = []
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")  # the codec reads the BOM to learn the byte order
        except UnicodeDecodeError as exc:
            return problem("E002", source, reason=f"{exc.reason}: bytes at offset {exc.start}")
    elif b"\0" in data:  # checked first: binary files are rarely valid UTF-8
        return problem("E011", source)
    else:
        decoded = _decode_utf8(data, source, None, 0)
        if isinstance(decoded, Problem):
            return decoded
        text, warned = decoded
    cleaned = _clean_whole(text, source)
    return cleaned if isinstance(cleaned, Problem) else (cleaned, warned)


def _decode_utf8(data: bytes, source: str, line: int | None,
                 offset: int) -> tuple[str, list[Problem]] | Problem:
    """UTF-8; or, when it is not, Windows-1256 Arabic (E015), U+FFFD for a few bad bytes
    (E016) or, failing both, E002.  ``line`` is the line number of ``data`` when it is one
    line (else it is counted), ``offset`` its byte offset in the file."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        first = exc.start
        reason = f"{exc.reason}: byte 0x{data[first]:02x} at offset {offset + first}"
    at = line if line is not None else data.count(b"\n", 0, first) + 1
    loose = data.decode("utf-8", "surrogateescape")
    bad = _count(_ESCAPED_BYTE, loose)
    if bad > _count(_DECODED_NON_ASCII, loose) and not data.startswith(codecs.BOM_UTF8):
        legacy = data.decode("cp1256")  # the code page defines all 256 bytes
        if _reads_as_arabic(legacy):
            return legacy, [problem("E015", source, line)]
    if bad * 20 <= _count(_LETTER, loose):
        replaced = problem("E016", source, at, count=bad, offset=offset + first)
        return data.decode("utf-8", "replace"), [replaced]
    return problem("E002", source, at, reason=reason)


def _count(pattern: re.Pattern[str], text: str) -> int:
    """Matches of a one-character ``pattern``, at C speed and without a list of them."""
    return len(text) - len(pattern.sub("", text))


def _reads_as_arabic(text: str) -> bool:
    """Most visible characters are letters and most letters Arabic (junk bytes read as
    Windows-1256 give symbols, controls and Latin letters too)."""
    letters = _count(_LETTER, text)
    return letters * 10 >= _count(_VISIBLE, text) * 6 and _count(_ARABIC_LETTER, text) * 10 >= letters * 7


def _clean_whole(text: str, source: str) -> str | Problem:
    text = text.removeprefix("\ufeff")
    if "\0" in text:
        return problem("E011", source)
    if not text.strip():
        return problem("E008", source)
    controls = _count(_BINARY_CONTROL, text)
    if controls >= 8 and controls * 20 > len(text):
        return problem("E017", source, share=round(100 * controls / len(text)))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _parses(text: str, kind: type = object) -> bool:
    try:
        return isinstance(json.loads(text, strict=False), kind)
    except (ValueError, RecursionError):
        return False


# --- formats -----------------------------------------------------------------------------------


def _json_lines_stream(lines: Iterator[ByteLine], source: str, stem: str | None,
                       cap: int) -> Iterator[Result]:
    """JSON lines read one at a time, so that a feed of any size streams through a build; a
    line that cannot be read is reported with its number and the other lines still land."""
    numbered = _numbered_lines(lines, source, cap)
    first = next(numbered, None)
    if first is None:
        yield problem("E008", source), []
        return
    second = next(numbered, None)
    single = second is None
    for item in (first,) if second is None else (first, second):
        yield _jsonl_item(item, source, stem, single)
    for item in numbered:
        yield _jsonl_item(item, source, stem, single)


def _numbered_lines(lines: Iterator[ByteLine], source: str,
                    cap: int) -> Iterator[tuple[int, str, list[Problem]] | Problem]:
    """(line number, text, decoding warnings) of each line with content, or a problem for a
    line that cannot be read; numbered as _clean_whole would number them (CR LF and CR end
    lines too), except that the CRs of a line too long to hold are not counted."""
    number = 0
    for offset, raw in lines:
        if isinstance(raw, int):
            number += 1
            yield problem("E020", source, number, size=raw, cap=cap)
            continue
        body = raw[:-1] if raw.endswith(b"\n") else raw
        if body.endswith(b"\r") and raw.endswith(b"\n"):
            body = body[:-1]
        start = offset  # of the part in the file, for error messages
        for part in body.split(b"\r"):
            number += 1
            part_start, start = start, start + len(part) + 1
            if part_start == 0:
                part = part.removeprefix(codecs.BOM_UTF8)
            if b"\0" in part:
                yield problem("E011", source, number)
                continue
            decoded = _decode_utf8(part, source, number, part_start)
            if isinstance(decoded, Problem):
                yield decoded
            elif decoded[0].strip():
                yield number, decoded[0], decoded[1]


def _jsonl_item(item: tuple[int, str, list[Problem]] | Problem, source: str, stem: str | None,
                single: bool) -> Result:
    if isinstance(item, Problem):
        return item, []
    number, line, decoding = item
    obj = _load_json(line, source, number)
    if isinstance(obj, Problem):
        return obj, []
    default_id = stem if stem is None or single else f"{stem}-{number}"
    record, side_problems = _json_record(obj[0], source, number, default_id, "")
    return record, (decoding + side_problems if isinstance(record, Article) else side_problems)


def _json_lines(text: str, source: str, stem: str | None) -> Iterator[Result]:
    """JSON lines of a file read whole (UTF-16), each line as the streamed reader takes it."""
    numbered: list[tuple[int, str, list[Problem]]] = [
        (number, line, []) for number, line in enumerate(text.split("\n"), 1) if line.strip()
    ]
    for item in numbered:
        yield _jsonl_item(item, source, stem, len(numbered) == 1)


def _json_document(text: str, source: str, stem: str | None) -> Iterator[Result]:
    loaded = _load_json(text, source, None)
    if isinstance(loaded, Problem):
        yield loaded, []
        return
    data, prefix = loaded[0], ""
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data, prefix = data["articles"], "articles"
    if not isinstance(data, list):
        yield _json_record(data, source, None, stem, "")
        return
    if not data:
        yield problem("E014", source, path=prefix), []
    for index, obj in enumerate(data):
        default_id = stem if stem is None or len(data) == 1 else f"{stem}-{index + 1}"
        yield _json_record(obj, source, None, default_id, f"{prefix}[{index}]")


def _load_json(text: str, source: str, line: int | None) -> tuple[object] | Problem:
    try:
        return (json.loads(text, strict=False),)  # control characters in strings are cleaned later
    except json.JSONDecodeError as exc:
        reason = f"{exc.msg} at column {exc.colno}"
        return problem("E003", source, line if line is not None else exc.lineno, reason=reason)
    except (ValueError, RecursionError) as exc:  # too-long integers, too-deep nesting
        return problem("E003", source, line, reason=str(exc) or type(exc).__name__)


def _json_record(obj: object, source: str, line: int | None, default_id: str | None, where: str) -> Result:
    if not isinstance(obj, dict):
        return problem("E005", source, line, where), []
    fields, names, metadata = _split_record(obj, tuple(_ALIASES))
    return _article(fields, names, metadata, source=source, line=line, default_id=default_id, where=where)


def _text_document(raw: str, source: str, default_id: str | None) -> Result:
    lines = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    front: dict[str, object] = {}
    key_lines: dict[str, int] = {}
    if lines[0].rstrip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
        if end is None:
            return problem("E007", source, 1, reason="no closing '---' line"), []
        block = "\n".join(lines[1:end])
        if len(block) > _FRONT_MATTER_MAX:
            return problem("E007", source, 1, reason=f"longer than {_FRONT_MATTER_MAX} characters"), []
        loaded = _load_front_matter(block, source)
        if isinstance(loaded, Problem):
            return loaded, []
        front = loaded
        for number, line in enumerate(lines[1:end], 2):
            key_lines.setdefault(line.split(":", 1)[0].strip(), number)
        lines = lines[end + 1 :]
    fields, names, metadata = _split_record(front, _FRONT_MATTER_FIELDS)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None:
        heading = _HEADING.fullmatch(lines[first])
        title = heading[1].strip() if heading else lines[first].strip()
        after = first + 1
        if not heading and after < len(lines) and _SETEXT_UNDERLINE.fullmatch(lines[after]):
            after += 1
        # A front-matter title wins; the first line then only goes if it repeats that title.
        if "title" not in fields:
            fields["title"], names["title"] = title, "title"
            lines = lines[after:]
        elif title == str(fields["title"]).strip():
            lines = lines[after:]
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    fields["text"], names["text"] = "\n".join(lines), "text"
    return _article(
        fields, names, metadata, source=source, line=None, default_id=default_id, key_lines=key_lines
    )


def _load_front_matter(block: str, source: str) -> dict[str, object] | Problem:
    try:
        data = yaml.load(block, Loader=_FrontMatterLoader)  # a SafeLoader: builds plain data only
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 1  # +1 for 1-based, +1 for the opening '---'
        return problem("E007", source, line, reason=exc.problem or "syntax error")
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        return problem("E007", source, 1, reason=str(exc))
    if data is None:
        return {}
    if not isinstance(data, dict):
        return problem("E007", source, 2, reason=f"expected a mapping of keys, got {_type_name(data)}")
    return {str(key): value for key, value in data.items()}


def _html(raw: str, source: str, default_id: str | None, max_tags: int) -> Result:
    # BeautifulSoup holds about 1 kB and spends about 15 µs per tag
    if raw.count("<") > max_tags:
        return problem("E022", source, limit=max_tags), []
    with warnings.catch_warnings():
        # bs4 warns about input that "looks like a URL" or like XML; neither matters here and the
        # test suite turns warnings into errors.
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(raw, "lxml")
    meta: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = _attr(tag, "property") or _attr(tag, "name")
        content = _attr(tag, "content")
        if key and content is not None:
            meta.setdefault(key.lower(), content.strip())
    fields: dict[str, object] = {}
    names = {name: name for name in _ALIASES}
    h1 = soup.find("h1")
    title = meta.get("og:title") or (_collapse(soup.title.get_text()) if soup.title else "")
    fields["title"] = title or (_collapse(h1.get_text()) if isinstance(h1, Tag) else "")
    root = soup.find("html")
    if isinstance(root, Tag):
        fields["lang"] = _attr(root, "lang") or _attr(root, "xml:lang")
    time = soup.find("time", attrs={"datetime": True})
    if "article:published_time" in meta:
        fields["published"], names["published"] = meta["article:published_time"], "article:published_time"
    elif isinstance(time, Tag):
        fields["published"], names["published"] = _attr(time, "datetime"), "time datetime"
    canonical = soup.find("link", rel=lambda rel: isinstance(rel, str) and rel.lower() == "canonical")
    fields["url"] = (_attr(canonical, "href") if isinstance(canonical, Tag) else None) or meta.get("og:url")
    container = soup.find("article") or soup.find("main") or soup.find("body") or soup
    body = "\n\n".join(_paragraphs(container)) if isinstance(container, Tag) else ""
    title = str(fields["title"])
    if title and body.startswith(title) and body[len(title) : len(title) + 1] in ("", " ", "\n"):
        body = body[len(title) :].lstrip()
    fields["text"] = body
    metadata = {label: meta[key] for key, label in reversed(_HTML_META.items()) if meta.get(key)}
    return _article(fields, names, metadata, source=source, line=None, default_id=default_id)


def _paragraphs(root: Tag) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []

    def close_paragraph() -> None:
        if text := _collapse("".join(current)):
            paragraphs.append(text)
        current.clear()

    # An explicit stack, not recursion: scraped pages can nest deeper than Python's call limit.
    stack: list[PageElement | None] = [root]  # None marks the end of a block element
    while stack:
        node = stack.pop()
        if node is None:
            close_paragraph()
        elif isinstance(node, Tag):
            name = node.name.lower()
            if name in _DROP:
                continue
            if name in _BLOCK:
                close_paragraph()
                stack.append(None)
            elif name in _CELL:
                current.append(" ")
            stack.extend(reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT):
            current.append(str(node))
    close_paragraph()
    return paragraphs


# --- shared record handling --------------------------------------------------------------------


def _split_record(
    record: Mapping[str, object], wanted: tuple[str, ...]
) -> tuple[dict[str, object], dict[str, str], dict[str, object]]:
    """(canonical field -> value, canonical field -> key as written, leftover keys -> value)."""
    fields: dict[str, object] = {}
    names: dict[str, str] = {}
    for name in wanted:
        for key in _ALIASES[name]:
            value = record.get(key)
            if value is not None and not (isinstance(value, str) and not value.strip()):
                fields[name], names[name] = value, key
                break
    chosen = set(names.values())
    return fields, names, {key: value for key, value in record.items() if key not in chosen}


def _article(
    fields: Mapping[str, object],
    names: Mapping[str, str],
    metadata: Mapping[str, object],
    *,
    source: str,
    line: int | None,
    default_id: str | None,
    where: str = "",
    key_lines: Mapping[str, int] | None = None,
) -> Result:
    def report(code: str, about: str | None = None, **values: object) -> Problem:
        at = key_lines.get(names.get(about, ""), line) if key_lines and about else line
        return problem(code, source, at, where, **values)

    fields = {name: clean(value) if isinstance(value, str) else value for name, value in fields.items()}
    strings: dict[str, str] = {}
    for field in ("title", "text", "lang", "url"):
        value = fields.get(field)
        if value is not None and not isinstance(value, str):
            return report("E013", field, field=names[field], expected="a string", got=_type_name(value)), []
        strings[field] = value or ""
    text, title = strings["text"], strings["title"].strip()
    if not _CONTENT.search(text):
        return report("E004"), []
    raw_id = fields.get("id")
    if isinstance(raw_id, str) and not raw_id.strip():  # nothing left once cleaned
        raw_id = None
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        return report(
            "E013", "id", field=names["id"], expected="a string or an integer", got=_type_name(raw_id)
        ), []
    article_id = str(raw_id).strip() if raw_id is not None else default_id or _hash_id(text)
    meta = tuple(sorted((clean(str(key)), clean(_meta_value(value))) for key, value in metadata.items()))
    # Lone surrogates (JSON "\ud800" escapes) cannot be written as UTF-8 by any later stage.
    if _SURROGATE.search("".join([article_id, title, text, strings["url"], *(v for _, v in meta)])):
        return report("E002", reason="lone surrogate code point in a field"), []
    side_problems: list[Problem] = []
    published = None
    try:
        published = normalise_date(fields.get("published"))
    except ValueError:
        raw_date = fields.get("published")
        side_problems.append(report("E012", "published", value=raw_date, field=names["published"]))
    return (
        Article(
            id=article_id,
            title=title,
            text=text,
            lang=_lang_code(strings["lang"]) or detect_language(title + "\n" + text),
            published=published,
            url=strings["url"].strip() or None,
            source=source,
            line=line,
            metadata=meta,
        ),
        side_problems,
    )


def _lang_code(value: str) -> str | None:
    primary = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return primary[:2] if len(primary) >= 2 and primary[:2].isascii() and primary[:2].isalpha() else None


def _meta_value(value: object) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError, RecursionError):  # e.g. YAML mappings with mixed-type keys
        return str(value)


def _hash_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _type_name(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "a mapping"}
    return names.get(type(value), type(value).__name__)


def _attr(tag: object, name: str) -> str | None:
    value = tag.get(name) if isinstance(tag, Tag) else None
    return " ".join(value) if isinstance(value, list) else value


def _collapse(text: str) -> str:
    return " ".join(text.split())
