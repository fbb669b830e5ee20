"""Mapping validation: every error kind is reported with its code, file, line and key path.

Each test copies the small valid mapping set of tests/fixtures/mappings/ into a temporary
folder, breaks one thing, and checks the ``MappingError`` that ``load_mappings`` raises.
Line numbers are looked up in the edited file, so the fixture may grow without the tests
going stale, but every assertion still pins one exact line.
"""

from __future__ import annotations

import shutil
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
    assert "missing ), unterminated subpattern" in p.message, str(p)


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
