# Two entry points: `make demo` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
BUNDLE := src/vizwidget/static/widget.js


.PHONY: demo lab test setup browser build-js bench lint docs clean

demo: setup
	$(PY) -m vizwidget demo demo-run

# JupyterLab on notebooks/ (00_tour.ipynb opens on the demo runs; trained first if absent).
lab: setup demo-run/exports/index.html
	scripts/lab.sh

demo-run/exports/index.html:
	$(MAKE) demo

test: setup
	cd js && (test -x node_modules/.bin/vitest || npm ci --no-audit --no-fund) && npm test
	$(PY) -m pytest tests notebooks --nbval-lax --nbval-current-env

setup: $(STAMP) browser build-js

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	scripts/ensure-node.sh  # the install's build hook runs npm when the bundle is absent
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

browser: $(STAMP)
	scripts/ensure-chromium.sh $(PY)

build-js: $(BUNDLE)

$(BUNDLE): $(wildcard js/*.js js/*.css js/package.json js/package-lock.json js/src/*)
	@if [ -f js/package.json ]; then \
	  scripts/ensure-node.sh && cd js && npm ci --no-audit --no-fund && npm run build; \
	fi

bench: setup
	$(PY) benchmarks/bench_static.py

docs: setup
	$(PY) -m mkdocs build --strict

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) js/node_modules src/vizwidget/static exports demo-run site
