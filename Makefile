# policeonto: every target creates .venv and installs what it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian's Chromium, for the browser tests of the documentation site (installed by `make test`).
CHROMIUM := /usr/bin/chromium
# Debian's OpenLink Virtuoso, the second SPARQL 1.1 server the remote store is tested against (its binaries
# only: no service is started; the tests start their own on loopback).
VIRTUOSO := /usr/bin/virtuoso-t
# A Java runtime for Splink's Spark backend (pyspark), which the linkage tests run beside DuckDB.
JAVA := /usr/bin/java
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: install build check demo docs mermaid test lint clean examples bench bench-peers bench-scaffold fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium > /dev/null

$(VIRTUOSO):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq virtuoso-opensource-7-bin > /dev/null

$(JAVA):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq openjdk-17-jre-headless > /dev/null

## The pinned Mermaid release the site draws diagrams with (fetched once, integrity-checked)
mermaid: $(STAMP)
	$(BIN)/python -m policeonto.docs.mermaid > /dev/null

## The documentation site: static HTML in site/ (open site/index.html through any web server)
docs: mermaid
	$(BIN)/policeonto docs -o site

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
	$(BIN)/policeonto convert examples/pole-example.yaml -o out/pole-example.jsonld --syntax jsonld
	$(BIN)/policeonto mappings
	$(BIN)/python examples/generate_forces.py --seed 7 --out out/examples
	$(BIN)/policeonto map examples/police-uk/*.csv -o out/police-uk.nt --report out/police-uk-report.json
	$(BIN)/policeonto validate examples/police-uk/*.csv out/pole-example.ttl
	@echo "Force A and Force B exports carry deliberate faults; validation must find each one (exit 1):"
	$(BIN)/policeonto validate out/examples/force-a/*.csv out/examples/force-b/export.json \
	    --format html -o out/forces-report.html; test $$? -eq 1
	$(BIN)/policeonto validate out/examples/force-a/*.csv out/examples/force-b/export.json; test $$? -eq 1
	rm -rf out/store
	$(BIN)/policeonto load out/examples/force-a/*.csv out/examples/force-b/export.json --store out/store \
	    --load-invalid; test $$? -eq 1
	@echo "The two forces' people linked with Splink, scored against the planted ground truth beside the exact PNC join:"
	$(BIN)/policeonto link --store out/store --model out/linkage/person-model.json --retrain \
	    --truth out/examples/linkage-truth.csv
	@echo "Their vehicles and addresses linked the same way, beside the exact mark and postcode-and-lines joins:"
	@for kind in vehicle address; do \
	    $(BIN)/policeonto link --store out/store --entity $$kind --model out/linkage/$$kind-model.json --retrain \
	        --truth out/examples/linkage-truth.csv || exit 1; done
	$(BIN)/policeonto load examples/police-uk/*.csv --store out/store
	@for query in examples/queries/*.rq; do \
	    echo; echo "== $$query"; $(BIN)/policeonto query $$query --store out/store || exit 1; done
	@echo; echo "Force A and Force B shared under each example agreement (the key is made for this run in a" \
	     "temporary folder and removed; their faulty rows are rejected in mapping, so each share exits 1):"
	@mkdir -p out/share; keys=$$(mktemp -d); trap 'rm -rf "$$keys"' EXIT; \
	$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > "$$keys/steward.key" || exit 1; \
	for agreement in neighbouring-force safeguarding-partnership statistics; do \
	    echo; echo "== policeonto share ... --agreement examples/agreements/$$agreement.yaml"; \
	    $(BIN)/policeonto share examples/force-a/*.csv examples/force-b/export.json \
	        --agreement examples/agreements/$$agreement.yaml -o out/share/$$agreement.ttl \
	        --key-file "$$keys/steward.key"; test $$? -eq 1 || exit 1; \
	    echo "-- its manifest, out/share/$$agreement.ttl.manifest.ttl:"; cat out/share/$$agreement.ttl.manifest.ttl; \
	done
	@echo; echo "RDF written to out/pole-example.ttl, out/pole-example.jsonld and out/police-uk.nt;" \
	      "mapping report in out/police-uk-report.json; the two forces' validation report in" \
	      "out/forces-report.html; the generated exports in out/examples; the store is in out/store;" \
	      "the three copies and their manifests in out/share"

## Regenerate the bundled data.police.uk-format examples (seeded)
examples: $(STAMP)
	$(BIN)/python benchmarks/generate.py street 1000 examples/police-uk/2024-01-kent-street.csv --seed 7
	$(BIN)/python benchmarks/generate.py stop-and-search 1000 examples/police-uk/2024-01-kent-stop-and-search.csv --seed 7
	$(BIN)/python examples/generate_forces.py --seed 7 --out examples
	$(BIN)/python examples/generate_graph_export.py --seed 7 --out examples

## Mapping benchmark: 1M rows side by side with morph-kgc and linkml-map (not part of the tests)
bench: $(STAMP)
	$(BIN)/python benchmarks/map_benchmark.py --rows 1000000

## Peers the benchmarks compare with, in a virtualenv of their own (their pins differ from ours)
PEERS := .venv-peers
$(PEERS)/.installed:
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet schema-automator==0.5.7
	touch $@
bench-peers: $(PEERS)/.installed

## Drafting a mapping: policeonto scaffold side by side with schema-automator, scored against our mappings
bench-scaffold: $(STAMP) bench-peers
	$(BIN)/python benchmarks/scaffold_peer_benchmark.py --schemauto $(PEERS)/bin/schemauto

## The test suite, one pytest worker a core (pytest-xdist)
test: $(STAMP) $(CHROMIUM) $(VIRTUOSO) $(JAVA) mermaid
	$(BIN)/pytest -n auto

## Fuzz every reader: the property tests with new examples, then each atheris target for FUZZ_SECONDS
FUZZ_SECONDS ?= 60
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/test_properties.py -p no:cacheprovider
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m fuzz.run

lint: $(STAMP)
	$(BIN)/ruff check src tests fuzz
	$(BIN)/ruff format --check src tests fuzz

clean:
	rm -rf $(VENV) $(PEERS) .pytest_cache dist out site
