"""The command line: `dlstudio COMMAND ...` (main.py the parser and `run`, engine.py the
commands that train, search, evaluate, export and predict, tasks/ the printers of the forecast
and anomaly families)."""

from dlstudio.cli.main import build_parser, run

__all__ = ["build_parser", "run"]
