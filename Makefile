# Critical Minerals Atlas: `make run` starts the app, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run serve install install-test chromium test validate boundaries clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt

run: install
	$(BIN)/python -m ui.serve --server.port $(PORT)

# Same app, listening on all interfaces (self-hosting without Docker).
serve: install
	$(BIN)/python -m ui.serve --server.port $(PORT) --server.address 0.0.0.0 --server.headless true

# Debian's Chromium for the browser tests and chart exports (Playwright's own browser download is
# not available here) and nginx for the reverse-proxy test.
chromium:
	@{ command -v chromium && test -x /usr/sbin/nginx; } >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core nginx; }

install-test: $(BIN)/python chromium
	$(BIN)/pip install -q -r requirements-test.txt

test: install-test
	$(BIN)/python -m geo.validate
	$(BIN)/python -m pytest -q tests

validate: install
	$(BIN)/python -m geo.validate

# Rebuild data/boundaries/countries.geojson from Natural Earth (npm world-atlas).
boundaries: install-test
	$(BIN)/python scripts/build_boundaries.py

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts static/atlas
