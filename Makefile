# StarGate: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-embedded lint install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

## Run StarGate on the embedded default (SQLite, in-memory channel layer, ORM task broker).
run: $(STAMP)
	$(BIN)/python manage.py serve

## Run the whole suite on PostgreSQL and Redis, then ruff and mypy.
test: $(STAMP)
	bash scripts/test.sh

## The smoke subset on the embedded SQLite mode.
test-embedded: $(STAMP)
	bash scripts/test.sh --embedded

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

clean:
	rm -rf $(VENV) var staticfiles
