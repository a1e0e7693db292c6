"""What the command line prints and does for a toy run (cli/tasks/__init__.py's interface)."""

from __future__ import annotations

import sys

from dlstudio.core.families import resolve
from dlstudio.core.project import atomic_write_text


def inspect(path, args, dataset=None, error=None) -> bool:
    """A toy table is shown as one when --task names it, before any other reading."""
    if args.task != "toy_regression" or dataset is not None or error is not None:
        return False
    x, _ = resolve("tests.toy_family.engine:_table")(path, args.target or "y")
    print(f"A toy regression table: {len(x)} rows of {x.shape[1]} numbers and the target.")
    return True


def print_result(run, quiet: bool = False) -> None:
    print(f"Run: {run.path} ({run.state().get('status')})")
    print_evaluation(run.evaluation() or {})


def print_evaluation(evaluation: dict, out=None) -> None:
    print(evaluation.get("verdict", {}).get("headline", ""), file=out or sys.stdout)


def export(args, formats) -> int:
    for item in resolve("tests.toy_family.engine:export")(args.run, formats, args.out):
        print(f"{item.format:11s} {item.path}")
    return 0


def predict(args, output) -> int:
    frame = resolve("tests.toy_family.engine:predict")(args.model, args.data)
    atomic_write_text(output, frame.to_csv(index=False))
    print(f"{len(frame)} prediction(s) written to {args.output}")
    return 0
