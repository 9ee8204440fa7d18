# Two commands: `make run` (a running portal with the strategy and demonstration data on SQLite)
# and `make test` (the whole suite). Both build the virtual environment they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml package.json | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format e2e bench clean

$(STAMP): pyproject.toml package.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent; \
	  else echo "npm not found: the accessibility tests will skip (install Node.js for them)"; fi
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: export DEBUG ?= true
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_strategy
	$(BIN)/python manage.py load_demo
	@echo "Portal: http://$(HOST):$(PORT)/lv/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=false SECRET_KEY=lint-only-not-secret $(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(STAMP) lint
	DEBUG=false SECRET_KEY=test-only-not-secret $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk from Debian (the gunicorn figures need it)"; \
	  apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null) \
	  || echo "wrk could not be installed: the gunicorn figures will be skipped"; }
	$(BIN)/python -m pytest tests/bench/test_scale.py tests/bench/test_open_data_bench.py tests/bench/test_lighthouse.py -p no:randomly -s $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles
