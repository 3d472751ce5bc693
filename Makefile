# Two entry points: `make demo` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
BUNDLE := src/vizwidget/static/widget.js

.PHONY: demo test setup browser build-js bench lint clean

demo: setup
	$(PY) -m vizwidget demo demo-run

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

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) js/node_modules src/vizwidget/static exports demo-run
