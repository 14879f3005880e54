# Two commands for a new user: `make run` (or `make app`) and `make test`.
PY_SYS ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run test lint format bench clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PY_SYS) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

.PHONY: app screenshot
app: install  ## serve the web app at http://127.0.0.1:8050 (PLASTIC_APP_HOST / PLASTIC_APP_PORT to change)
	$(PY) app.py

screenshot: install  ## make docs/screenshot.png from the real app in headless Chromium
	$(PY) scripts/screenshot.py

run: install  ## run the Phnom Penh baseline headless and print its headline indicators
	$(PY) -m sim run scenarios/phnom_penh_baseline.yaml --out results/phnom_penh_baseline --force

test: install  ## lint (ruff, formatting, docstrings, mypy) and run the whole test suite
	$(PY) -m ruff check sim tests benchmarks ui app.py scripts
	$(PY) -m ruff format --check sim tests benchmarks ui app.py scripts
	$(PY) -m mypy
	$(PY) -m pytest -q

lint: install  ## ruff (lint, docstrings, formatting) and mypy on sim/ and ui/
	$(PY) -m ruff check sim tests benchmarks ui app.py scripts
	$(PY) -m ruff format --check sim tests benchmarks ui app.py scripts
	$(PY) -m mypy

format: install
	$(PY) -m ruff format sim tests benchmarks ui app.py scripts
	$(PY) -m ruff check --fix sim tests benchmarks ui app.py scripts

bench: install  ## speed and memory at full scale, and against one mesa.Agent per household
	$(PY) benchmarks/bench_households.py

.PHONY: bench-sweep
bench-sweep: install  ## a 200-run sweep on 1 and 2 local workers: runs per minute and scaling
	$(PY) benchmarks/bench_sweep.py

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache
