# One entry point. `make demo` runs the product on demo data; `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)

.PHONY: demo test lint unit system-deps screenshot bench clean

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP)
	$(BIN)/chainmap demo

test: $(STAMP) system-deps lint unit

system-deps:
	./scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

screenshot: $(STAMP)
	$(BIN)/python scripts/screenshot.py

# Long benchmarks, kept out of `make test`; their figures are in the README.
bench: $(STAMP) system-deps
	$(BIN)/chainmap bench-classify
	$(BIN)/python -m scripts.bench_cli
	$(BIN)/python -m scripts.bench_map
	$(BIN)/chainmap bench-match --demo
	$(BIN)/python -m scripts.bench_match
	$(BIN)/python -m scripts.bench_schedule
	$(BIN)/python -m scripts.bench_import
	$(BIN)/python -m scripts.bench_api

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
