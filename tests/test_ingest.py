"""Tests for kgbuild.ingest: every input format, id rule and error code, on invented articles."""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgbuild.errors import Problem
from kgbuild.ingest import (
    detect_language,
    iter_articles,
    normalise_date,
    parse_html,
    parse_json_record,
    parse_text_document,
    read_path,
)
from kgbuild.records import Article

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def run(*paths: str | os.PathLike[str], stdin: str | None = None) -> list[Article | Problem]:
    return list(iter_articles(list(paths), stdin=None if stdin is None else io.StringIO(stdin)))


def articles(items: list[Article | Problem]) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def problems(items: list[Article | Problem]) -> list[Problem]:
    return [item for item in items if isinstance(item, Problem)]


def only_article(items: list[Article | Problem]) -> Article:
    assert problems(items) == []
    (article,) = articles(items)
    return article


def only_problem(items: list[Article | Problem]) -> Problem:
    assert articles(items) == []
    (found,) = problems(items)
    return found


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))  # write_text would translate "\n" on Windows
    return path


# --- text and Markdown -------------------------------------------------------------------------


def test_txt_without_front_matter() -> None:
    article = only_article(run(FIXTURES / "plain.txt"))
    assert article.id == "plain"
    assert article.title == "Port Alder harbour bridge to reopen"
    # Leading/trailing blank lines go; inner whitespace, even trailing spaces, stays byte-exact.
    assert article.text == (
        "The mayor of Port Alder, Jane Doe, said on Tuesday that the harbour bridge will reopen next month.\n"
        "  \n"
        '"We are nearly there," she told reporters.   \n'
        "Repairs cost 2.4 million crowns."
    )
    assert article.lang == "en"
    assert article.published is None and article.url is None and article.metadata == ()
    assert article.source == str(FIXTURES / "plain.txt") and article.line is None


def test_markdown_front_matter_and_heading() -> None:
    article = only_article(run(FIXTURES / "front.md"))
    assert article.id == "wadi-001"
    assert article.title == "موسم الحصاد يبدأ مبكراً"
    assert article.text.startswith("قال وزير الزراعة")
    assert "**سيبدأ مبكراً**" in article.text and article.text.endswith("- القمح\n- الشعير")
    assert article.published == "2024-03-05"
    assert article.url == "https://example.org/ar/wadi-001"
    assert article.lang == "ar"
    assert article.metadata == (("author", "مكتب الأخبار"), ("tags", '["زراعة", "حصاد"]'))


def test_front_matter_title_wins_and_a_repeated_heading_is_dropped() -> None:
    raw = "---\ntitle: Gull Island votes\nlang: en-GB\ndate: 05-03-2024\n---\n# Gull Island votes\n\nBody.\n"
    article = parse_text_document(raw, "x.md", "x")
    assert isinstance(article, Article)
    assert (article.title, article.text, article.lang, article.published) == (
        "Gull Island votes",
        "Body.",
        "en",
        "2024-03-05",
    )


def test_front_matter_title_keeps_a_different_first_line_in_the_body() -> None:
    article = parse_text_document("---\ntitle: Given\n---\nFirst line.\nSecond line.\n", "x.txt", "x")
    assert isinstance(article, Article)
    assert (article.title, article.text) == ("Given", "First line.\nSecond line.")


@pytest.mark.parametrize(
    ("raw", "title", "text"),
    [
        ("#### Level four ####\nBody", "Level four", "Body"),
        ("Setext title\n============\n\nBody", "Setext title", "Body"),
        ("#hashtag is not a heading\nBody", "#hashtag is not a heading", "Body"),
        ("\n\n   Indented first line  \n\n\nBody\n\n", "Indented first line", "Body"),
    ],
)
def test_title_rules(raw: str, title: str, text: str) -> None:
    article = parse_text_document(raw, "x.md", "x")
    assert isinstance(article, Article)
    assert (article.title, article.text) == (title, text)


def test_empty_front_matter_is_allowed() -> None:
    article = parse_text_document("---\n---\nTitle\nBody\n", "e.md", "e")
    assert isinstance(article, Article) and (article.id, article.metadata) == ("e", ())


def test_title_only_document_has_no_text() -> None:
    found = parse_text_document("Just a title\n", "t.txt", "t")
    assert isinstance(found, Problem) and found.code == "E004" and found.file == "t.txt"


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("---\nid: a\ntitle: a: b\n---\nTitle\nBody\n", 3),
        ("---\nid: a\n\tindented: with a tab\n---\nTitle\nBody\n", 3),
        ("---\nid: a\ntags: [x, y\nmore: z\n---\nTitle\nBody\n", 4),
        ("---\nid: a\ntitle: never closed\nTitle\nBody\n", 1),
        ("---\n- a list\n- not a mapping\n---\nTitle\nBody\n", 2),
    ],
)
def test_bad_front_matter_is_e007_with_its_line(tmp_path: Path, raw: str, line: int) -> None:
    path = write(tmp_path, "bad.md", raw)
    found = only_problem(run(path))
    assert (found.code, found.file, found.line) == ("E007", str(path), line)


def test_bad_front_matter_date_keeps_the_article(tmp_path: Path) -> None:
    path = write(tmp_path, "d.md", "---\nid: d1\npublished: 2024-02-30\nsection: local\n---\nTitle\nBody\n")
    date_problem, article = run(path)
    assert isinstance(date_problem, Problem) and isinstance(article, Article)
    assert (date_problem.code, date_problem.file, date_problem.line) == ("E012", str(path), 3)
    assert "2024-02-30" in date_problem.message and "'published'" in date_problem.message
    assert (article.id, article.published, article.metadata) == ("d1", None, (("section", "local"),))


def test_front_matter_field_of_wrong_type_is_e013(tmp_path: Path) -> None:
    path = write(tmp_path, "w.md", "---\nid: w\nurl: [1, 2]\n---\nTitle\nBody\n")
    found = only_problem(run(path))
    assert (found.code, found.line) == ("E013", 3)
    assert "'url'" in found.message and "a list" in found.message


# --- HTML ----------------------------------------------------------------------------------------


def test_html_with_article_scripts_and_navigation() -> None:
    article = only_article(run(FIXTURES / "page.html"))
    assert article.id == "page"
    assert article.title == "Council approves new library"
    assert article.text == (
        "The town council of Port Alder voted on Monday to build a new library.\n\n"
        'Councillor Ann Smith said the vote was "a good day for readers".\n\n'
        "Work starts in May.\n\n"
        "Cost: 3 million\n\n"
        "Opening: 2026"
    )
    for dropped in ("tracking", "alert", "Home", "masthead", "Copyright", "Read also", "comment", "color"):
        assert dropped not in article.text
    assert article.lang == "en"
    assert article.published == "2024-06-01"  # the date as written, not shifted to UTC
    assert article.url == "https://example.org/news/library"
    assert article.metadata == (("author", "Sam Reporter"),)


def test_html_main_time_and_arabic_lang() -> None:
    article = only_article(run(FIXTURES / "ar_page.htm"))
    assert article.title == "افتتاح سوق جديد في مدينة النخيل"
    assert article.text.startswith("أعلن رئيس بلدية")  # the repeated title is removed
    assert "input" not in article.text
    assert (article.lang, article.published, article.url) == ("ar", "2024-02-10", None)


def test_html_falls_back_to_h1_body_and_og_url() -> None:
    raw = (
        '<html><head><meta property="og:url" content="https://example.org/og"></head>'
        "<body><h1>Heading title</h1><table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"
        "<section>Last <i>words</i></section></body></html>"
    )
    article = parse_html(raw, "p.html", "p")
    assert isinstance(article, Article)
    assert article.title == "Heading title"
    assert article.text == "a b\n\nc\n\nLast words"
    assert article.url == "https://example.org/og"
    assert article.lang == "en"  # no <html lang>: detected


def test_html_without_text_is_e004() -> None:
    found = parse_html(
        "<html><head><title>Only a title</title></head><body><nav>x</nav></body></html>", "e.html", "e"
    )
    assert isinstance(found, Problem) and found.code == "E004" and found.file == "e.html"


def test_html_bad_date_is_reported_and_the_article_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path, "t.html", '<html><body><p>Text here.</p><time datetime="soon">soon</time></body></html>'
    )
    date_problem, article = run(path)
    assert isinstance(date_problem, Problem) and date_problem.code == "E012"
    assert isinstance(article, Article) and article.published is None and article.text == "Text here.\n\nsoon"


# --- JSON and JSON lines -------------------------------------------------------------------------


