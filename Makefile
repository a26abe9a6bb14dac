# The two set-up commands for a newcomer: `make demo` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-calendar lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/yanyun demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -n 2 --dist loadscope $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-calendar

# The supervision and page tests once more on a Saturday a minute before midnight
# in Shanghai (every process's clock shifted by libfaketime, the demo server's clock
# started there): nothing may pass or fail by the calendar. Skipped without faketime.
CALENDAR_AT ?= 2026-12-12T23:59:00+08:00
CALENDAR_TESTS ?= tests/oversight tests/web/test_oversight_browser.py \
	tests/web/test_console_browser.py tests/web/test_duty_browser.py tests/web/test_wall_browser.py
test-calendar: $(STAMP)
	@if command -v faketime >/dev/null 2>&1; then \
	  offset=$$(( $$(date -d "$(CALENDAR_AT)" +%s) - $$(date +%s) )); \
	  shift=$$offset; [ $$offset -ge 0 ] && shift="+$$offset"; \
	  echo "calendar check: clocks at $(CALENDAR_AT) (offset $${shift} s)"; \
	  YANYUN_TEST_CLOCK_START="$(CALENDAR_AT)" faketime -f "$$shift" \
	    $(BIN)/python -m pytest -n 2 --dist loadscope -q $(CALENDAR_TESTS); \
	else echo "calendar check skipped: faketime not installed (apt-get install faketime)"; fi

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
