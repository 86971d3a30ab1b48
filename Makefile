# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint check messages translations install clean editor screenshots lighthouse bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

messages: install
	DJANGO_SECRET_KEY=compilemessages $(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0

# After changing translatable strings: update the catalogue, then fill in the new msgstr lines.
translations: install
	DJANGO_SECRET_KEY=makemessages $(BIN)/python manage.py makemessages -l zh_Hans --no-location --ignore=.venv --ignore=staticfiles

run: export DJANGO_DEBUG ?= 1
run: install messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_articles demo/
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# An account for the admin: make editor NAME=王编辑 ROLE=编辑 (or 撰稿) [EMAIL=wang@example.com]
editor: export DJANGO_DEBUG ?= 1
editor: install messages
	@test -n "$(NAME)" || (echo "usage: make editor NAME=王编辑 ROLE=编辑 [EMAIL=…]" && false)
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py create_editor "$(NAME)" --role "$(or $(ROLE),编辑)" --email "$(EMAIL)" --site-url http://127.0.0.1:$(PORT)

# The README's screenshots of the admin and the press room (docs/screenshots/), made by browser tests.
screenshots: install messages
	SCREENSHOTS=docs $(BIN)/pytest -q tests/test_browser_language.py tests/test_browser_modes.py -k screenshots
	SCREENSHOTS=docs $(BIN)/pytest -q tests/test_alerts.py -k browser
	SCREENSHOTS=docs $(BIN)/pytest -q tests/test_browser_pressroom.py

# Lighthouse scores of the reader's pages (bench/lighthouse.py): Lighthouse from the npm registry,
# pinned by tools/lighthouse/package-lock.json, installed into tools/lighthouse/node_modules.
tools/lighthouse/node_modules/.package-lock.json: tools/lighthouse/package.json tools/lighthouse/package-lock.json
	cd tools/lighthouse && npm ci --no-audit --no-fund

lighthouse: install messages tools/lighthouse/node_modules/.package-lock.json
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(BIN)/python bench/lighthouse.py

test: install messages
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: export DJANGO_SECRET_KEY ?= check-only
check: install messages
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# The benchmarks of issue 13 at 100,000 generated articles on PostgreSQL (made once: several minutes):
# each script rewrites its own block of README.md. Needs PostgreSQL on 127.0.0.1, redis-server, nginx, wrk.
BENCH_SIZES ?= 100000
bench: install messages
	$(BIN)/python bench/load.py --sizes $(BENCH_SIZES)
	$(BIN)/python bench/mixed.py --sizes $(BENCH_SIZES)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