def test_json_object_with_fallback_fields_and_metadata() -> None:
    article = only_article(run(FIXTURES / "single.json"))
    assert article.id == "42"
    assert article.title == "Ferry service resumes"
    assert article.text == "The ferry between Port Alder and Gull Island runs again from Friday."
    assert (article.lang, article.url, article.published) == ("en", "https://example.org/ferry", "2015-07-24")
    assert article.metadata == (
        ("extra", '{"a": "ب", "z": 1}'),
        ("tags", '["transport", "islands"]'),
        ("wordcount", "12"),
    )
    assert article.line is None


def test_json_array_ids_and_bad_members() -> None:
    items = run(FIXTURES / "list.json")
    source = str(FIXTURES / "list.json")
    assert [(type(i).__name__, getattr(i, "id", None) or getattr(i, "code", None)) for i in items] == [
        ("Article", "list-1"),
        ("Problem", "E005"),
        ("Problem", "E004"),
        ("Article", "list-4"),
    ]
    assert [(p.file, p.line, p.path) for p in problems(items)] == [
        (source, None, "[1]"),
        (source, None, "[2]"),
    ]
    assert "[1]" in str(problems(items)[0])
    fourth = articles(items)[1]
    assert (fourth.lang, fourth.published) == ("ar", "2024-01-15")


def test_json_wrapped_in_articles_key() -> None:
    article = only_article(run(FIXTURES / "wrapped.json"))
    assert (article.id, article.title) == ("w-1", "Wrapped")


def test_json_single_member_array_uses_the_stem(tmp_path: Path) -> None:
    path = write(tmp_path, "one.json", '[{"text": "Only one record."}]')
    assert only_article(run(path)).id == "one"


def test_json_problems_in_wrapped_array_name_the_path(tmp_path: Path) -> None:
    path = write(tmp_path, "w.json", '{"articles": [{"text": "ok"}, 7]}')
    found = problems(run(path))
    assert [(p.code, p.path) for p in found] == [("E005", "articles[1]")]


def test_invalid_json_document_is_e003_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '{\n  "id": "x",\n  "text": oops\n}\n')
    found = only_problem(run(path))
    assert (found.code, found.file, found.line) == ("E003", str(path), 3)


def test_empty_json_array_is_e014(tmp_path: Path) -> None:
    found = only_problem(run(write(tmp_path, "none.json", "[]")))
    assert found.code == "E014"


def test_jsonl_good_and_broken_lines_mixed() -> None:
    items = run(FIXTURES / "mixed.jsonl")
    source = str(FIXTURES / "mixed.jsonl")
    summary = [
        (
            type(i).__name__,
            i.id if isinstance(i, Article) else i.code,
            i.line,
            i.source if isinstance(i, Article) else i.file,
        )
        for i in items
    ]
    assert summary == [
        ("Article", "m-1", 1, source),
        ("Problem", "E003", 3, source),
        ("Problem", "E005", 4, source),
        ("Problem", "E004", 5, source),
        ("Problem", "E012", 6, source),
        ("Article", "mixed-6", 6, source),
    ]
    assert str(problems(items)[0]).startswith(f"{source}:3: invalid JSON")
    assert articles(items)[0].published == "2024-05-01"
    assert articles(items)[1].published is None and articles(items)[1].lang == "ar"


def test_jsonl_single_record_uses_the_stem(tmp_path: Path) -> None:
    path = write(tmp_path, "lone.jsonl", '\n{"text": "Just one."}\n\n')
    article = only_article(run(path))
    assert (article.id, article.line) == ("lone", 2)


def test_json_field_of_wrong_type_is_e013(tmp_path: Path) -> None:
    lines = ['{"text": "ok", "title": ["a"]}', '{"text": "ok", "id": 1.5}', '{"text": "ok", "id": true}']
    path = write(tmp_path, "t.jsonl", "\n".join(lines))
    assert [(p.code, p.line) for p in problems(run(path))] == [("E013", 1), ("E013", 2), ("E013", 3)]


def test_parse_json_record_directly() -> None:
    article = parse_json_record({"text": "نص قصير", "lang": "ar-EG", "url": " u "}, "s", 7, "dflt")
    assert isinstance(article, Article)
    assert (article.id, article.lang, article.url, article.line, article.source) == (
        "dflt",
        "ar",
        "u",
        7,
        "s",
    )
    found = parse_json_record([1], "s", 8, "dflt")
    assert isinstance(found, Problem) and (found.code, found.line) == ("E005", 8)


def test_lone_surrogate_is_rejected() -> None:
    found = parse_json_record(json.loads('{"text": "bad \\ud800 text"}'), "s", 1, "x")
    assert isinstance(found, Problem) and found.code == "E002"


# --- stdin -----------------------------------------------------------------------------------------


def test_stdin_text_document_gets_a_hash_id() -> None:
    article = only_article(run("-", stdin="Title from stdin\n\nBody from stdin.\n"))
    assert article.id == hashlib.sha256(b"Body from stdin.").hexdigest()[:16]
    assert (article.source, article.title, article.text) == (
        "<stdin>",
        "Title from stdin",
        "Body from stdin.",
    )


def test_stdin_json_lines() -> None:
    items = run("-", stdin='  {"id": "s1", "text": "one"}\n{"text": "two"}\nnot json\n')
    assert [a.id for a in articles(items)] == ["s1", hashlib.sha256(b"two").hexdigest()[:16]]
    assert [(p.code, p.file, p.line) for p in problems(items)] == [("E003", "<stdin>", 3)]


def test_stdin_jsonl_with_a_broken_first_line() -> None:
    items = run("-", stdin='{"text": \n{"id": "ok", "text": "fine"}\n')
    assert [a.id for a in articles(items)] == ["ok"]
    assert [(p.code, p.line) for p in problems(items)] == [("E003", 1)]


def test_stdin_pretty_printed_json() -> None:
    items = run("-", stdin='[\n  {"id": "p1", "text": "one"},\n  {"id": "p2", "text": "two"}\n]\n')
    assert [a.id for a in articles(items)] == ["p1", "p2"]


def test_stdin_that_cannot_be_decoded_is_e002() -> None:
    stream = io.TextIOWrapper(io.BytesIO(b"Title\n\xff"), encoding="utf-8")
    found = only_problem(list(iter_articles(["-"], stdin=stream)))
    assert (found.code, found.file) == ("E002", "<stdin>")


def test_stdin_empty_is_e008() -> None:
    found = only_problem(run("-", stdin=" \n\t\n"))
    assert (found.code, found.file) == ("E008", "<stdin>")


# --- ids and duplicates ------------------------------------------------------------------------


def test_duplicate_ids_across_files_keep_the_first(tmp_path: Path) -> None:
    first = write(tmp_path, "one.jsonl", '{"id": "same", "text": "first"}\n')
    second = write(tmp_path, "two.txt", "---\nid: same\n---\nTitle\nsecond\n")
    items = run(first, second)
    assert [a.text for a in articles(items)] == ["first"]
    found = problems(items)[0]
    assert (found.code, found.file, found.line) == ("E009", str(second), None)
    assert f"{first}:1" in found.message


def test_duplicate_ids_within_a_jsonl_file(tmp_path: Path) -> None:
    path = write(tmp_path, "d.jsonl", '{"id": 5, "text": "a"}\n{"id": "5", "text": "b"}\n')
    items = run(path)
    assert [a.line for a in articles(items)] == [1]
    assert [(p.code, p.line) for p in problems(items)] == [("E009", 2)]


def test_the_same_file_twice_is_a_duplicate() -> None:
    items = run(FIXTURES / "plain.txt", FIXTURES / "plain.txt")
    assert [type(i).__name__ for i in items] == ["Article", "Problem"]
    assert problems(items)[0].code == "E009"


# --- paths and folders ---------------------------------------------------------------------------


def test_folder_recursion_is_sorted_and_filtered() -> None:
    folder = FIXTURES / "folder"
    items = run(folder)
    assert [(a.id, a.source) for a in articles(items)] == [
        ("a", os.path.join(str(folder), "a.md")),
        ("b", os.path.join(str(folder), "b.txt")),
        ("c-only", os.path.join(str(folder), "sub", "c.jsonl")),
    ]
    assert problems(items) == []  # ignored.csv and hidden files are skipped silently


def test_folder_order_does_not_depend_on_the_file_system(tmp_path: Path) -> None:
    names = ["k", "c", "q", "a", "x", "f", "m", "b", "t", "e"]
    for name in names:  # enough names that an unsorted listing is practically never sorted
        write(tmp_path, f"{name}.txt", f"Title {name}\nBody {name}.\n")
        write(tmp_path, f"{name}/{name}.txt", f"---\nid: {name}-nested\n---\nTitle\nBody.\n")
    ids = [a.id for a in articles(run(tmp_path))]
    top = sorted(names)
    assert ids == top + [f"{name}-nested" for name in top]


