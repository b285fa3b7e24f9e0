"""`kg events`: the flat events table (one row per statement) as CSV, Parquet or JSON Lines."""

from __future__ import annotations

import sys
from pathlib import Path

import click


def register(cli: click.Group) -> None:
    @cli.command("events")
    @click.argument("graph", required=False, type=click.Path(path_type=Path, allow_dash=True))
    @click.option("--store", "store", type=click.Path(path_type=Path), help="Read from a kg store folder instead.")
    @click.option("-o", "--output", required=True,
                  help="events.csv, events.parquet (needs pyarrow) or events.jsonl; - writes CSV to stdout.")
    def events_command(graph: Path | None, store: Path | None, output: str) -> None:
        """Write the events table of GRAPH (.ttl, .trig, .nt, .nq, .jsonld; - reads standard input)
        or --store (default: output/store): one row per statement.

        \b
        Columns: statement IRI; date, date_precision (day|week|month|year|interval),
        date_begin, date_end, report_date (true: no time in the text, the document's date
        stands in); time_expression; relation; cameo, cameo_label, plover, goldstein;
        modality; confidence; agent and target (label, _iri, _type, _country ISO 3166
        alpha-3, _qid Wikidata); place, place_iri; reported_by, reported_by_iri; document,
        document_iri, title, document_date, url, source; sentence; begin, end (character
        offsets in the document); trigger.

        \b
        Examples:
          kg events output/graph.ttl -o events.csv
          kg events --store output/store -o events.parquet
          kg events output/graph.trig -o - | head
          kg export -o - | kg events - -o events.jsonl
        """
        from ..errors import KgError
        from ..event_table import events_table, format_for, table_bytes
        from ..fileio import write_bytes_atomic
        from ..rdfio.source import resolve

        source = resolve(graph, store)  # the one rule of every reading command
        fmt = format_for(output)
        target = None if output == "-" else Path(output)
        if target is not None and target.is_dir():
            raise KgError(f"{output}: is a folder, expected a file name")
        rows = events_table(source.path, store=source.store_dir)
        data = table_bytes(rows, fmt)
        if target is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        try:
            write_bytes_atomic(target, data)
        except OSError as exc:
            raise KgError(f"{output}: cannot write ({exc.strerror or exc})") from None
        click.echo(f"wrote {output} ({len(rows)} statements)", err=True)
