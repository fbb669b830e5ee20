"""A trained spaCy pipeline named in pipeline.yaml adds its entities to the rule-based ones.

No model can be downloaded here, so the test trains a tiny real NER pipeline on a few
hand-written sentences, saves it inside a copy of the fixture mappings, and names it.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import spacy
from spacy.training import Example

from kgbuild.errors import KGBuildError
from kgbuild.extract import analyse
from kgbuild.nlp import make_pipeline
from kgbuild.records import Article

FIXTURE_MAPPINGS = Path(__file__).parent / "fixtures" / "mappings"
TRAIN = [
    ("Zorblat Quenth visited the base on Monday.", [(0, 14, "PERSON")]),
    ("Officials met Zorblat Quenth in the capital.", [(14, 28, "PERSON")]),
    ("The speech by Zorblat Quenth was long.", [(14, 28, "PERSON")]),
    ("Reporters asked Zorblat Quenth about the strikes.", [(16, 30, "PERSON")]),
]


@pytest.fixture(scope="module")
def mappings_with_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("mappings")
    shutil.copytree(FIXTURE_MAPPINGS, directory, dirs_exist_ok=True)
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    ner.add_label("PERSON")  # type: ignore[attr-defined]
    examples = [Example.from_dict(nlp.make_doc(text), {"entities": ents}) for text, ents in TRAIN]
    random.seed(1)
    spacy.util.fix_random_seed(1)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        random.shuffle(examples)
        nlp.update(examples, sgd=optimizer, drop=0.1)
    nlp.to_disk(directory / "tiny-ner")
    (directory / "pipeline.yaml").write_text("spacy_models:\n  ar: null\n  en: tiny-ner\n", encoding="utf-8")
    return directory


def test_model_entity_is_added(mappings_with_model: Path) -> None:
    text = "Zorblat Quenth said that the strikes would go on."
    article = Article(id="m1", title="", text=text, lang="en", published="2015-07-24")
    result = analyse(article, mappings_with_model)
    persons = {(m.entity_key, m.span.text, m.rule) for m in result.mentions}
    assert ("person:zorblat-quenth", "Zorblat Quenth", "spacy-model") in persons
    assert [(s.speaker_key, s.content.text) for s in result.statements] == [
        ("person:zorblat-quenth", "the strikes would go on")]


def test_without_model_the_rules_alone_miss_him() -> None:
    # no speech verb, title or apposition marks the capitalised words as a name
    text = "Officials met Zorblat Quenth in the capital."
    result = analyse(Article(id="m1", title="", text=text, lang="en"), FIXTURE_MAPPINGS)
    assert not [m for m in result.mentions if "zorblat" in m.entity_key]


def test_without_model_a_name_before_a_speech_verb_is_found() -> None:
    text = "Zorblat Quenth said that the strikes would go on."
    result = analyse(Article(id="m1", title="", text=text, lang="en"), FIXTURE_MAPPINGS)
    assert [(m.entity_key, m.rule) for m in result.mentions if "zorblat" in m.entity_key] == [
        ("person:zorblat-quenth", "name-cue")]


def test_missing_model_is_a_coded_error(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE_MAPPINGS, tmp_path, dirs_exist_ok=True)
    (tmp_path / "pipeline.yaml").write_text("spacy_models:\n  en: no_such_pipeline_xyz\n", encoding="utf-8")
    with pytest.raises(KGBuildError) as caught:
        make_pipeline("en", str(tmp_path))
    assert caught.value.problems[0].code == "E208"
