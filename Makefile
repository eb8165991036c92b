# The two commands of the README: `make run` and `make test`. Each builds the virtual
# environment first when it is missing or older than the requirement files.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit browser bench clean deploy-plan deploy

STAGE ?= dev

$(STAMP): requirements.txt requirements-dev.txt requirements-oracles.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<26.3"  # chalice 1.34 wants pip below 26.3
	$(PY) -m pip install --quiet -r requirements-dev.txt
	test -x $(VENV)/oracles/bin/python || $(PYTHON) -m venv $(VENV)/oracles
	$(VENV)/oracles/bin/python -m pip install --quiet -r requirements-oracles.txt
	touch $(STAMP)

# No echo of the command: when a port is taken, scripts/run_local.py's one line says which
# and which variable changes it (make adds its own "Error 1" line after it).
run: $(STAMP)
	@exec $(PY) -m scripts.run_local

lint: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	$(PY) -m mypy

unit: $(STAMP) browser
	$(PY) -m pytest

# Debian's chromium for the console's test in a real browser (installed when missing, as root).
browser:
	scripts/ensure_chromium.sh

test: lint typecheck unit

bench: $(STAMP)
	$(PY) -m benchmarks.x12_835
	$(PY) -m benchmarks.api_requests
	$(PY) -m benchmarks.followup
	$(PY) -m benchmarks.cold_start
	$(PY) -m benchmarks.chaos
	$(PY) -m benchmarks.volume
	$(PY) -m benchmarks.eligibility
	$(PY) -m benchmarks.reports
	$(PY) -m benchmarks.patients

# One stage's whole CloudFormation (build/$(STAGE)/sam.json), offline, cfn-lint clean.
deploy-plan: $(STAMP)
	$(PY) -m infra.plan $(STAGE)

# The plan, packaged and deployed as the stack claimgate-$(STAGE) (README: "Deploying").
deploy: $(STAMP)
	infra/deploy.sh $(STAGE)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build
