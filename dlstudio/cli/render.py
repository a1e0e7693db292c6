"""How the CLI shows a data profile in a terminal (rich tables).

Everything that comes from the user's data (file, column and class names, notes that quote
them) is escaped: rich reads '[...]' as markup, which would hide part of a name such as
'price[usd]' or stop the command on one such as 'a[/]'.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dlstudio.core.data.profile import DataKind, DataProfile


def print_profile(profile: DataProfile, console: Console | None = None) -> None:
    console = console or Console()
    read = ", ".join(
        f"{k} {escape(repr(v))}"
        for k, v in profile.details.items()
        if k in ("delimiter", "encoding", "sheet")
    )
    shape = f"{profile.rows} rows"
    if profile.kind is DataKind.TABLE or profile.columns:
        shape += f" × {len(profile.columns)} columns"
    console.print(f"[bold]{escape(str(profile.source))}[/]")
    console.print(
        f"  {profile.kind.value} ({profile.format}{'; ' + read if read else ''}), {shape}"
    )
    target, reason = escape(str(profile.target)), escape(str(profile.target_reason))
    console.print(f"  target: [bold]{target}[/]  ({reason})")
    task = profile.task.value if profile.task else "-"
    console.print(f"  task:   [bold]{task}[/]  ({escape(str(profile.task_reason))})")
    console.print(f"  features: {len(profile.features)} ({escape(_listed(profile.features))})")

    if profile.classes:
        table = Table(title="Classes", title_justify="left")
        table.add_column("class")
        table.add_column("rows", justify="right")
        table.add_column("share", justify="right")
        total = sum(profile.classes.values())
        for label, count in profile.classes.items():
            table.add_row(escape(str(label)), str(count), f"{count / total:.1%}")
        console.print(table)

    if profile.columns:
        table = Table(title="Columns", title_justify="left")
        for name in ("column", "role", "dtype", "missing", "distinct", "why"):
            table.add_column(name, justify="right" if name in ("missing", "distinct") else "left")
        for c in profile.columns:
            used = c.name in profile.features or c.name == profile.target
            style = None if used else "dim"
            role = c.role.value + (" (target)" if c.name == profile.target else "")
            cells = (c.name, role, c.dtype, str(c.missing), str(c.distinct), c.reason)
            table.add_row(*(escape(str(cell)) for cell in cells), style=style)
        console.print(table)

    extra = {
        k: v for k, v in profile.details.items() if k not in ("delimiter", "encoding", "sheet")
    }
    if extra:
        shown = ", ".join(f"{k}: {v}" for k, v in extra.items())
        console.print("  " + escape(shown), style="dim")
    for note in profile.notes:
        console.print(f"  [cyan]note[/]: {escape(str(note))}")
    for warning in profile.warnings:
        message = escape(str(warning.message))
        console.print(f"  [yellow]warning[/] ({warning.kind.value}): {message}")
    if profile.skipped:
        console.print(f"  skipped {len(profile.skipped)}: {escape(_listed(profile.skipped))}")


def _listed(items: list[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f", … {len(items) - limit} more" if len(items) > limit else "")
