# The two commands of the course: `make course` builds it, `make test` checks it.
# Both create .venv (python3 -m venv) when it is missing and install the package
# with its extras into it, and npm installs reveal.js and MathJax into slides/;
# the one thing installed outside the project is Debian's chromium (for the
# browser tests and the PDF handouts), and only when /usr/bin/chromium is missing.

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
# MPLBACKEND is deliberately not set: notebook kernels must keep the inline backend
# (tests/conftest.py picks Agg for the unit tests).
export PYDEVD_DISABLE_FILE_VALIDATION := 1

# One BLAS thread wherever notebooks and tests run: the same float results on every machine
# (threaded BLAS may sum in another order) and, on a shared 2-core machine, faster.
course test outputs: export OPENBLAS_NUM_THREADS := 1
course test outputs: export OMP_NUM_THREADS := 1

# Executing a notebook: no timing or widget state written into it, so re-running
# an unchanged notebook gives no diff.
EXECUTE := $(BIN)/jupyter nbconvert --to notebook --execute \
	--ExecutePreprocessor.timeout=600 \
	--ExecutePreprocessor.record_timing=False \
	--ExecutePreprocessor.store_widget_state=False

.PHONY: course test outputs lab venv clean present browser grading grading-venv

# nbgrader in a virtual environment of its own: it brings JupyterLab panels and server
# extensions (formgrader, assignment list) that the students' JupyterLab (.venv) must not show.
GRADING_VENV  := .venv-grading
GRADING_STAMP := $(GRADING_VENV)/.installed
# The course's assignments: the lecture notebooks with exercises (nbgrader solution cells).
GRADED := $(shell grep -l '"solution": true' $(NOTEBOOKS))

# reveal.js and MathJax for the offline slide decks (versions pinned in slides/package-lock.json).
NODE_STAMP := slides/node_modules/.installed
# The browser of the browser tests and the PDF handouts: Debian's chromium (Playwright never
# downloads one).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

course: $(STAMP) $(NODE_STAMP) $(CHROMIUM)
	@mkdir -p $(BUILD)/notebooks
	$(EXECUTE) --output-dir $(BUILD)/notebooks $(NOTEBOOKS)
	$(BIN)/python -m annteach student --out $(BUILD)/student $(NOTEBOOKS)
	$(BIN)/python -m annteach build

NBVAL := $(BIN)/python -m pytest -p no:cacheprovider --nbval --nbval-current-env \
	--nbval-sanitize-with tests/nbval_sanitize.cfg

test: $(STAMP) $(GRADING_STAMP) $(NODE_STAMP) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest tests
# nbval twice: the committed outputs must come back on a second fresh run as well.
ifneq ($(NOTEBOOKS),)
	$(NBVAL) $(NOTEBOOKS)
	$(NBVAL) $(NOTEBOOKS)
endif

# Refresh the outputs committed in notebooks/ (for people who edit notebooks).
outputs: $(STAMP)
	$(EXECUTE) --inplace $(NOTEBOOKS)
	$(BIN)/python -m annteach tidy $(NOTEBOOKS)

# Open the course in JupyterLab, for students.
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

# Present a notebook as live slides, explorers included (JupyterLab opens it, runs its cells
# and starts the slideshow): make present NB=notebooks/02_error_surfaces.ipynb
present: $(STAMP)
	@test -n "$(NB)" || { echo "usage: make present NB=notebooks/NN_name.ipynb"; exit 2; }
	$(BIN)/python -m annteach present "$(NB)"

$(NODE_STAMP): slides/package.json slides/package-lock.json
	npm ci --prefix slides --no-audit --no-fund
	touch $@

browser: $(CHROMIUM)

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

venv: $(STAMP)

# The nbgrader course directory grading/ (settings in grading/nbgrader_config.py): copy each
# notebook with exercises to grading/source/NN_name/NN_name.ipynb, the layout nbgrader reads.
grading: $(GRADING_STAMP)
	@for nb in $(GRADED); do \
	  name=$$(basename $$nb .ipynb); mkdir -p grading/source/$$name; \
	  cp $$nb grading/source/$$name/$$name.ipynb; echo "grading/source/$$name/$$name.ipynb"; \
	done

grading-venv: $(GRADING_STAMP)

$(GRADING_STAMP): pyproject.toml
	test -x $(GRADING_VENV)/bin/python || $(PYTHON) -m venv $(GRADING_VENV)
	$(GRADING_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(GRADING_VENV)/bin/python -m pip install --quiet -e ".[grading]"
	touch $@

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[course,test]"
	@mkdir -p $(STATE)
	touch $@

clean:
	rm -rf $(BUILD)
