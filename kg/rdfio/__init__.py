"""The RDF/SPARQL I/O layer: where a graph comes from (a file, standard input or the store:
source), the one IRI check (iri), queries and their result writers (query), and pushing
to other triple stores (push). The store (kg.store) and the file writers (kg.serialize)
are its other two parts, still at the top level because most of kg imports them."""
