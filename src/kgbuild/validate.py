"""Check a built graph against the SHACL shapes in ``ontology/shapes.ttl``.

Validation runs without RDFS/OWL inference: the graph must state every type it relies
on, which is what docs/data-model.md promises, and inference would hide a missing one.
The ontology is still passed to pyshacl as ``ont_graph`` so that subclass axioms (for
``sh:class`` checks) come from one place.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import rdflib
from rdflib.namespace import RDF, SH

from kgbuild.query import load_graph

_ROOT = Path(__file__).resolve().parents[2]
SHAPES_PATH: Path = _ROOT / "ontology" / "shapes.ttl"
ONTOLOGY_PATH: Path = _ROOT / "ontology" / "kgbuild.ttl"


def validate_graph(
    data: rdflib.Graph, shapes: Path = SHAPES_PATH, ontology: Path = ONTOLOGY_PATH
) -> tuple[bool, str, int]:
    """Validate ``data``; return (conforms, report text, number of violations).

    Only results of severity sh:Violation are counted; warnings and infos (none of the
    shipped shapes emit them) still appear in the report text.  ``data`` is not changed:
    pyshacl mixes the ontology into a copy.
    """
    # Parsed on every call rather than cached: pyshacl adds triples to the shapes graph.
    conforms, results, text = pyshacl.validate(
        data,
        shacl_graph=load_graph(shapes),
        ont_graph=load_graph(ontology),
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        inplace=False,
    )
    assert isinstance(results, rdflib.Graph)  # pyshacl returns the report as a graph
    violations = sum(
        1
        for result in results.subjects(RDF.type, SH.ValidationResult)
        if results.value(result, SH.resultSeverity) == SH.Violation
    )
    return bool(conforms), str(text), violations
