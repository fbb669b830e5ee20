"""Mapping validation: every error kind is reported with its code, file, line and key path.

Each test copies the small valid mapping set of tests/fixtures/mappings/ into a temporary
folder, breaks one thing, and checks the ``MappingError`` that ``load_mappings`` raises.
Line numbers are looked up in the edited file, so the fixture may grow without the tests
going stale, but every assertion still pins one exact line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import URIRef

from kgbuild import schema
from kgbuild.config import SCHEMAS, load_mappings
from kgbuild.errors import MappingError, Problem

KG = "https://w3id.org/kgbuild/ontology#"
Breaker = Callable[[Path], set[tuple[str, str, str]]]  # breaks a mapping copy, returns the expected problems


# ---- helpers ----------------------------------------------------------------------------


@pytest.fixture
def mdir(tmp_path: Path, fixture_mappings: Path) -> Path:
    """A private, writable copy of the fixture mapping set."""
    target = tmp_path / "mappings"
    shutil.copytree(fixture_mappings, target)
    return target


def edit(folder: Path, name: str, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``folder/name``."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{name}: expected exactly one {old!r} in the fixture"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(folder: Path, name: str, needle: str) -> int:
    """1-based number of the only line of ``folder/name`` that contains ``needle``."""
    lines = (folder / name).read_text(encoding="utf-8").splitlines()
    found = [number for number, line in enumerate(lines, 1) if needle in line]
    assert len(found) == 1, f"{name}: {needle!r} is on lines {found}, expected exactly one"
    return found[0]


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(MappingError) as caught:
        load_mappings(folder)
    problems = caught.value.problems
    assert problems, "MappingError raised without problems"
    # The exception text is the list of problems, one a line: what the CLI prints.
    assert str(caught.value).splitlines() == [str(p) for p in problems]
    return problems


def listing(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems)


def only(problems: list[Problem], code: str) -> Problem:
    """The single problem with ``code``; no other problems may be reported."""
    assert [p.code for p in problems] == [code], f"expected one {code}, got:\n{listing(problems)}"
    return problems[0]


def check(p: Problem, code: str, folder: Path, name: str, line: int | None, path: str) -> None:
    """Code, file, line and key path, and the printed form ``file:line: path: message [code]``."""
    assert (p.code, p.file, p.line, p.path) == (code, str(folder / name), line, path), str(p)
    where = str(folder / name) + (f":{line}" if line is not None else "")
    middle = f" {path}:" if path else ""
    assert str(p) == f"{where}:{middle} {p.message} [{code}]"


# ---- the valid fixture ------------------------------------------------------------------


def test_valid_fixture_loads(fixture_mappings: Path) -> None:
    m = load_mappings(fixture_mappings)
    assert [e.id for e in m.gazetteer] == ["iraq", "usa", "mosul", "isis", "coalition", "iraq-gov",
                                           "ashton-carter"]
    carter = m.gazetteer_by_id["ashton-carter"]
    assert carter.type.value == "Person"
    assert carter.labels["ar"] == "آشتون كارتر" and carter.surnames["en"] == ("Carter",)
    assert carter.country == "usa"
    assert m.gazetteer_by_id["iraq"].wikidata == "Q796"
    assert m.gazetteer_by_id["isis"].aliases["en"] == ("ISIS", "ISIL")
    assert [r.id for r in m.roles] == ["defence-minister", "commander", "spokesperson", "brigadier"]
    assert m.role_by_id["defence-minister"].national is True
    assert m.role_by_id["commander"].national is False
    assert m.ranks == ("brigadier",)
    assert "الجنرال" in m.titles["ar"]
    assert m.cues["ar"].verbs[0] == ("قال", "قالت", "يقول")
    assert m.cues["en"].complementizers == ("that",)
    assert (6, "حزيران") in m.calendar.months["ar"]
    assert m.calendar.relative_days["ar"]["أمس"] == -1
    assert [(t.id, t.broader) for t in m.topics] == [("security", None), ("terrorism", "security")]
    assert m.rdf.base == "https://w3id.org/kgbuild/id/"
    assert m.rdf.prop("Statement", "speaker") == URIRef(KG + "speaker")
    assert m.rdf.classes["TextField"] == (URIRef(KG + "TextField"),
                                         URIRef("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/"
                                                "nif-core#Context"))
    assert m.spacy_models == {"ar": None, "en": None}


def test_project_mappings_load(project_mappings: Path) -> None:
    try:
        m = load_mappings(project_mappings)
    except MappingError as err:
        pytest.fail(f"the project's mappings/ do not load:\n{err}")
    assert m.gazetteer, "mappings/gazetteer.yaml lists no entities"
    assert m.roles, "mappings/roles.yaml lists no roles"
    assert m.cues["ar"].verbs and m.cues["en"].verbs


# ---- one problem at a time --------------------------------------------------------------


def test_yaml_syntax_error_e101(mdir: Path) -> None:
    edit(mdir, "roles.yaml", "  - id: commander\n", "  - id: commander: oops\n")
    p = only(problems_of(mdir), "E101")
    check(p, "E101", mdir, "roles.yaml", line_of(mdir, "roles.yaml", "commander: oops"), "")
    assert "mapping values are not allowed here" in p.message


def test_unknown_key_e102(mdir: Path) -> None:
    edit(mdir, "gazetteer.yaml", "    wikidata: Q796\n", "    wikidata: Q796\n    colour: red\n")
    p = only(problems_of(mdir), "E102")
    check(p, "E102", mdir, "gazetteer.yaml", line_of(mdir, "gazetteer.yaml", "colour: red"),
          "entities[0].colour")
    assert "unknown key 'colour'" in p.message and "aliases" in p.message


def test_wrong_type_e103(mdir: Path) -> None:
    edit(mdir, "roles.yaml", 'forms: {ar: ["قائد", "قائدا"]', 'forms: {ar: "قائد"')
    p = only(problems_of(mdir), "E103")
    line = line_of(mdir, "roles.yaml", 'forms: {ar: "قائد"')
    check(p, "E103", mdir, "roles.yaml", line, "roles[1].forms.ar")
    assert str(p) == f"{mdir / 'roles.yaml'}:{line}: roles[1].forms.ar: expected a list, got a string [E103]"


def test_number_out_of_range_e103(mdir: Path) -> None:
    edit(mdir, "calendar.yaml", "{number: 7,", "{number: 13,")
    p = only(problems_of(mdir), "E103")
    check(p, "E103", mdir, "calendar.yaml", line_of(mdir, "calendar.yaml", "number: 13"), "months[1].number")
    assert "13" in p.message


def test_missing_key_e104(mdir: Path) -> None:
    edit(mdir, "topics.yaml", '    keywords: {ar: ["أمن", "امني"], en: ["security"]}\n', "")
    p = only(problems_of(mdir), "E104")
    check(p, "E104", mdir, "topics.yaml", line_of(mdir, "topics.yaml", "- id: security"), "topics[0]")
    assert p.message == "missing required key 'keywords'"


def test_missing_language_label_e104(mdir: Path) -> None:
    edit(mdir, "gazetteer.yaml", 'labels: {ar: "الموصل", en: "Mosul"}', 'labels: {ar: "الموصل"}')
    p = only(problems_of(mdir), "E104")
    check(p, "E104", mdir, "gazetteer.yaml", line_of(mdir, "gazetteer.yaml", 'labels: {ar: "الموصل"}'),
          "entities[2].labels")
    assert p.message == "missing required key 'en'"


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("    cue: kg:cue\n", "    cue: kg:spokenCue\n", "properties.Statement.cue"),
        ("    cue: kg:cue\n", "    cue: foo:cue\n", "properties.Statement.cue"),  # undeclared prefix
        # A list item: written [0] like every other list index (roles[1], entities[3]).
        ("Statement: [kg:Statement]", "Statement: [kg:Statment]", "classes.Statement[0]"),
    ],
    ids=["unknown-term", "unknown-prefix", "class-list-item"],
)
def test_unknown_ontology_term_e105(mdir: Path, old: str, new: str, path: str) -> None:
    edit(mdir, "rdf.yaml", old, new)
    p = only(problems_of(mdir), "E105")
    term = new.split(":", 1)[1].strip(" []\n")
    check(p, "E105", mdir, "rdf.yaml", line_of(mdir, "rdf.yaml", term), path)
    assert p.message == f"unknown ontology term '{term}'"


def _regex_fields(node: object, where: str = "") -> list[str]:
    """Key paths of every schema.Regex in a schema tree."""
    if isinstance(node, schema.Regex):
        return [where]
    found: list[str] = []
    if isinstance(node, schema.Record):
        for key, sub in {**node.required, **node.optional}.items():
            found += _regex_fields(sub, f"{where}.{key}" if where else key)
    elif isinstance(node, schema.ListOf):
        found += _regex_fields(node.item, f"{where}[]")
    elif isinstance(node, schema.MapOf):
        found += _regex_fields(node.value, f"{where}.*")
    elif isinstance(node, schema.Either):
        for option in node.options:
            found += _regex_fields(option, where)
    return found


def test_regex_fields_are_covered() -> None:
    fields = [f"{name}.yaml: {path}" for name, tree in SCHEMAS.items() for path in _regex_fields(tree)]
    assert fields == ["grammar.yaml: interview_markers.answer", "grammar.yaml: interview_markers.question"], \
        "a new Regex field needs its own E106 case below"


def test_invalid_regex_e106(mdir: Path) -> None:
    edit(mdir, "grammar.yaml", 'question: "^', 'question: "(unclosed^')
    p = only(problems_of(mdir), "E106")
    expected = ("E106", str(mdir / "grammar.yaml"), "interview_markers.question")
    assert (p.code, p.file, p.path) == expected, str(p)
    assert p.line == line_of(mdir, "grammar.yaml", "question:"), str(p)
    # where in the expression: its first character, the "(" never closed
    assert p.message.startswith("invalid regular expression: missing ), unterminated subpattern "
                                "at position 0, at '(unclosed^"), str(p)


@pytest.mark.parametrize(
    ("regex", "where"),
    [
        ("a{3,1}", "min repeat greater than max repeat at position 2, at '3,1}'"),
        ("ab)", "unbalanced parenthesis at position 2, at ')'"),
        ("ab\\", "bad escape (end of pattern) at position 2, at '\\'"),
        ("x(", "missing ), unterminated subpattern at position 1, at '('"),
    ],
    ids=["repeat", "parenthesis", "escape", "end"],
)
def test_invalid_regex_reports_its_position(mdir: Path, regex: str, where: str) -> None:
    answer = next(line for line in (mdir / "grammar.yaml").read_text(encoding="utf-8").splitlines()
                  if line.startswith("  answer:"))
    edit(mdir, "grammar.yaml", answer, f"  answer: '{regex}'")
    p = only(problems_of(mdir), "E106")
    check(p, "E106", mdir, "grammar.yaml", line_of(mdir, "grammar.yaml", "answer:"),
          "interview_markers.answer")
    assert p.message == f"invalid regular expression: {where}"


@pytest.mark.parametrize(
    ("old", "new", "needle", "path", "reason"),
    [
        ("{LOWER: task}, {LOWER: force}", "{LOWER: task}, {COLOUR: red}", "COLOUR: red",
         "patterns[0].pattern[1].COLOUR", "Extra inputs are not permitted"),
        ("{LIKE_NUM: true}", "{LIKE_NUM: often}", "LIKE_NUM: often", "patterns[0].pattern[2].LIKE_NUM",
         "Input should be a valid boolean"),
        ("pattern: [{LOWER: daesh}]", "pattern: [daesh]", "pattern: [daesh]", "patterns[1].pattern[0]",
         "Input should be a valid dictionary or instance of TokenPattern"),
        ("pattern: [{LOWER: daesh}]", "pattern: []", "pattern: []", "patterns[1].pattern",
         "List should have at least 1 item after validation, not 0"),
        ("{LOWER: {IN: [bin, ibn]}}", "{LOWER: {IN: bin}}", "IN: bin", "patterns[2].pattern[1].LOWER.IN",
         "Input should be a valid list"),
        ("{IS_TITLE: true}]", "{IS_TITLE: true, OP: many}]", "OP: many", "patterns[2].pattern[2].OP",
         "Input should be '+', '*', '?' or '!'; or String should match pattern"),
        ("[{NORM: مخيم}", "[{_: {camp: true}}", "camp: true", "patterns[3].pattern[0]._.camp",
         "no token extension 'camp' is registered"),
    ],
    ids=["unknown-attribute", "wrong-type", "token-not-mapping", "empty", "in-not-list", "operator",
         "extension"],
)
def test_invalid_spacy_pattern_e107(mdir: Path, old: str, new: str, needle: str, path: str,
                                    reason: str) -> None:
    edit(mdir, "patterns.yaml", old, new)
    p = only(problems_of(mdir), "E107")
    check(p, "E107", mdir, "patterns.yaml", line_of(mdir, "patterns.yaml", needle), path)
    assert p.message.startswith(f"invalid spaCy token pattern: {reason}"), str(p)


def test_pattern_regex_e106(mdir: Path) -> None:
    edit(mdir, "patterns.yaml", 'REGEX: "^ال"', 'REGEX: "^ال[ا-ي"')
    p = only(problems_of(mdir), "E106")
    check(p, "E106", mdir, "patterns.yaml", line_of(mdir, "patterns.yaml", "REGEX"),
          "patterns[3].pattern[1].NORM.REGEX")
    assert p.message == "invalid regular expression: unterminated character set at position 3, at '[ا-ي'"


@pytest.mark.parametrize(
    ("old", "new", "needle", "code", "path", "message"),
    [
        ("gazetteer: isis", "gazetteer: daish", "gazetteer: daish", "E110", "patterns[1].gazetteer",
         "reference to unknown entity 'daish'"),
        ("  - type: Person\n", "  - type: Person\n    gazetteer: usa\n", "type: Person", "E114",
         "patterns[2].type", "type Person differs from Place, the type of gazetteer entry 'usa'"),
        ("    lang: ar\n", "    lang: fa\n", "lang: fa", "E109", "patterns[3].lang",
         "unknown value 'fa' (expected one of: ar, en)"),
    ],
    ids=["unknown-entry", "other-type", "language"],
)
def test_pattern_entry_problems(mdir: Path, old: str, new: str, needle: str, code: str, path: str,
                                message: str) -> None:
    edit(mdir, "patterns.yaml", old, new)
    p = only(problems_of(mdir), code)
    check(p, code, mdir, "patterns.yaml", line_of(mdir, "patterns.yaml", needle), path)
    assert p.message == message


def test_patterns_file_is_optional(mdir: Path) -> None:
    (mdir / "patterns.yaml").unlink()
    assert load_mappings(mdir).patterns == ()


@pytest.mark.parametrize(
    ("name_old", "name_new", "alias", "other"),
    [
        # "داعش" is already an alias of isis; giving it to coalition too is the error.
        ('aliases: {ar: ["الائتلاف الدولي"]', 'aliases: {ar: ["الائتلاف الدولي", "داعش"]', "داعش", "isis"),
        # Equal up to Arabic orthography (hamza on alef, alef maqsura) is the same alias: usa
        # (entry 1) now claims the coalition's alias, so the coalition (entry 4) is reported.
        ('aliases: {ar: ["أمريكا", "واشنطن"]', 'aliases: {ar: ["أمريكا", "واشنطن", "الإئتلاف الدولى"]',
         "الائتلاف الدولي", "usa"),
    ],
    ids=["exact", "folded"],
)
def test_alias_on_two_entries_e108(mdir: Path, name_old: str, name_new: str, alias: str, other: str) -> None:
    edit(mdir, "gazetteer.yaml", name_old, name_new)
    p = only(problems_of(mdir), "E108")
    gazetteer = str(mdir / "gazetteer.yaml")
    assert (p.code, p.file, p.path) == ("E108", gazetteer, "entities[4].aliases.ar"), str(p)
    # The coalition entry's first line or the line of its aliases: both show the user the place.
    coalition = {line_of(mdir, "gazetteer.yaml", "- id: coalition"),
                 line_of(mdir, "gazetteer.yaml", 'aliases: {ar: ["الائتلاف')}
    assert p.line in coalition, str(p)
    other_alias_line = 'aliases: {ar: ["داعش"' if other == "isis" else "أمريكا"
    other_lines = {line_of(mdir, "gazetteer.yaml", f"- id: {other}"),
                   line_of(mdir, "gazetteer.yaml", other_alias_line)}
    messages = {f"alias '{alias}' is also given for '{other}' (at line {n})" for n in other_lines}
    assert p.message in messages, str(p)
    assert str(p) == f"{p.file}:{p.line}: {p.path}: {p.message} [E108]"


def test_bad_choice_e109(mdir: Path) -> None:
    edit(mdir, "gazetteer.yaml", "    type: Person\n", "    type: Robot\n")
    p = only(problems_of(mdir), "E109")
    check(p, "E109", mdir, "gazetteer.yaml", line_of(mdir, "gazetteer.yaml", "type: Robot"),
          "entities[6].type")
    assert p.message == "unknown value 'Robot' (expected one of: Person, Organisation, Place)"


@pytest.mark.parametrize(
    ("name", "old", "new", "path", "kind", "value"),
    [
        ("gazetteer.yaml", "    country: iraq\n", "    country: atlantis\n", "entities[5].country",
         "entity", "atlantis"),
        ("gazetteer.yaml", "    country: usa\n", "    country: usa\n    affiliation: us-dod\n",
         "entities[6].affiliation", "entity", "us-dod"),
        ("topics.yaml", "broader: security", "broader: politics", "topics[1].broader", "topic", "politics"),
        ("roles.yaml", "ranks: [brigadier]", "ranks: [brigadier, colonel]", "ranks[1]", "role", "colonel"),
    ],
    ids=["country", "affiliation", "broader", "ranks"],
)
def test_unknown_reference_e110(mdir: Path, name: str, old: str, new: str, path: str, kind: str,
                                value: str) -> None:
    edit(mdir, name, old, new)
    p = only(problems_of(mdir), "E110")
    needle = new.strip().splitlines()[-1]
    check(p, "E110", mdir, name, line_of(mdir, name, needle), path)
    assert p.message == f"reference to unknown {kind} '{value}'"


@pytest.mark.parametrize(
    ("name", "old", "new", "path", "value"),
    [
        ("gazetteer.yaml", "  - id: mosul\n", "  - id: iraq\n", "entities[2].id", "iraq"),
        ("roles.yaml", "  - id: spokesperson\n", "  - id: commander\n", "roles[2].id", "commander"),
        ("topics.yaml", "  - id: terrorism\n", "  - id: security\n", "topics[1].id", "security"),
    ],
    ids=["gazetteer", "roles", "topics"],
)
def test_duplicate_id_e111(mdir: Path, name: str, old: str, new: str, path: str, value: str) -> None:
    original = (mdir / name).read_text(encoding="utf-8").splitlines()
    first = next(n for n, line in enumerate(original, 1) if line == new.rstrip("\n"))
    second = next(n for n, line in enumerate(original, 1) if line == old.rstrip("\n"))
    edit(mdir, name, old, new)
    p = only(problems_of(mdir), "E111")
    check(p, "E111", mdir, name, second, path)
    assert p.message == f"duplicate id '{value}' (first at line {first})"


def test_missing_file_e112(mdir: Path) -> None:
    (mdir / "calendar.yaml").unlink()
    p = only(problems_of(mdir), "E112")
    check(p, "E112", mdir, "calendar.yaml", None, "")
    assert p.message == f"mapping file not found: {mdir / 'calendar.yaml'}"


# ---- every problem of a run at once -----------------------------------------------------


def _break_schema_and_references(m: Path) -> set[tuple[str, str, str]]:
    edit(m, "roles.yaml", 'forms: {ar: ["قائد", "قائدا"]', 'forms: {ar: "قائد"')
    edit(m, "gazetteer.yaml", "    type: Person\n", "    type: Robot\n")
    edit(m, "gazetteer.yaml", "    wikidata: Q796\n", "    wikidata: Q796\n    colour: red\n")
    edit(m, "topics.yaml", "broader: security", "broader: politics")
    edit(m, "rdf.yaml", "    cue: kg:cue\n", "    cue: kg:spokenCue\n")
    edit(m, "calendar.yaml", "{number: 7,", "{number: 13,")
    return {
        ("E103", "roles.yaml", "roles[1].forms.ar"),
        ("E109", "gazetteer.yaml", "entities[6].type"),
        ("E102", "gazetteer.yaml", "entities[0].colour"),
        ("E110", "topics.yaml", "topics[1].broader"),
        ("E105", "rdf.yaml", "properties.Statement.cue"),
        ("E103", "calendar.yaml", "months[1].number"),
    }


def _break_files_and_ids(m: Path) -> set[tuple[str, str, str]]:
    (m / "names.yaml").unlink()
    edit(m, "cues.yaml", "  complementizers: [\"أن\", \"إن\", \"بأن\"]\n", "  complementizers: [\"أن\"\n")
    edit(m, "gazetteer.yaml", "  - id: mosul\n", "  - id: iraq\n")
    edit(m, "roles.yaml", "ranks: [brigadier]", "ranks: [colonel]")
    edit(m, "topics.yaml", "  - id: terrorism\n", "  - id: security\n")
    return {
        ("E112", "names.yaml", ""),
        ("E101", "cues.yaml", ""),
        ("E111", "gazetteer.yaml", "entities[2].id"),
        ("E110", "roles.yaml", "ranks[0]"),
        ("E111", "topics.yaml", "topics[1].id"),
    }


@pytest.mark.parametrize("breaker", [_break_schema_and_references, _break_files_and_ids],
                         ids=["schema-and-references", "files-syntax-and-ids"])
def test_all_problems_reported_together(mdir: Path, breaker: Breaker) -> None:
    expected = breaker(mdir)
    problems = problems_of(mdir)
    got = {(p.code, Path(p.file).name, p.path) for p in problems}
    assert got == expected, listing(problems)
    assert len(problems) == len(expected), listing(problems)
    assert all(p.file.startswith(str(mdir)) for p in problems)


# Every kind of problem, several in one file, in one copy of the fixture: (code, file, a
# needle naming the problem's line, or None for a whole file, key path).
EVERY_KIND = [
    ("E101", "cues.yaml", "en:", ""),  # the unclosed list of the line before is seen here
    ("E102", "gazetteer.yaml", "colour: red", "entities[4].colour"),
    ("E108", "gazetteer.yaml", '"الائتلاف الدولي", "داعش"', "entities[4].aliases.ar"),
    ("E109", "gazetteer.yaml", "type: Robot", "entities[6].type"),
    ("E103", "roles.yaml", 'forms: {ar: "قائد"', "roles[1].forms.ar"),
    ("E103", "calendar.yaml", "number: 13", "months[1].number"),
    ("E104", "topics.yaml", "- id: security", "topics[0]"),
    ("E110", "topics.yaml", "broader: politics", "topics[1].broader"),
    ("E105", "rdf.yaml", "kg:Statment", "classes.Statement[0]"),
    ("E105", "rdf.yaml", "kg:spokenCue", "properties.Statement.cue"),
    ("E116", "rdf.yaml", "entity: kg:Mention", "properties.Mention.entity"),
    ("E106", "grammar.yaml", "(unclosed^", "interview_markers.question"),
    ("E110", "patterns.yaml", "gazetteer: daish", "patterns[1].gazetteer"),
    ("E107", "patterns.yaml", "IS_TITLE: maybe", "patterns[2].pattern[0].IS_TITLE"),
    ("E106", "patterns.yaml", 'REGEX: "(ال"', "patterns[3].pattern[1].NORM.REGEX"),
    ("E112", "names.yaml", None, ""),
]


def _break_every_kind(m: Path) -> None:
    edit(m, "cues.yaml", "  complementizers: [\"أن\", \"إن\", \"بأن\"]\n", "  complementizers: [\"أن\"\n")
    # the coalition entry holds an unknown key and an alias of isis: both are reported
    anaphors = '    anaphors: {ar: ["التحالف"]}\n'
    edit(m, "gazetteer.yaml", anaphors, anaphors + "    colour: red\n")
    aliases = 'aliases: {ar: ["الائتلاف الدولي"'
    edit(m, "gazetteer.yaml", aliases + "]", aliases + ', "داعش"]')
    edit(m, "gazetteer.yaml", "    type: Person\n", "    type: Robot\n")
    edit(m, "roles.yaml", 'forms: {ar: ["قائد", "قائدا"]', 'forms: {ar: "قائد"')
    edit(m, "calendar.yaml", "{number: 7,", "{number: 13,")
    edit(m, "topics.yaml", '    keywords: {ar: ["أمن", "امني"], en: ["security"]}\n', "")
    edit(m, "topics.yaml", "broader: security", "broader: politics")
    edit(m, "rdf.yaml", "Statement: [kg:Statement]", "Statement: [kg:Statment]")
    edit(m, "rdf.yaml", "    cue: kg:cue\n", "    cue: kg:spokenCue\n")
    edit(m, "rdf.yaml", "    entity: kg:mentionOf\n", "    entity: kg:Mention\n")
    edit(m, "grammar.yaml", 'question: "^', 'question: "(unclosed^')
    edit(m, "patterns.yaml", "gazetteer: isis", "gazetteer: daish")
    edit(m, "patterns.yaml", "[{IS_TITLE: true}, {LOWER: {IN:", "[{IS_TITLE: maybe}, {LOWER: {IN:")
    edit(m, "patterns.yaml", 'REGEX: "^ال"', 'REGEX: "(ال"')
    (m / "names.yaml").unlink()


def test_every_kind_of_problem_in_one_run(mdir: Path, root: Path, tmp_path: Path) -> None:
    _break_every_kind(mdir)
    problems = problems_of(mdir)
    got = [(p.code, Path(p.file).name, p.path) for p in problems]
    assert sorted(got) == sorted((code, name, path) for code, name, _, path in EVERY_KIND), listing(problems)
    by_path = {(p.code, Path(p.file).name, p.path): p for p in problems}
    for code, name, needle, path in EVERY_KIND:
        line = line_of(mdir, name, needle) if needle is not None else None
        check(by_path[code, name, path], code, mdir, name, line, path)
    assert by_path["E108", "gazetteer.yaml", "entities[4].aliases.ar"].message.startswith(
        "alias 'داعش' is also given for 'isis'")
    assert by_path["E116", "rdf.yaml", "properties.Mention.entity"].message == \
        "ontology term 'kg:Mention' is a class, but a property is needed here"
    assert by_path["E107", "patterns.yaml", "patterns[2].pattern[0].IS_TITLE"].message == \
        "invalid spaCy token pattern: Input should be a valid boolean"
    assert by_path["E106", "patterns.yaml", "patterns[3].pattern[1].NORM.REGEX"].message == \
        "invalid regular expression: missing ), unterminated subpattern at position 0, at '(ال'"

    # the command line prints the same lines, every one, and no traceback
    article = tmp_path / "article.txt"
    article.write_text("Task Force 88 struck near Mosul.\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "kgbuild.cli", "build", str(article), "-o", str(tmp_path / "out"),
         "--mappings", str(mdir)],
        cwd=root, capture_output=True, text=True, encoding="utf-8", timeout=300, check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode != 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    printed = proc.stderr.splitlines()
    for p in problems:
        assert any(line.endswith(str(p)) for line in printed), f"not printed: {p}\n{proc.stderr}"
    assert len([line for line in printed if re.search(r"\[E1\d\d\]$", line)]) == len(problems), proc.stderr


def test_wrong_types_never_crash_the_checks(mdir: Path) -> None:
    """Values of the wrong type where the checks between entries and files look: each is
    reported once, and nothing is made of it (no reference or alias problems follow)."""
    breaks = [
        ("gazetteer.yaml", "  - id: mosul\n", "  - id: [mosul]\n", "entities[2].id", "- id: [mosul]"),
        ("gazetteer.yaml", 'labels: {ar: "تنظيم داعش", en: "Islamic State"}', "labels: [isis]",
         "entities[3].labels", "labels: [isis]"),
        ("gazetteer.yaml", 'aliases: {ar: ["الائتلاف الدولي"]', 'aliases: {ar: "الائتلاف الدولي"',
         "entities[4].aliases.ar", 'aliases: {ar: "الائتلاف'),
        ("gazetteer.yaml", "    country: iraq\n", "    country: {id: iraq}\n", "entities[5].country",
         "country: {id: iraq}"),
        ("roles.yaml", "ranks: [brigadier]", "ranks: brigadier", "ranks", "ranks: brigadier"),
        ("topics.yaml", "broader: security", "broader: [security]", "topics[1].broader",
         "broader: [security]"),
        ("grammar.yaml", "  ar: {بقيادة: commander}\n", "  ar: [بقيادة, commander]\n", "led_by.ar",
         "ar: [بقيادة, commander]"),
        ("rdf.yaml", "    cue: kg:cue\n", "    cue: [kg:cue]\n", "properties.Statement.cue", "cue: [kg:cue]"),
        ("patterns.yaml", "gazetteer: isis", "gazetteer: {id: isis}", "patterns[1].gazetteer",
         "gazetteer: {id: isis}"),
        ("names.yaml", "en: {female: [Sarah, Hillary, Mary]", "en: {female: Sarah",
         "gendered_given_names.en.female", "female: Sarah"),
    ]
    for name, old, new, _, _ in breaks:
        edit(mdir, name, old, new)
    problems = problems_of(mdir)
    assert {p.code for p in problems} == {"E103"}, listing(problems)
    assert sorted((Path(p.file).name, p.line, p.path) for p in problems) == sorted(
        (name, line_of(mdir, name, needle), path) for name, _, _, path, needle in breaks), listing(problems)


def test_whole_lists_of_the_wrong_type(mdir: Path) -> None:
    """A list the checks walk that is not a list at all: one problem each, no crash."""
    (mdir / "gazetteer.yaml").write_text("entities: {iraq: Place}\n", encoding="utf-8")
    (mdir / "roles.yaml").write_text("titles: {}\nroles: 5\n", encoding="utf-8")
    (mdir / "topics.yaml").write_text("topics: null\n", encoding="utf-8")
    (mdir / "patterns.yaml").write_text("patterns: [5, {type: Place, pattern: {LOWER: x}}]\n",
                                        encoding="utf-8")
    (mdir / "rdf.yaml").write_text("- a list\n", encoding="utf-8")
    problems = problems_of(mdir)
    assert sorted((p.code, Path(p.file).name, p.line, p.path) for p in problems) == [
        ("E103", "gazetteer.yaml", 1, "entities"),
        ("E103", "patterns.yaml", 1, "patterns[0]"),
        ("E103", "patterns.yaml", 1, "patterns[1].pattern"),
        ("E103", "rdf.yaml", 1, ""),
        ("E103", "roles.yaml", 2, "roles"),
        ("E103", "topics.yaml", 1, "topics"),
    ], listing(problems)


def test_key_given_twice_e115(mdir: Path) -> None:
    edit(mdir, "gazetteer.yaml", "    wikidata: Q796\n", "    wikidata: Q796\n    wikidata: Q1\n")
    p = only(problems_of(mdir), "E115")
    check(p, "E115", mdir, "gazetteer.yaml", line_of(mdir, "gazetteer.yaml", "wikidata: Q1"),
          "entities[0].wikidata")
    first = line_of(mdir, "gazetteer.yaml", "Q796")
    assert p.message == f"key 'wikidata' is given twice (first at line {first})"


def test_unreadable_file_e101(mdir: Path) -> None:
    (mdir / "topics.yaml").write_bytes("scheme: {ar: x, en: y}\ntopics: []\n# \xe9\n".encode("latin-1"))
    p = only(problems_of(mdir), "E101")
    check(p, "E101", mdir, "topics.yaml", 3, "")
    assert p.message == "invalid YAML: not UTF-8 text (invalid continuation byte at byte 36)"
