# DataVet: `make run` serves the app with demo data, `make test` runs the whole suite, `make test-fast` the
# inner loop (no browser, slow, PostgreSQL or Redis tests), `make lint` checks style and types.
# Both set everything up first (Debian packages, virtualenv, database), so a fresh clone needs nothing else.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 5000
export FLASK_APP := wsgi.py
# Links in e-mails come from PUBLIC_URL only (never from the request's Host header); set it for a real host.
export PUBLIC_URL ?= http://127.0.0.1:$(PORT)

# Fonts for every script vendors write (CJK, Devanagari, Thai, Arabic) in PDFs; pdftoppm for page images.
DEBIAN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-noto-cjk poppler-utils fontconfig

.PHONY: run test test-fast test-postgres lint bench system-deps venv db seed clean

system-deps: $(VENV)/.system-deps
$(VENV)/.system-deps: Makefile
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@mkdir -p $(VENV) && touch $@

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,lint]"
	@touch $@

db: system-deps venv
	$(VENV)/bin/flask db upgrade

seed: db
	$(VENV)/bin/flask seed-demo

run: seed
	@echo "DataVet on http://127.0.0.1:$(PORT) (stop with Ctrl-C)"
	$(VENV)/bin/flask run --host 127.0.0.1 --port $(PORT)

# pytest exits 5 when it collected no test: that is a failure here, never a pass.
test: system-deps venv
	@test -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" || echo "NOTE: Chromium not found, the browser tests will be SKIPPED (apt-get install chromium to run them)."
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

# The inner loop: everything but the tests that need Chromium, PostgreSQL or Redis, or take seconds each.
test-fast: system-deps venv
	@$(PY) -m pytest -n 2 -m "not browser and not slow and not postgres and not redis" $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

# ruff's formatter is the code's layout; mypy checks the typed packages listed in pyproject.toml ([tool.mypy]).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test-postgres: system-deps venv
	@test -n "$$TEST_DATABASE_URL" || { echo "Set TEST_DATABASE_URL, e.g. postgresql://postgres@127.0.0.1:5432/test"; exit 1; }
	@DATAVET_TEST_DB=postgres $(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

# Benchmarks, not part of `make test` (bench/README.md): wrk (Debian) loads gunicorn on 127.0.0.1, and
# PostgreSQL is measured too when BENCH_POSTGRES_URL, TEST_DATABASE_URL or postgres@127.0.0.1:5432 answers.
bench: system-deps venv
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian package: wrk"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk; }
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache
