# One command each: `make demo` and `make test` build .venv when it is missing or stale.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROLE ?= agent
# One pytest worker more than cores: the tests spend part of their time waiting on the servers and
# apps they start, and the extra worker keeps the cores busy meanwhile (2 cores: 3 workers).
PYTEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')

.PHONY: demo test bench bench-quick bench-section bench-section-usage lint install clean postgres-binaries chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/supportdesk demo --as $(ROLE)

# The API suite also runs against a throwaway PostgreSQL (src/supportdesk_tui/devtools/pg_cluster.py) started from the
# server binaries `pg_config --bindir` names; where they are missing and we may, install them.
postgres-binaries:
	@if ! command -v pg_config >/dev/null 2>&1 || [ ! -x "$$(pg_config --bindir)/initdb" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
		else \
			echo "PostgreSQL server binaries not found: install the postgresql package" \
				"(its runs are skipped locally, and fail on CI)"; \
		fi; \
	fi

# The browser test (tests/e2e/test_browser.py) drives Debian's chromium through Playwright (never
# `playwright install`'s download); where it is missing and we may, install it.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "Chromium not found at /usr/bin/chromium: install the chromium package" \
				"(the browser test is skipped locally, and fails on CI)"; \
		fi; \
	fi

test: $(STAMP) postgres-binaries chromium
	# Bytecode and pytest's rewritten test modules are cached even where PYTHONDONTWRITEBYTECODE is set: every
	# worker, server zygote and CLI subprocess would otherwise compile the same ~300 modules again.
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

# Rerun some sections and rewrite only their parts of docs/benchmarks.md, e.g.
# `make bench-section SECTIONS=cold,queue QUEUE_SIZES=1000,100000` (names: `python -m bench --help`).
bench-section: $(if $(SECTIONS),$(STAMP),bench-section-usage)
	$(BIN)/python -m bench --only $(SECTIONS) $(if $(QUEUE_SIZES),--queue-sizes $(QUEUE_SIZES)) $(if $(QUICK),--quick)

bench-section-usage:
	@echo "usage: make bench-section SECTIONS=cold,queue [QUEUE_SIZES=1000,100000] [QUICK=1]" >&2; exit 2

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV)
