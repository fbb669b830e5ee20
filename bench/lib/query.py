"""bench/query: the named queries on a graph of at least 5 million triples, on the
Oxigraph store (output/store, as `kgbuild query` uses it) and on rdflib's in-memory graph
of the same triples, in the same run: p50/p95 latency of each and the ratio.

The graph is the shared corpus replicated under fresh ids (or an existing build given
with --from).  Both sides go through kgbuild.query.run_query, so both include turning the
rows into rdflib terms.  The parametrised queries (roles_of, who_said_what_about,
statements_on_topic and the dumps with a bound ?article) are what a desk re-runs all
day; the unbound dumps return every row of the graph and are listed apart.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import measure
import rdflib
from common import all_records, kgbuild_command, replicated, shared_dir, verdict, write_jsonl

from kgbuild.query import QueryLimits, load_graph, named_queries, named_query, run_query

# the engines themselves are timed: no child process for a timeout, and every row of a dump
UNLIMITED = QueryLimits(timeout=0, max_rows=0)

# candidates for each bound variable, most used first
PICK = {
    "target": "SELECT ?v (COUNT(*) AS ?n) WHERE { ?s <https://w3id.org/kgbuild/ontology#about> ?v } "
              "GROUP BY ?v ORDER BY DESC(?n) STR(?v)",
    "person": "SELECT ?v (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/ns/org#member> ?v } "
              "GROUP BY ?v ORDER BY DESC(?n) STR(?v)",
    "topic": "SELECT ?v (COUNT(*) AS ?n) WHERE { ?s <https://w3id.org/kgbuild/ontology#topic> ?v } "
             "GROUP BY ?v ORDER BY DESC(?n) STR(?v)",
    "article": "SELECT ?v (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/kgbuild/ontology#Statement> ; "
               "<http://www.w3.org/ns/prov#wasDerivedFrom> ?v } GROUP BY ?v ORDER BY DESC(?n) STR(?v)",
}
BOUND = {"roles_of": "person", "who_said_what_about": "target", "statements_on_topic": "topic",
         "statements": "article", "roles": "article"}


def spread(items: list[rdflib.term.Identifier], count: int) -> list[rdflib.term.Identifier]:
    """``count`` items evenly spaced over a list sorted by use: the busiest, the rarest and
    the ones between, as an analyst's questions would fall."""
    if len(items) <= count:
        return items
    return [items[round(i * (len(items) - 1) / (count - 1))] for i in range(count)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def timed(graph: rdflib.Graph, name: str, runs: list[dict[str, rdflib.term.Identifier]]) -> \
        tuple[list[float], int]:
    """Seconds of each run (each with its own bindings) and the rows of all of them."""
    prepared = named_query(name)
    times, rows = [], 0
    for bindings in runs:
        started = time.perf_counter()
        _, found = run_query(graph, prepared, bindings, UNLIMITED)
        times.append(time.perf_counter() - started)
        rows += len(found)
    return times, rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/query", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", type=Path,
                        help="an existing build folder (with store/ and graph.nt)")
    parser.add_argument("--articles", type=int, default=14000,
                        help="replicated articles to build (default 14000, over 5 M triples)")
    parser.add_argument("--values", type=int, default=12, help="bound values per parametrised query")
    parser.add_argument("--rdflib-values", type=int, default=4,
                        help="of those, how many rdflib answers too (the busiest to the rarest)")
    parser.add_argument("--dumps", action="store_true", help="also time the unbound dumps (minutes each)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each unbound dump on the store")
    parser.add_argument("--rdflib-repeat", type=int, default=1, help="runs of each unbound dump in memory")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kgbuild-query-", dir=args.workdir))
    out = args.source
    if out is None:
        out = work / "out"
        corpus = work / "corpus.jsonl"
        write_jsonl(corpus, replicated(all_records(shared_dir()), args.articles))
        run = measure.run(kgbuild_command("build", str(corpus), "-o", str(out), "--format", "nt", "--quiet"))
        if run.returncode not in (0, 1):
            raise SystemExit(f"the build failed:\n{run.stderr[-3000:]}")
        print(f"built {args.articles:,} articles in {run.seconds:.0f} s")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    print(f"graph: {report['triples']:,} triples, {report['articles']:,} articles "
          f"({verdict(report['triples'] >= 5_000_000)}: at least 5 million)")
    store = load_graph(out / "store")
    started = time.perf_counter()
    memory = rdflib.Graph()
    memory.parse(out / "graph.nt", format="nt")
    print(f"rdflib in memory: {len(memory):,} triples parsed in {time.perf_counter() - started:.0f} s")
    values = {}
    for variable, text in PICK.items():
        values[variable] = spread([row[0] for row in store.query(text)], args.values)
        if not values[variable]:
            raise SystemExit(f"the graph has nothing to bind ?{variable} to")
    print(f"bound values: {args.values} per variable, from the busiest to the rarest")
    print(f"{'query':34}{'runs':>5}{'rows':>8}{'store p50':>11}{'p95 ms':>8}{'rdflib p50':>12}{'p95 ms':>9}"
          f"{'×':>7}")
    everyday: list[tuple[float, float]] = []
    for name in named_queries():
        plans: list[tuple[str, list[dict[str, rdflib.term.Identifier]], int]] = []
        if name in BOUND:
            variable = BOUND[name]
            runs = [{variable: value} for value in values[variable]]
            plans.append((f"{name} ?{variable}", runs, spread(list(range(len(runs))), args.rdflib_values)))
        if args.dumps and name not in ("roles_of", "who_said_what_about", "statements_on_topic"):
            plans.append((name, [{}] * args.repeat, list(range(args.rdflib_repeat))))
        for label, runs, slow_runs in plans:
            fast, rows = timed(store, name, runs)
            slow, slow_rows = timed(memory, name, [runs[i] for i in slow_runs])
            fast_rows_compared = sum(len(run_query(store, named_query(name), runs[i], UNLIMITED)[1])
                                     for i in slow_runs)
            if fast_rows_compared != slow_rows:
                print(f"  !! {label}: {fast_rows_compared} rows on the store, {slow_rows} in memory")
            p50, p95 = percentile(fast, 0.5) * 1000, percentile(fast, 0.95) * 1000
            r50, r95 = percentile(slow, 0.5) * 1000, percentile(slow, 0.95) * 1000
            # the speed-up on the same bound values: rdflib's time over the store's, per value
            ratio = statistics.median(slow[k] / fast[i] for k, i in enumerate(slow_runs))
            print(f"{label:34}{len(runs):5}{rows // len(runs):8}{p50:11.1f}{p95:8.1f}{r50:12.1f}{r95:9.1f}"
                  f"{ratio:7.1f}")
            if runs[0]:
                everyday.append((p95, ratio))
    worst = max(p for p, _ in everyday)
    least = min(x for _, x in everyday)
    print(f"parametrised queries: worst p95 {worst:.1f} ms ({verdict(worst < 100)}: < 100 ms); "
          f"least speed-up {least:.1f}× ({verdict(least >= 20)}: ≥ 20×)")
    print(f"(rows: per run on average; parametrised queries run once per bound value, {args.values} values "
          f"on the store and {args.rdflib_values} of them, busiest to rarest, in memory)")


if __name__ == "__main__":
    main()
