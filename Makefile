# Skailan — every command the README names. The first call builds .venv with Python 3.13.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first working Python 3.13: on PATH, or a pyenv install (its shim may point elsewhere).
PYTHON ?= $(shell for p in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13; do \
	$$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
DEPS_HASH := $(shell cat requirements-dev.txt layers/skailan/requirements.txt pyproject.toml | sha1sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(DEPS_HASH)
# sam and the local runtime need python3.13 on PATH: the venv's own comes first.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONPATH := $(CURDIR)/layers/skailan:$(CURDIR)
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

.PHONY: help install run test test-fast lint typecheck unit integration e2e contract bench build validate openapi clean

help:
	@echo "make run       install and start the whole suite locally (http://127.0.0.1:$${SKAILAN_PORT:-3000})"
	@echo "make test      install and run every test (lint, mypy, contract, unit, integration, e2e)"
	@echo "make typecheck mypy on layers/ (must stay clean)"
	@echo "make bench     print performance figures as JSON lines"
	@echo "make build     sam build;  make validate  cfn-lint + sam validate --lint"
	@echo "make openapi   regenerate the OpenAPI document from the resolvers"

$(STAMP): requirements-dev.txt layers/skailan/requirements.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.13 not found: install it (pyenv install 3.13) and retry." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: install
	$(BIN)/python -m infra.local

test: install lint typecheck contract
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests/unit tests/integration tests/contract
	$(BIN)/python -m pytest tests/e2e

test-fast: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests/unit tests/integration

lint: install
	$(BIN)/ruff check .

# mypy on the layer (settings in pyproject.toml). Before committing: `make typecheck`, or
# `.venv/bin/mypy <files you changed>` for a quicker look.
typecheck: install
	$(BIN)/mypy layers/

validate: install
	$(BIN)/cfn-lint template.yaml
	$(BIN)/sam validate --lint --region $(AWS_DEFAULT_REGION)

build: install
	$(BIN)/sam build --parallel

contract: validate openapi-check build

openapi: install
	$(BIN)/python -m infra.openapi

openapi-check: install
	@$(BIN)/python -c "import infra.openapi as o, sys; sys.exit(o.render() != o.OUTPUT.read_text())" \
		|| { echo "OpenAPI document is stale: run 'make openapi' and commit it." >&2; exit 1; }

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf .aws-sam .pytest_cache .ruff_cache .local-data
