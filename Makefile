# The two commands of the course: `make course` builds it, `make test` checks it.
# Both create .venv (python3 -m venv) when it is missing and install the package
# with its extras into it; nothing is installed outside the project folder.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BUILD  := build
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))

# Jupyter, IPython and matplotlib write their state under build/, never into $HOME.
STATE := $(CURDIR)/$(BUILD)/state
export JUPYTER_CONFIG_DIR  := $(STATE)/jupyter/config
export JUPYTER_DATA_DIR    := $(STATE)/jupyter/data
export JUPYTER_RUNTIME_DIR := $(STATE)/jupyter/runtime
export IPYTHONDIR          := $(STATE)/ipython
export MPLCONFIGDIR        := $(STATE)/matplotlib
export MPLBACKEND          := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

# Executing a notebook: no timing or widget state written into it, so re-running
# an unchanged notebook gives no diff.
EXECUTE := $(BIN)/jupyter nbconvert --to notebook --execute \
	--ExecutePreprocessor.timeout=600 \
	--ExecutePreprocessor.record_timing=False \
	--ExecutePreprocessor.store_widget_state=False

.PHONY: course test outputs lab venv clean

course: $(STAMP)
	@mkdir -p $(BUILD)/notebooks
	$(EXECUTE) --output-dir $(BUILD)/notebooks $(NOTEBOOKS)

NBVAL := $(BIN)/python -m pytest -p no:cacheprovider --nbval --nbval-current-env \
	--sanitize-with tests/nbval_sanitize.cfg

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest tests
ifneq ($(NOTEBOOKS),)
	$(NBVAL) $(NOTEBOOKS)
	$(NBVAL) $(NOTEBOOKS)
endif

# Refresh the outputs committed in notebooks/ (for people who edit notebooks).
outputs: $(STAMP)
	$(EXECUTE) --inplace $(NOTEBOOKS)

# Open the course in JupyterLab, for students.
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[course,test]"
	@mkdir -p $(STATE)
	touch $@

clean:
	rm -rf $(BUILD)
