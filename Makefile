# Two commands for a newcomer: `make demo` and `make test`. Both create .venv if missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test mutate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the project's metadata changes.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/microloan demo

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n auto  # one worker per core (pytest-xdist)
	# again with the caller's decimal context set to break (tests/hostile.py); packaging
	# builds wheels and computes nothing, so it runs once
	MICROLOAN_DECIMAL=hostile $(BIN)/python -m pytest -n auto -q --ignore=tests/test_packaging.py
	$(BIN)/python -m mypy
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --quiet --site-dir build/site

# Mutation testing of the exact core (slow, not in CI): MODULE=money (or schedules, _ledger,
# lines) limits it to one module. Equivalent mutants are listed in tests/equivalent_mutants.md.
mutate: $(VENV)/.installed-dev
	rm -rf mutants
	CI=true $(BIN)/mutmut run $(if $(MODULE),"microloan.$(MODULE).*")
	$(BIN)/mutmut results --all true | tail -n 3 || true
