# Two commands for a fresh Debian/Ubuntu machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the test suite needs (the plate solver and its Tycho-2 index files).
TEST_DEBS := astrometry.net astrometry-data-tycho2-07-littleendian astrometry-data-tycho2-08-littleendian \
	astrometry-data-tycho2-09-littleendian astrometry-data-tycho2-10-19-littleendian libcfitsio-bin
# The GUI tests drive Debian's chromium (never a downloaded browser); see docs/gui.md.
GUI_DEBS := chromium fonts-liberation
CLIENT_SRC := $(shell find client/src client/index.html client/vite.config.ts client/codegen.ts schema.graphql -type f -not -path 'client/src/gql/*' 2>/dev/null)

.PHONY: run test lint typecheck pytest bench install system-deps clean client client-check

run: $(STAMP) client/dist/index.html
	$(VENV)/bin/science-scheduler serve

test: system-deps $(STAMP) client lint typecheck client-check pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	@py="$$(scripts/find-python313)" || exit 1; \
	  [ -x $(PY) ] || "$$py" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

system-deps:
	@missing=""; for p in $(TEST_DEBS) $(GUI_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:$$missing"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# The web client (client/): npm ci, then a Vite build into client/dist that the server serves.
client: client/dist/index.html

client/node_modules/.package-lock.json: client/package-lock.json
	cd client && npm ci --no-audit --no-fund

client/dist/index.html: client/node_modules/.package-lock.json $(CLIENT_SRC)
	cd client && npm run build

client-check: client/node_modules/.package-lock.json
	cd client && npm run lint && npm run typecheck

# Two workers (pytest-xdist), each starting its own embedded engines: about 17 minutes on
# two cores instead of 26. `$(VENV)/bin/pytest -q` runs the same tests in one process.
pytest: $(STAMP)
	$(VENV)/bin/pytest -q -n 2

bench: $(STAMP)
	@for b in tests/benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
