"""What the command line prints and does for a task family with an engine of its own, looked up
by the family's name (core/engine/families.py): a module here named after the family has

- print_result(run, quiet): the end of `train` and `tune`;
- print_evaluation(evaluation): `dlstudio evaluate`;
- export(args, formats): `dlstudio export`;
- predict(args, output): `dlstudio predict`.

A family without a module here is printed as the supervised runs are (cli/progress.py).
"""

from __future__ import annotations

import importlib
from types import ModuleType


def family_printer(family: str) -> ModuleType | None:
    """This package's module for `family`, or None when it has none."""
    name = f"{__name__}.{family}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise  # the module is there but needs something missing: not ours to hide
        return None
