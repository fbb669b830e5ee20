"""Streaming, parallel, incremental and distributed builds (issue: scale).

Every test runs the real command line (or the real Dask cluster) on articles made from
examples/ and compares the outputs byte for byte with a plain single-process build: the
promise is that how a graph was built never shows in the graph.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from dataclasses import asdict
from pathlib import Path

import pyoxigraph
import pytest

from kgbuild.ingest import iter_articles
from kgbuild.records import Article

OUTPUT_FILES = ("graph.ttl", "graph.trig", "graph.nq", "graph.nt", "merge_candidates.csv")


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kgbuild.cli", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=600, check=False,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})})


def explain(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"


def example_articles(examples_dir: Path) -> list[Article]:
    articles = [a for a in iter_articles([str(examples_dir)]) if isinstance(a, Article)]
    assert len(articles) == 5
    return articles


def write_jsonl(path: Path, articles: list[Article]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for article in articles:
            record = {k: v for k, v in asdict(article).items() if k in ("id", "title", "text", "lang", "url")}
            record["published"] = article.published
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def replicated(articles: list[Article], copies: int, tag: str = "r") -> list[Article]:
    """The articles again under fresh ids, each copy with a sentence of its own so that
    copies differ in text as well as id."""
    out = []
    for n in range(copies):
        for article in articles:
            extra = f"\n\nRecord {tag}{n}." if article.lang == "en" else f"\n\nسجل رقم {n}."
            out.append(Article(f"{article.id}-{tag}{n}", article.title, article.text + extra, article.lang,
                               article.published, article.url))
    return out


def build(cwd: Path, out: str, *inputs: str, mappings: Path, extra: tuple[str, ...] = ()) -> \
        subprocess.CompletedProcess[str]:
    proc = run_cli("build", *inputs, "-o", out, "--mappings", str(mappings), "--format", "trig",
                   "--format", "nq", "--format", "nt", *extra, cwd=cwd)
    assert proc.returncode == 0, explain(proc)
    return proc


def store_lines(path: Path) -> list[str]:
    store = pyoxigraph.Store.read_only(str(path))
    text = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph()).decode()
    return sorted(text.splitlines())


def assert_same_outputs(first: Path, second: Path) -> None:
    for name in OUTPUT_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), f"{name} differs"
    assert store_lines(first / "store") == store_lines(second / "store")
    union = (first / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert store_lines(first / "store") == sorted(union)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Path:
    """60 articles (examples/ twelve times over) in one JSON-lines file."""
    folder = tmp_path_factory.mktemp("corpus")
    return write_jsonl(folder / "corpus.jsonl", replicated(example_articles(examples_dir), 12))


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory, corpus: Path, fixture_mappings: Path) -> Path:
    """The reference: the corpus built in one process."""
    cwd = tmp_path_factory.mktemp("single")
    build(cwd, "out", str(corpus), mappings=fixture_mappings, extra=("--jobs", "1"))
    return cwd / "out"


def test_two_workers_write_the_same_bytes_as_one_process(tmp_path: Path, corpus: Path, single: Path,
                                                          fixture_mappings: Path) -> None:
    proc = build(tmp_path, "out", str(corpus), mappings=fixture_mappings, extra=("--jobs", "2"))
    assert_same_outputs(single, tmp_path / "out")
    assert "articles       60" in proc.stdout
    assert proc.stderr == "", "no progress bar (nor anything else) when stderr is not a terminal"


def test_update_equals_a_full_rebuild(tmp_path: Path, examples_dir: Path, fixture_mappings: Path) -> None:
    base = example_articles(examples_dir)
    first = replicated(base, 3, "a")
    changed = [Article(a.id, a.title, a.text + "\n\nتحديث." if a.lang == "ar" else a.text + "\n\nUpdated.",
                       a.lang, a.published, a.url) for a in first[:2]]
    new = replicated(base, 2, "b")
    old_file = write_jsonl(tmp_path / "old.jsonl", first)
    new_file = write_jsonl(tmp_path / "new.jsonl", changed + new + first[5:7])  # two unchanged ones too
    build(tmp_path, "inc", str(old_file), mappings=fixture_mappings, extra=("--jobs", "2"))
    proc = build(tmp_path, "inc", "--update", str(new_file), mappings=fixture_mappings, extra=("--jobs", "2"))
    report = json.loads((tmp_path / "inc" / "report.json").read_text(encoding="utf-8"))
    assert (report["extracted"], report["unchanged"], report["articles"]) == (2 + 10, 2, 15 + 10)
    assert "unchanged      2" in proc.stdout
    full_file = write_jsonl(tmp_path / "full.jsonl", changed + first[2:] + new)
    build(tmp_path, "full", str(full_file), mappings=fixture_mappings, extra=("--jobs", "1"))
    assert_same_outputs(tmp_path / "full", tmp_path / "inc")


def test_update_with_other_mappings_is_refused(tmp_path: Path, examples_dir: Path, fixture_mappings: Path,
                                               project_mappings: Path) -> None:
    build(tmp_path, "out", str(examples_dir), mappings=fixture_mappings)
    before = (tmp_path / "out" / "graph.ttl").read_bytes()
    proc = run_cli("build", "--update", str(examples_dir), "-o", "out", "--mappings", str(project_mappings),
                   cwd=tmp_path)
    assert proc.returncode == 1, explain(proc)
    assert "E303" in proc.stderr and "run a full build" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "out" / "graph.ttl").read_bytes() == before


def test_query_uses_the_store_and_falls_back_to_turtle(tmp_path: Path, examples_dir: Path,
                                                       fixture_mappings: Path) -> None:
    run = build(tmp_path, "output", str(examples_dir), mappings=fixture_mappings)
    assert "wrote          output/store" in run.stdout
    answers = {}
    for name in ("entities", "roles", "statements", "statement_about"):
        on_store = run_cli("query", "--name", name, "--format", "csv", cwd=tmp_path)
        on_turtle = run_cli("query", "--name", name, "--format", "csv", "--graph", "output/graph.ttl",
                            cwd=tmp_path)
        assert on_store.returncode == on_turtle.returncode == 0, explain(on_store) + explain(on_turtle)
        assert sorted(on_store.stdout.splitlines()) == sorted(on_turtle.stdout.splitlines()), name
        assert len(on_store.stdout.splitlines()) > 1, f"{name} found nothing"
        answers[name] = on_store.stdout
    # the store alone answers: without graph.ttl the default is still output/store
    (tmp_path / "output" / "graph.ttl").rename(tmp_path / "graph.ttl.kept")
    alone = run_cli("query", "--name", "roles", "--format", "csv", cwd=tmp_path)
    assert alone.returncode == 0 and alone.stdout == answers["roles"], explain(alone)
    # and without the store, graph.ttl is read
    (tmp_path / "graph.ttl.kept").rename(tmp_path / "output" / "graph.ttl")
    (tmp_path / "output" / "store").unlink()
    fallback = run_cli("query", "--name", "roles", "--format", "csv", cwd=tmp_path)
    assert fallback.returncode == 0, explain(fallback)
    assert sorted(fallback.stdout.splitlines()) == sorted(answers["roles"].splitlines())


@pytest.mark.parametrize(("name", "binding"), [
    ("roles_of", "person=Ashton Carter"),
    ("who_said_what_about", "target=Islamic State"),
    ("statements_on_topic", "topic=security"),
    ("statements", "article=https://w3id.org/kgbuild/id/article/en_wire"),
])
def test_bound_named_queries_agree_on_store_and_turtle(
        tmp_path: Path, examples_dir: Path, fixture_mappings: Path, name: str, binding: str) -> None:
    """Oxigraph substitutes values only for variables a query returns; ?person, ?target and
    ?topic are not returned, so the store path adds them to the SELECT and drops them again."""
    build(tmp_path, "output", str(examples_dir), mappings=fixture_mappings)
    answers = []
    for graph in ("output/store", "output/graph.ttl"):
        proc = run_cli("query", "--name", name, "--bind", binding, "--graph", graph, "--format", "csv",
                       cwd=tmp_path)
        assert proc.returncode == 0, explain(proc)
        answers.append(proc.stdout)
    assert len(answers[0].splitlines()) > 1, f"{name} {binding} found nothing"
    assert sorted(answers[0].splitlines()) == sorted(answers[1].splitlines())
    assert answers[0].splitlines()[0] == answers[1].splitlines()[0], "the same columns, in the same order"


def test_bound_values_reach_the_store_as_values(tmp_path: Path, examples_dir: Path,
                                                fixture_mappings: Path) -> None:
    build(tmp_path, "output", str(examples_dir), mappings=fixture_mappings)
    hostile = 'x" } ; DROP ALL ; SELECT * WHERE { ?s ?p "'
    for graph in ("output/store", "output/graph.ttl"):
        proc = run_cli("query", "-e", "SELECT ?s WHERE { ?s ?p ?o }", "--bind", f"o={hostile}",
                       "--graph", graph, "--format", "csv", cwd=tmp_path)
        assert proc.returncode == 0, explain(proc)
        assert proc.stdout.strip() == "s", "a bound string is a value, not query text"
    assert len(store_lines(tmp_path / "output" / "store")) > 0


def test_progress_bar_on_a_terminal(tmp_path: Path, corpus: Path, fixture_mappings: Path) -> None:
    """On a terminal the build shows articles/s (tqdm); test_two_workers_… checks pipes stay quiet."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # a 120-column terminal
    proc = subprocess.Popen([sys.executable, "-m", "kgbuild.cli", "build", str(corpus), "-o", "out",
                             "--mappings", str(fixture_mappings), "--jobs", "1"],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=follower, env=os.environ.copy())
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=60)
    os.close(leader)
    assert proc.returncode == 0
    text = seen.decode("utf-8", "replace")
    assert "articles/s" in text and "60" in text, text[-500:]


