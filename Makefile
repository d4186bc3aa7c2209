# Two commands do everything on a fresh machine (Debian, Python 3.11, make):
#   make demo   install into .venv, migrate SQLite under var/, load demo data, serve :8000
#   make test   run the whole test suite (SQLite; DATABASE_URL=postgres://... for PostgreSQL)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test install serve worker lint format check messages clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 or python3 on PATH)"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed; $(PYTHON) is older"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "Could not create $(VENV): on Debian install the venv module (apt install python3-venv)"; \
	  exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/rongngan migrate --no-input -v 0
	$(BIN)/rongngan seed --scale demo
	@echo "Serving on http://$(HOST):$(PORT)/ (API docs: http://$(HOST):$(PORT)/api/v1/docs/) - Ctrl+C stops"
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/rongngan worker --interval 1 >var/worker.log 2>&1 & worker=$$!; \
	  $(BIN)/rongngan runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

serve: install
	$(BIN)/rongngan runserver $(HOST):$(PORT)

worker: install
	$(BIN)/rongngan worker

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install lint
	$(BIN)/rongngan makemigrations --check --dry-run
	$(BIN)/rongngan check

# Needs GNU gettext; the compiled .mo files are committed so users do not need it.
messages: install
	cd rongngan && ../$(BIN)/rongngan makemessages -l th --no-obsolete && ../$(BIN)/rongngan compilemessages -l th

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
