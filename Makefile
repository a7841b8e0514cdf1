# Interview Trainer: `make run` to use it, `make test` to prove it, `make bench` to time it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
CHROMIUM ?= $(shell command -v chromium 2>/dev/null || echo /usr/bin/chromium)
# Exported only when it is a program: otherwise the browser tests use Playwright's own.
ifeq ($(shell test -x "$(CHROMIUM)" && echo yes),yes)
export CHROMIUM
else
unexport CHROMIUM
endif

.PHONY: run test test-fast lint bench screenshots install install-test chromium clean pack-check-min

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The question packs of issue #18, each its own distribution under packs/ (docs/packs.md):
# installed editable, through the same `trainer` entry points a pack from PyPI uses, so
# a question edited in packs/<id>/trainer_<id>/pack/ shows at the next start.
PACKS := ./packs/python_core ./packs/sql_databases ./packs/http_apis ./packs/behavioural

# Editable install: the wheel's force-include copies packs/flask_core, so we reinstall
# on every run to pick up pack edits.
install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e . $(addprefix -e ,$(PACKS))

# The test extra and the packs: the example pack of the browser tests is installed by the tests
# themselves into a folder of their own (e2e/conftest.py), never into this environment,
# so `make run` after `make test` serves no test fixture.
install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]' $(addprefix -e ,$(PACKS))
	@$(BIN)/python -m pip uninstall --quiet --yes trainer-example-pack 2>/dev/null || true
	@# axe-core and the Nu HTML checker for e2e/test_anywhere.py (package.json); without
	@# node those tests skip and say why
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent || npm install --no-audit --no-fund --silent; \
	else echo "npm not found: the axe and Nu checker browser tests will skip"; fi

run: install
	PORT=$(PORT) $(BIN)/trainer serve --host $(HOST) --port $(PORT)

# A Chromium for the browser tests: $CHROMIUM if it exists, else Debian's package
# (as root), else Playwright's own download.
chromium:
	@if [ -x "$(CHROMIUM)" ]; then echo "chromium: $(CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  && echo "chromium: installed /usr/bin/chromium"; \
	else $(BIN)/python -m playwright install chromium; fi

lint: install-test
	$(BIN)/ruff check trainer packs tests e2e bench scripts

test: install-test chromium lint
	$(BIN)/python -m pytest tests e2e

# The fast tests alone (no browser): seconds, for the edit-test loop.
test-fast: install-test
	$(BIN)/python -m pytest tests

# flask_core's code blocks on the lowest Flask and Werkzeug its pack.toml [requires] names,
# in a venv of their own under /tmp/trainer-pack-check (pip, from PyPI). FLASK= and
# WERKZEUG= try other versions: make pack-check-min FLASK=3.1.3 WERKZEUG=3.1.9
pack-check-min: $(BIN)/python
	$(BIN)/python scripts/pack_check_min.py $(if $(FLASK),--flask $(FLASK)) $(if $(WERKZEUG),--werkzeug $(WERKZEUG))

bench: install-test chromium
	$(BIN)/python -m bench

# The practice card at 375, 768 and 1920 px, light and dark, into docs/screenshots/.
screenshots: install-test chromium
	$(BIN)/python -m bench.screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache dist build node_modules
