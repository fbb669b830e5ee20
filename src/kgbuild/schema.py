"""A small schema language for the mapping YAML, checked on the YAML node tree.

Working on nodes rather than on loaded Python values keeps the line of every value, so a
problem reads ``mappings/roles.yaml:42: roles[3].forms.ar: expected a list, got a string``.
Every problem of a file is collected; nothing stops at the first.

``check`` also returns the part of the value that has the schema's types: a value of the
wrong type becomes None (in a list, so that indices still match the file) or is left out
(in a mapping).  Checks across files run on it, so a broken entry costs only itself: they
never meet a value of an unexpected type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from .errors import Problem, problem

Checker = Callable[[yaml.Node, str, "Context"], None]


@dataclass
class Context:
    file: str
    problems: list[Problem] = field(default_factory=list)

    def report(self, code: str, node: yaml.Node | None, path: str, **values: object) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(problem(code, file=self.file, line=line, path=path, **values))


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":null"):
            return "nothing (null)"
        if node.tag.endswith(":int"):
            return "a number"
        if node.tag.endswith(":bool"):
            return "true/false"
        return "a string"
    return "something else"


class Schema:
    def check(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        """Report the node's problems; return its value where it has the right type, else None."""
        raise NotImplementedError


def _construct(node: yaml.Node) -> Any:
    """The plain Python value of a node, as yaml.safe_load would give it."""
    return SafeConstructor().construct_document(node)


class Str(Schema):
    """A string; a string of the wrong form is reported but kept, as its type is right."""

    def __init__(self, pattern: str | None = None, non_empty: bool = True):
        self.pattern = re.compile(pattern) if pattern else None
        self.non_empty = non_empty

    def check(self, node: yaml.Node, path: str, ctx: Context) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag.endswith((":null", ":bool", ":map", ":seq")):
            ctx.report("E103", node, path, expected="a string", got=_kind(node))
            return None
        value = str(node.value)
        if self.non_empty and not value.strip():
            ctx.report("E103", node, path, expected="a non-empty string", got="an empty string")
        elif self.pattern and not self.pattern.fullmatch(value):
            ctx.report("E103", node, path, expected=f"a string matching {self.pattern.pattern}",
                       got=repr(value))
        return value


class Int(Schema):
    def __init__(self, low: int | None = None, high: int | None = None):
        self.low, self.high = low, high

    def check(self, node: yaml.Node, path: str, ctx: Context) -> int | None:
        if not isinstance(node, yaml.ScalarNode) or not node.tag.endswith(":int"):
            ctx.report("E103", node, path, expected="a whole number", got=_kind(node))
            return None
        value = int(_construct(node))  # YAML writes numbers int() cannot read: 0x1F, 1_000
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            ctx.report("E103", node, path, expected=f"a number from {self.low} to {self.high}",
                       got=str(value))
        return value


class Bool(Schema):
    def check(self, node: yaml.Node, path: str, ctx: Context) -> bool | None:
        if not isinstance(node, yaml.ScalarNode) or not node.tag.endswith(":bool"):
            ctx.report("E103", node, path, expected="true or false", got=_kind(node))
            return None
        return bool(_construct(node))


class Null(Schema):
    def check(self, node: yaml.Node, path: str, ctx: Context) -> None:
        if not isinstance(node, yaml.ScalarNode) or not node.tag.endswith(":null"):
            ctx.report("E103", node, path, expected="null", got=_kind(node))


class Choice(Schema):
    def __init__(self, *values: str):
        self.values = values

    def check(self, node: yaml.Node, path: str, ctx: Context) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.value not in self.values:
            got = node.value if isinstance(node, yaml.ScalarNode) else _kind(node)
            ctx.report("E109", node, path, value=got, expected=", ".join(self.values))
            return None
        return str(node.value)


def regex_error(pattern: str) -> str | None:
    """Why ``pattern`` is no regular expression, with where in it the error is; None if it is."""
    try:
        re.compile(pattern)
    except re.error as err:
        if err.pos is None:
            return err.msg
        where = f"at position {err.pos}"
        if "\n" in pattern and err.lineno is not None:
            where += f" (line {err.lineno}, column {err.colno})"
        rest = pattern[err.pos:]
        shown = f"'{rest[:20]}…'" if len(rest) > 20 else f"'{rest}'" if rest else "the end of the pattern"
        return f"{err.msg} {where}, at {shown}"
    return None


