# policeonto: every target creates .venv and installs what it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install build check demo test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)

## Regenerate ontology/ and shapes/ from the LinkML schema
build: $(STAMP)
	$(BIN)/policeonto build

## Fail when a generated artefact is out of date
check: $(STAMP)
	$(BIN)/policeonto build --check

## The main job end to end on the bundled examples
demo: $(STAMP)
	$(BIN)/policeonto build --check
	$(BIN)/policeonto stats
	$(BIN)/policeonto report
	$(BIN)/policeonto convert examples/pole-example.yaml -o out/pole-example.ttl
	$(BIN)/policeonto convert examples/pole-example.yaml -o out/pole-example.jsonld --format jsonld
	@echo "RDF written to out/pole-example.ttl and out/pole-example.jsonld"

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

clean:
	rm -rf $(VENV) .pytest_cache dist out
