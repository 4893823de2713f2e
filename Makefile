# Two commands do everything on a fresh machine: `make test` and `make rswk-release`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROFILE ?= sample
WORKDIR ?= work/$(PROFILE)
PACKAGES := rswk crawlers curation validation indexing

.PHONY: test lint typecheck pytest rswk-release install clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[index,scale,bench,test]'
	touch $@

install: $(BIN)/.installed

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy $(PACKAGES) bench

# Two pytest workers, a test file each at a time (its module fixtures built once): most tests
# are one Python thread waiting on another, so two cores finish the suite ~1.4x sooner.
# PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= 2

pytest: install
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile

test: lint typecheck pytest

rswk-release: install
	$(BIN)/rswk run --profile $(PROFILE) --workdir $(WORKDIR)

clean:
	rm -rf work releases .mypy_cache .ruff_cache