def test_whole_fixture_folder_reads_without_raising() -> None:
    items = run(FIXTURES)
    assert len(articles(items)) == 13
    assert sorted({p.code for p in problems(items)}) == ["E003", "E004", "E005", "E012"]


def test_missing_path_is_e010(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.txt")
    found = only_problem(run(missing))
    assert (found.code, found.file) == ("E010", missing)
    assert only_problem(run("")).code == "E010"


def test_explicit_unsupported_suffix_is_e006(tmp_path: Path) -> None:
    path = write(tmp_path, "data.csv", "a,b\n")
    found = only_problem(run(path))
    assert (found.code, found.file) == ("E006", str(path))
    assert "'.csv'" in found.message


def test_unreadable_path_is_e001(tmp_path: Path) -> None:
    folder = tmp_path / "looks_like.txt"
    folder.mkdir()
    found = only_problem(list(read_path(folder)))
    assert (found.code, found.file) == ("E001", str(folder))


def test_a_lone_path_string_is_not_split_into_characters() -> None:
    items = list(iter_articles(str(FIXTURES / "plain.txt")))
    assert [a.id for a in articles(items)] == ["plain"]


def test_path_string_is_reported_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "sub/x.txt", "Title\nBody\n")
    monkeypatch.chdir(tmp_path)
    assert only_article(run("./sub/x.txt")).source == "./sub/x.txt"
    assert only_article(run("sub/")).source == os.path.join("sub/", "x.txt")


# --- bytes and encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \n\r\n\t"])
def test_empty_file_is_e008(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "empty.txt", content)
    assert (only_problem(run(path)).code, only_problem(run(path)).file) == ("E008", str(path))


@pytest.mark.parametrize("content", [b"Title\n\x00\x01\x02", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"])
def test_nul_bytes_are_e011(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "bin.txt", content)
    assert (only_problem(run(path)).code, only_problem(run(path)).file) == ("E011", str(path))


def test_invalid_utf8_names_the_offset_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "latin1.txt", b"Title\nCaf" + b"\xe9 au lait\n")
    found = only_problem(run(path))
    assert (found.code, found.file, found.line) == ("E002", str(path), 2)
    assert "offset 9" in found.message and "0xe9" in found.message


def test_utf8_bom_is_stripped_before_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.md", codecs.BOM_UTF8 + "---\nid: bom\n---\n# عنوان\nنص المقال.\n".encode())
    article = only_article(run(path))
    assert (article.id, article.title, article.text) == ("bom", "عنوان", "نص المقال.")


def test_utf8_bom_is_stripped_before_json(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.jsonl", codecs.BOM_UTF8 + b'{"id": "j", "text": "t"}\n')
    assert only_article(run(path)).id == "j"


def test_invalid_utf8_offset_counts_the_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "b.txt", codecs.BOM_UTF8 + b"ab\xff")
    assert "offset 5" in only_problem(run(path)).message


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path: Path, codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    path = write(tmp_path, "wide.txt", bom + "عنوان\r\nنص عربي قصير.\r\n".encode(codec))
    article = only_article(run(path))
    assert (article.title, article.text, article.lang) == ("عنوان", "نص عربي قصير.", "ar")


def test_truncated_utf16_is_e002(tmp_path: Path) -> None:
    path = write(tmp_path, "odd.txt", codecs.BOM_UTF16_LE + "Title\nBody".encode("utf-16-le") + b"\x00")
    found = only_problem(run(path))
    assert (found.code, found.line) == ("E002", None)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_become_lf(tmp_path: Path, newline: str) -> None:
    raw = newline.join(["---", "id: nl", "---", "Title", "", "line one", "line two", ""])
    article = only_article(run(write(tmp_path, "nl.txt", raw)))
    assert (article.id, article.title, article.text) == ("nl", "Title", "line one\nline two")


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_in_jsonl(tmp_path: Path, newline: str) -> None:
    path = write(tmp_path, "w.jsonl", newline.join(['{"text": "a"}', '{"text": "b"}', ""]))
    assert [(a.id, a.line) for a in articles(run(path))] == [("w-1", 1), ("w-2", 2)]


# --- language ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("قال الوزير إن المشروع سيكتمل قريباً", "ar"),
        ("The minister said the project will finish soon", "en"),
        ("قال مدير الشركة العامة Northwind Logistics", "ar"),
        ("ابت abcdefg", "ar"),  # Arabic exactly 30% of the letters
        ("اب abcdefgh", "en"),  # Arabic 20%
        ("ابت abc ЖЖЖЖ", "ar"),  # no majority, but Arabic ≥ 30%
        ("ab ЖЖЖЖЖ", "und"),  # Latin below half
        ("The Northwind Logistics International board met in عمان", "en"),  # Arabic < 30%
        ("Министр заявил", "und"),
        ("2024 - 42 !!", "und"),
        ("", "und"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(("given", "lang"), [("AR_eg", "ar"), ("ar-SA", "ar"), ("ara", "ar"), ("EN", "en")])
def test_given_lang_wins_over_detection(given: str, lang: str) -> None:
    article = parse_json_record({"text": "لغة", "language": given}, "s", None, "x")
    assert isinstance(article, Article) and article.lang == lang


@pytest.mark.parametrize("given", ["", "x", "12"])
def test_unusable_lang_falls_back_to_detection(given: str) -> None:
    article = parse_json_record({"text": "نص عربي", "lang": given}, "s", None, "x")
    assert isinstance(article, Article) and article.lang == "ar"


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", "2024-03-05"),
        ("2024-03-05T23:30:00Z", "2024-03-05"),
        ("2024-03-05T23:30:00-05:00", "2024-03-05"),
        ("2024-03-05 08:00", "2024-03-05"),
        ("2024/3/5", "2024-03-05"),
        ("Fri, 24 Jul 2015 10:00:00 GMT", "2015-07-24"),
        ("Tue, 05 Mar 2024 23:00:00 +0300", "2024-03-05"),
        ("05-03-2024", "2024-03-05"),
        ("٢٠٢٤-٠٣-٠٥", "2024-03-05"),
        (" 2024-03-05 ", "2024-03-05"),
        (None, None),
        ("", None),
    ],
)
def test_normalise_date(value: object, expected: str | None) -> None:
    assert normalise_date(value) == expected


