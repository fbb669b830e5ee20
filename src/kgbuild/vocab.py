"""RDF vocabularies used by kgbuild, as rdflib DefinedNamespaces.

``KG`` is our own ontology (ontology/kgbuild.ttl); ``ORG`` and ``NIF`` are the parts of
W3C ORG and NIF 2.0 we use.  rdflib already ships PROV, SKOS, DCTERMS, OWL, RDFS, XSD.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace
from rdflib.term import URIRef

KG_NS = "https://w3id.org/kgbuild/ontology#"
ID_NS = "https://w3id.org/kgbuild/id/"

ID = Namespace(ID_NS)


class KG(DefinedNamespace):
    _NS = Namespace(KG_NS)
    _fail = True

    # classes
    Person: URIRef
    Organisation: URIRef
    Place: URIRef
    AnonymousSource: URIRef
    Article: URIRef
    RoleAssignment: URIRef
    Statement: URIRef
    Mention: URIRef
    Evidence: URIRef
    ExtractionRule: URIRef
    TextField: URIRef
    # properties
    mentionOf: URIRef
    evidence: URIRef
    inArticle: URIRef
    roleLabel: URIRef
    speaker: URIRef
    cue: URIRef
    content: URIRef
    isDirectQuote: URIRef
    about: URIRef
    topic: URIRef
    statedOn: URIRef
    mentionsDate: URIRef
    extractedBy: URIRef
    affiliation: URIRef
    contentHash: URIRef
    field: URIRef


class ORG(DefinedNamespace):
    _NS = Namespace("http://www.w3.org/ns/org#")
    _fail = True

    Organization: URIRef
    Membership: URIRef
    Role: URIRef
    member: URIRef
    organization: URIRef
    role: URIRef


class NIF(DefinedNamespace):
    _NS = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
    _fail = True

    Context: URIRef
    OffsetBasedString: URIRef
    String: URIRef
    beginIndex: URIRef
    endIndex: URIRef
    anchorOf: URIRef
    referenceContext: URIRef
    isString: URIRef
