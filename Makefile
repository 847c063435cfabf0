# Two commands for a new user: `make demo` and `make test`. Both create .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test lint typecheck docs docs-check pytest demo bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,docs,example,bench]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy --strict

docs: $(STAMP)
	$(PY) -m sphinx -q -b html docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

docs-check: $(STAMP)
	$(PY) -m sphinx -q -W --keep-going -b html docs docs/_build/html
	$(PY) -m sphinx -q -W --keep-going -b doctest docs docs/_build/doctest

pytest: $(STAMP)
	$(PY) -m pytest --cov=flask_crossorigin --cov-report=term-missing:skip-covered

test: lint typecheck docs-check pytest

demo: $(STAMP)
	$(PY) -m example_app.demo

bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) docs/_build .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage
