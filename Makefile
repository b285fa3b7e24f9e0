# Fresh machine: `make demo` builds the sample graph, `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kg-installed

.PHONY: demo test test-fast install system-deps bench lint clean

$(STAMP): pyproject.toml
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

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf output/graph.* output/store .kg-cache .pytest_cache
