# Two commands on a fresh clone: `make run` and `make test` (Python >= 3.11 and make assumed).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test install messages

$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Kết Nghĩa needs Python >= 3.11: run make with PYTHON=python3.11 (or newer)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

.env:
	cp .env.example .env

install: $(VENV)/.installed .env

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runserver $(HOST)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# For developers: refresh the Vietnamese catalogue after changing user-facing text
# (needs GNU gettext), then translate the new entries in locale/vi/LC_MESSAGES/django.po.
messages: install
	$(PY) manage.py makemessages --locale vi --ignore '.venv/*' --no-obsolete
	$(PY) manage.py compilemessages --locale vi --ignore '.venv/*'
