"""The seed report (../shared/corpus/seed/000_b236d4533db216b8.txt), fact by fact.

Built end to end with the project's own mappings and read back through the named
queries, exactly as an analyst would.  Skipped where ../shared is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kgbuild.normalize import fold_words
from kgbuild.pipeline import build
from kgbuild.query import load_graph, named_query, run_query

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "corpus" / "seed" / "000_b236d4533db216b8.txt"

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    if not SEED.exists():
        pytest.skip("needs ../shared/corpus/seed (the workplace corpus) beside the checkout")
    out = tmp_path_factory.mktemp("seed")
    report = build([SEED], out, formats=["ttl"], progress=False)
    assert report.exit_status == 0, report.problems
    graph = load_graph(out / "graph.ttl")
    result = {}
    for name in ("entities", "roles", "statements", "statement_about"):
        columns, found = run_query(graph, named_query(name))
        result[name] = [{c: ("" if v is None else str(v)) for c, v in zip(columns, row, strict=True)}
                        for row in found]
    return result


def has(label: str, *parts: str) -> bool:
    folded = fold_words(label)
    return all(fold_words(p) in folded for p in parts)


@pytest.mark.parametrize("name", ["ديوك بيراك", "شينكر", "جيمس فيليبس", "كينيث ماكينزي", "الكاظمي"])
def test_person_found(rows: dict, name: str) -> None:
    persons = {r["label"] for r in rows["entities"] if r["type"].endswith("Person")}
    assert any(has(label, name) for label in persons), sorted(persons)


@pytest.mark.parametrize("name", ["داعش", "التحالف الدولي", "القيادة المركزية", "هيريتج", "معهد الشرق"])
def test_organisation_found(rows: dict, name: str) -> None:
    orgs = {r["label"] for r in rows["entities"] if r["type"].endswith("Organisation")}
    assert any(has(label, name) for label in orgs), sorted(orgs)


@pytest.mark.parametrize(("person", "role", "orgs"), [
    ("بيراك", "نائب مدير", ["القيادة المشتركة", "التحالف الدولي", "Coalition"]),
    ("شينكر", "مساعد وزير الخارجية", ["الولايات المتحدة", "وزارة الخارجية"]),
    ("فيليبس", "خبير", ["هيريتج", "Heritage"]),
    ("ماكينزي", "قائد", ["القيادة المركزية", "Central Command"]),
])
def test_role(rows: dict, person: str, role: str, orgs: list[str]) -> None:
    found = [r for r in rows["roles"] if has(r["person_label"], person)]
    assert any(has(r["role_label"], role) and any(has(r["org_label"], o) for o in orgs) for r in found), found


# (speaker, words inside the statement's text, direct quote?)
STATEMENTS = [
    ("بيراك", "تحويل علاقتها الامنية مع العراق", False),
    ("بيراك", "يتم تطبيعها ضمن برنامج تنسيق امني دائم", None),
    ("بيراك", "الامر ليس واضحاً تماماً", True),
    ("بيراك", "متفائلا ومتحمسا جدا بالجلسة الاولى", False),
    ("بيراك", "من الواضح ان ادارة الحكومة الجديدة في العراق تريد منا البقاء", True),
    ("شينكر", "اتفاقية امن ثنائية اعتيادية قوية مع العراق", True),
    ("بيراك", "يعيد التحالف ترتيب تواجهه في العراق", False),
    ("بيراك", "التركيز اكثر على مهام التدريب على مستوى فرقة", None),
    ("بيراك", "تنظيم داعش يسعى للظهور من جديد", False),
    ("فيليبس", "الحرب ضد داعش لم تنته بعد", False),
    ("ماكينزي", "ضد داعش هي احدى المبررات الحيوية", False),
    ("ماكينزي", "فان التنظيم لم يعد قادرا على مسك قطعة ارض", True),
]


@pytest.mark.parametrize(("speaker", "words", "quote"), STATEMENTS)
def test_statement(rows: dict, speaker: str, words: str, quote: bool | None) -> None:
    matching = [r for r in rows["statements"] if has(r["text"], words)]
    assert matching, f"no statement holds {words!r}"
    assert any(has(r["speaker_label"], speaker) for r in matching), [r["speaker_label"] for r in matching]
    if quote is not None:
        assert any(r["quote"] == str(quote).lower() for r in matching), [r["quote"] for r in matching]


def test_year_less_date_is_month_day(rows: dict) -> None:
    matching = [r for r in rows["statements"] if has(r["text"], "متفائلا ومتحمسا")]
    assert {r["mentions_date"] for r in matching} == {"--06-11"}


def test_anaphor_tanzim_is_isis(rows: dict) -> None:
    about = [r for r in rows["statement_about"] if r["statement"] in
             {s["statement"] for s in rows["statements"] if has(s["text"], "فان التنظيم لم يعد قادرا")}]
    assert any(has(r["about_label"], "داعش") or "Islamic State" in r["about_label"] for r in about), about


def test_seed_graph_conforms_to_the_shapes(tmp_path: Path) -> None:
    if not SEED.exists():
        pytest.skip("needs ../shared/corpus/seed (the workplace corpus) beside the checkout")
    from kgbuild.validate import validate_graph

    build([SEED], tmp_path, formats=["ttl"], progress=False)
    conforms, report, violations = validate_graph(load_graph(tmp_path / "graph.ttl"))
    assert conforms and violations == 0, report[:3000]
