"""A small schema language for the mapping YAML, checked on the YAML node tree.

Working on nodes rather than on loaded Python values keeps the line of every value, so a
problem reads ``mappings/roles.yaml:42: roles[3].forms.ar: expected a list, got a string``.
Every problem of a file is collected; nothing stops at the first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

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
    def check(self, node: yaml.Node, path: str, ctx: Context) -> None:
        raise NotImplementedError


class Str(Schema):
    def __init__(self, pattern: str | None = None, non_empty: bool = True):
        self.pattern = re.compile(pattern) if pattern else None
        self.non_empty = non_empty

    def check(self, node: yaml.Node, path: str, ctx: Context) -> None:
        if not isinstance(node, yaml.ScalarNode) or node.tag.endswith((":null", ":bool", ":map", ":seq")):
            ctx.report("E103", node, path, expected="a string", got=_kind(node))
            return
        value = str(node.value)
        if self.non_empty and not value.strip():
            ctx.report("E103", node, path, expected="a non-empty string", got="an empty string")
        elif self.pattern and not self.pattern.fullmatch(value):
            ctx.report("E103", node, path, expected=f"a string matching {self.pattern.pattern}",
                       got=repr(value))


class Int(Schema):
    def __init__(self, low: int | None = None, high: int | None = None):
        self.low, self.high = low, high

    def check(self, node: yaml.Node, path: str, ctx: Context) -> None:
        if not isinstance(node, yaml.ScalarNode) or not node.tag.endswith(":int"):
            ctx.report("E103", node, path, expected="a whole number", got=_kind(node))
            return
        value = int(node.value)
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            ctx.report("E103", node, path, expected=f"a number from {self.low} to {self.high}",
                       got=str(value))


class Bool(Schema):
    def check(self, node: yaml.Node, path: str, ctx: Context) -> None:
        if not isinstance(node, yaml.ScalarNode) or not node.tag.endswith(":bool"):
            ctx.report("E103", node, path, expected="true or false", got=_kind(node))


class Null(Schema):
    def check(self, node: yaml.Node, path: str, ctx: Context) -> None:
        if not isinstance(node, yaml.ScalarNode) or not node.tag.endswith(":null"):
            ctx.report("E103", node, path, expected="null", got=_kind(node))


class Choice(Schema):
    def __init__(self, *values: str):
        self.values = values

    def check(self, node: yaml.Node, path: str, ctx: Context) -> None:
        if not isinstance(node, yaml.ScalarNode) or node.value not in self.values:
            got = node.value if isinstance(node, yaml.ScalarNode) else _kind(node)
            ctx.report("E109", node, path, value=got, expected=", ".join(self.values))


class Regex(Str):
    def check(self, node: yaml.Node, path: str, ctx: Context) -> None:
        super().check(node, path, ctx)
        if isinstance(node, yaml.ScalarNode):
            try:
                re.compile(node.value)
            except re.error as err:
                ctx.report("E106", node, path, reason=str(err))


class Either(Schema):
    """The first alternative whose check passes wins; otherwise its problems are reported."""

    def __init__(self, *options: Schema):
        self.options = options

    def check(self, node: yaml.Node, path: str, ctx: Context) -> None:
        first: list[Problem] | None = None
        for option in self.options:
            trial = Context(ctx.file)
            option.check(node, path, trial)
            if not trial.problems:
                return
            first = first if first is not None else trial.problems
        ctx.problems.extend(first or [])


class ListOf(Schema):
    def __init__(self, item: Schema, min_items: int = 0):
        self.item, self.min_items = item, min_items

    def check(self, node: yaml.Node, path: str, ctx: Context) -> None:
        if not isinstance(node, yaml.SequenceNode):
            ctx.report("E103", node, path, expected="a list", got=_kind(node))
            return
        if len(node.value) < self.min_items:
            ctx.report("E103", node, path, expected=f"at least {self.min_items} item(s)",
                       got=str(len(node.value)))
        for index, child in enumerate(node.value):
            self.item.check(child, f"{path}[{index}]", ctx)


class MapOf(Schema):
    """A mapping with free keys (checked by ``key``) and values of one schema."""

    def __init__(self, value: Schema, key: Schema | None = None):
        self.value, self.key = value, key or Str()

    def check(self, node: yaml.Node, path: str, ctx: Context) -> None:
        if not isinstance(node, yaml.MappingNode):
            ctx.report("E103", node, path, expected="a mapping", got=_kind(node))
            return
        for key_node, value_node in node.value:
            self.key.check(key_node, path, ctx)
            self.value.check(value_node, _join(path, str(key_node.value)), ctx)


class Record(Schema):
    """A mapping with known keys; unknown keys and missing required keys are problems."""

    def __init__(self, required: dict[str, Schema] | None = None, optional: dict[str, Schema] | None = None,
                 extra: Callable[[yaml.MappingNode, str, Context], None] | None = None):
        self.required = required or {}
        self.optional = optional or {}
        self.extra = extra

    def check(self, node: yaml.Node, path: str, ctx: Context) -> None:
        if not isinstance(node, yaml.MappingNode):
            ctx.report("E103", node, path, expected="a mapping", got=_kind(node))
            return
        seen: set[str] = set()
        known = {**self.required, **self.optional}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            seen.add(key)
            schema = known.get(key)
            if schema is None:
                ctx.report("E102", key_node, _join(path, key), key=key, expected=", ".join(sorted(known)))
                continue
            schema.check(value_node, _join(path, key), ctx)
        for key in self.required:
            if key not in seen:
                ctx.report("E104", node, path or "<top>", key=key)
        if self.extra:
            self.extra(node, path, ctx)


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
