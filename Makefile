# dlstudio — the two commands of the README's Quick start, and their helpers.
#   make run    set up .venv and open the app on the bundled penguins sample
#   make test   set up .venv with the test tools, then ruff, the import contracts and pytest
#   make bench  the benchmarks of bench/ (about 10 minutes): a table, and bench/results.json
#   make bundle the desktop app as one folder, build/bundle/dlstudio/ (PyInstaller; packaging/)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
INSTALLED := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.installed-test
BENCH_INSTALLED := $(VENV)/.installed-bench
BUNDLE_INSTALLED := $(VENV)/.installed-bundle
# Shared libraries the Qt wheels load (EGL/GL even offscreen, fonts, keyboard maps, D-Bus).
QT_LIBS := libEGL.so.1 libGL.so.1 libfontconfig.so.1 libxkbcommon.so.0 libdbus-1.so.3 libglib-2.0.so.0
QT_DEBS := libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3 libglib2.0-0

.PHONY: run test lint system-deps bench bundle clean

run: $(INSTALLED)
	@$(VENV)/bin/dlstudio gui --sample penguins || [ $$? -eq 2 ]  # 2: no display, already explained

test: $(TEST_INSTALLED)
	$(VENV)/bin/ruff check dlstudio tests bench
	$(VENV)/bin/ruff format --check dlstudio tests bench
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

bench: $(BENCH_INSTALLED)
	$(PY) -m bench

# Not run in CI: it takes minutes and makes a folder of about a gigabyte (packaging/README.md).
bundle: $(BUNDLE_INSTALLED)
	$(VENV)/bin/pyinstaller packaging/dlstudio.spec --noconfirm --distpath build/bundle --workpath build/pyinstaller

lint: $(TEST_INSTALLED)
	$(VENV)/bin/ruff check --fix dlstudio tests bench
	$(VENV)/bin/ruff format dlstudio tests bench

$(INSTALLED): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10) and "dlstudio needs Python 3.10 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade --quiet pip
	$(PIP) install --quiet -e .
	touch $@

$(TEST_INSTALLED): $(INSTALLED)
	$(PIP) install --quiet -e ".[test,onnx]"
	touch $@

$(BENCH_INSTALLED): $(TEST_INSTALLED)
	$(PIP) install --quiet -e ".[test,onnx,bench]"
	touch $@

$(BUNDLE_INSTALLED): $(INSTALLED)
	$(PIP) install --quiet -e ".[bundle]"
	touch $@

# Installs Qt's system libraries where they are missing (Debian/Ubuntu as root), else says which.
system-deps:
	@missing=""; for lib in $(QT_LIBS); do ldconfig -p 2>/dev/null | grep -q "$$lib" || missing="$$missing $$lib"; done; \
	if [ -n "$$missing" ] && [ "$$(uname)" = Linux ]; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
			echo "Installing Qt's system libraries ($$missing )"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(QT_DEBS) >/dev/null; \
		else \
			echo "Qt needs these system libraries:$$missing. On Debian/Ubuntu: sudo apt-get install $(QT_DEBS)"; \
		fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
