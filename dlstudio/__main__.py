"""`dlstudio` and `python -m dlstudio`: no arguments opens the desktop app, else the CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from dlstudio.cli import run

    return run(argv or ["gui"])


def gui_main() -> int:
    """The `dlstudio-gui` entry point (a windowed program on Windows: no console opens).

    It takes the same arguments as `dlstudio gui`, e.g. `dlstudio-gui --sample penguins`.
    """
    from dlstudio.cli import run

    return run(["gui", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
