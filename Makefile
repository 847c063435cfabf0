# Two commands for a new user: `make demo` and `make test`. Both create .venv first; each
# installs only what it needs (a stamp file per set of extras).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo

.PHONY: install test test-oldest lint typecheck docs docs-check pytest demo bench clean

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

# The oldest supported stack: Python 3.9 with Flask and Werkzeug 2.3 (core tests only).
OLDEST_PYTHON ?= python3.9
OLDEST_VENV ?= .venv-oldest
test-oldest:
	@$(OLDEST_PYTHON) --version >/dev/null 2>&1 || { echo "test-oldest: no $(OLDEST_PYTHON)"; exit 1; }
	$(OLDEST_PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install --quiet 'flask==2.3.*' 'werkzeug==2.3.*' \
		pytest hypothesis asgiref flask-cors==6.0.5 flask-restx packaging
	$(OLDEST_VENV)/bin/python -m pytest -q -p no:cacheprovider tests \
		--ignore=tests/browser --ignore=tests/deploy -m "not slow"

# Ports: DEMO_API_PORT (5000), DEMO_PAGE_PORT (5001), DEMO_OTHER_PORT (5002).
demo: $(DEMO_STAMP)
	$(PY) -m example_app.demo

bench: $(STAMP)
	$(PY) bench/run.py

# Coverage-guided fuzzing (atheris) of the origin, header-list and configuration parsers:
# each target for FUZZ_SECONDS; a broken invariant stops with the input that broke it, its
# traceback, and the input saved as fuzz-TARGET-crash-*. CI runs the same targets for a
# fixed number of runs (tests/fuzz/test_fuzz.py).
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?= origin origin_entry request_headers config
.PHONY: fuzz
fuzz: $(STAMP)
	@log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	for target in $(FUZZ_TARGETS); do \
		echo "fuzz $$target: $(FUZZ_SECONDS) s"; \
		PYTHONHASHSEED=0 $(PY) -W ignore -m tests.fuzz.run $$target \
			-max_total_time=$(FUZZ_SECONDS) -timeout=10 -artifact_prefix=fuzz-$$target- \
			>"$$log" 2>&1 || { grep -v '^#' "$$log" | tail -60; exit 1; }; \
		grep -E '^(#[0-9]+.*DONE|Done)' "$$log"; \
	done

clean:
	rm -rf $(VENV) $(OLDEST_VENV) docs/_build .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage
