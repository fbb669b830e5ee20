"""English "he said" / "she said": the nearest named person whose gender fits the pronoun.

Gender comes from a title before a mention (fixture names.yaml ``gendered_titles``) or from
the first word of the name (``gendered_given_names``; for a gazetteer person its English
label). A person of unknown gender fits both pronouns; when nobody fits, the nearest person is
taken as before. Arabic is never affected.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kgbuild.config import load_mappings
from kgbuild.errors import MappingError
from kgbuild.extract import analyse
from kgbuild.gender import name_gender, person_gender, pronoun_gender
from kgbuild.nlp import get_mappings, make_pipeline
from kgbuild.records import Article

FIXTURES = Path(__file__).parent / "fixtures" / "mappings"
CARTER = "gaz:ashton-carter"
CLINTON = "gaz:hillary-clinton"
TRUMP = "gaz:donald-trump"


@pytest.fixture(scope="module")
def mappings_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture mappings plus two gazetteer persons whose gender only their labels tell."""
    folder = tmp_path_factory.mktemp("mappings")
    for path in FIXTURES.iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)
    with (folder / "gazetteer.yaml").open("a", encoding="utf-8") as handle:
        handle.write('  - id: hillary-clinton\n    type: Person\n'
                     '    labels: {ar: "هيلاري كلينتون", en: "Hillary Clinton"}\n'
                     '    surnames: {en: ["Clinton"]}\n'
                     '  - id: donald-trump\n    type: Person\n'
                     '    labels: {ar: "دونالد ترامب", en: "Donald Trump"}\n'
                     '    surnames: {en: ["Trump"]}\n')
    return folder


def statements(text: str, folder: Path, lang: str = "en") -> list[tuple[str, str, str]]:
    result = analyse(Article(id="t", title="", text=text, lang=lang, published="2015-07-24"), str(folder))
    return [(s.speaker_key, s.cue.text, s.content.text) for s in result.statements]


CASES = [
    # a gazetteer person's English label tells the gender: "she" passes over Trump
    ('Hillary Clinton met Donald Trump on Monday. "We will win," she said.',
     [(CLINTON, "said", "We will win")]),
    ('Donald Trump met Hillary Clinton on Monday. "We will win," he said.',
     [(TRUMP, "said", "We will win")]),
    # titles before the names
    ("Mr. Smith and Ms. Jones spoke on Monday. She said the plan would fail.",
     [("person:jones", "said", "the plan would fail")]),
    ("Ms. Jones and Mr. Smith spoke on Monday. He said the plan would fail.",
     [("person:smith", "said", "the plan would fail")]),
    # a title before any one mention tells the gender of the later, bare ones
    ("Ms. Jones met Mr. Smith. Jones and Smith spoke on Monday. He said the plan would fail.",
     [("person:smith", "said", "the plan would fail")]),
    # a listed first name of a person found in the text
    ("Sarah Palin met John Kerry on Monday. He said the plan would fail.",
     [("person:john-kerry", "said", "the plan would fail")]),
    ("John Kerry met Sarah Palin on Monday. She said the plan would fail.",
     [("person:sarah-palin", "said", "the plan would fail")]),
    # a gazetteer person from the fixture gazetteer (Ashton → male)
    ("Sarah Palin met Ashton Carter on Monday. He said the plan would fail.",
     [(CARTER, "said", "the plan would fail")]),
    # the speaker of the sentence before is skipped when the gender does not fit
    ('"We will win," Ashton Carter told Ms. Jones. She said the plan would fail.',
     [(CARTER, "told", "We will win"), ("person:jones", "said", "the plan would fail")]),
    # unknown gender fits both pronouns: the nearest person, as before
    ("General Brown met General Green on Monday. She said the plan would fail.",
     [("person:brown", "said", "the plan would fail")]),
    ("Mr. Smith met General Green on Monday. She said the plan would fail.",
     [("person:green", "said", "the plan would fail")]),
    # nobody fits: the nearest person, as before (the one meant was named further back)
    ("Mr. Smith met Mr. Brown on Monday. She said the plan would fail.",
     [("person:smith", "said", "the plan would fail")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:50] for c in CASES])
def test_pronoun_goes_to_nearest_compatible_person(text: str, expected: list[tuple[str, str, str]],
                                                    mappings_dir: Path) -> None:
    assert statements(text, mappings_dir) == expected


def test_arabic_unchanged(mappings_dir: Path, tmp_path: Path) -> None:
    """Arabic output is the same with and without the gender lists."""
    text = ("التقى الجنرال آشتون كارتر السيدة سارة في بغداد.\n\n"
            "وقال كارتر إن التحالف سيواصل الضربات. وقالت السيدة سارة إن الخطة ستفشل.")
    plain = tmp_path / "plain"
    shutil.copytree(mappings_dir, plain)
    names = plain / "names.yaml"
    names.write_text(names.read_text(encoding="utf-8").split("gendered_titles:")[0], encoding="utf-8")
    assert statements(text, mappings_dir, "ar") == statements(text, plain, "ar")


def test_gender_functions(mappings_dir: Path) -> None:
    mappings = get_mappings(str(mappings_dir))
    grammar = {key: words["en"] for key, words in mappings.grammar.items()}
    assert [pronoun_gender(word, grammar) for word in ("she", "he", "they")] == ["female", "male", None]
    assert name_gender("Hillary Clinton", mappings) == "female"
    assert name_gender("Robin Smith", mappings) is None
    doc = make_pipeline("en", str(mappings_dir))("Mr. Smith met Sarah Palin and General Green.")
    keys = {m.key for m in doc._.kg_mentions}
    assert {k: person_gender(doc, mappings, k) for k in keys} == {
        "person:smith": "male", "person:sarah-palin": "female", "person:green": None}
    assert person_gender(doc, mappings, CLINTON) == "female"


def test_name_under_both_genders_is_reported_with_its_line(mappings_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(mappings_dir, folder)
    names = folder / "names.yaml"
    names.write_text(names.read_text(encoding="utf-8").replace("male: [John,", "male: [Sarah, John,"),
                     encoding="utf-8")
    with pytest.raises(MappingError) as err:
        load_mappings(folder)
    [problem] = err.value.problems
    assert (problem.code, Path(problem.file).name, problem.line, problem.path) == \
        ("E113", "names.yaml", 7, "gendered_given_names.en.male[0]")
    assert "'Sarah' is also listed as female (at line 7)" in problem.message
