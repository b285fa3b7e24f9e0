"""Errors that reach the user as one line at the CLI boundary."""


class KgError(Exception):
    """A problem the user can fix (bad input, missing file, bad query)."""


class InputError(KgError):
    """An input document or graph cannot be read."""


class QueryError(KgError):
    """A SPARQL query is malformed or fails."""
