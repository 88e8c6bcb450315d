# Common commands. `make serve` and `make test` are the README's two commands.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test bench bench-load bench-province install migrate demo lint check messages translations worker beat clean-venv

$(VENV)/.installed: requirements.txt requirements-dev.txt
	bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

translations: install
	$(PY) scripts/translations.py compile

migrate: install
	$(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(PY) manage.py load_demo

serve: demo
	$(PY) manage.py collectstatic --noinput -v 0
	@echo "Serving the portal at http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver --insecure $(HOST):$(PORT)

test: install
	$(VENV)/bin/pytest

# Timed figures (not tests): an evidence pack of 2,000 files / 1 GB against zip -0, the
# on-time figures over 100,000 service cases and the dashboard (on PostgreSQL with
# BENCH_DATABASE_URL), then against the agency data (bench-load): every key page under load
# (bench/load.py) and the reminder sweep, a 1,500-procedure import, a department's monthly
# PDF and the management-review inputs (bench/operations.py).
AGENCY_DB ?= postgres://postgres@127.0.0.1:5432/qms_bench_agency
BENCH_MEDIA ?= $(CURDIR)/bench/tmp/media
bench: install
	$(PY) bench/evidence_pack.py
	$(PY) bench/service_figures.py
	$(PY) bench/dashboard.py
	$(MAKE) bench-load

# The agency data is generated once (about 5 minutes) into AGENCY_DB and kept for later runs.
bench-load: install
	psql "$(AGENCY_DB)" -c "select 1" >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres qms_bench_agency
	DATABASE_URL="$(AGENCY_DB)" $(PY) manage.py migrate -v0
	DATABASE_URL="$(AGENCY_DB)" MEDIA_ROOT="$(BENCH_MEDIA)" $(PY) manage.py generate_data --scale agency --if-empty
	BENCH_DATABASE_URL="$(AGENCY_DB)" BENCH_MEDIA_ROOT="$(BENCH_MEDIA)" $(PY) bench/load.py
	BENCH_DATABASE_URL="$(AGENCY_DB)" BENCH_MEDIA_ROOT="$(BENCH_MEDIA)" $(PY) bench/operations.py

# The same against the province data (ten times the cases and users, 35–50 minutes to
# generate, 20 GB): results as bench/results/<date>-province*.md.
PROVINCE_DB ?= postgres://postgres@127.0.0.1:5432/qms_bench_province
bench-province: install
	psql "$(PROVINCE_DB)" -c "select 1" >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres qms_bench_province
	DATABASE_URL="$(PROVINCE_DB)" $(PY) manage.py migrate -v0
	DATABASE_URL="$(PROVINCE_DB)" MEDIA_ROOT="$(BENCH_MEDIA)" $(PY) manage.py generate_data --scale province --if-empty
	BENCH_DATABASE_URL="$(PROVINCE_DB)" BENCH_MEDIA_ROOT="$(BENCH_MEDIA)" $(PY) bench/load.py --name province
	BENCH_DATABASE_URL="$(PROVINCE_DB)" BENCH_MEDIA_ROOT="$(BENCH_MEDIA)" $(PY) bench/operations.py --name province

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/translations.py check

messages: install
	$(PY) manage.py makemessages -l vi -l zh_Hans --ignore=.venv --ignore=tests --ignore=staticfiles --no-obsolete

worker: install
	$(VENV)/bin/celery -A qms worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A qms beat --loglevel=info
