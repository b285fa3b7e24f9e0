"""kg: German news text to a geopolitics knowledge graph in RDF, with evidence.

For notebooks (pandas and networkx are imported only when called):

    import kg
    df = kg.events("output/graph.ttl")        # one row per statement, a pandas DataFrame
    g = kg.to_networkx("output/graph.ttl")    # actors and statements as a MultiDiGraph
"""

__version__ = "0.1.0"


def events(path=None, *, store=None):
    """The events table of a graph file (or store=folder) as a pandas DataFrame; see kg.events_table."""
    from .event_table import events as _events

    return _events(path, store=store)


def to_networkx(path=None, *, store=None):
    """Actors as nodes, statements with a target as edges keyed by statement IRI (attributes: the table's columns)."""
    from .event_table import to_networkx as _to_networkx

    return _to_networkx(path, store=store)
