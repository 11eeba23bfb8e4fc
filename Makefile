PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dask]'
	touch $@

run: $(VENV)/.installed
	$(PY) pipeline.py seeds --out outputs

test: $(VENV)/.installed
	$(PY) -m pytest

# Not part of `test`: builds a ~100 MB corpus under bench/.corpus and times the pipeline against peers.
bench: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test,dask,bench]'
	$(PY) bench/make_corpus.py
	$(PY) bench/run.py --profile
