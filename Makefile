# The README's commands: `make book` and `make test` do all set-up on a fresh machine.
# Needs: python3 (3.11+) with venv, npm (once, to fetch the book's JavaScript), and for the
# browser tests Debian's chromium.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# torch is installed first, on its own. Here `pip install torch==2.13.0` takes the CPU wheel;
# elsewhere point pip at PyTorch's CPU wheel index, e.g. make book TORCH_PIP_ARGS="--index-url URL"
TORCH_PIP_ARGS ?=
JB := $(VENV)/bin/jupyter-book
BUILD_FLAGS := -W -n --keep-going

.PHONY: book test lab exercises toc vendor clean help install

help:
	@echo "make book       build the web book into _build/html (installs everything first)"
	@echo "make test       run the whole test suite (builds the book first)"
	@echo "make lab        JupyterLab on the repository (chapters open as notebooks)"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make toc        regenerate _toc.yml and the course map from dlbook/units.py"

install: $(VENV)/.installed vendor/VERSIONS

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0 $(TORCH_PIP_ARGS)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	# JupyterLab opens chapters (.md) as notebooks through jupytext on a double-click
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp tools/lab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $@

vendor/VERSIONS: tools/fetch-vendor.sh
	bash tools/fetch-vendor.sh

# The execution cache is keyed on each chapter's code only; a change in dlbook/ must re-run
# every chapter, so the cache is cleared when dlbook's sources change.
_build/.dlbook-hash: $(wildcard dlbook/*.py)
	mkdir -p _build
	@cat $^ | sha256sum > $@.new
	@if ! cmp -s $@.new $@; then rm -rf _build/.jupyter_cache; echo "dlbook changed: execution cache cleared"; fi
	@mv $@.new $@

book: install _build/.dlbook-hash
	$(PY) -m dlbook.toc
	$(JB) build . $(BUILD_FLAGS)
	@echo "The book: file://$(CURDIR)/_build/html/index.html"

# tests/ (grader, dlbook, the built book, the browser) and every solution notebook under nbval
test: book
	$(PY) -m pytest --nbval-lax --nbval-current-env tests solutions

lab: install
	$(VENV)/bin/jupyter lab --notebook-dir=. --LabApp.default_url=/lab/tree/book/intro.md

exercises: install
	$(PY) -m grader exercises

toc: install
	$(PY) -m dlbook.toc

clean:
	rm -rf _build
