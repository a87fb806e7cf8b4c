# make run: set up (first time) and start the server; make test: run the test suites.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test bench templates

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(VENV)/.installed
	$(PY) server.py

test: $(VENV)/.installed node_modules/.installed
	$(PY) -m pytest
	npm test

bench: $(VENV)/.installed
	$(PY) bench/render.py
	$(PY) bench/budget.py
	$(PY) bench/roster_import.py

templates: $(VENV)/.installed
	$(PY) tools/build_templates.py
	$(PY) tools/build_budget_template.py
