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
# The IaC scanner has a venv of its own: checkov pins boto3 and packaging to versions the project's cannot share.
POSTURE_VENV := .venv-posture
POSTURE_STAMP := $(POSTURE_VENV)/.installed-$(shell cat requirements-posture.txt | sha1sum | cut -c1-12)
# sam and the local runtime need python3.13 on PATH: the venv's own comes first.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONPATH := $(CURDIR)/layers/skailan:$(CURDIR)
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

.PHONY: help install run test checks test-fast lint typecheck unit integration e2e contract posture bench build validate openapi clean
.PHONY: chromium web-install web-build web-api web-api-check web-lint web-unit web-e2e web-test deploy-web

help:
	@echo "make run       install and start the whole suite locally (http://127.0.0.1:$${SKAILAN_PORT:-3000})"
	@echo "make test      install and run every test (lint, mypy, contract, unit, integration, e2e)"
	@echo "make typecheck mypy on layers/ and infra/local (must stay clean)"
	@echo "make bench     print performance figures as JSON lines"
	@echo "make build     sam build;  make validate  cfn-lint + sam validate --lint"
	@echo "make posture   checkov on template.yaml; accepted exceptions in .checkov.yaml (docs/decisions.md)"
	@echo "make openapi   regenerate the OpenAPI document from the resolvers"
	@echo "make deploy-web  publish web/ to the stack's bucket + CloudFront (STACK=skailan-dev; docs/deploy-web.md)"
	@echo "make web-build build the web app (web/dist, only when web/ changed);  make web-test  its lint, unit and browser tests"

$(STAMP): requirements-dev.txt layers/skailan/requirements.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.13 not found: install it (pyenv install 3.13) and retry." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

$(POSTURE_STAMP): requirements-posture.txt
	@test -n "$(PYTHON)" || { echo "Python 3.13 not found: install it (pyenv install 3.13) and retry." >&2; exit 1; }
	@test -x $(POSTURE_VENV)/bin/python || $(PYTHON) -m venv $(POSTURE_VENV)
	$(POSTURE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(POSTURE_VENV)/bin/python -m pip install --quiet -r requirements-posture.txt
	@rm -f $(POSTURE_VENV)/.installed-* && touch $@

run: install web-build
	@echo "App: http://127.0.0.1:$${SKAILAN_PORT:-3000}/"
	$(BIN)/python -m infra.local

# The static checks and the builds the browser tests need are independent: two at a time (2 cores),
# each one's output kept together.
test: install
	$(MAKE) -j2 --output-sync=target checks
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests/unit tests/integration tests/contract
	$(BIN)/python -m pytest tests/e2e --ignore=tests/e2e/test_openapi_fuzz.py
	# The fuzz runs destructive operations: its own runtime, so no other test sees the brand it leaves.
	$(BIN)/python -m pytest tests/e2e/test_openapi_fuzz.py
	$(MAKE) web-e2e

checks: lint typecheck contract posture web-lint web-unit web-api-check chromium web-build

test-fast: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests/unit tests/integration

lint: install
	$(BIN)/ruff check .

# mypy on the layer and the local runtime (settings in pyproject.toml). Before committing: `make typecheck`, or
# `.venv/bin/mypy <files you changed>` for a quicker look.
typecheck: install
	$(BIN)/mypy layers/ infra/local

validate: install
	$(BIN)/cfn-lint template.yaml
	$(BIN)/sam validate --lint --region $(AWS_DEFAULT_REGION)

build: install
	$(BIN)/sam build --parallel

contract: validate openapi-check build

# Offline: no policy download, no Bridgecrew mapping, no PyPI version check, no prompt.
posture: $(POSTURE_STAMP)
	env -u PYTHONPATH BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE CKV_NO_PROMPT=1 \
		$(POSTURE_VENV)/bin/checkov --config-file .checkov.yaml

openapi: install
	$(BIN)/python -m infra.openapi

openapi-check: install
	@$(BIN)/python -c "import infra.openapi as o, sys; sys.exit(o.render() != o.OUTPUT.read_text())" \
		|| { echo "OpenAPI document is stale: run 'make openapi' and commit it." >&2; exit 1; }

bench: install web-build
	$(BIN)/python -m bench

# -- the web app (web/): Node from the system, packages from package-lock.json ---------------------
WEB := web
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
WEB_LOCK_STAMP = $(WEB)/node_modules/.installed-$(shell sha1sum $(WEB)/package-lock.json | cut -c1-12)
# The build is cached on a hash of everything that goes into it.
WEB_SOURCES_HASH = $(shell cd $(WEB) && find src public index.html vite.config.ts tsconfig*.json package-lock.json \
	-type f -not -path '*/__tests__/*' -not -name '*.test.*' -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-12)
WEB_BUILD_STAMP = $(WEB)/dist/.built-$(WEB_SOURCES_HASH)

# Debian's chromium for the browser tests (Playwright never downloads browsers here).
chromium:
	@test -x /usr/bin/chromium || { echo "installing chromium with apt"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

web-install:
	@test -f $(WEB_LOCK_STAMP) || { cd $(WEB) && npm ci --no-audit --no-fund && cd .. && touch $(WEB_LOCK_STAMP); }

web-build: web-install
	@test -f $(WEB_BUILD_STAMP) || { cd $(WEB) && npm run --silent build && cd .. && touch $(WEB_BUILD_STAMP); }

# Regenerate the typed API client from the OpenAPI document (after `make openapi`).
web-api: web-install
	cd $(WEB) && npm run --silent api:generate

web-api-check: web-install
	cd $(WEB) && npm run --silent api:check

web-lint: web-install
	cd $(WEB) && npm run --silent lint && npx tsc -b --noEmit

web-unit: web-install
	cd $(WEB) && npm run --silent test

# Browser tests: one local runtime on free ports, Debian's chromium, headless.
web-e2e: install chromium web-build
	cd $(WEB) && SKAILAN_PYTHON=$(CURDIR)/$(BIN)/python npm run --silent e2e

web-test: web-lint web-unit web-api-check web-e2e

# Publish the app to the stack's WebBucket behind CloudFront (docs/deploy-web.md). Needs AWS
# credentials and a deployed stack: `make deploy-web STACK=skailan-prod`.
STACK ?= skailan-dev
deploy-web: install web-build
	@set -euo pipefail; outputs=$$(mktemp); trap 'rm -f $$outputs' EXIT; \
	aws cloudformation describe-stacks --stack-name $(STACK) --output json > $$outputs; \
	bucket=$$($(BIN)/python -m infra.deploy_web output $$outputs WebBucketName); \
	distribution=$$($(BIN)/python -m infra.deploy_web output $$outputs WebDistributionId); \
	$(BIN)/python -m infra.deploy_web config $$outputs $(WEB)/dist; \
	aws s3 sync $(WEB)/dist/assets s3://$$bucket/assets --cache-control "public,max-age=31536000,immutable"; \
	aws s3 sync $(WEB)/dist s3://$$bucket --delete --exclude "assets/*" --exclude ".built-*" --cache-control "no-cache"; \
	aws cloudfront create-invalidation --distribution-id $$distribution --paths "/index.html" "/config.json" "/" >/dev/null; \
	echo "App: $$($(BIN)/python -m infra.deploy_web output $$outputs WebUrl)"

clean:
	rm -rf .aws-sam .pytest_cache .ruff_cache .local-data $(WEB)/dist
