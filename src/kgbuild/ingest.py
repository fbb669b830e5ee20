"""Read news articles from text, Markdown, HTML and JSON files into ``Article`` records.

Bad input never raises: it becomes a coded ``Problem`` yielded in place of the article, so one
broken file or line does not stop a run.  A bad date is the exception to "in place of": the
article is still yielded (with ``published=None``) next to an E012 problem.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO, TextIO

import yaml
from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from kgbuild.errors import Problem, problem
from kgbuild.records import Article

SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"})
STDIN_NAME = "<stdin>"

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

_DROP = frozenset(
    {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg", "template"}
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

# The article (or the problem that replaced it) plus problems that do not cost the article.
Result = tuple[Article | Problem, list[Problem]]


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings, so a bad date is E012 (article kept), not E007."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# --- public API --------------------------------------------------------------------------------


def iter_articles(
    paths: Sequence[str | os.PathLike[str]], stdin: TextIO | None = None
) -> Iterator[Article | Problem]:
    """Yield every article (and every problem) found in ``paths``; ``-`` reads ``stdin``."""
    if isinstance(paths, str | os.PathLike):  # a lone path string would otherwise be read per character
        paths = [paths]
    seen: dict[str, str] = {}
    for given in paths:
        for item in _read_given(os.fspath(given), stdin):
            if isinstance(item, Article):
                first = seen.get(item.id)
                if first is not None:
                    yield problem("E009", item.source, item.line, id=item.id, first=first)
                    continue
                seen[item.id] = item.source if item.line is None else f"{item.source}:{item.line}"
            yield item


def read_path(path: Path) -> Iterator[Article | Problem]:
    """Read one file, whatever its suffix (an unsupported one is E006)."""
    return _flatten(_read_file(Path(path), str(path)))


def parse_text_document(raw: str, source: str, default_id: str) -> Article | Problem:
    """A .txt/.md body; a bad date leaves ``published=None`` (only the readers report E012)."""
    return _text_document(raw, source, default_id)[0]


def parse_html(raw: str, source: str, default_id: str) -> Article | Problem:
    return _html(raw, source, default_id)[0]


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


def _flatten(results: Iterable[Result]) -> Iterator[Article | Problem]:
    for item, side_problems in results:
        yield from side_problems
        yield item


def _read_given(name: str, stdin: TextIO | None) -> Iterator[Article | Problem]:
    if name == "-":
        yield from _flatten(_read_stdin(stdin if stdin is not None else sys.stdin))
        return
    path = Path(name)
    if not name or not (path.exists() or path.is_symlink()):  # Path("") would mean the current folder
        yield problem("E010", name)
    elif path.is_dir():
        for found in _walk(name):
            if isinstance(found, Problem):
                yield found
            else:
                yield from _flatten(_read_file(Path(found), found))
    else:
        yield from _flatten(_read_file(path, name))


def _walk(folder: str) -> Iterator[str | Problem]:
    errors: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=errors.append):
        yield from (problem("E001", str(e.filename or root), reason=e.strerror or str(e)) for e in errors)
        errors.clear()
        # Hidden entries are editor swap files, .git and the like, never articles.
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in SUFFIXES:
                yield os.path.join(root, name)
    yield from (problem("E001", str(e.filename or folder), reason=e.strerror or str(e)) for e in errors)


def _read_file(path: Path, source: str) -> Iterator[Result]:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield problem("E006", source, suffix=path.suffix), []
        return
    if suffix == ".jsonl":
        yield from _jsonl_file(path, source, path.stem)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield _unreadable(exc, source), []
        return
    text = _decode(data, source)
    if isinstance(text, Problem):
        yield text, []
    elif suffix == ".json":
        yield from _json_document(text, source, path.stem)
    elif suffix == ".jsonl":
        yield from _json_lines(text, source, path.stem)
    elif suffix in (".html", ".htm"):
        yield _html(text, source, path.stem)
    else:
        yield _text_document(text, source, path.stem)


def _decode(data: bytes, source: str) -> str | Problem:
    # The utf-16 codec reads the BOM to learn the byte order; a UTF-8 BOM goes in _clean_text.
    codec = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8"
    if codec == "utf-8" and b"\0" in data:  # checked first: binary files are rarely valid UTF-8
        return problem("E011", source)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1 if codec == "utf-8" else None
        reason = f"{exc.reason}: byte 0x{data[exc.start]:02x} at offset {exc.start}"
        return problem("E002", source, line, reason=reason)
    return _clean_text(text, source)


def _clean_text(text: str, source: str) -> str | Problem:
    text = text.removeprefix("\ufeff")
    if "\0" in text:
        return problem("E011", source)
    if not text.strip():
        return problem("E008", source)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_stdin(stream: TextIO) -> Iterator[Result]:
    try:
        raw = stream.read()
    except UnicodeDecodeError as exc:
        yield problem("E002", STDIN_NAME, reason=str(exc)), []
        return
    except OSError as exc:
        yield problem("E001", STDIN_NAME, reason=exc.strerror or str(exc)), []
        return
    text = _clean_text(raw, STDIN_NAME)
    if isinstance(text, Problem):
        yield text, []
        return
    start = text.lstrip()[:1]
    if start == "{" and not _parses(text) and any(_parses(line, dict) for line in text.split("\n")):
        yield from _json_lines(text, STDIN_NAME, None)
    elif start in ("{", "["):
        yield from _json_document(text, STDIN_NAME, None)
    else:
        yield _text_document(text, STDIN_NAME, None)


def _parses(text: str, kind: type = object) -> bool:
    try:
        return isinstance(json.loads(text), kind)
    except (ValueError, RecursionError):
        return False


# --- formats -----------------------------------------------------------------------------------


_HEAD_BYTES = 8192  # read first, to tell UTF-16 and binary files apart


def _unreadable(exc: OSError, source: str) -> Problem:
    if isinstance(exc, FileNotFoundError):
        return problem("E010", source)
    return problem("E001", source, reason=exc.strerror or str(exc))


def _jsonl_file(path: Path, source: str, stem: str) -> Iterator[Result]:
    """A JSON-lines file read one line at a time, so that a file of any size streams
    through a build.  A file that starts as UTF-16 or binary is judged whole, as every
    other file is; after that a line that is not UTF-8 or holds a NUL is reported on its
    own (with its line number) and the other lines still land."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield _unreadable(exc, source), []
        return
    with handle:
        try:
            head = handle.read(_HEAD_BYTES)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\0" in head:
                text = _decode(head + handle.read(), source)
                if isinstance(text, Problem):
                    yield text, []
                else:
                    yield from _json_lines(text, source, stem)
                return
            handle.seek(0)
            lines = _nonempty_lines(handle, source)
            first = next(lines, None)
            if first is None:
                yield problem("E008", source), []
                return
            second = next(lines, None)
            single = second is None
            for item in (first, second) if second is not None else (first,):
                yield _jsonl_item(item, source, stem, single)
            for item in lines:
                yield _jsonl_item(item, source, stem, single)
        except OSError as exc:
            yield problem("E001", source, reason=exc.strerror or str(exc)), []


