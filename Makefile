# Plain bootstrap: needs only python3 (>= 3.10) and make.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup verify test test-slow lint bench clean docs

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

DOCS_STAMP := $(VENV)/.installed-docs
$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	touch $(DOCS_STAMP)

## main job: lemma suite + a numerical check, printed as a report
verify: $(STAMP)
	$(BIN)/weingarten-check verify

## every test (unit tests, proofs/, notebooks); slow ones are in test-slow
test: $(STAMP)
	$(BIN)/python -m pytest -q

## ruff: lint rules and formatting (configured in pyproject.toml); zero findings expected
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_weingarten.py
	$(BIN)/python benchmarks/bench_numerics.py
	$(BIN)/python benchmarks/bench_certified.py --quick
	$(BIN)/python benchmarks/bench_scale.py

## the documentation site into build/docs/html: warnings are errors, the notebooks are executed
docs: $(DOCS_STAMP)
	$(BIN)/sphinx-build -b html -W --keep-going -q docs/source build/docs/html
	@echo "site written to build/docs/html/index.html"

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
	rm -rf docs/source/api docs/source/notebooks
