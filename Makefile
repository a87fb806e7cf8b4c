# make run: set up (first time) and start the server; make serve: run it in production (gunicorn);
# make test: check the code and run the test suites.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run serve test lint bench templates

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# node_modules holds MSAL.js, which the server serves to the sign-in window.
run: $(VENV)/.installed node_modules/.installed
	$(PY) server.py

# Production: plain HTTP behind a proxy that terminates TLS (gunicorn.conf.py, README.md "Production").
serve: $(VENV)/.installed node_modules/.installed
	$(VENV)/bin/gunicorn --config gunicorn.conf.py server:app

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: lint node_modules/.installed
	$(PY) -m pytest -n auto
	npm test

bench: $(VENV)/.installed
	$(PY) -m bench.render
	$(PY) -m bench.budget
	$(PY) -m bench.roster_import
	$(PY) -m bench.peer_templates
	$(PY) -m bench.company_templates
	$(PY) -m bench.pdf
	$(PY) -m bench.batches
	$(PY) -m bench.load

templates: $(VENV)/.installed
	$(PY) -m tools.build_templates
	$(PY) -m tools.build_budget_template
