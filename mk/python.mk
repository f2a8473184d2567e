# The Python binding (python/): installed by make install beside the
# library, measured by make bench.  Included by the top Makefile, which
# defines BUILD, LIBSO and CC; mk/install.mk defines PREFIX, LIBDIR, D.
#
#   make install                     also the package, for python3
#   make install PYTHON=python3.12   for that interpreter
#   make install PYTHON=             the library only
#
# The package goes where that interpreter looks under PREFIX (see
# mk/pysitedir.py), with _config.py saying where the library was put.

PYTHON    ?= python3
PY_FILES  := $(wildcard python/scremote/*.py) python/scremote/py.typed
PYTHONDIR  = $(shell $(PYTHON) mk/pysitedir.py '$(PREFIX)' 2>/dev/null)

all: $(BUILD)/bench/call_loop

# Linked to the shared library, as the Python side uses it.
$(BUILD)/bench/call_loop: $(BUILD)/bench/call_loop.o $(LIBSO)
	$(CC) $(LDFLAGS) -o $@ $< -L$(BUILD) -l:$(notdir $(LIBSO)) -Wl,-rpath,'$$ORIGIN/..'

.PHONY: install-python uninstall-python bench-python
install: install-python
uninstall: uninstall-python

# Without the interpreter: an error when it was asked for by name, a
# note otherwise (a machine without Python still gets the library).
install-python:
ifneq ($(strip $(PYTHON)),)
	@if ! command -v $(PYTHON) >/dev/null; then \
		if [ "$(origin PYTHON)" = "command line" ]; then \
			echo "install: PYTHON=$(PYTHON) not found" >&2; exit 1; fi; \
		echo "install: $(PYTHON) not found: the Python package is left out"; exit 0; fi; \
	dir='$(PYTHONDIR)'; \
	[ -n "$$dir" ] || { echo "install: $(PYTHON) cannot tell its site directory" >&2; exit 1; }; \
	set -e; \
	$(INSTALL) -d "$(D)$$dir/scremote"; \
	$(INSTALL) -m 644 $(PY_FILES) "$(D)$$dir/scremote/"; \
	$(PYTHON) -c 'import sys; print("LIBDIR = %r  # written by make install" % sys.argv[1])' \
		'$(LIBDIR)' >"$(D)$$dir/scremote/_config.py"; \
	chmod 644 "$(D)$$dir/scremote/_config.py"; \
	echo "install: Python package scremote in $(D)$$dir"
endif

# Only the files install wrote (and the bytecode Python made of them).
uninstall-python:
ifneq ($(strip $(PYTHON)),)
	@command -v $(PYTHON) >/dev/null || exit 0; \
	dir='$(PYTHONDIR)'; [ -n "$$dir" ] || exit 0; \
	p="$(D)$$dir/scremote"; \
	rm -f $(addprefix "$$p"/,$(notdir $(PY_FILES)) _config.py); \
	rm -f "$$p"/__pycache__/*.pyc; \
	rmdir "$$p/__pycache__" "$$p" 2>/dev/null || true
endif

# make bench's Python line: skipped, saying why, without python3.
bench-python: all
	@if command -v $(or $(PYTHON),python3) >/dev/null; then \
		$(or $(PYTHON),python3) bench/python_bench.py $(BUILD); \
	else echo "bench: no $(or $(PYTHON),python3): Python calls not measured"; fi
