# Two commands for everyone: `make run` serves the site, `make test` runs the suite.
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium
# Where `make run` serves; gunicorn reads the same variable.
BIND := $(or $(GUNICORN_BIND),127.0.0.1:8000)

.PHONY: run test install messages seed lint format browser audit bench backup stress

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed messages

# The interface translations (locale/*/LC_MESSAGES/django.po) compiled to the
# .mo files Django reads; *.mo are not committed. A .mo is remade only when its
# .po is newer, so `make test` leaves an up-to-date one alone while another run
# reads it (.ci/run runs two at once). Needs GNU gettext's msgfmt, installed
# with apt when missing (as root).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
messages: $(MO_FILES)

%.mo: %.po | $(VENV)/.installed
	@command -v msgfmt >/dev/null || { \
	  echo "Installing Debian's gettext for the translations..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; }
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0

seed: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_content

run: seed
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  The site is at http://$(BIND)/  (editors: http://$(BIND)/admin/)"
	@echo "  Create editor logins in another terminal with:"
	@echo "    .venv/bin/python manage.py createeditor YOURNAME              # drafts and submits"
	@echo "    .venv/bin/python manage.py createeditor YOURNAME --reviewer   # also approves"
	@echo "    .venv/bin/python manage.py createeditor YOURNAME --publisher  # also publishes, schedules"
	@echo ""
	@echo "  Periodic jobs (faq/periodic.py) run every minute while the server runs."
	PERIODIC_JOBS_EVERY=60 $(VENV)/bin/gunicorn -c dmvpolicy/gunicorn.conf.py dmvpolicy.wsgi

# Browser tests drive Debian's Chromium; install it when missing (needs root).
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Runs on SQLite by default; DATABASE_URL=postgres://… runs it on PostgreSQL.
# PYTEST_ARGS adds pytest options (.ci/run: -m "not browser" for its second pass).
PYTEST_ARGS ?=
test: install browser lint
	@echo "Testing on $${DATABASE_URL:-SQLite (no DATABASE_URL)}"
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Lighthouse and the Nu Html Checker on every public page type (see README).
audit: install
	tools/audit.sh

# Production server under wrk for a bounded time; prints the table in README "Benchmark".
bench: install
	@command -v wrk >/dev/null || { \
	  echo "Installing Debian's wrk for the benchmark..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(PY) bench/run.py
	$(PY) bench/search_suggestions.py

# A consistent, timestamped backup of the database in backups/ (see README "Backups and restore").
backup: install
	$(PY) manage.py backup

# The production server under load while editors save, a worker killed and the
# master reloaded; fails on any 5xx or lost update (README "Stress test").
stress: install
	@command -v wrk >/dev/null || { \
	  echo "Installing Debian's wrk for the stress test..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(PY) tools/stress.py
