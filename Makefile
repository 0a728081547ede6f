# Two commands do all set-up (README quick start): `make run` and `make test`.
# Both create .venv, install the pinned dependencies from requirements.lock and the
# package, then run. Python 3.11 must be on the PATH as python3 (or set PYTHON=...).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CLUSTER_STAMP := $(VENV)/.installed-cluster

.PHONY: install run test test-all test-cluster mutation calibrate lint lock clean

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

# The SLURM (submitit) and Ray launchers are optional: requirements-cluster.lock adds them to
# .venv (and moves cloudpickle, joblib, python-dateutil to the versions they need).
$(CLUSTER_STAMP): $(STAMP) requirements-cluster.lock
	$(PY) -m pip install --quiet -r requirements-cluster.lock
	$(PY) -m pip check
	touch $(CLUSTER_STAMP)

test-cluster: $(CLUSTER_STAMP)   ## the same sweep under basic, joblib, submitit-local and Ray launchers: identical
	$(PY) -m pytest -m cluster

# Mutation testing (mutmut, docs/mutation.md): the mechanisms, the summary statistics and the
# configuration's validation, one module at a time with one worker; writes tests/mutation/report.md.
# Not part of `make test`. One module: make mutation MODULES=sim.summary
MODULES ?=
mutation: $(STAMP)      ## mutation score and surviving mutants (2-3 hours on one core; docs/mutation.md)
	$(PY) tests/mutation/run.py $(MODULES)

calibrate: $(STAMP)     ## the shipped parameters against the sourced targets (conf/targets/); fit: python -m sim.calibrate fit
	$(PY) -m sim.calibrate

lint: $(STAMP)
	$(PY) -m ruff check sim tests

lock:                   ## re-pin requirements.lock from a fresh resolve
	$(PYTHON) -m venv /tmp/sim-lock && /tmp/sim-lock/bin/pip install --quiet -e ".[test,joblib]" && \
	  /tmp/sim-lock/bin/pip freeze --exclude-editable | grep -v -E "^sim( |=|@)" > requirements.lock && rm -rf /tmp/sim-lock

clean:
	rm -rf $(VENV) .pytest_cache mutants