def _nonempty_lines(handle: BinaryIO, source: str) -> Iterator[tuple[int, str] | Problem]:
    """(line number, text) of each line with content, or a problem for a line that cannot
    be read; numbered as _clean_text would number them (CRLF and CR end lines too)."""
    number, offset = 0, 0
    for raw in handle:
        size = len(raw)
        body = raw[:-1] if raw.endswith(b"\n") else raw
        if body.endswith(b"\r") and raw.endswith(b"\n"):
            body = body[:-1]
        start = offset  # of the part in the file, for error messages
        for part in body.split(b"\r"):
            number += 1
            part_start, start = start, start + len(part) + 1
            if offset == 0 and number == 1:
                part = part.removeprefix(codecs.BOM_UTF8)
            if b"\0" in part:
                yield problem("E011", source, number)
                continue
            try:
                text = part.decode("utf-8")
            except UnicodeDecodeError as exc:
                reason = f"{exc.reason}: byte 0x{part[exc.start]:02x} at offset {part_start + exc.start}"
                yield problem("E002", source, number, reason=reason)
                continue
            if text.strip():
                yield number, text
        offset += size


def _jsonl_item(item: tuple[int, str] | Problem, source: str, stem: str, single: bool) -> Result:
    if isinstance(item, Problem):
        return item, []
    number, line = item
    obj = _load_json(line, source, number)
    if isinstance(obj, Problem):
        return obj, []
    return _json_record(obj[0], source, number, stem if single else f"{stem}-{number}", "")


def _json_lines(text: str, source: str, stem: str | None) -> Iterator[Result]:
    numbered = [(number, line) for number, line in enumerate(text.split("\n"), 1) if line.strip()]
    for number, line in numbered:
        default_id = stem if stem is None or len(numbered) == 1 else f"{stem}-{number}"
        obj = _load_json(line, source, number)
        if isinstance(obj, Problem):
            yield obj, []
        else:
            yield _json_record(obj[0], source, number, default_id, "")


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
        return (json.loads(text),)
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
        loaded = _load_front_matter("\n".join(lines[1:end]), source)
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


def _html(raw: str, source: str, default_id: str | None) -> Result:
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

    strings: dict[str, str] = {}
    for field in ("title", "text", "lang", "url"):
        value = fields.get(field)
        if value is not None and not isinstance(value, str):
            return report("E013", field, field=names[field], expected="a string", got=_type_name(value)), []
        strings[field] = value or ""
    text, title = strings["text"], strings["title"].strip()
    if not text.strip():
        return report("E004"), []
    raw_id = fields.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        return report(
            "E013", "id", field=names["id"], expected="a string or an integer", got=_type_name(raw_id)
        ), []
    article_id = str(raw_id).strip() if raw_id is not None else default_id or _hash_id(text)
    meta = tuple(sorted((str(key), _meta_value(value)) for key, value in metadata.items()))
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
