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
# What Qt's X11 (xcb) plugin loads to show a window on a screen; a stock Debian 12 or Ubuntu
# 22.04 lacks some of them, and Qt then aborts. Checked only where there is a display.
XCB_LIBS := libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1 libxcb-image.so.0 \
	libxcb-render-util.so.0 libxcb-randr.so.0 libxcb-shape.so.0 libxcb-xfixes.so.0 \
	libxcb-xkb.so.1 libxkbcommon-x11.so.0 libX11-xcb.so.1
XCB_DEBS := libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 \
	libxcb-randr0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 libx11-xcb1

.PHONY: run test lint system-deps window-deps bench bundle clean

run: $(INSTALLED)
	@if [ -n "$$DISPLAY" ]; then $(MAKE) --no-print-directory window-deps; fi
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
	@$(call install-missing,$(QT_LIBS),$(QT_DEBS),Qt needs)

window-deps:
	@$(call install-missing,$(XCB_LIBS),$(XCB_DEBS),Qt's window on a screen needs)

# $(call install-missing,LIBRARIES,DEBIAN PACKAGES,WHO NEEDS THEM)
define install-missing
missing=""; for lib in $(1); do ldconfig -p 2>/dev/null | grep -q "$$lib" || missing="$$missing $$lib"; done; \
if [ -n "$$missing" ] && [ "$$(uname)" = Linux ]; then \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Qt's system libraries ($$missing )"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	else \
		echo "$(3) these system libraries:$$missing. On Debian/Ubuntu: sudo apt-get install $(2)"; \
	fi; \
fi
endef

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
