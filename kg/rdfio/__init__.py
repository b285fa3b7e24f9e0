"""The RDF/SPARQL layer: the ontology namespace (namespace), records as triples (rdf), the
one prefix table (prefixes) and IRI check (iri), the file writers (serialize), the store
(store), where a graph comes from — a file, standard input or the store (source) — query
checks (sparql_guard), queries and the one result writer (query, results), the SPARQL
endpoint (server) and pushing to other triple stores (push)."""
