# Two commands for a new user: `make demo` and `make test`. Both create .venv first; each
# installs only what it needs (a stamp file per set of extras). A bare `make` lists the targets:
# each documented target has a `## ` comment on its line, which `make help` prints.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo
DEMO_FLASK_CORS_STAMP := $(VENV)/.installed-demo-flask-cors
DIST_STAMP := $(VENV)/.installed-dist

.DEFAULT_GOAL := help
.PHONY: help install test test-oldest lint typecheck docs docs-check pytest demo bench dist clean

help: ## List the targets (a bare `make` does this)
	@echo "Targets (each creates .venv when needed):"
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | \
		sed -E 's/^([a-z-]+):.*## (.*)$$/  \1\t\2/' | expand -t 16

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Tests, linters and type checker, docs, and the benchmark (its tests run with the others).
$(STAMP): setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,dev,docs,bench]'
	touch $@

# The demo: the package and flask-restx only.
$(DEMO_STAMP): setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[example]'
	touch $@

install: $(STAMP) ## Create .venv with the package (editable) and every tool

lint: $(STAMP) ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP) ## mypy --strict
	$(VENV)/bin/mypy --strict

docs: $(STAMP) ## Build the documentation into docs/_build/html
	$(PY) -m sphinx -q -b html docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

docs-check: $(STAMP) ## Docs with warnings as errors, and their doctests
	$(PY) -m sphinx -q -W --keep-going -b html docs docs/_build/html
	$(PY) -m sphinx -q -W --keep-going -b doctest docs docs/_build/doctest

pytest: $(STAMP) ## The test suite with coverage
	$(PY) -m pytest --cov=flask_crossorigin --cov-report=term-missing:skip-covered

test: lint typecheck docs-check pytest ## Everything CI runs: lint, typecheck, docs-check, pytest

# The oldest supported stack: Python 3.9 with Flask and Werkzeug 2.3 (core tests only).
OLDEST_PYTHON ?= python3.9
OLDEST_VENV ?= .venv-oldest
test-oldest: ## Core tests on Python 3.9 with Flask 2.3 (OLDEST_PYTHON=...)
	@$(OLDEST_PYTHON) --version >/dev/null 2>&1 || { echo "test-oldest: no $(OLDEST_PYTHON)"; exit 1; }
	$(OLDEST_PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install --quiet 'flask==2.3.*' 'werkzeug==2.3.*' \
		pytest hypothesis asgiref flask-cors==6.0.5 flask-restx packaging
	$(OLDEST_VENV)/bin/python -m pytest -q -p no:cacheprovider tests \
		--ignore=tests/browser --ignore=tests/deploy -m "not slow"

# flask-cors, for FLASK_EXAMPLE_CORS_LIBRARY=flask-cors (the version the tests compare with).
$(DEMO_FLASK_CORS_STAMP): setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[example-flask-cors]'
	touch $@

# Ports: DEMO_API_PORT (5000), DEMO_PAGE_PORT (5001), DEMO_OTHER_PORT (5002).
# FLASK_EXAMPLE_CORS_LIBRARY=flask-cors wires the API with flask-cors, installed first.
DEMO_NEEDS := $(DEMO_STAMP) $(if $(filter flask-cors,$(FLASK_EXAMPLE_CORS_LIBRARY)),$(DEMO_FLASK_CORS_STAMP))
demo: $(DEMO_NEEDS) ## Serve the example API and its demo page (ports 5000-5002)
	$(PY) -m example_app.demo

bench: $(STAMP) ## Measure the cost per request (about five minutes)
	$(PY) bench/run.py

# build and twine (the dev extra), for `make dist` alone.
$(DIST_STAMP): setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Build the sdist and wheel into dist/, check them with twine and scripts/check_dist.py, then
# install the wheel into a fresh venv in a temporary directory and run the smoke test there,
# so that the package imported is the installed one, not this checkout.
dist: $(DIST_STAMP) ## Build sdist and wheel, twine check them, smoke-test the installed wheel
	rm -rf dist build
	$(PY) -m build --outdir dist .
	$(PY) -m twine check --strict dist/*
	$(PY) scripts/check_dist.py dist
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		$(PYTHON) -m venv "$$tmp/venv" && \
		"$$tmp/venv/bin/python" -m pip install --quiet dist/*.whl && \
		cp scripts/smoke_app.py "$$tmp/" && cd "$$tmp" && \
		CHECKOUT="$(CURDIR)" venv/bin/python smoke_app.py && \
		venv/bin/flask --app smoke_app cors config
	@echo "dist: built, checked and smoke-tested: $$(ls dist | tr '\n' ' ')"

clean: ## Remove what builds, tests and the venvs leave: back to a fresh clone
	rm -rf $(VENV) $(OLDEST_VENV) build dist *.egg-info docs/_build instance .cache \
		.pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage htmlcov
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
