# Two commands do everything on a fresh machine (see README.md):
#   make book   install into .venv if needed, then build the HTML book
#   make test   install into .venv if needed, then run every test
# The environment is rebuilt whenever requirements.txt or pyproject.toml change.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Jupyter must pick the kernel of this environment, not one a reader installed
# in their home directory.
export JUPYTER_PREFER_ENV_PATH := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
LINTED := saelib tools tests chapters benchmarks

.PHONY: install book pdf test bench lint format export clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 not found (set PYTHON=/path/to/python3.11)"; exit 1; }
	@"$(PYTHON)" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: $(PYTHON) is older than Python 3.11"; exit 1; }
	@test -x $(BIN)/python || "$(PYTHON)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# One BLAS thread per process, for the book as for the tests: the chapters that time
# code measure the CPU time of one thread, and appendix B's own threads must not
# compete with BLAS threads for the cores.
ONE_BLAS_THREAD := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

book: $(STAMP)
	$(BIN)/python tools/vendor_assets.py
	$(ONE_BLAS_THREAD) $(BIN)/jupyter-book build . --all -W -n --keep-going
	@echo
	@echo "The book is built: open $(CURDIR)/_build/html/index.html"

# Two test processes share the two cores: one BLAS thread each, or they fight.
# The chapters that time code run beside a CPU hog (chapters/conftest.py).
# Every notebook executes once: nbval runs it and records its outputs in
# _build/executed, then the strict build and the browser tests (marked `book`)
# build the book from those recordings (tests/executed_notebooks.py).
test: $(STAMP)
	$(BIN)/python tools/vendor_assets.py
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	rm -rf _build/executed
	$(ONE_BLAS_THREAD) $(BIN)/python -m pytest -n 2 --dist loadfile --nbval-lax -m "not book and not pdf" tests chapters
	$(ONE_BLAS_THREAD) $(BIN)/python -m pytest -m book tests

# The PDF of the whole book (README.md, "The PDF"); needs TeX Live. After `make test`
# it typesets the notebooks that make test executed; any other is executed here.
# Then the PDF is checked (tests/test_pdf.py).
pdf: $(STAMP)
	$(BIN)/python tools/vendor_assets.py
	$(ONE_BLAS_THREAD) $(BIN)/python tools/build_pdf.py
	$(BIN)/python -m pytest -m pdf tests

# The benchmark of issue 5 (benchmarks/README.md); PyTorch is benchmark-only and
# installed here, never by requirements.txt.
bench: $(STAMP)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

format: $(STAMP)
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

# Regenerate saelib/ from the notebooks (never edit generated modules by hand).
export: $(STAMP)
	$(BIN)/python tools/export.py

clean:
	rm -rf _build _assets/vendor .pytest_cache .ruff_cache
