# Atlas QPV — the two commands of the README, and a few helpers.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test test-fast install lint data demo benchmark load clean browser redis i18n
FAST := not browser and not realdata and not fuzz and not server and not slow
# Until these carry the `slow` / `fuzz` markers in their own files: whole-package builds and the API's
# property-based test (30-40 s each) are not unit tests.
FAST_SKIP := --deselect tests/test_demo_generator.py::test_generator_is_deterministic \
	--ignore=tests/test_fresh_catalogue.py --ignore=tests/test_api_properties.py

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) app.py

browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	else \
		echo "Browser tests need Chromium at $(CHROMIUM): run 'sudo apt-get install chromium' (or set CHROMIUM=/path)."; \
		exit 1; \
	fi

redis:
	@if command -v redis-server >/dev/null; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	else echo "redis-server not found: the Redis cache test will be skipped."; fi

# Two workers, a test file each at a time (files share their browser visits and servers): the suite waits on
# Chromium far more than it computes (7.5 min of CPU in 14 min serially; 8.7 min with two workers).
test: $(STAMP) browser redis
	$(PY) -m ruff check .
	$(PY) -m pytest -q -n 2 --dist loadfile

# Unit tests and callbacks called as plain functions: no browser, no real data, no fuzzing, no server process.
test-fast: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -q -m "$(FAST)" --ignore=tests/browser $(FAST_SKIP)

lint: $(STAMP)
	$(PY) -m ruff check .

REAL_DATA ?= ../shared/data/real

# Rebuild the embedded national package from the official files (atomic swap; deterministic).
data: $(STAMP)
	$(PY) -m atlas build --config configs/real-national.toml --data-root $(REAL_DATA) --out data

# The illustrative package, for demos: serve it with ATLAS_DATA_DIR=demo-data make run
demo: $(STAMP)
	$(PY) -m atlas build-demo --out demo-data

benchmark: $(STAMP)
	$(PY) benchmarks/map.py

load: $(STAMP) redis
	$(PY) benchmarks/load.py

# Extract every UI string (French source) into the template and merge it into each catalogue; then translate
# the new entries of atlas/locale/en/LC_MESSAGES/messages.po (tests/test_i18n.py fails until every one is).
LOCALES := atlas/locale
i18n: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg --no-wrap --sort-output --omit-header \
		-o $(LOCALES)/messages.pot .
	$(VENV)/bin/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) -D messages --no-wrap \
		--no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache artifacts
