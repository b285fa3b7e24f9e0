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
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def build_command(inputs, out_dir, store_dir, formats, no_html, prune, model, no_cache, date, field_specs,
                  quiet) -> None:
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
    Examples:
      kg build seeds/ -o output/
      kg build news/2025-*.txt -o output/ --format nquads --format json-ld
      kg build news/ -o output/ --prune        # also drop documents removed from news/
      kg build feed.jsonl.gz --field text=body --field id=guid
      kg build - --date 2025-02-13 < article.txt
    """
    from ..build import DEFAULT_FORMATS, build
    from ..errors import KgError

    fields = {}
    for spec in field_specs:
        name, sep, key = spec.partition("=")
        if not sep or not name.strip() or not key.strip():
            raise KgError(f"--field {spec!r}: expected NAME=KEY, e.g. text=body")
        fields[name.strip()] = key.strip()

    def progress(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    summary = build(
        list(inputs), out_dir, store_dir=store_dir, formats=tuple(dict.fromkeys(formats)) or DEFAULT_FORMATS,
        html=not no_html, model=model, prune=prune, cache_dir=None if no_cache else "default", progress=progress,
        date=date, fields=fields or None,
    )
    if not quiet:
        for line in summary.lines():
            click.echo(line)


def register(group: click.Group) -> None:
    group.add_command(build_command)
