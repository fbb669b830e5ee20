"""Every user-facing error as a coded constant, in one place.

Messages are format strings; callers fill them with ``.format(**values)``.  Codes are
stable: tests, docs and users grep for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Errors:
    # ingest (E0xx)
    E001 = "cannot read file: {reason}"
    E002 = "not valid UTF-8 text ({reason})"
    E003 = "invalid JSON: {reason}"
    E004 = "record has no text"
    E005 = "record is not a JSON object"
    E006 = "unsupported file type '{suffix}' (expected .txt, .md, .html, .htm, .json or .jsonl)"
    E007 = "invalid YAML front matter: {reason}"
    E008 = "file is empty"
    E009 = "duplicate article id '{id}' (first seen at {first})"
    E010 = "no such file or folder"
    E011 = "binary file (holds NUL bytes)"
    E012 = "invalid date '{value}' in field '{field}'"
    E013 = "field '{field}' must be {expected}, got {got}"
    E014 = "no article records in the file"
    E015 = "not UTF-8: decoded as Windows-1256 (Arabic); the article is kept"
    E016 = "{count} byte(s) not valid UTF-8 replaced by U+FFFD (the first at byte offset {offset})"
    E017 = "binary file, not text: {share}% of its characters are control characters"
    E018 = ("article too long: {size} characters with its title, over the limit of {limit} "
            "(--max-article-chars)")
    E019 = ("too large to read whole: {size}, over the limit of {cap} bytes (16 per character of "
            "--max-article-chars); split it, or give the articles as JSON lines")
    E020 = ("line too long: {size} bytes, over the limit of {cap} bytes (16 per character of "
            "--max-article-chars)")
    E021 = "internal error while reading this file ({reason}); this is a bug, please report it with the file"
    E022 = "HTML page with more than {limit} tags (a quarter of --max-article-chars)"
    E023 = ("not a regular file ({kind}) inside a folder: skipped; name it on the command line to read "
            "it as a stream")
    # mappings (E1xx)
    E101 = "invalid YAML: {reason}"
    E102 = "unknown key '{key}' (expected one of: {expected})"
    E103 = "expected {expected}, got {got}"
    E104 = "missing required key '{key}'"
    E105 = "unknown ontology term '{term}'"
    E106 = "invalid regular expression: {reason}"
    E107 = "invalid spaCy token pattern: {reason}"
    E108 = "alias '{alias}' is also given for '{other}' (at line {other_line})"
    E109 = "unknown value '{value}' (expected one of: {expected})"
    E110 = "reference to unknown {kind} '{value}'"
    E111 = "duplicate id '{value}' (first at line {first_line})"
    E112 = "mapping file not found: {missing}"
    E113 = "'{value}' is also listed as {other} (at line {other_line})"
    E114 = "type {type} differs from {entry_type}, the type of gazetteer entry '{id}'"
    E115 = "key '{key}' is given twice (first at line {first_line})"
    E116 = "ontology term '{term}' is {actual}, but {expected} is needed here"
    E117 = "cannot read mapping file: {reason}"
    # graph, query and validation (E2xx)
    E201 = "cannot parse graph: {reason}"
    E202 = "query failed: {reason}"
    E203 = "invalid binding '{binding}': expected VAR=VALUE"
    E204 = "no named query '{name}' (known: {known})"
    E205 = "query variable '{var}' is not used by the query"
    E206 = "graph does not conform to the shapes: {count} violation(s)"
    E207 = "unknown output format '{format}'"
    E208 = "spaCy pipeline '{name}' named in the config cannot be loaded: {reason}"
    E209 = "updates are refused: kgbuild query only reads (found {operations})"
    E210 = ("{construct} is refused: a query reads only the graph it is given, never other "
            "endpoints, the network or files")
    E211 = "function <{iri}> is refused: only SPARQL's built-in functions and XSD casts may be called"
    E212 = "invalid {setting} '{value}': expected {expected}"
    E213 = ("the query was stopped after {seconds} s (raise the limit with --timeout SECONDS "
            "or KGBUILD_QUERY_TIMEOUT; 0 = no limit)")
    E214 = ("the query has more than {limit} rows and only the first {limit} are given (raise the "
            "limit with --max-rows N or KGBUILD_QUERY_MAX_ROWS; 0 = no limit)")
    E215 = "does not conform to the shapes: {node}{prop}: {message}"
    E216 = "the shapes could not be checked: {reason}"
    # extraction (E3xx)
    E301 = "article '{id}' could not be analysed and was skipped: {reason}"
    E302 = "the spool of an earlier build cannot be read: {reason}; run a full build (without --update)"
    E303 = ("the spool was built with other mappings or another version of kgbuild; "
            "run a full build (without --update)")
    E304 = "bad build option: {reason}"
    E305 = "the graph store cannot be opened: {reason}"
    E306 = "the Dask engine failed: {reason}"
    E307 = ("another kgbuild build ({holder}) is writing to this folder; wait for it to end or choose "
            "another --output")
    E308 = "the output folder cannot be locked: {reason}"
    E309 = ("this folder is from an interrupted build (pid {pid}, started {started}): its files may mix two "
            "builds; run `{command}` to complete it")
    E310 = "a build (pid {pid}) is replacing the files of this folder; until it ends they may mix two builds"
    E311 = "the output must be a folder, and this is a file"
    # build and command line (E39x)
    E390 = "--max-article-chars must be a whole number from 1 to {ceiling}, got {value}"
    E391 = "stopped at the first problem (--strict); the output folder is as it was before"
    E392 = "cannot read or write a file: {reason}"
    E398 = "interrupted"
    E399 = ("internal error: {reason}; this is a bug, please report it with the input "
            "(KGBUILD_DEBUG=1 shows the traceback)")


# Problems after which the article is still kept (a warning); every other problem costs the
# article, record or file it names.
KEPT_WITH_WARNING = frozenset({"E012", "E015", "E016"})


@dataclass(frozen=True)
class Problem:
    """One reported problem with a location, printed as ``file:line: [code] message``."""

    code: str
    message: str
    file: str = ""
    line: int | None = None
    path: str = ""  # key path inside a mapping file, e.g. entities[3].aliases.ar

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        middle = f" {self.path}:" if self.path else ""
        return f"{where}:{middle} {self.message} [{self.code}]"


def outcome(found: Problem) -> str:
    """"kept" when the article named by ``found`` still lands (a warning), else "skipped"."""
    return "kept" if found.code in KEPT_WITH_WARNING else "skipped"


def problem(code: str, file: str = "", line: int | None = None, path: str = "", **values: object) -> Problem:
    template: str = getattr(Errors, code)
    return Problem(code, template.format(**values), file, line, path)


class KGBuildError(Exception):
    """An error meant for the user: carries one or more Problems and no traceback is shown.

    ``exit_status`` is what the command line exits with: 1 (something was reported) unless
    a subclass says otherwise.
    """

    exit_status = 1

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))


class MappingError(KGBuildError):
    """The mapping YAML is invalid; every problem found is listed."""

    exit_status = 2


class QueryError(KGBuildError):
    """A query could not be prepared or run."""

    exit_status = 2


class UsageError(KGBuildError):
    """An option out of range or a combination of options that cannot work."""

    exit_status = 2


class QueryTimedOut(QueryError):
    """A query ran past its time limit and was stopped (E213): the query was valid, so
    this is a failure to answer, not a usage error."""

    exit_status = 1


class RowLimitReached(QueryError):
    """A query has more rows than its row limit (E214).  Carries the columns and the rows
    up to the limit, so a caller can show them and say that more exist."""

    exit_status = 1

    def __init__(self, problems: list[Problem] | Problem, columns: list[str], rows: list[tuple[Any, ...]]):
        super().__init__(problems)
        self.columns = columns
        self.rows = rows
