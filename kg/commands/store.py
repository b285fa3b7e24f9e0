"""`kg remove` and `kg store info`: manage the persistent working graph."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import click

from ..errors import KgError

_STORE_HELP = "The kg store folder [default: output/store]."


def _resolve(doc: str, known: dict[str, str]) -> str:
    """The document id meant by `doc`: an id, or a file name whose id it is."""
    from .. import iris

    if doc in known:
        return doc
    for candidate in iris.doc_id_candidates(doc):  # a file name, also when its id carries a digest
        if candidate in known:
            return candidate
    close = difflib.get_close_matches(doc, list(known), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `kg store info` lists the documents"
    raise KgError(f"document {doc!r} is not in the store{hint}")


@click.command("remove")
@click.argument("docs", nargs=-1, required=True, metavar="DOC...")
@click.option("--store", "store", type=click.Path(path_type=Path), default=None, help=_STORE_HELP)
def remove_command(docs: tuple[str, ...], store: Path | None) -> None:
    """Drop documents (their named graphs) from the store.

    DOC is a document id as `kg store info` lists it (e.g. 000_4d9e4ac50f9794c6), or the
    path of the document relative to the input folder (e.g. 000_4d9e4ac50f9794c6.txt).
    Actors that other documents still mention stay in the graph. All removals are
    saved together, or none if one DOC is unknown.

    \b
    Examples:
      kg remove 000_4d9e4ac50f9794c6
      kg remove --store /data/kg/store old/article-1.txt old/article-2.txt
    """
    from ..rdfio.store import DEFAULT_STORE, GraphStore

    directory = store or DEFAULT_STORE
    if not (Path(directory) / "kg-store.json").is_file():
        raise KgError(f"{directory}: no kg store here")
    with GraphStore.open(directory) as graph_store:
        known = graph_store.documents()
        ids = [_resolve(doc, known) for doc in docs]
        for doc_id in dict.fromkeys(ids):
            graph_store.remove_document(doc_id)
    for doc_id in dict.fromkeys(ids):
        click.echo(f"removed {doc_id}")


@click.group("store")
def store_group() -> None:
    """Inspect the persistent working graph (a kg store folder)."""


@store_group.command("info")
@click.option("--store", "store", type=click.Path(path_type=Path), default=None, help=_STORE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def info_command(store: Path | None, as_json: bool) -> None:
    """Show the store's size and its documents with their content hashes.

    \b
    Examples:
      kg store info
      kg store info --store /data/kg/store --json
    """
    from ..rdfio.store import DEFAULT_STORE, SNAPSHOT, GraphStore

    directory = Path(store or DEFAULT_STORE)
    graph_store = GraphStore.open(directory, read_only=True)
    docs = graph_store.documents()
    snapshot = directory / SNAPSHOT
    info = {
        "store": str(directory),
        "documents": len(docs),
        "quads": len(graph_store),
        "snapshot_bytes": snapshot.stat().st_size if snapshot.exists() else 0,
        "hashes": docs,
    }
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    click.echo(f"store      {info['store']}")
    click.echo(f"documents  {info['documents']}")
    click.echo(f"quads      {info['quads']}")
    click.echo(f"snapshot   {info['snapshot_bytes']} bytes")
    for doc_id, content_hash in docs.items():
        click.echo(f"  {doc_id}  {content_hash}")


def register(cli: click.Group) -> None:
    cli.add_command(remove_command)
    cli.add_command(store_group)
