"""`kg build`: German news documents -> knowledge graph files."""

from __future__ import annotations

import click

FORMAT_CHOICES = ["turtle", "trig", "nt", "nquads", "json-ld"]


@click.command("build")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "out_dir", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Folder for graph.ttl, graph.trig and graph.html.")
@click.option("--store", "store_dir", default=None, type=click.Path(file_okay=False),
              help="The persistent working store; default: OUTPUT/store. Unchanged documents already in it are "
                   "not processed again.")
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(FORMAT_CHOICES),
              help="RDF files to write (repeatable); default: turtle and trig.")
@click.option("--no-html", is_flag=True, help="Do not write graph.html.")
@click.option("--prune", is_flag=True, help="Drop documents from the store that are not among INPUTS.")
@click.option("--model", default=None, metavar="NAME|PATH",
              help="An installed trained spaCy German pipeline whose NER helps find actors not in the gazetteer. "
                   "Default: none (offline rules on spacy.blank('de') + HanTa).")
@click.option("--no-cache", is_flag=True, help="Do not use the tagger cache ($KG_CACHE_DIR or ~/.cache/kg).")
@click.option("--date", default=None, metavar="YYYY-MM-DD",
              help="Publication date of the single document given (e.g. on standard input). Several documents "
                   "take theirs from front matter, JSON fields or a metadata.csv; a file's modification time "
                   "is never used.")
@click.option("--field", "field_specs", multiple=True, metavar="NAME=KEY",
              help="JSON Lines: read NAME (text, id, title, date, url, source) from KEY (repeatable; a dotted KEY "
                   "reads nested objects), e.g. --field text=body --field id=guid.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes for the extraction; default: the number of cores. --jobs 1 runs in this "
                   "process. The files are the same bytes whatever N.")
@click.option("--scheduler", default=None, metavar="ADDRESS|local",
              help="Run the extraction on a Dask distributed cluster (tcp://host:8786; the workers need only "
                   "'pip install kg'), or 'local' for a LocalCluster of --jobs workers on this machine.")
@click.option("--shards", "shards_dir", default=None, type=click.Path(file_okay=False),
              help="Write the graph as gzip N-Quads shards (one named graph per document, 1,000 documents a "
                   "file) into this folder, without the store and the graph files: for corpora larger than "
                   "memory; load them with 'oxigraph load' or Virtuoso's bulk loader (docs/STORES.md).")
@click.option("--strict", is_flag=True,
              help="All or nothing: the first document that cannot be read or fails stops the build (exit 1) "
                   "and nothing is written.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors (no progress, no summary).")
def build_command(inputs, out_dir, store_dir, formats, no_html, prune, model, no_cache, date, field_specs,
                  jobs, scheduler, shards_dir, strict, quiet) -> None:
    """Extract actors and relations from INPUTS and write the knowledge graph.

    \b
    INPUTS are files or folders (searched recursively) of:
      .txt .md        UTF-8 text, optionally opening with front matter
                      (---, title:, date:, url:, source:, ---)
      .jsonl          JSON Lines, one article per line ("text", optional "id",
                      "title", "date", "url", "source"; see --field)
      .html .htm      web pages: main text, title and date via trafilatura
      .warc           WARC files (e.g. Common Crawl News): each HTML response
      .gz of each;    and - for one document on standard input.
    A metadata.csv (file,title,date,url,source) in an input folder gives
    the documents of that folder their metadata.

    \b
    Writes OUTPUT/graph.ttl (all triples), OUTPUT/graph.trig (one named graph per
    document) and OUTPUT/graph.html (interactive view), and keeps the working graph
    in the store so that later builds only process new or changed documents.
    Prints a summary: documents, sentences, actors, statements per relation and modality.

    \b
    A document that cannot be read or fails in any stage is reported on stderr
    (file, stage, one line) and skipped; the rest is built.
    Exit status: 0 all documents built; 3 partial (some documents skipped, the
    graph holds the rest); 1 error (bad options, nothing could be built, or
    any failure with --strict; earlier output is left as it was).
    Progress: a bar on a terminal, a line every 10 s otherwise, none with -q.

    \b
    Examples:
      kg build seeds/ -o output/
      kg build news/2025-*.txt -o output/ --format nquads --format json-ld
      kg build news/ -o output/ --prune        # also drop documents removed from news/
      kg build feed.jsonl.gz --field text=body --field id=guid
      kg build - --date 2025-02-13 < article.txt
      kg build corpus/ --jobs 2 --shards shards/          # shards, no store
      kg build corpus/ --scheduler tcp://10.0.0.5:8786    # on a Dask cluster
    """
    from ..build import DEFAULT_FORMATS, build
    from ..errors import KgError

    fields = {}
    for spec in field_specs:
        name, sep, key = spec.partition("=")
        if not sep or not name.strip() or not key.strip():
            raise KgError(f"--field {spec!r}: expected NAME=KEY, e.g. text=body")
        fields[name.strip()] = key.strip()

    from ..build import PARTIAL_EXIT
    from ..parallel import cpu_count
    from ..progress import Progress

    meter = Progress(quiet=quiet, total=_known_total(inputs))

    def progress(message: str) -> None:
        meter.message(message)

    try:
        summary = build(
            list(inputs), out_dir, store_dir=store_dir, formats=tuple(dict.fromkeys(formats)) or DEFAULT_FORMATS,
            html=not no_html, model=model, prune=prune, cache_dir=None if no_cache else "default",
            progress=progress, date=date, fields=fields or None, jobs=jobs or cpu_count(), scheduler=scheduler,
            shards=shards_dir, strict=strict, meter=meter,
        )
    finally:
        meter.close()
    for failure in summary.failures:  # errors: printed even with --quiet
        click.echo(f"kg: skipped {failure.line()}", err=True)
    if not quiet:
        for line in summary.lines():
            click.echo(line)
    if summary.failures:
        raise SystemExit(PARTIAL_EXIT)


def _known_total(inputs) -> int | None:
    """The number of documents when every input is a single-document file (for the ETA)."""
    try:
        from ..sources import find_sources

        sources = find_sources(list(inputs))
    except Exception:  # noqa: BLE001 - the build reports input errors itself
        return None
    if all(s.kind in ("text", "html") for s in sources):
        return len(sources)
    return None


def register(group: click.Group) -> None:
    group.add_command(build_command)