class Regex(Str):
    def check(self, node: yaml.Node, path: str, ctx: Context) -> str | None:
        value = super().check(node, path, ctx)
        if value is not None:
            reason = regex_error(value)
            if reason is not None:
                ctx.report("E106", node, path, reason=reason)
        return value


class Either(Schema):
    """The first alternative whose check passes wins; otherwise its problems are reported."""

    def __init__(self, *options: Schema):
        self.options = options

    def check(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        first: list[Problem] | None = None
        for option in self.options:
            trial = Context(ctx.file)
            value = option.check(node, path, trial)
            if not trial.problems:
                return value
            first = first if first is not None else trial.problems
        ctx.problems.extend(first or [])
        return None


class ListOf(Schema):
    def __init__(self, item: Schema, min_items: int = 0):
        self.item, self.min_items = item, min_items

    def check(self, node: yaml.Node, path: str, ctx: Context) -> list[Any] | None:
        if not isinstance(node, yaml.SequenceNode):
            ctx.report("E103", node, path, expected="a list", got=_kind(node))
            return None
        if len(node.value) < self.min_items:
            ctx.report("E103", node, path, expected=f"at least {self.min_items} item(s)",
                       got=str(len(node.value)))
        return [self.item.check(child, f"{path}[{index}]", ctx) for index, child in enumerate(node.value)]


def _duplicate_key(node: yaml.MappingNode, path: str, ctx: Context) -> set[int]:
    """Report keys given twice in one mapping (YAML would keep the last silently); the
    positions of the repeats, which are then skipped."""
    first_line: dict[str, int] = {}
    repeats: set[int] = set()
    for position, (key_node, _) in enumerate(node.value):
        key = str(key_node.value)
        if key in first_line:
            ctx.report("E115", key_node, _join(path, key), key=key, first_line=first_line[key])
            repeats.add(position)
        else:
            first_line[key] = key_node.start_mark.line + 1
    return repeats


class MapOf(Schema):
    """A mapping with free keys (checked by ``key``) and values of one schema."""

    def __init__(self, value: Schema, key: Schema | None = None):
        self.value, self.key = value, key or Str()

    def check(self, node: yaml.Node, path: str, ctx: Context) -> dict[str, Any] | None:
        if not isinstance(node, yaml.MappingNode):
            ctx.report("E103", node, path, expected="a mapping", got=_kind(node))
            return None
        repeats = _duplicate_key(node, path, ctx)
        checked: dict[str, Any] = {}
        for position, (key_node, value_node) in enumerate(node.value):
            if position in repeats:
                continue
            key = self.key.check(key_node, path, ctx)
            value = self.value.check(value_node, _join(path, str(key_node.value)), ctx)
            if key is not None and value is not None:
                checked[str(key)] = value
        return checked


class Record(Schema):
    """A mapping with known keys; unknown keys and missing required keys are problems."""

    def __init__(self, required: dict[str, Schema] | None = None, optional: dict[str, Schema] | None = None,
                 extra: Callable[[yaml.MappingNode, str, Context], None] | None = None):
        self.required = required or {}
        self.optional = optional or {}
        self.extra = extra

    def check(self, node: yaml.Node, path: str, ctx: Context) -> dict[str, Any] | None:
        if not isinstance(node, yaml.MappingNode):
            ctx.report("E103", node, path, expected="a mapping", got=_kind(node))
            return None
        seen: set[str] = set()
        known = {**self.required, **self.optional}
        repeats = _duplicate_key(node, path, ctx)
        checked: dict[str, Any] = {}
        for position, (key_node, value_node) in enumerate(node.value):
            key = str(key_node.value)
            seen.add(key)
            schema = known.get(key)
            if position in repeats:
                continue
            if schema is None:
                ctx.report("E102", key_node, _join(path, key), key=key, expected=", ".join(sorted(known)))
                continue
            value = schema.check(value_node, _join(path, key), ctx)
            if value is not None:
                checked[key] = value
        for key in self.required:
            if key not in seen:
                ctx.report("E104", node, path or "<top>", key=key)
        if self.extra:
            self.extra(node, path, ctx)
        return checked


class TokenPattern(Schema):
    """A spaCy Matcher token pattern, checked by spaCy's own pattern schema and by adding it
    to a Matcher.  A problem's key path goes down to the token attribute at fault."""

    def check(self, node: yaml.Node, path: str, ctx: Context) -> list[dict[str, Any]] | None:
        if not isinstance(node, yaml.SequenceNode):
            ctx.report("E103", node, path, expected="a list of token patterns", got=_kind(node))
            return None
        pattern = _construct(node)
        before = len(ctx.problems)
        for sub, at, message in _spacy_schema_errors(node, pattern):
            ctx.report("E107", at, path + sub, reason=message)
        for index, (token_node, token) in enumerate(zip(node.value, pattern, strict=True)):
            if isinstance(token, dict):
                self._check_token(token_node, token, f"{path}[{index}]", ctx)
        if len(ctx.problems) == before:
            refusal = _matcher_error(pattern)
            if refusal is not None:
                ctx.report("E107", node, path, reason=refusal)
        return pattern if len(ctx.problems) == before else None

    @staticmethod
    def _check_token(node: yaml.Node, token: dict[str, Any], path: str, ctx: Context) -> None:
        """What spaCy's schema lets through but matching would fail on: a regular expression
        that does not compile, an extension attribute nobody registered."""
        from spacy.tokens import Token

        for attr, value in token.items():
            attr_node = _child_node(node, str(attr))
            if attr == "_" and isinstance(value, dict):
                for name in value:
                    if not Token.has_extension(str(name)):
                        ctx.report("E107", _child_node(attr_node, str(name)), f"{path}._.{name}",
                                   reason=f"no token extension '{name}' is registered")
                continue
            if not isinstance(value, dict):
                continue
            for op, operand in value.items():
                if str(op).upper() == "REGEX" and isinstance(operand, str):
                    reason = regex_error(operand)
                    if reason is not None:
                        ctx.report("E106", _child_node(attr_node, str(op)), f"{path}.{attr}.{op}",
                                   reason=reason)


def _child_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    return child(node, key) if isinstance(node, yaml.MappingNode) else None


def _spacy_schema_errors(node: yaml.Node, pattern: list[Any]) -> list[tuple[str, yaml.Node, str]]:
    """spaCy's schema errors as (key path below the pattern, node, message).

    The schema tries each form a value may take (a string, or a mapping of operators), and
    reports every failed one; the deepest error along a path is the one that names the
    mistake, so an error at a path holding a deeper one is left out."""
    from pydantic import ValidationError
    from spacy.schemas import TokenPatternSchema

    try:
        TokenPatternSchema(pattern=pattern)
    except ValidationError as err:
        found: dict[str, tuple[yaml.Node, list[str]]] = {}
        for error in err.errors():
            at, sub = _follow(node, tuple(error.get("loc", ()))[1:])
            messages = found.setdefault(sub, (at, []))[1]
            if error["msg"] not in messages:
                messages.append(error["msg"])
        return [(sub, at, "; or ".join(messages)) for sub, (at, messages) in found.items()
                if not any(other.startswith((sub + ".", sub + "[")) for other in found)]
    return []


def _follow(node: yaml.Node, loc: tuple[int | str, ...]) -> tuple[yaml.Node, str]:
    """The node and key path an error location leads to.  Steps naming no key or index
    (the schema's own names for the forms it tried, such as ``TokenPatternString``) are
    passed over."""
    path = ""
    for step in loc:
        if isinstance(step, int) and isinstance(node, yaml.SequenceNode) and 0 <= step < len(node.value):
            node, path = node.value[step], f"{path}[{step}]"
        elif isinstance(step, str) and isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if str(k.value).upper() == step.upper()), None)
            if found is not None:
                node, path = found[1], f"{path}.{found[0].value}"
    return node, path


def _matcher_error(pattern: list[Any]) -> str | None:
    """Why a spaCy Matcher refuses ``pattern`` beyond its schema (no tokens at all, say)."""
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    try:
        Matcher(Vocab(), validate=True).add("pattern", [pattern])
    except (ValueError, re.error) as err:
        return " ".join(str(err).split())
    return None


def LangMap(value: Schema, required: Iterable[str] = ()) -> Record:
    langs = {"ar": value, "en": value}
    req = {k: langs[k] for k in required}
    return Record(required=req, optional={k: v for k, v in langs.items() if k not in req})


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def child(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in node.value:
        if key_node.value == key:
            return value_node
    return None


def load_yaml(text: str, file: str) -> tuple[yaml.Node | None, Any, list[Problem]]:
    """The node tree and the plain value of a YAML document, or the syntax problem."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            value = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        reason = err.problem or str(err)
        return None, None, [problem("E101", file=file, line=line, reason=reason)]
    except yaml.YAMLError as err:
        return None, None, [problem("E101", file=file, reason=str(err))]
    return node, value, []
