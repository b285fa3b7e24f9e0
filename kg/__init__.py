"""kg: German news text to a geopolitics knowledge graph in RDF, with evidence."""

__version__ = "0.1.0"
