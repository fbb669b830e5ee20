"""English attribution layouts with the small fixture mappings (no shared data, no model).

Each case gives the text and the exact (speaker key, cue, content) of every statement read.
The fixture gazetteer knows Ashton Carter (surname Carter), the Global Coalition and ISIS;
every other name below is found from its context alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kgbuild.extract import analyse
from kgbuild.records import Article

MAPPINGS = str(Path(__file__).parent / "fixtures" / "mappings")


def statements(text: str) -> list[tuple[str, str, str]]:
    result = analyse(Article(id="t", title="", text=text, lang="en", published="2015-07-24"), MAPPINGS)
    return [(s.speaker_key, s.cue.text, s.content.text) for s in result.statements]


def mentions(text: str) -> list[tuple[str, str, str]]:
    result = analyse(Article(id="t", title="", text=text, lang="en", published="2015-07-24"), MAPPINGS)
    return [(m.entity_key, m.span.text, m.rule) for m in result.mentions]


CARTER = "gaz:ashton-carter"

LAYOUTS = [
    # quotation, then the speaker and the verb
    ('"We will win," Ashton Carter said.', [(CARTER, "said", "We will win")]),
    # the verb before the speaker, with an apposition after the name
    ('"We will win," said Ashton Carter, the defense secretary.', [(CARTER, "said", "We will win")]),
    # the doubled-apostrophe quotes of some English copy, a title before a known surname
    ("''We will win,'' Mr. Carter said.", [(CARTER, "said", "We will win")]),
    # a quotation resumed right after the attribution is one report
    ("“We will win,” Carter said. “The group is losing ground.”",
     [(CARTER, "said", "We will win … The group is losing ground.")]),
    # a colon before the quotation
    ('Ashton Carter said: "We will win."', [(CARTER, "said", "We will win.")]),
    # reported speech with and without "that"
    ("Ashton Carter said that the strikes would go on.", [(CARTER, "said", "the strikes would go on")]),
    ("Ashton Carter said the strikes would go on.", [(CARTER, "said", "the strikes would go on")]),
    # the reported clause before a sentence-final attribution
    ("The strikes would go on, Ashton Carter said on Friday.", [(CARTER, "said", "The strikes would go on")]),
    # an unknown name after the verb, with an apposition
    ("The strikes would go on, said Kellyanne Conway, a campaign adviser.",
     [("person:kellyanne-conway", "said", "The strikes would go on")]),
    # an unknown name before the verb; whom it was told is not the content
    ("Mike Pence told reporters that the campaign was strong.",
     [("person:mike-pence", "told", "the campaign was strong")]),
    # a single unknown name between a quotation and the verb
    ("“The campaign is strong,” Pence said.", [("person:pence", "said", "The campaign is strong")]),
    # a title and a single unknown name
    ("“Nobody is above the law,” Ms. Tanzer said.", [("person:tanzer", "said", "Nobody is above the law")]),
    # a quotation closing a clause reports the whole clause
    ("The prime minister ''looked ashen,'' Mr. Carter said.",
     [(CARTER, "said", "The prime minister ''looked ashen")]),
    # "that" opening a relative clause late in the content is not a complementizer
    ("Mike Pence says a president must be ready to act on a job that will affect everyone.",
     [("person:mike-pence", "says", "a president must be ready to act on a job that will affect everyone")]),
    # according to a named speaker, and to a described source
    ("The troops are ready, according to Ashton Carter.", [(CARTER, "according to", "The troops are ready")]),
    ("The casinos won less in October, according to the state gaming regulators.",
     [("anon:t:1", "according to", "The casinos won less in October")]),
    # a described source as subject
    ("The company said it had suspended the accounts.",
     [("anon:t:1", "said", "it had suspended the accounts")]),
    # a quotation inside the reported clause does not cut it short
    ('Ashton Carter said the coalition had "made great strides" in Mosul.',
     [(CARTER, "said", 'the coalition had "made great strides" in Mosul')]),
    # a new verb in the fixture cue list
    ("Ashton Carter warned that the group would strike again.",
     [(CARTER, "warned", "the group would strike again")]),
    # an attribution in mid-sentence: the words on both sides are one report, in pieces
    ("The strikes, Ashton Carter said, would go on.", [(CARTER, "said", "The strikes … would go on")]),
    ("So it makes sense, officials said, for the coalition to wait.",
     [("anon:t:1", "said", "So it makes sense … for the coalition to wait")]),
    # a quotation resumed in the same sentence after the attribution
    ('"We will win," Carter said, "and the group will lose."',
     [(CARTER, "said", "We will win … and the group will lose.")]),
    # a quotation running over paragraphs: left open at the end of one, reopened at the next
    ('"We will win," Ashton Carter said. "The group is losing.\n\n"Mosul will be free."',
     [(CARTER, "said", "We will win … The group is losing. … Mosul will be free.")]),
    # single quotation marks
    ("‘We will win,’ Carter said.", [(CARTER, "said", "We will win")]),
    # a speech verb inside a quotation is part of the words quoted
    ('"What the group is saying is false," Ashton Carter said.',
     [(CARTER, "said", "What the group is saying is false")]),
    # beliefs are attributions too
    ("Ashton Carter believes the group is weaker than ever.",
     [(CARTER, "believes", "the group is weaker than ever")]),
    # a report named by a noun, its possessor the speaker
    ("Critics rejected Carter's assertion that the group was beaten.",
     [(CARTER, "assertion", "the group was beaten")]),
    # the reported clause stops where the reporter's words resume
    ("Ashton Carter said the strikes would go on, but he declined to give a date.",
     [(CARTER, "said", "the strikes would go on")]),
    ("While Ashton Carter said that the strikes would go on, the group kept fighting.",
     [(CARTER, "said", "the strikes would go on")]),
    ('"The troops are ready," Carter said, adding that Mosul would be next.',
     [(CARTER, "said", "The troops are ready")]),
    # a role phrase between the quotation and the name
    ('"We are ready," defense secretary Ashton Carter said.', [(CARTER, "said", "We are ready")]),
    # an organisation's unnamed spokesman: the organisation speaks
    ("A Global Coalition spokesman said the strikes would go on.",
     [("gaz:coalition", "said", "the strikes would go on")]),
    # a name qualifying unnamed sources: they are the speaker, not the name
    ("Global Coalition officials said the strikes would go on.",
     [("anon:t:1", "said", "the strikes would go on")]),
]


@pytest.mark.parametrize(("text", "expected"), LAYOUTS, ids=[f"layout{i}" for i in range(len(LAYOUTS))])
def test_english_layouts(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert statements(text) == expected


PRONOUNS = [
    # "he said": the subject of the sentence before
    ("Ashton Carter visited Baghdad on Monday. He said the troops were ready.",
     [(CARTER, "said", "the troops were ready")]),
    # a quotation and "he said"
    ('Ashton Carter met the commander. "We are ready," he said.', [(CARTER, "said", "We are ready")]),
    # "he also said" after a report: the speaker just heard
    ('"We will win," Ashton Carter said. He also said that the strikes would go on.',
     [(CARTER, "said", "We will win"), (CARTER, "said", "the strikes would go on")]),
    # each pronoun takes the person of the sentence just before it
    ('Sarah Palin spoke first. "It is over," she said. Ashton Carter disagreed. He said the war went on.',
     [("person:sarah-palin", "said", "It is over"), (CARTER, "said", "the war went on")]),
    # "they said": the organisation named last
    ("The Global Coalition released a report. They said the strikes would go on.",
     [("gaz:coalition", "said", "the strikes would go on")]),
    # after "told" comes whom it was said to, never the speaker
    ('Sarah Palin spoke first. "We were wrong," she told the Global Coalition.',
     [("person:sarah-palin", "told", "We were wrong")]),
    # no one to refer to: no statement
    ("He said the troops were ready.", []),
    # "the defense secretary": the person last named with that role
    ("Defense Secretary Ashton Carter arrived. Sarah Palin spoke. "
     "The defense secretary said the troops were ready.",
     [(CARTER, "said", "the troops were ready")]),
    # a role named nowhere before: an unnamed source as written, never a guessed name
    ("Sarah Palin spoke. The defense secretary said the troops were ready.",
     [("anon:t:1", "said", "the troops were ready")]),
]


@pytest.mark.parametrize(("text", "expected"), PRONOUNS, ids=[f"pronoun{i}" for i in range(len(PRONOUNS))])
def test_english_pronoun_speakers(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert statements(text) == expected


def test_english_names_keep_their_case() -> None:
    # "carter" in lower case is a word, not the surname; the capitalised one is
    found = mentions("The carter drove on. Ashton Carter said the road was open.")
    assert found == [(CARTER, "Ashton Carter", "gazetteer")]


def test_english_name_with_apposition_and_middle_initial() -> None:
    found = mentions("Mark C. Thurber, a researcher, spoke first.")
    assert found == [("person:mark-c-thurber", "Mark C. Thurber", "name-apposition")]


def test_unnamed_sources_keep_their_words_and_organisation() -> None:
    article = Article(id="t", title="", lang="en", published="2015-07-24",
                      text="Global Coalition officials said the strikes would go on. "
                           "A Global Coalition spokesman said the talks had failed.")
    result = analyse(article, MAPPINGS)
    sources = {e.key: (e.labels[0][1], e.affiliation) for e in result.entities if e.key.startswith("anon:")}
    assert sources["anon:t:1"] == ("Global Coalition officials", "gaz:coalition")
    # the spokesman is kept as whom the coalition spoke through
    spokesman = [s for s in result.statements if s.speaker_key == "gaz:coalition"]
    assert len(spokesman) == 1 and spokesman[0].voiced_by is not None
    assert sources[spokesman[0].voiced_by] == ("A Global Coalition spokesman", "gaz:coalition")


def test_interrupted_report_keeps_each_piece_as_evidence() -> None:
    text = "The strikes, Ashton Carter said, would go on."
    result = analyse(Article(id="t", title="", text=text, lang="en"), MAPPINGS)
    (statement,) = result.statements
    assert [p.text for p in statement.parts] == ["The strikes", "would go on"]
    assert all(text[p.start:p.end] == p.text for p in statement.parts)
