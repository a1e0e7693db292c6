"""The headless core of dlstudio. Never imports Qt (an import-linter contract checks it)."""
