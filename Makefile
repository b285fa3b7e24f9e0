# Fresh machine: `make demo` builds the sample graph, `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kg-installed

.PHONY: demo test test-fast install system-deps bench lint clean

$(STAMP): pyproject.toml setup.py kg/nlp/_hanta_rows.pyx
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

system-deps:
	tools/install-system-deps.sh

demo: $(STAMP)
	$(BIN)/kg build seeds/ -o output/

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q

# The suite without servers, browsers and subprocess builds (tests marked slow).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

# Benchmarks (not tests; figures in README.md and docs/): extraction, corpus scale, store,
# endpoints, HTML page. Tens of minutes on 2 cores.
bench: $(STAMP) system-deps
	$(BIN)/python bench/bench_extract.py
	$(BIN)/python bench/bench_corpus.py
	$(BIN)/python bench/bench_store.py
	$(BIN)/python bench/bench_serve.py
	$(BIN)/python bench/bench_html.py

clean:
	rm -rf output/graph.* output/store .kg-cache .pytest_cache