def test_normalise_date_accepts_date_objects() -> None:
    from datetime import date, datetime

    assert normalise_date(date(2024, 3, 5)) == "2024-03-05"
    assert normalise_date(datetime(2024, 3, 5, 23, 59)) == "2024-03-05"


@pytest.mark.parametrize(
    "value", ["yesterday", "2024-02-30", "31/12/2024", "32-01-2024", 2024, True, ["2024"]]
)
def test_normalise_date_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        normalise_date(value)


# --- robustness ----------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
record_keys = st.sampled_from(["id", "title", "text", "body", "lang", "url", "date", "published", "x"])


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(record_keys, json_values, max_size=7) | json_values)
def test_parse_json_record_never_raises(obj: object) -> None:
    assert isinstance(parse_json_record(obj, "f.json", 1, "d"), Article | Problem)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("-#:\n\r []{}abc ابت"), max_size=80))
def test_parse_text_document_never_raises(raw: str) -> None:
    assert isinstance(parse_text_document(raw, "f.md", "d"), Article | Problem)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from('<>/ "=phtmlarticlescriptmetaconten\n ابت'), max_size=120))
def test_parse_html_never_raises(raw: str) -> None:
    assert isinstance(parse_html(raw, "f.html", "d"), Article | Problem)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789-/:TZ+ ,FriJulGMT٠٣"), max_size=30))
def test_normalise_date_raises_only_value_error(value: str) -> None:
    try:
        result = normalise_date(value)
    except ValueError:
        return
    assert result is None or (len(result) >= 10 and result[4] == "-" and result[-3] == "-")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=60))
def test_arbitrary_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "any.jsonl"
    path.write_bytes(data)
    assert all(isinstance(item, Article | Problem) for item in read_path(path))


def test_jsonl_streams_past_a_line_of_bad_bytes(tmp_path: Path) -> None:
    """JSON lines are read one line at a time (a file of any size streams through a build):
    a line that is not UTF-8 is reported with its line number and byte offset, the others land."""
    good = b'{"id": "a", "text": "first"}\n'
    bad = b'{"id": "b", "text": "caf\xe9"}\n'
    rest = b"".join(b'{"id": "c%d", "text": "more"}\r\n' % n for n in range(3))
    path = write(tmp_path, "feed.jsonl", good + bad + rest)
    items = run(path)
    assert [a.id for a in articles(items)] == ["a", "c0", "c1", "c2"]
    reported = [p for p in items if isinstance(p, Problem)]
    assert [(p.code, p.line) for p in reported] == [("E002", 2)]
    offset = len(good) + bad.index(0xE9)
    assert f"offset {offset}" in reported[0].message
