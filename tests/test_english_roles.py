"""English role layouts (issue 3, item 3) with the project's own mappings: no model needed.

Each case gives the text and the roles read from it as (person, role concept, organisation,
represented place). Role concepts are the ones Arabic uses too: "Defense Secretary" and
وزير الدفاع are both `defence-minister`, "Sen." and السيناتور both `senator`.
"""

from __future__ import annotations

import pytest

from kgbuild.extract import analyse
from kgbuild.nlp import get_mappings
from kgbuild.records import Article

Role = tuple[str, str | None, str | None, str | None]


def roles(text: str, lang: str = "en") -> list[Role]:
    result = analyse(Article(id="t", title="", text=text, lang=lang, published="2016-07-24"))
    return sorted((r.person_key, r.role_concept, r.org_key, r.represents) for r in result.roles)


def labels(text: str) -> list[tuple[str, str]]:
    result = analyse(Article(id="t", title="", text=text, lang="en", published="2016-07-24"))
    return [(r.role_concept or "", r.role_label.text) for r in result.roles]


LAYOUTS: list[tuple[str, list[Role]]] = [
    # role before the name, the country from the holder's gazetteer entry
    ("Defense Secretary Ashton Carter said the troops were ready.",
     [("gaz:ashton-carter", "defence-minister", "gaz:usa", None)]),
    # apposition after the name
    ("Ashton Carter, the defense secretary, said the troops were ready.",
     [("gaz:ashton-carter", "defence-minister", "gaz:usa", None)]),
    # the organisation named after "of", a demonym inside its name
    ("Gen. Kenneth McKenzie, commander of U.S. Central Command, said the troops were ready.",
     [("gaz:kenneth-mckenzie", "commander", "gaz:centcom", None)]),
    # legislators' party-state tags: the body, the state represented, the party
    ("Sen. John McCain (R-Ariz.) said the troops were ready.",
     [("gaz:john-mccain", "party-member", "gaz:republican-party", None),
      ("gaz:john-mccain", "senator", "gaz:us-senate", "gaz:arizona")]),
    ("Rep. Adam Schiff (D-Calif.) said the troops were ready.",
     [("person:adam-schiff", "congressman", "gaz:us-house", "gaz:california"),
      ("person:adam-schiff", "party-member", "gaz:democratic-party", None)]),
    ("Sen. Lindsey Graham, R-S.C., said the troops were ready.",
     [("gaz:lindsey-graham", "party-member", "gaz:republican-party", None),
      ("gaz:lindsey-graham", "senator", "gaz:us-senate", "gaz:south-carolina")]),
    # an independent names no party
    ("Sen. Bernie Sanders (I-Vt.) said the troops were ready.",
     [("gaz:bernie-sanders", "senator", "gaz:us-senate", "gaz:vermont")]),
    # a demonym written before the role: the office of that country (as رئيس الوزراء العراقي)
    ("Iraqi Prime Minister Haider al-Abadi said the troops were ready.",
     [("gaz:haider-al-abadi", "prime-minister", "gaz:iraq", None)]),
    ("Secretary of State John Kerry said the troops were ready.",
     [("gaz:john-kerry", "foreign-minister", "gaz:usa", None)]),
    ("White House press secretary Josh Earnest said the troops were ready.",
     [("gaz:josh-earnest", "press-secretary", "gaz:white-house", None)]),
    ("FBI Director James Comey said the troops were ready.",
     [("gaz:james-comey", "director", "gaz:fbi", None)]),
    # a party office: the party's nominee, not the holder's usual employer
    ("Republican presidential nominee Donald Trump said the troops were ready.",
     [("gaz:donald-trump", "presidential-candidate", "gaz:republican-party", None)]),
    # a party word with a legislator's title: the body, and the party as a membership
    ("Republican Sen. John McCain said the troops were ready.",
     [("gaz:john-mccain", "party-member", "gaz:republican-party", None),
      ("gaz:john-mccain", "senator", "gaz:us-senate", None)]),
    # a state legislator is not in the US Senate
    ("Arizona state Sen. Kelli Ward said the troops were ready.",
     [("person:kelli-ward", "state-legislator", "gaz:arizona", None)]),
    # two offices of one man, each with its own organisation
    ("Republican presidential candidate Sen. Ted Cruz said the troops were ready.",
     [("gaz:ted-cruz", "presidential-candidate", "gaz:republican-party", None),
      ("gaz:ted-cruz", "senator", "gaz:us-senate", None)]),
]


@pytest.mark.parametrize(("text", "expected"), LAYOUTS, ids=[f"layout{i}" for i in range(len(LAYOUTS))])
def test_english_role_layouts(text: str, expected: list[Role]) -> None:
    assert roles(text) == sorted(expected)


NOT_ROLES = [
    # a role word in running text is no title of the name after it
    "The president should generally continue the policies of Barack Obama.",
    # the name qualifies someone else's office
    "Donald Trump adviser Roger Stone said the troops were ready.",
    "A spokeswoman for Clinton said the troops were ready.",
    # "fellow" is an adjective, not a research fellow
    "Ben Carson attacked fellow Ted Cruz on Monday.",
    # the title belongs to the name after the copula
    "Trump's closest competition is Senator Ted Cruz.",
]


@pytest.mark.parametrize("text", NOT_ROLES, ids=[f"not{i}" for i in range(len(NOT_ROLES))])
def test_english_non_roles(text: str) -> None:
    found = roles(text)
    assert all(concept not in ("president", "advisor", "spokesperson", "researcher")
               for _, concept, _, _ in found), found
    assert ("gaz:donald-trump", "senator", "gaz:us-senate", None) not in found


def test_role_label_covers_the_organisation() -> None:
    assert labels("Gen. Kenneth McKenzie, commander of U.S. Central Command, said it.") == \
        [("commander", "commander of U.S. Central Command")]


def test_english_and_arabic_share_role_concepts() -> None:
    english = roles("Defense Secretary Ashton Carter said the troops were ready.")
    arabic = roles("وقال وزير الدفاع الأميركي آشتون كارتر إن القوات جاهزة.", "ar")
    assert english == arabic
    mappings = get_mappings(None)
    senator = mappings.role_by_id["senator"]
    assert "السيناتور" in senator.forms["ar"] and "Sen." in senator.forms["en"]


def test_arabic_keeps_its_own_senator_resolution() -> None:
    # English-only logic (bodies, tags) leaves Arabic output as it was
    assert roles("وقال السيناتور جون ماكين إن القوات جاهزة.", "ar") == \
        [("gaz:john-mccain", "senator", "gaz:sasc", None)]
