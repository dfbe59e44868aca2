# printrelease: `make demo` runs the sandbox, `make test` the whole suite; both install what they need.
# Run as root on Debian 12 (they install Debian packages and start a private cupsd and pcscd).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEBS := python3 python3-venv python3-dev gcc libcups2-dev cups cups-daemon cups-client cups-filters \
        cups-ipp-utils pcscd libpcsclite-dev swig vsmartcard-vpcd ghostscript poppler-utils qpdf \
        fonts-nanum chromium dbus avahi-daemon curl slapd ldap-utils wrk
PYTEST_ARGS ?=
SOAK_ROUNDS ?= 200
# Browser scripts served by the web UI, from the npm registry, pinned by version and tarball SHA-256.
HTMX_VERSION := 2.0.11
HTMX_SHA256 := 165a2655073e9e6e55e307a7c74e8ebcdb76afb7701f9c16cfd106a13add408e

.DEFAULT_GOAL := help
.PHONY: help demo test soak bench debs venv lint translations clean install install-station report-picture vendor \
	screenshots

help:  ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

demo: debs venv  ## Run the sandbox: private cupsd, virtual queue, two printers, server, demo users
	$(BIN)/python -m sandbox

test: debs venv  ## Run the test suite against real cupsd, pcscd, PostgreSQL and SQLite
	. scripts/postgres-url.sh && PRINTRELEASE_TEST_POSTGRES_URL="$$PRINTRELEASE_TEST_POSTGRES_URL" \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: debs venv  ## Measure capture, release, reports, colour analysis and web pages; writes BENCHMARKS.md
	. scripts/postgres-url.sh && PRINTRELEASE_TEST_POSTGRES_URL="$$PRINTRELEASE_TEST_POSTGRES_URL" \
		$(BIN)/python -m benchmarks

soak: debs venv  ## Long exactly-once runs: servers killed mid-release for SOAK_ROUNDS rounds (default 200), faults
	. scripts/postgres-url.sh && PRINTRELEASE_TEST_POSTGRES_URL="$$PRINTRELEASE_TEST_POSTGRES_URL" \
		PRINTRELEASE_SOAK_ROUNDS=$(SOAK_ROUNDS) $(BIN)/python -m pytest -p no:cacheprovider \
		tests/integration/test_exactly_once.py tests/integration/test_faults.py

install:  ## Install the print server (as root): venv, user, folders, configuration, units; see README
	sh scripts/install-server.sh

install-station:  ## Install a card station (as root): make install-station SERVER_URL=... TOKEN=file
	sh scripts/install-station.sh

debs:  ## Install the Debian packages (idempotent)
	@sh scripts/install-debs.sh $(DEBS)

venv: $(VENV)/.installed  ## Create the virtual environment and install the package

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'  # every role: server, station, demo, test tools
	touch $@

lint: venv  ## Check the style (flake8)
	$(BIN)/python -m flake8 printrelease webui tests benchmarks sandbox

translations: venv  ## Extract messages, merge them into the catalogues, compile (translate new ones in ko)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l -k lazy_gettext --no-location --sort-output \
		--project printrelease -o printrelease/translations/messages.pot .
	$(BIN)/pybabel update -i printrelease/translations/messages.pot -d printrelease/translations \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d printrelease/translations --statistics

vendor:  ## Refresh the vendored browser scripts (htmx) from the npm registry, checked against their SHA-256
	sh scripts/vendor.sh htmx.org $(HTMX_VERSION) $(HTMX_SHA256) webui/static/vendor/htmx dist/htmx.min.js

report-picture: debs venv  ## Refresh docs/report-page.png (a PDF report's first page) for the README
	. scripts/postgres-url.sh && PRINTRELEASE_TEST_POSTGRES_URL="$$PRINTRELEASE_TEST_POSTGRES_URL" \
		PRINTRELEASE_SAVE_PICTURES=1 $(BIN)/python -m pytest -q \
		"tests/printrelease/reports/test_formats.py::test_pdf_totals_fonts_and_a_picture[sqlite]"

screenshots: debs venv  ## Refresh docs/screenshots/ (the main pages in Korean and English) from the browser tests
	. scripts/postgres-url.sh && PRINTRELEASE_TEST_POSTGRES_URL="$$PRINTRELEASE_TEST_POSTGRES_URL" \
		PRINTRELEASE_SAVE_PICTURES=1 $(BIN)/python -m pytest -q tests/browser

clean:  ## Remove the virtual environment and sandbox data
	rm -rf $(VENV) var .pytest_cache /var/tmp/printrelease-demo
