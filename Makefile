# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint check messages translations install clean

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

test: install messages
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: export DJANGO_SECRET_KEY ?= check-only
check: install messages
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
