"""Command line: a thin layer over kgbuild.pipeline.build, kgbuild.query, kgbuild.validate
and kgbuild.gazetteer.suggest.

Exit status: 0 clean run; 1 something was reported (an article skipped or kept with a
warning, a graph that does not conform, a file that cannot be read or written); 2 bad usage
(options, mapping files, queries); 3 an internal error, i.e. a bug (one line, E399; the
traceback only with KGBUILD_DEBUG=1); 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from .errors import KGBuildError, Problem, problem
from .graph import FORMATS

BUILD_EXAMPLES = """examples:
  kgbuild build examples/ -o output/                 # graph.ttl and the store output/store/
  kgbuild build news.jsonl report.md page.html -o out/ --format trig --format nq
  kgbuild build corpus/ -o output/ --jobs 2          # two worker processes (default: all cores)
  kgbuild build --update -o output/ today.jsonl      # add new articles, replace changed ones
  kgbuild build --update -o output/ corpus/          # after a killed build: complete output/
  cat articles.jsonl | kgbuild build - -o output/    # '-' reads standard input
  kgbuild build corpus/ -o output/ --engine dask --scheduler tcp://10.0.0.5:8786
  kgbuild build feeds/ -o output/ --strict           # stop at the first bad input, output untouched
  kgbuild build dump.jsonl -o output/ --max-article-chars 200000
  kgbuild build examples/ -o output/ --validate      # also check the graph against the SHACL shapes
bad input is reported as file:line: reason [code] on stderr and in report.json, and the good
articles still land; exit status 0 clean, 1 something skipped or warned about, 2 bad usage.
a build writes output/graph.ttl, the Oxigraph store output/store/ (which kgbuild query
uses when present), report.json, merge_candidates.csv and fragments.sqlite (what --update
builds on). The progress bar (articles/s) shows on a terminal only. A build killed at any
moment leaves the previous output readable; one build at a time may write to a folder.
"""
QUERY_EXAMPLES = """examples:
  kgbuild query --name roles                         # a named query from ontology/queries/
  kgbuild query --name who_said_what_about --bind target=داعش
  kgbuild query --name roles_of --bind person=https://w3id.org/kgbuild/id/person/ashton-carter
  kgbuild query -e 'SELECT ?s WHERE { ?s a <https://w3id.org/kgbuild/ontology#Statement> }' --format csv
  kgbuild query my-query.rq --graph out/graph.ttl --format json
  kgbuild query --name statements --timeout 300 --max-rows 0   # 5 minutes, every row
  KGBUILD_QUERY_TIMEOUT=10 kgbuild query --name roles          # the same limits from the environment
values given with --bind are passed as bindings, never pasted into the query text; a value
that is not an IRI is looked up as an entity label first.
queries only read: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...), SERVICE, FROM / FROM NAMED
and functions other than SPARQL's own and the XSD casts are refused before anything runs.
a query is stopped after --timeout seconds (default 60, env KGBUILD_QUERY_TIMEOUT) and gives at
most --max-rows rows (default 100000, env KGBUILD_QUERY_MAX_ROWS); 0 = no limit. Past the row
limit the rows up to it are printed, a warning goes to stderr and the exit status is 1.
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


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got '{text}'") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got '{text}'")
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
    b.add_argument("--max-article-chars", type=int, default=None, metavar="N",
                   help="skip articles longer than N characters, title included (default and most "
                   "1000000); files and JSON lines over 16 bytes per character are not read")
    b.add_argument("--strict", action="store_true",
                   help="stop at the first problem, leaving the output folder as it was (exit 1)")
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
    q.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS",
                   help="stop the query after SECONDS; 0 = no limit (default 60, or KGBUILD_QUERY_TIMEOUT)")
    q.add_argument("--max-rows", type=_count, default=None, metavar="N",
                   help="give at most N rows, and say so when there are more; 0 = no limit "
                   "(default 100000, or KGBUILD_QUERY_MAX_ROWS)")

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
    from .ingest import DEFAULT_MAX_ARTICLE_CHARS
    from .pipeline import DEFAULT_FORMATS, build

    formats = list(DEFAULT_FORMATS) + [f for f in (args.format or []) if f not in DEFAULT_FORMATS]
    if args.engine == "dask" and not args.scheduler:
        print("kgbuild build: error: --engine dask needs --scheduler ADDRESS", file=sys.stderr)
        return 2
    limit = DEFAULT_MAX_ARTICLE_CHARS if args.max_article_chars is None else args.max_article_chars
    report = build(args.inputs, args.output, formats, args.mappings, stdin=sys.stdin,
                   on_problem=lambda p: print(str(p), file=sys.stderr), jobs=args.jobs, update=args.update,
                   engine=args.engine, scheduler=args.scheduler, store=args.store,
                   max_article_chars=limit, strict=args.strict, validate=args.validate)
    if not args.quiet:
        print(report.summary())
    return report.exit_status


