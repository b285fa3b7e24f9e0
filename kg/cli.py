"""The `kg` command line: a thin layer over the library.

Library errors (KgError) become one line on stderr and exit status 1 here, at the
boundary; anything else unexpected is reported as an internal error without a traceback
unless KG_DEBUG=1.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from .errors import KgError

# Each module exposes `register(group)`; kept as names so `kg --help` imports no heavy library.
COMMAND_MODULES = (
    "kg.commands.build",
    "kg.commands.query",
    "kg.commands.evaluate",
    "kg.commands.store",
    "kg.commands.export",
    "kg.commands.validate",
    "kg.commands.serve",
    "kg.commands.push",
    "kg.commands.html",
    "kg.commands.stats",
    "kg.commands.events",
)


class KgGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgError as exc:
            click.echo(f"kg: error: {exc}", err=True)
            sys.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("kg: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the boundary: no tracebacks for users
            if os.environ.get("KG_DEBUG"):
                raise
            click.echo(f"kg: internal error: {type(exc).__name__}: {exc} (set KG_DEBUG=1 for details)", err=True)
            sys.exit(2)


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg", prog_name="kg")
def cli() -> None:
    """Build a geopolitics knowledge graph from German news text.

    \b
    Typical use:
      kg build seeds/ -o output/          extract actors and relations, write RDF + HTML
      kg query output/graph.ttl 'SELECT ?a ?b WHERE { ?a gkg:meets ?b }'
      kg eval dev/devset.jsonl            precision / recall on a gold set

    Every command has its own --help.
    """


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # command not built yet in this checkout
            raise
        module.register(cli)


_register_all()


def main() -> None:
    cli(prog_name="kg")


if __name__ == "__main__":
    main()
