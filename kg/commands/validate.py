"""`kg validate`: check a graph against the SHACL shapes (ontology/shapes.ttl) with pySHACL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from ..errors import KgError

_SH = "http://www.w3.org/ns/shacl#"
# Display names beyond the one prefix table (kg.rdfio.prefixes.PREFIXES): shapes, data, rdf:, sh:.
_EXTRA_PREFIXES = {
    "kgsh": "https://w3id.org/geokg/shapes#",
    "geokg": "https://w3id.org/geokg/id/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "sh": "http://www.w3.org/ns/shacl#",
}


def _short_table() -> dict[str, str]:
    from ..rdfio.prefixes import PREFIXES

    table = {ns: f"{prefix}:" for prefix, ns in {**PREFIXES, **_EXTRA_PREFIXES}.items()}
    return dict(sorted(table.items(), key=lambda item: -len(item[0])))  # longest namespace first


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result, as text."""

    focus: str
    path: str
    message: str
    value: str
    severity: str
    shape: str

    def __str__(self) -> str:
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: {self.focus} {self.path}: {self.message}{value} [{self.shape}]"


def _short(term) -> str:
    from rdflib import Literal, URIRef

    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        for ns, prefix in _short_table().items():
            if text.startswith(ns):
                return prefix + text[len(ns):]
        return f"<{text}>"
    if isinstance(term, Literal):
        # repr-like quoting keeps newlines and quotes in hostile values on one line.
        shown = str(term) if len(str(term)) <= 80 else str(term)[:77] + "..."
        text = '"' + shown.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype:
            return f"{text}^^{_short(term.datatype)}"
        return text
    return str(term)


def load_shapes(shapes: Path | None = None):
    """The SHACL shapes graph: ontology/shapes.ttl, a Turtle file, or standard input for -."""
    import sys

    from rdflib import Graph

    from ..resources import data_path

    shapes_path = Path(shapes) if shapes else data_path("shapes.ttl")
    name = "stdin" if str(shapes_path) == "-" else str(shapes_path)
    graph = Graph()
    try:
        if name == "stdin":
            graph.parse(data=sys.stdin.buffer.read().decode("utf-8"), format="turtle")
        else:
            graph.parse(shapes_path, format="turtle")
    except FileNotFoundError:
        raise KgError(f"{name}: no such shapes file") from None
    except IsADirectoryError:
        raise KgError(f"{name}: a folder, not a shapes file") from None
    except UnicodeDecodeError:
        raise KgError(f"{name}: shapes are not valid UTF-8") from None
    except Exception as exc:  # rdflib raises parser-specific types
        raise KgError(f"{name}: not valid Turtle: {str(exc).strip().splitlines()[0]}") from None
    return graph


def check(ds, shapes: Path | None = None, *, shapes_graph=None) -> list[Violation]:
    """SHACL results for a dataset or graph (empty list = conforms); the shapes from
    `shapes_graph`, else read by load_shapes(shapes)."""
    import pyshacl
    from rdflib import Graph, URIRef

    from ..rdfio.rdf import union_graph
    from ..resources import data_path

    if shapes_graph is None:
        shapes_graph = load_shapes(shapes)
    ontology = Graph().parse(data_path("geo.ttl"), format="turtle")
    conforms, results, _ = pyshacl.validate(
        union_graph(ds), shacl_graph=shapes_graph, ont_graph=ontology, inference="none",
        abort_on_first=False, allow_warnings=True, advanced=False,
    )
    sh = lambda name: URIRef(_SH + name)  # noqa: E731
    found = []
    for result in results.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), sh("ValidationResult")):
        def one(prop):
            return results.value(result, sh(prop))

        found.append(Violation(
            focus=_short(one("focusNode")),
            path=_short(one("resultPath")),
            message=str(one("resultMessage") or ""),
            value=_short(one("value")),
            severity=_short(one("resultSeverity")).removeprefix("sh:"),
            shape=_short(one("sourceShape")) if isinstance(one("sourceShape"), URIRef) else "",
        ))
    if not conforms and not found:
        raise KgError("pySHACL reported the graph as not conforming but gave no results")
    return sorted(found)


@click.command("validate")
@click.argument("graph", required=False, type=click.Path(path_type=Path, allow_dash=True))
@click.option("--store", "store", type=click.Path(path_type=Path),
              help="Validate this kg store folder [default: output/store when no GRAPH file is given].")
@click.option("--shapes", type=click.Path(path_type=Path, allow_dash=True), default=None,
              help="SHACL shapes file (Turtle), or - for standard input. Default: ontology/shapes.ttl.")
@click.option("--max-report", type=click.IntRange(min=1), default=50, show_default=True,
              help="Print at most this many violations (the count is always complete).")
def validate_command(graph: Path | None, store: Path | None, shapes: Path | None, max_report: int) -> None:
    """Check GRAPH (or the store) against the kg SHACL shapes.

    GRAPH is a file in any format kg writes (.ttl, .nt, .nq, .trig, .jsonld) or RDF/XML,
    or - for standard input; without it the store is checked (--store DIR, default
    output/store).
    All named graphs are checked together, with ontology/geo.ttl as the class
    hierarchy. The shapes require, among others: a German label on every actor; exactly
    one agent, relation and modality (Asserted, Planned, Possible or Negated) per
    statement; a confidence from 0 to 1; evidence sentences with text; character
    offsets as non-negative xsd:integers with begin <= end.

    Prints one line per violation (severity, focus node, property, message, value,
    shape) and exits with status 1 if there is any; prints a summary and exits 0 if
    the graph conforms.

    \b
    Examples:
      kg validate output/graph.ttl
      kg validate --store output/store
      kg validate graph.jsonld --shapes my-shapes.ttl
      cat my-shapes.ttl | kg validate output/graph.ttl --shapes -
    """
    from ..rdfio.rdf import union_graph
    from ..rdfio.source import resolve

    if shapes is not None and str(shapes) == "-" and graph is not None and str(graph) == "-":
        raise KgError("GRAPH and --shapes cannot both be - (standard input is read once)")
    shapes_graph = load_shapes(shapes)  # before the graph: a bad shapes file fails fast
    source = resolve(graph, store)
    name = source.name
    data = union_graph(source.dataset())
    violations = check(data, shapes_graph=shapes_graph)
    if not violations:
        click.echo(f"{name}: conforms to the SHACL shapes ({len(data)} triples checked)")
        return
    for violation in violations[:max_report]:
        click.echo(str(violation))
    if len(violations) > max_report:
        click.echo(f"... and {len(violations) - max_report} more")
    raise KgError(f"{name}: {len(violations)} SHACL violation{'s' if len(violations) != 1 else ''}")


def register(cli: click.Group) -> None:
    cli.add_command(validate_command)
