"""Command line: a thin layer over kgbuild.pipeline.build, kgbuild.query, kgbuild.validate
and kgbuild.gazetteer.suggest.

Exit status: 0 clean run, 1 something was reported (an article skipped, a query error,
a graph that does not conform), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import KGBuildError
from .graph import FORMATS

BUILD_EXAMPLES = """examples:
  kgbuild build examples/ -o output/                 # graph.ttl and the store output/store/
  kgbuild build news.jsonl report.md page.html -o out/ --format trig --format nq
  kgbuild build corpus/ -o output/ --jobs 2          # two worker processes (default: all cores)
  kgbuild build --update -o output/ today.jsonl      # add new articles, replace changed ones
  cat articles.jsonl | kgbuild build - -o output/    # '-' reads standard input
  kgbuild build corpus/ -o output/ --engine dask --scheduler tcp://10.0.0.5:8786
  kgbuild build examples/ -o output/ --validate      # also check the graph against the SHACL shapes
a build writes output/graph.ttl, the Oxigraph store output/store/ (which kgbuild query
uses when present), report.json, merge_candidates.csv and fragments.sqlite (what --update
builds on). The progress bar (articles/s) shows on a terminal only.
"""
QUERY_EXAMPLES = """examples:
  kgbuild query --name roles                         # a named query from ontology/queries/
  kgbuild query --name who_said_what_about --bind target=داعش
  kgbuild query --name roles_of --bind person=https://w3id.org/kgbuild/id/person/ashton-carter
  kgbuild query -e 'SELECT ?s WHERE { ?s a <https://w3id.org/kgbuild/ontology#Statement> }' --format csv
  kgbuild query my-query.rq --graph out/graph.ttl --format json
values given with --bind are passed as bindings, never pasted into the query text; a value
that is not an IRI is looked up as an entity label first.
"""
VALIDATE_EXAMPLES = """examples:
  kgbuild validate                                   # output/store, else output/graph.ttl
  kgbuild validate output/graph.ttl                  # SHACL shapes of ontology/shapes.ttl
  kgbuild validate output/store                      # the same, on the Oxigraph store
"""
SUGGEST_EXAMPLES = """examples:
  kgbuild gazetteer suggest output/graph.ttl                # the 20 actors named in most articles
  kgbuild gazetteer suggest output/graph.trig --type person --min-count 5 --limit 50
  kgbuild gazetteer suggest output/graph.ttl --format yaml >> new-entries.yaml
  cat output/graph.nt | kgbuild gazetteer suggest - --input-format nt
lists the persons and organisations of a built graph that mappings/gazetteer.yaml does not
know, with passages naming them and an entry to paste under 'entities:'. Pairs of Arabic and
English names that may be one actor are in output/merge_candidates.csv after a build.
"""


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mappings", type=Path, default=None,
                        help="folder of mapping YAML files (default: the project's mappings/)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kgbuild", description="Knowledge graphs of roles and statements "
                                     "from Arabic and English news.")
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the graph of articles", epilog=BUILD_EXAMPLES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("inputs", nargs="+", help="files or folders of .txt .md .html .json .jsonl; '-' = stdin")
    b.add_argument("-o", "--output", type=Path, default=Path("output"),
                   help="output folder (default output/)")
    b.add_argument("--format", action="append", choices=FORMATS, default=None,
                   help="extra serialisation (repeatable): trig and nq keep one named graph per article; "
                   "graph.ttl is always written")
    b.add_argument("-j", "--jobs", type=_count, default=0, metavar="N",
                   help="worker processes (default 0 = one per core; 1 = no workers)")
    b.add_argument("--update", action="store_true",
                   help="keep the articles of the earlier build in --output; extract only new or "
                   "changed ones")
    b.add_argument("--no-store", dest="store", action="store_false",
                   help="do not load the Oxigraph store output/store/")
    b.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local processes (default) or a Dask cluster (needs --scheduler)")
    b.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://10.0.0.5:8786")
    b.add_argument("--validate", action="store_true",
                   help="check every article's graph against ontology/shapes.ttl while writing it; "
                   "violations are reported (E215, E206) and the exit status is 1")
    b.add_argument("--quiet", action="store_true", help="print no summary")
    _add_output_options(b)

    q = sub.add_parser("query", help="run a SPARQL query over a built graph", epilog=QUERY_EXAMPLES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    source = q.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help="a .rq file")
    source.add_argument("--name", help="a named query of ontology/queries/ (e.g. roles, statements)")
    source.add_argument("-e", "--expression", help="SPARQL text")
    q.add_argument("--graph", type=Path, default=None,
                   help="a store folder or a graph file (default output/store if present, "
                   "else output/graph.ttl)")
    q.add_argument("--bind", action="append", default=[], metavar="VAR=VALUE", help="bind a variable")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")

    v = sub.add_parser("validate", help="check a graph against the SHACL shapes", epilog=VALIDATE_EXAMPLES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    v.add_argument("graph", type=Path, nargs="?", default=None,
                   help="a store folder or graph file (default output/store if present, "
                   "else output/graph.ttl)")

    g = sub.add_parser("gazetteer", help="help grow mappings/gazetteer.yaml")
    gsub = g.add_subparsers(dest="gazetteer_command", required=True)
    s = gsub.add_parser("suggest", help="frequent actors the gazetteer does not know, with contexts",
                        epilog=SUGGEST_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("graph", nargs="?", default=None,
                   help="a built graph: a store folder or .ttl .trig .nt .nq .jsonld file; '-' = stdin "
                   "(default output/store if present, else output/graph.ttl)")
    s.add_argument("--input-format", choices=("ttl", "trig", "nt", "nq", "jsonld"), default=None,
                   help="syntax of standard input (default ttl)")
    s.add_argument("--type", action="append", choices=("person", "organisation", "place"), default=None,
                   help="kind of actor (repeatable; default person and organisation)")
    s.add_argument("--min-count", type=_count, default=2, metavar="N",
                   help="named in at least N articles (default 2)")
    s.add_argument("--limit", type=_count, default=20, metavar="N",
                   help="at most N actors; 0 = all (default 20)")
    s.add_argument("--contexts", type=_count, default=2, metavar="N",
                   help="passages shown per actor, from different articles (default 2)")
    s.add_argument("--format", choices=("text", "yaml", "csv", "json"), default="text",
                   help="text (default), yaml (entries only), csv or json")
    _add_output_options(s)
    return parser


def cmd_build(args: argparse.Namespace) -> int:
    from .pipeline import DEFAULT_FORMATS, build

    formats = list(DEFAULT_FORMATS) + [f for f in (args.format or []) if f not in DEFAULT_FORMATS]
    if args.engine == "dask" and not args.scheduler:
        print("kgbuild build: error: --engine dask needs --scheduler ADDRESS", file=sys.stderr)
        return 2
    report = build(args.inputs, args.output, formats, args.mappings, stdin=sys.stdin,
                   on_problem=lambda p: print(str(p), file=sys.stderr), jobs=args.jobs, update=args.update,
                   engine=args.engine, scheduler=args.scheduler, store=args.store, validate=args.validate)
    if not args.quiet:
        print(report.summary())
    return report.exit_status


def cmd_query(args: argparse.Namespace) -> int:
    from .query import (
        default_graph_path,
        expand_bindings,
        format_rows,
        load_graph,
        named_query,
        parse_binding,
        prepare,
        read_query,
        resolve_label_bindings,
        run_query,
    )

    if args.name:
        prepared = named_query(args.name)
    elif args.expression:
        prepared = prepare(args.expression, "<-e>")
    else:
        prepared = read_query(args.file)
    graph = load_graph(args.graph or default_graph_path())
    bindings = dict(parse_binding(spec) for spec in args.bind)
    columns: list[str] = []
    rows: list = []
    seen: set = set()
    for combo in expand_bindings(resolve_label_bindings(graph, bindings)) if bindings else [{}]:
        columns, found = run_query(graph, prepared, combo)
        # a label may name several nodes: the rows of each run, once each, in order
        for row in found:
            if row not in seen:
                seen.add(row)
                rows.append(row)
    print(format_rows(columns, rows, args.format), end="")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .query import default_graph_path, load_graph
    from .validate import validate_graph

    args.graph = args.graph or default_graph_path()
    conforms, text, count = validate_graph(load_graph(args.graph, in_memory=True))
    if conforms:
        print(f"{args.graph}: conforms to the shapes")
        return 0
    print(text)
    print(f"{args.graph}: {count} violation(s)", file=sys.stderr)
    return 1


def cmd_gazetteer(args: argparse.Namespace) -> int:
    from .config import load_mappings
    from .gazetteer import format_suggestions, read_graph, suggest

    mappings = load_mappings(args.mappings) if args.mappings else load_mappings()
    from .query import default_graph_path

    graph = read_graph(args.graph or str(default_graph_path()), sys.stdin.buffer, args.input_format)
    types = [t.capitalize() for t in args.type] if args.type else ["Person", "Organisation"]
    items = suggest(graph, mappings, min_count=args.min_count, limit=args.limit, types=types,
                    contexts=args.contexts)
    print(format_suggestions(items, args.format), end="")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    handlers = {"build": cmd_build, "query": cmd_query, "validate": cmd_validate, "gazetteer": cmd_gazetteer}
    try:
        return handlers[args.command](args)
    except KGBuildError as err:
        for p in err.problems:
            print(f"kgbuild: {p}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
