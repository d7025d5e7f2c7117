# Two commands on a fresh clone: `make run` and `make test` (Python >= 3.11 and make assumed).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

# Debian packages: WeasyPrint's Pango and HarfBuzz and a Times-compatible font with full
# Vietnamese coverage for the PDFs; the tests add the browser the browser tests drive
# (without its recommended fonts, which lack Vietnamese glyphs), pdftoppm, GNU gettext
# (a test checks that every message of the code is in the Vietnamese catalogue), and
# pg_dump/pg_restore (the backup tests run them when the suite runs on PostgreSQL).
RUN_SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2
TEST_SYSTEM_PACKAGES := $(RUN_SYSTEM_PACKAGES) chromium poppler-utils gettext postgresql-client

.PHONY: run serve test install messages system-packages

$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Kết Nghĩa needs Python >= 3.11: run make with PYTHON=python3.11 (or newer)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

.env:
	cp .env.example .env

install: $(VENV)/.installed .env

# The worker renders PDFs in the background; it restarts after 20 renders because
# WeasyPrint does not give its memory back to the system. scripts/with-worker.sh stops the
# server and that worker, by their process ids, and no other process.
run: install
	@$(MAKE) --no-print-directory system-packages PACKAGES="$(RUN_SYSTEM_PACKAGES)"
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@scripts/with-worker.sh $(PY) manage.py runserver $(HOST)

# As production runs: DEBUG off, static files collected, gunicorn (deploy/gunicorn.conf.py)
# and one worker; needs a SECRET_KEY in .env or the environment (scripts/serve.sh says how).
serve: install
	@$(MAKE) --no-print-directory system-packages PACKAGES="$(RUN_SYSTEM_PACKAGES)"
	@GUNICORN_BIND=$(HOST) scripts/serve.sh

test: install
	@$(MAKE) --no-print-directory system-packages PACKAGES="$(TEST_SYSTEM_PACKAGES)"
	$(PY) -m pytest $(PYTEST_ARGS)

# Installed with apt-get when run as root on Debian/Ubuntu; otherwise stop and say how.
system-packages:
	@missing=""; for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing; \
		else \
			echo "Missing system packages:$$missing"; \
			echo "Install them with: sudo apt-get install --no-install-recommends$$missing"; \
			exit 1; \
		fi; \
	fi

# For developers: refresh the Vietnamese catalogue after changing user-facing text
# (needs GNU gettext), then translate the new entries in locale/vi/LC_MESSAGES/django.po.
messages: install
	$(PY) manage.py makemessages --locale vi --ignore '.venv/*' --no-obsolete
	$(PY) manage.py compilemessages --locale vi --ignore '.venv/*'
