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
.PHONY: help install test test-oldest test-matrix lint typecheck docs docs-check pytest demo bench fuzz dist clean

help: ## List the targets (a bare `make` does this)
	@echo "Targets (each creates .venv when needed):"
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | \
		sed -E 's/^([a-z-]+):.*## (.*)$$/  \1\t\2/' | expand -t 16

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Tests, linters and type checker, docs, and the benchmark (its tests run with the others).
$(STAMP): setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,recipes,dev,docs,bench]'
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

test: lint typecheck docs-check pytest test-matrix ## Everything CI runs: lint, typecheck, docs, pytest, the Python/Flask matrix

# --- the test matrix: every supported Python, Flask 2.3, 3.0 and 3.1 ------------------------
# `make pytest` runs the whole suite on the main Python (MAIN_PYTHON_VERSION, with the latest
# Flask), browser (Chromium) and server (nginx, gunicorn) tests included. Each cell of the
# matrix runs everything else on one more Python, in its own venv (.venv-py3.X), with the Flask
# and Werkzeug named below. A Python this machine lacks is said so and its cell skipped.
# setup.cfg's classifiers list exactly these Pythons (a test checks it).
MAIN_PYTHON_VERSION := 3.11
MATRIX ?= 3.9 3.10 3.12 3.13
FLASK_3.9 := 'flask==2.3.*' 'werkzeug==2.3.*'
FLASK_3.10 := 'flask==3.0.*' 'werkzeug==3.0.*'
FLASK_3.12 := 'flask==3.1.*' 'werkzeug==3.1.*'
FLASK_3.13 := 'flask==3.1.*' 'werkzeug==3.1.*'
# The extras each cell installs (the docs' flask-smorest and APIFlask recipes need Flask 3).
EXTRAS_3.9 := test
EXTRAS_3.10 := test,recipes
EXTRAS_3.12 := test,recipes
EXTRAS_3.13 := test,recipes
PYENV_ROOT ?= $(HOME)/.pyenv
# How many cells run at once (each is one pytest process).
MATRIX_JOBS ?= 2
# A Python 3.X: pyenv's, else python3.X on PATH, else nothing.
find_python = $(or $(firstword $(wildcard $(PYENV_ROOT)/versions/$(1).*/bin/python$(1))),$(shell command -v python$(1) 2>/dev/null))
CELL_PYTEST = -q -p no:cacheprovider -m "not browser and not server" tests

.PRECIOUS: .venv-py%/.installed
.venv-py%/.installed: setup.cfg pyproject.toml
	@py="$(call find_python,$*)"; \
	if [ -z "$$py" ]; then echo "Python $*: not on this machine (its matrix cell is skipped)"; exit 0; fi; \
	set -ex; rm -rf .venv-py$*; "$$py" -m venv .venv-py$*; \
	.venv-py$*/bin/python -m pip install --quiet --upgrade pip; \
	.venv-py$*/bin/python -m pip install --quiet -e '.[$(EXTRAS_$*)]' $(FLASK_$*); \
	touch $@

# One cell; pytest's exit code is the cell's (5, no test collected, fails it too).
test-py%: .venv-py%/.installed
	@if [ ! -x .venv-py$*/bin/python ]; then echo "test-py$*: skipped, no Python $*"; exit 0; fi; \
	.venv-py$*/bin/python -c 'import sys; from importlib.metadata import version as v; \
		print("test-py$*: Python", sys.version.split()[0], "Flask", v("flask"), "Werkzeug", v("werkzeug"))'; \
	start=$$(date +%s); \
	.venv-py$*/bin/python -m pytest $(CELL_PYTEST); rc=$$?; \
	echo "test-py$*: pytest exit $$rc in $$(( $$(date +%s) - start )) s"; \
	exit $$rc

test-matrix: ## The suite but browser and server tests on Python 3.9, 3.10, 3.12, 3.13
	$(MAKE) -k -j$(MATRIX_JOBS) --output-sync=target $(addprefix test-py,$(MATRIX))

# The oldest supported stack alone: Python 3.9 with Flask and Werkzeug 2.3.
test-oldest: test-py3.9 ## Python 3.9 with Flask and Werkzeug 2.3 alone

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

# Coverage-guided fuzzing (atheris) of the origin, header-list and configuration parsers:
# each target for FUZZ_SECONDS; a broken invariant stops with the input that broke it, its
# traceback, and the input saved as fuzz-TARGET-crash-*. CI runs the same targets for a
# fixed number of runs (tests/fuzz/test_fuzz.py).
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?= origin origin_entry request_headers config
fuzz: $(STAMP) ## Coverage-guided fuzzing of the parsers (FUZZ_SECONDS per target)
	@log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	for target in $(FUZZ_TARGETS); do \
		echo "fuzz $$target: $(FUZZ_SECONDS) s"; \
		PYTHONHASHSEED=0 $(PY) -W ignore -m tests.fuzz.run $$target \
			-max_total_time=$(FUZZ_SECONDS) -timeout=10 -artifact_prefix=fuzz-$$target- \
			>"$$log" 2>&1 || { grep -v '^#' "$$log" | tail -60; exit 1; }; \
		grep -E '^(#[0-9]+.*DONE|Done)' "$$log"; \
	done

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
	rm -rf $(VENV) .venv-py3.* .venv-oldest build dist *.egg-info docs/_build instance .cache \
		.pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage htmlcov fuzz-*-crash-* fuzz-*-timeout-*
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
