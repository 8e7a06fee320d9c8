# Liuke — the two commands a salon or a developer needs: `make serve` and `make test`.
# Everything installs into .venv from the pinned files in requirements/.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/dev.txt pyproject.toml | sha1sum | cut -c1-12)

.PHONY: install serve test test-sqlite test-postgres lint bench messages clean

$(STAMP): requirements/dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet --no-deps -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

## Run the app on 127.0.0.1:$${PORT:-8000} with the demo salon (SQLite, gunicorn + job consumer).
serve: install
	$(BIN)/liuke serve

## The whole test suite, on SQLite and on PostgreSQL (started from the machine's binaries).
test: install
	$(BIN)/python scripts/system_deps.py
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/mypy src tests
	$(BIN)/lint-imports
	$(BIN)/python scripts/run_tests.py

test-sqlite: install
	$(BIN)/python scripts/run_tests.py --only sqlite

test-postgres: install
	$(BIN)/python scripts/run_tests.py --only postgres

## Style, types and the layer order between apps (.importlinter, docs/architecture.md).
lint: install
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy src tests
	$(BIN)/lint-imports

## Benchmarks: search, sales and analytics (see docs/benchmarks.md); `liuke bench --only analytics`.
bench: install
	$(BIN)/liuke bench

## Regenerate and compile the translation catalogues (needs gettext).
messages: install
	$(BIN)/python scripts/messages.py

clean:
	rm -rf $(VENV) var
