# Two commands do all set-up: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# Django 6.1 needs Python >= 3.12: take the newest one that actually runs (pyenv shims may exist
# without a matching interpreter), then look in pyenv's own directory.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3; do \
	  if $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo $$p; exit; fi; done; \
	  for p in $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do echo $$p; exit; done)
HOST ?= 127.0.0.1:8000

.PHONY: demo test venv lock lint serve clean bench

$(BIN)/.installed: pyproject.toml requirements.lock
	@test -n "$(PYTHON)" || { echo "需要 Python 3.12 或更高版本 (Python >= 3.12 is required)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

venv: $(BIN)/.installed

demo: $(BIN)/.installed
	DEBUG=1 $(BIN)/liangxin migrate --noinput
	DEBUG=1 $(BIN)/liangxin compilemessages --ignore=.venv -v0 || true
	DEBUG=1 $(BIN)/liangxin demo-load
	@echo "==> http://$(HOST)/  (Ctrl-C 停止 / to stop)"
	DEBUG=1 $(BIN)/liangxin runserver $(HOST)

serve: $(BIN)/.installed
	DEBUG=1 $(BIN)/liangxin runserver $(HOST)

# pytest exits 5 when it collects no tests; an empty suite is not a failure of set-up.
test: $(BIN)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then exit 0; fi; exit $$rc

bench: $(BIN)/.installed
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/subsidies.py

lock:
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

lint: $(BIN)/.installed
	$(BIN)/ruff check liangxin tests bench
	$(BIN)/ruff format --check liangxin tests bench

clean:
	rm -rf $(VENV) var/static
