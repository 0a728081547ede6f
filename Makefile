# Two commands do all set-up (README quick start): `make run` and `make test`.
# Both create .venv, install the pinned dependencies from requirements.lock and the
# package, then run. Python 3.11 must be on the PATH as python3 (or set PYTHON=...).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test test-all calibrate lint lock clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)           ## the embedded default experiment (baseline)
	$(PY) -m sim

test: $(STAMP)          ## the default test tiers (slow ones excluded)
	$(PY) -m pytest

test-all: $(STAMP)      ## every test, including the slow statistical ones
	$(PY) -m pytest -m ""

calibrate: $(STAMP)     ## baseline vs the NHS targets of shared/MODEL.md
	$(PY) -m sim.calibrate

lint: $(STAMP)
	$(PY) -m ruff check sim tests

lock:                   ## re-pin requirements.lock from a fresh resolve
	$(PYTHON) -m venv /tmp/sim-lock && /tmp/sim-lock/bin/pip install --quiet -e ".[test,joblib]" && \
	  /tmp/sim-lock/bin/pip freeze --exclude-editable | grep -v -E "^sim( |=|@)" > requirements.lock && rm -rf /tmp/sim-lock

clean:
	rm -rf $(VENV) .pytest_cache
