"""Every user-facing error as a coded constant, in one place.

Messages are format strings; callers fill them with ``.format(**values)``.  Codes are
stable: tests, docs and users grep for them.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    # graph, query and validation (E2xx)
    E201 = "cannot parse graph: {reason}"
    E202 = "query failed: {reason}"
    E203 = "invalid binding '{binding}': expected VAR=VALUE"
    E204 = "no named query '{name}' (known: {known})"
    E205 = "query variable '{var}' is not used by the query"
    E206 = "graph does not conform to the shapes: {count} violation(s)"
    E207 = "unknown output format '{format}'"
    E208 = "spaCy pipeline '{name}' named in the config cannot be loaded: {reason}"
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


def problem(code: str, file: str = "", line: int | None = None, path: str = "", **values: object) -> Problem:
    template: str = getattr(Errors, code)
    return Problem(code, template.format(**values), file, line, path)


class KGBuildError(Exception):
    """An error meant for the user: carries one or more Problems and no traceback is shown."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))


class MappingError(KGBuildError):
    """The mapping YAML is invalid; every problem found is listed."""


class QueryError(KGBuildError):
    """A query could not be prepared or run."""
