"""The one prefix table: the prefixes kg writes into its files, declares in its queries and
shows on its pages. `gkg:` is kg's own, so that no tool predeclares it with another meaning."""

from __future__ import annotations

from .. import iris

PREFIXES: dict[str, str] = {
    "gkg": iris.ONTOLOGY,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "wd": iris.WIKIDATA,
    "cameo": iris.CAMEO,
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
}


def prefix_lines(*names: str) -> str:
    """SPARQL PREFIX lines for `names` (in that order), from the table."""
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in names)
