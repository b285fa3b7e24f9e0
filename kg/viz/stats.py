"""Network statistics of a kg graph (networkx): degree, betweenness, communities."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .model import VizModel

# Exact betweenness costs one graph traversal per actor. Past this budget of actors x edges
# (about 2 s in CPython) it is estimated from a fixed-seed sample of source actors, so the
# result is still stable; never fewer than BETWEENNESS_MIN_SAMPLE sources.
BETWEENNESS_BUDGET = 1_000_000
BETWEENNESS_MIN_SAMPLE = 100
SEED = 7


@dataclass(frozen=True)
class RankedActor:
    key: str
    label: str
    value: int | float  # degree: int; betweenness: float


@dataclass(frozen=True)
class Stats:
    """Counts and rankings; `communities` lists actor keys, largest community first."""

    actors: int
    statements: int
    documents: int
    statements_with_target: int
    connected_pairs: int
    components: int
    by_relation: dict[str, int]
    by_modality: dict[str, int]
    by_kind: dict[str, int]
    top_degree: tuple[RankedActor, ...]
    top_betweenness: tuple[RankedActor, ...]
    communities: tuple[tuple[str, ...], ...]
    labels: dict[str, str] = field(repr=False, default_factory=dict)
    betweenness_sample: int | None = None  # None: exact

    def to_dict(self) -> dict:
        def ranked(items):
            return [{"key": r.key, "label": r.label, "value": r.value} for r in items]

        return {
            "actors": self.actors,
            "statements": self.statements,
            "documents": self.documents,
            "statements_with_target": self.statements_with_target,
            "connected_pairs": self.connected_pairs,
            "components": self.components,
            "by_relation": dict(self.by_relation),
            "by_modality": dict(self.by_modality),
            "by_kind": dict(self.by_kind),
            "top_degree": ranked(self.top_degree),
            "top_betweenness": ranked(self.top_betweenness),
            "betweenness_sample": self.betweenness_sample,
            "communities": [
                [{"key": k, "label": self.labels.get(k, k)} for k in members] for members in self.communities
            ],
        }


@dataclass(frozen=True)
class Analysis:
    """Per-actor figures shared by the statistics and the page layout."""

    degree: dict[str, int]  # statements with a target (not negated) the actor takes part in
    betweenness: dict[str, float]
    partition: tuple[tuple[str, ...], ...]  # every actor in exactly one group, largest first
    connected_pairs: int
    components: int
    betweenness_sample: int | None


def network_edges(model: VizModel) -> list[tuple[str, str]]:
    """Actor pairs of the statements that count as relations: with a target, not negated, no self-loops."""
    return [(st.agent, st.target) for st in model.statements
            if st.target and st.target != st.agent and st.modality != "negated"]


def analyse(model: VizModel) -> Analysis:
    import networkx as nx

    multi = nx.MultiGraph()
    multi.add_nodes_from(a.key for a in model.actors)
    multi.add_edges_from(network_edges(model))
    simple = nx.Graph()
    simple.add_nodes_from(multi.nodes)
    for u, v in multi.edges():
        if simple.has_edge(u, v):
            simple[u][v]["weight"] += 1
        else:
            simple.add_edge(u, v, weight=1)

    n, m = simple.number_of_nodes(), simple.number_of_edges()
    k = max(BETWEENNESS_MIN_SAMPLE, BETWEENNESS_BUDGET // max(m, 1))
    sample = k if n > k else None
    betweenness = nx.betweenness_centrality(simple, k=sample, seed=SEED, normalized=True) if n else {}
    groups = nx.community.louvain_communities(simple, weight="weight", seed=SEED) if simple.number_of_edges() else []
    grouped = {k for g in groups for k in g if len(g) > 1}
    partition = [tuple(sorted(g)) for g in groups if len(g) > 1]
    partition.sort(key=lambda g: (-len(g), g[0]))
    partition.extend((k,) for k in sorted(simple.nodes) if k not in grouped)
    return Analysis(
        degree={k: int(d) for k, d in multi.degree()},
        betweenness={k: float(v) for k, v in betweenness.items()},
        partition=tuple(partition),
        connected_pairs=simple.number_of_edges(),
        components=nx.number_connected_components(simple) if n else 0,
        betweenness_sample=sample,
    )


def _ordered_counts(values, order: tuple[str, ...]) -> dict[str, int]:
    counts = Counter(values)
    keys = [k for k in order if k in counts] + sorted(k for k in counts if k not in order)
    return {k: counts[k] for k in keys}


def stats_from_model(model: VizModel, top: int = 10, analysis: Analysis | None = None) -> Stats:
    from ..records import KINDS, MODALITIES, RELATIONS

    if top < 1:
        from ..errors import KgError

        raise KgError(f"top must be at least 1, got {top}")
    analysis = analysis or analyse(model)
    labels = {a.key: a.label for a in model.actors}

    def rank(values: dict) -> tuple[RankedActor, ...]:
        ordered = sorted((k for k, v in values.items() if v > 0), key=lambda k: (-values[k], labels[k], k))
        return tuple(RankedActor(k, labels[k], round(values[k], 6) if isinstance(values[k], float) else values[k])
                     for k in ordered[:top])

    return Stats(
        actors=len(model.actors),
        statements=len(model.statements),
        documents=len(model.documents),
        statements_with_target=sum(1 for st in model.statements if st.target),
        connected_pairs=analysis.connected_pairs,
        components=analysis.components,
        by_relation=_ordered_counts((st.relation for st in model.statements), RELATIONS),
        by_modality=_ordered_counts((st.modality for st in model.statements), MODALITIES),
        by_kind=_ordered_counts((a.kind for a in model.actors), KINDS),
        top_degree=rank(analysis.degree),
        top_betweenness=rank(analysis.betweenness),
        communities=tuple(g for g in analysis.partition if len(g) > 1),
        labels=labels,
        betweenness_sample=analysis.betweenness_sample,
    )
