"""What several commands read alike: --role, a data path or a bundled sample."""

from __future__ import annotations

from dlstudio.core.errors import DlstudioError
from dlstudio.core.samples import SAMPLES

SAMPLE_NAMES = ", ".join(SAMPLES)


def parse_roles(items: list[str]) -> dict[str, str]:
    """--role COL=ROLE options (repeatable) as {column: role}."""
    roles = {}
    for item in items:
        name, sep, role = item.partition("=")
        if not sep or not name or not role:
            raise DlstudioError(
                f"The option --role {item!r}.",
                "COL=ROLE, e.g. --role zip=categorical",
                "Fix the option.",
            )
        roles[name] = role
    return roles


ROLE_HELP = (
    "override a column's role (numeric, categorical, text, datetime, boolean, identifier, "
    "constant, weight, leave_out; identifier, constant and leave_out columns are left out; "
    "weight: how much each row counts, at most one column, never an input); repeatable"
)


def data_or_sample(
    path: str | None, sample: str | None, target: str | None, command: str = "inspect"
):
    """The data path and target from either a PATH or `--sample NAME` (exactly one of them)."""
    if sample and path:
        raise DlstudioError(
            f"Both a path ({path}) and --sample {sample}.",
            "one or the other",
            "Drop the path to use the sample, or drop --sample to use your own data.",
        )
    if sample:
        from dlstudio.core.samples import open_sample

        return open_sample(sample, target)
    if not path:
        raise DlstudioError(
            "No data was given.",
            "the path of a table, image folder or text collection, or --sample NAME",
            f"Add a path, e.g. `dlstudio {command} data.csv`, or try "
            f"`dlstudio {command} --sample penguins`.",
        )
    return path, target
