# telcrm — `make demo` to run it, `make test` to test it. See README.md.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= $(or $(TELCRM_PORT),8000)
CUSTOMERS ?= 20000
VENDOR := src/telcrm/web/static/vendor
STAMP := $(VENV)/.installed

.PHONY: setup pdf-libs demo run worker beat test test-fast test-e2e ctk bench lint migrate messages browser clean

setup: $(STAMP) $(VENDOR)/.copied messages pdf-libs

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

$(VENDOR)/.copied: node_modules/.package-lock.json
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/htmx $(VENDOR)/echarts $(VENDOR)/swagger-ui
	cp -r node_modules/bootstrap/dist/css node_modules/bootstrap/dist/js $(VENDOR)/bootstrap/
	mkdir -p $(VENDOR)/bootstrap-icons && cp -r node_modules/bootstrap-icons/font $(VENDOR)/bootstrap-icons/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	cp node_modules/swagger-ui-dist/swagger-ui.css node_modules/swagger-ui-dist/swagger-ui-bundle.js \
	   node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js node_modules/swagger-ui-dist/favicon-32x32.png $(VENDOR)/swagger-ui/
	mkdir -p $(VENDOR)/bpmn-js && cp node_modules/bpmn-js/dist/bpmn-viewer.production.min.js \
	   node_modules/bpmn-js/dist/bpmn-modeler.production.min.js $(VENDOR)/bpmn-js/ && cp -r node_modules/bpmn-js/dist/assets/. $(VENDOR)/bpmn-js/
	touch $@

messages: $(STAMP)
	$(BIN)/python scripts/compile_messages.py >/dev/null

migrate: setup
	mkdir -p var
	$(BIN)/python manage.py migrate --no-input

# The embedded demo: SQLite, worker and beat beside the server, a generated carrier.
demo: migrate
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py demo_data --if-empty --customers $(CUSTOMERS)
	$(BIN)/python manage.py serve --port $(PORT) --with-worker

# Production: PostgreSQL + Redis from TELCRM_* variables; workers run separately (make worker/beat).
run: setup
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py serve --port $(PORT) --workers $(or $(TELCRM_WEB_WORKERS),4)

worker: setup
	$(BIN)/celery -A telcrm worker --loglevel INFO --concurrency $(or $(TELCRM_WORKER_CONCURRENCY),4)

beat: setup
	$(BIN)/celery -A telcrm beat --loglevel INFO --schedule var/celerybeat-schedule

# Every test: unit, integration and (when Chromium is present or installable) the browser tests.
test: setup browser
	$(BIN)/python -m pytest -n auto -q $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest -n auto -q -m "not e2e" $(PYTEST_ARGS)

test-e2e: setup browser
	$(BIN)/python -m pytest -q -m e2e $(PYTEST_ARGS)

# TM Forum conformance kits (TMF620/622/629/632/637/666) with newman: against CTK_BASE when given, else a
# scratch server on a free port (var/ctk/server); non-zero exit on any failed assertion (scripts/ctk.py).
ctk: setup
	$(BIN)/python scripts/ctk.py $(CTK_ARGS)

# Debian's Chromium for the Playwright tests (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >/dev/null \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "warning: chromium missing and not root; browser tests will be skipped"; fi; }

# Pango and a CJK font for the printed receipts (WeasyPrint); Debian's packages, installed once.
pdf-libs:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
	      fontconfig fonts-noto-cjk) >/dev/null || echo "warning: could not install Pango / CJK fonts; receipts cannot be printed"; \
	  else echo "warning: Pango or the Noto CJK fonts missing and not root; receipts cannot be printed"; fi; }

bench: migrate
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts conftest.py manage.py
	$(BIN)/ruff format --check src tests benchmarks scripts conftest.py manage.py

clean:
	rm -rf var staticfiles $(VENDOR) .pytest_cache
