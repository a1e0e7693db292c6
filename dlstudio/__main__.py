"""`dlstudio` and `python -m dlstudio`: no arguments opens the desktop app, else the CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from dlstudio.cli import run

    return run(argv or ["gui"])


if __name__ == "__main__":
    sys.exit(main())