def test_dask_cluster_of_two_workers_equals_the_local_build(tmp_path: Path, corpus: Path, single: Path,
                                                            fixture_mappings: Path) -> None:
    distributed = pytest.importorskip("dask.distributed", reason="needs dask[distributed] (the test extra)")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  scheduler_port=0) as cluster:
        proc = build(tmp_path, "out", str(corpus), mappings=fixture_mappings,
                     extra=("--engine", "dask", "--scheduler", cluster.scheduler_address))
        with distributed.Client(cluster) as client:
            used = client.run(lambda: os.getpid())
    assert len(used) == 2
    assert "articles       60" in proc.stdout
    assert_same_outputs(single, tmp_path / "out")


def test_dask_without_a_scheduler_is_bad_usage(tmp_path: Path, examples_dir: Path) -> None:
    proc = run_cli("build", str(examples_dir), "-o", "out", "--engine", "dask", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--scheduler" in proc.stderr and "Traceback" not in proc.stderr


def test_validate_and_suggest_read_the_store_like_the_turtle(tmp_path: Path, examples_dir: Path,
                                                               fixture_mappings: Path) -> None:
    build(tmp_path, "output", str(examples_dir), mappings=fixture_mappings)
    valid = run_cli("validate", "output/store", cwd=tmp_path)
    assert valid.returncode == 0 and "conforms" in valid.stdout, explain(valid)
    answers = []
    for graph in ("output/store", "output/graph.ttl"):
        suggest = run_cli("gazetteer", "suggest", graph, "--min-count", "1", "--format", "json",
                          "--mappings", str(fixture_mappings), cwd=tmp_path)
        assert suggest.returncode == 0, explain(suggest)
        answers.append(json.loads(suggest.stdout))
    assert answers[0] == answers[1] and answers[0]
    # rows of the store come back as the same terms as rows of the file, in every format
    outputs = [run_cli("query", "--name", "statements", "--format", "json", "--graph", graph, cwd=tmp_path)
               for graph in ("output/store", "output/graph.ttl")]
    assert outputs[0].returncode == outputs[1].returncode == 0
    assert json.loads(outputs[0].stdout) == json.loads(outputs[1].stdout)


def test_commands_default_to_the_store(tmp_path: Path, examples_dir: Path, fixture_mappings: Path) -> None:
    build(tmp_path, "output", str(examples_dir), mappings=fixture_mappings)
    (tmp_path / "output" / "graph.ttl").unlink()  # only the store is left to read
    valid = run_cli("validate", cwd=tmp_path)
    assert valid.returncode == 0 and "output/store: conforms" in valid.stdout, explain(valid)
    suggest = run_cli("gazetteer", "suggest", "--min-count", "1", "--format", "json", "--mappings",
                      str(fixture_mappings), cwd=tmp_path)
    assert suggest.returncode == 0 and json.loads(suggest.stdout), explain(suggest)
