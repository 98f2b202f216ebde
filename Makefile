# The two commands: `make run` and `make test`. Everything they need is installed here, idempotently.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: install test unit integration lint run clean
.DEFAULT_GOAL := help

help:
	@echo "make run            start the whole service locally (no containers) and print its URL"
	@echo "make test           install everything, start the stand-ins, run the test suite"
	@echo "make e2e            the container stack end to end (podman or docker)"
	@echo "make up|down|logs|ingest   the container stack (compose.yaml)"
	@echo "make load | load-quick      Locust load tests and their report"
	@echo "make bench-ingest | bench-api | bench-export   benchmarks (figures, not tests)"
	@echo "make cost           monthly AWS cost of the Terraform defaults"
	@echo "make secrets | audit        secret scan, dependency audit"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) $(NODE_STAMP)

lint: install
	$(VENV)/bin/ruff check src services tests bench loadtest bin scripts
	$(VENV)/bin/ruff format --check src services tests bench loadtest bin scripts

# Everything CI runs: lint, the secret scan, every test tier that needs no container engine (unit,
# integration, faults, web in Debian's chromium), then checkov on the Terraform. pytest exits 5
# when it collects nothing; that must fail, so no `|| true` anywhere here.
test: install install-browser lint secrets
	$(VENV)/bin/pytest tests
	$(MAKE) --no-print-directory checkov

unit: install
	$(VENV)/bin/pytest tests/unit

integration: install
	$(VENV)/bin/pytest tests/integration

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache build

-include mk/*.mk
