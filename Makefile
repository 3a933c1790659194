# Two entry points for a fresh clone (see README):
#   make demo   set up .venv and classify the paper's small examples
#   make test   set up .venv with the test extra and run the test suite
#   make examples   set up .venv with the examples extra and run every experiment (CSV + PNG in examples/output)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test examples venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

$(VENV)/.installed-examples: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[examples]"
	touch $@

EXAMPLES := linear_toy lrnn_two_entry lrnn_spread lffn_spread relu_spread beyond_paper mp_predictor

examples: $(VENV)/.installed-examples
	@for name in $(EXAMPLES); do echo "== examples/$$name.py"; $(BIN)/python examples/$$name.py || exit 1; done

demo: $(VENV)/.installed-base
	$(BIN)/python examples/demo.py

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build *.egg-info
