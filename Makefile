PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test fuzz bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dask]'
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/cn-econ-extract seeds --out outputs

test: $(VENV)/.installed
	$(PY) -m pytest

# Not part of `make test`/CI: a minute of coverage-guided fuzzing of bytes -> rows (atheris).
fuzz: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[fuzz]'
	$(PY) fuzz/fuzz_extract.py fuzz/corpus -dict=fuzz/zh.dict -max_total_time=60 -max_len=4096 -artifact_prefix=fuzz/

# Not part of `test`: builds a ~100 MB corpus under bench/.corpus and times the pipeline against peers.
bench: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test,dask,bench]'
	$(PY) bench/make_corpus.py
	$(PY) bench/run.py --profile