def cmd_query(args: argparse.Namespace) -> int:
    from .errors import RowLimitReached
    from .query import (
        QueryLimits,
        default_graph_path,
        format_rows,
        load_graph,
        named_query,
        parse_binding,
        prepare,
        read_query,
        run_query_with_labels,
    )

    limits = QueryLimits.from_environment(timeout=args.timeout, max_rows=args.max_rows)
    if args.name:
        prepared = named_query(args.name)
    elif args.expression:
        prepared = prepare(args.expression, "<-e>")
    else:
        prepared = read_query(args.file)
    source = args.graph or default_graph_path()
    _warn_if_unfinished(source)
    graph = load_graph(source)
    bindings = dict(parse_binding(spec) for spec in args.bind)
    try:
        columns, rows = run_query_with_labels(graph, prepared, bindings, limits)
    except RowLimitReached as reached:
        # the rows up to the limit are still the answer's first rows: shown, then the warning
        print(format_rows(reached.columns, reached.rows, args.format), end="")
        for p in reached.problems:
            print(f"kgbuild: warning: {p}", file=sys.stderr)
        return reached.exit_status
    print(format_rows(columns, rows, args.format), end="")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .query import default_graph_path, load_graph
    from .validate import validate_graph

    args.graph = args.graph or default_graph_path()
    _warn_if_unfinished(args.graph)
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

    source = args.graph or str(default_graph_path())
    if source != "-":
        _warn_if_unfinished(Path(source))
    graph = read_graph(source, sys.stdin.buffer, args.input_format)
    types = [t.capitalize() for t in args.type] if args.type else ["Person", "Organisation"]
    items = suggest(graph, mappings, min_count=args.min_count, limit=args.limit, types=types,
                    contexts=args.contexts)
    print(format_suggestions(items, args.format), end="")
    return 0


def _report(found: Problem) -> None:
    """One line on stderr; a problem of no file in particular is not given a place."""
    print(f"kgbuild: {found if found.file else f'{found.message} [{found.code}]'}", file=sys.stderr)


def _warn_if_unfinished(graph: Path) -> None:
    """One line on stderr when ``graph`` is in a folder whose files a build has not finished
    replacing (it was killed, or still runs); the command reads it all the same."""
    from .outdir import unfinished_warning

    warning = unfinished_warning(graph)
    if warning is not None:
        print(f"kgbuild: warning: {warning}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    handlers = {"build": cmd_build, "query": cmd_query, "validate": cmd_validate, "gazetteer": cmd_gazetteer}
    try:
        return handlers[args.command](args)
    except KGBuildError as err:
        for p in err.problems:
            _report(p)
        return err.exit_status
    except BrokenPipeError:
        # the reader went away (| head): say nothing, and let no flush at exit complain either
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:
        _report(problem("E392", file=str(err.filename or ""), reason=err.strerror or str(err)))
        return 1
    except KeyboardInterrupt:
        _report(problem("E398"))
        return 130
    except Exception as err:  # anything else is a bug: one line for the user, no traceback
        if os.environ.get("KGBUILD_DEBUG") == "1":
            traceback.print_exc()
        reason = "".join(traceback.format_exception_only(type(err), err)).strip().replace("\n", " ")
        _report(problem("E399", reason=reason))
        return 3


if __name__ == "__main__":
    sys.exit(main())
