"""What the command line prints and does for a task family with an engine of its own: the
module a family's record names as its `printer` (core/families.py; the built-in ones are
here, named after their family) has

- print_result(run, quiet): the end of `train` and `tune`;
- print_evaluation(evaluation): `dlstudio evaluate`;
- export(args, formats): `dlstudio export`;
- predict(args, output): `dlstudio predict`;

and, where the family has them:

- inspect(path, args, dataset=None, error=None): `dlstudio inspect` shows the data as its own
  (True) or says it is not (False): asked before the file is read as a table, then with the
  table reading (`dataset`) or why it failed (`error`);
- data_fields(args, data): the DataSpec its own flags give, from `data` (the shared flags');
- threshold(run, args): `dlstudio threshold` for its runs.

A family without a printer is printed as the supervised runs are (cli/progress.py).
"""

from __future__ import annotations


def printer_for_family(family):
    """The CLI module a family's record names (cli/tasks/ for the built-in ones), or None."""
    import importlib

    return importlib.import_module(family.printer) if family.printer else None


def printer_for_task(task: str | None):
    """The CLI module of the family serving `task` (None: a supervised one)."""
    from dlstudio.core.families import family_for_task

    return printer_for_family(family_for_task(task))
