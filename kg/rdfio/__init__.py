"""The RDF/SPARQL I/O layer: where a graph comes from (a file, standard input or the store),
IRI checks and the result writers shared by the commands."""
