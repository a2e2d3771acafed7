# Everyday commands. `make run` and `make test` install what they need on first use and reuse it after.
SHELL := bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

-include .env
export STAGE ?= local
export DYNAMODB_PORT ?= 8000
export DYNAMODB_HOST ?= http://127.0.0.1:$(DYNAMODB_PORT)
export FLASK_APP := wsgi

.PHONY: install browser run test lint format bench dynamodb-start dynamodb-stop clean package

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# npm ci also runs package.json's postinstall, which copies the site's chart library from
# node_modules into site/vendor/ (generated, git-ignored: the site serves it, no CDN).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Only when site/vendor/ was deleted after an install: copy it again.
site/vendor/chart.umd.min.js: | node_modules/.installed
	npm run --silent build:site

install: $(BIN)/.installed node_modules/.installed site/vendor/chart.umd.min.js

# Debian's Chromium for the browser tests: a quick no-op when present, else apt-get (as root or
# through sudo), else a clear failure.
browser:
	scripts/install-browser.sh

$(BIN)/.bench-installed: requirements-bench.txt $(BIN)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@

# Every benchmark, then one table in bench/RESULTS.md; fails if any bench misses its mark.
BENCHES := quota_sim latency hit_cost discography_calls history cold_start load faults fuzz
bench: install $(BIN)/.bench-installed
	@status=0; for b in $(BENCHES); do echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py || status=1; done; \
	$(BIN)/python bench/report.py; exit $$status

dynamodb-start: node_modules/.installed
	scripts/dynamodb.sh start

dynamodb-stop:
	scripts/dynamodb.sh stop

# Debug mode (and so sample mode without credentials) for `make run` only, never for tests.
run: export FLASK_DEBUG ?= 1
run: install dynamodb-start
	$(BIN)/flask db create > /dev/null
	$(BIN)/flask history sample --if-sample-mode > /dev/null
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# The site's pure JS helpers under node's own test runner first (a second), then everything else.
test: install browser
	npm run --silent test:js
	$(BIN)/pytest

# Python with ruff and mypy; the site's JS with ESLint and `prettier --check` (package.json's lint:js).
lint: $(BIN)/.installed node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	npm run --silent lint:js

format: $(BIN)/.installed node_modules/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	npm run --silent format:js

# The Lambda zip for a Zappa stage: `make package STAGE=prod`; dev unless STAGE is given on the
# command line or in the shell (the STAGE above, from .env, names the local stage).
package: site/vendor/chart.umd.min.js
	scripts/package.sh $(if $(filter command line environment,$(origin STAGE)),$(STAGE),dev)

clean: dynamodb-stop
	rm -rf $(VENV) node_modules .data .pytest_cache .ruff_cache .mypy_cache

# CloudWatch alarms that e-mail the owner, and a dashboard, for a deployed stage, made with your own
# AWS credentials: `make alarms STAGE=prod ALERT_EMAIL=you@example.com`, removed with
# `make alarms-delete STAGE=prod` (docs/deploy.md). STAGE must be named on the command line or in
# the shell: the STAGE above (local unless .env says otherwise) is no deployed stage.
.PHONY: alarms alarms-delete
ALARMS_STAGE = $(filter-out local,$(if $(filter command line environment%,$(origin STAGE)),$(STAGE)))
alarms alarms-delete: export ALERT_EMAIL := $(ALERT_EMAIL)
alarms alarms-delete: $(BIN)/.installed
	@test -n "$(ALARMS_STAGE)" || { echo "make $@: STAGE must name a deployed stage (local is not one), e.g. make $@ STAGE=prod" >&2; exit 2; }
	$(BIN)/python scripts/alarms.py --stage '$(ALARMS_STAGE)'$(if $(filter alarms-delete,$@), --delete)
