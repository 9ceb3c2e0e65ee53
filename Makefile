# The two commands of the README, `make run` and `make test`, and `make production`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
# test-postgres: the database the tests empty and use (created when missing).
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/partnering_test

.PHONY: run production test test-postgres lint bench system-packages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/flask --app partnering init-db
	$(BIN)/flask --app partnering demo --if-empty --url http://127.0.0.1:$(PORT)
	$(BIN)/flask --app partnering serve --port $(PORT)

# gunicorn workers only: job consumers run apart (`huey_consumer partnering.jobs.huey`).
production: $(STAMP)
	$(BIN)/flask --app partnering init-db
	$(BIN)/flask --app partnering serve-production --port $(PORT)

system-packages:
	sh .ci/system-packages

test: $(STAMP) system-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: $(STAMP) system-packages
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m scheduler bench
