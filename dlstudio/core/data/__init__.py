"""Loading, profiling and splitting data: `from dlstudio.core.data import load_dataset`.

The names load on first use (PEP 562), so that importing a light one (a role, a split spec)
does not import pandas: the desktop window shows before pandas and numpy are loaded.
"""

from importlib import import_module

_WHERE = {
    "Dataset": "dataset",
    "load_dataset": "dataset",
    "DataKind": "profile",
    "DataProfile": "profile",
    "ProfileWarning": "profile",
    "WarningKind": "profile",
    "ColumnInfo": "schema",
    "ColumnRole": "schema",
    "Task": "schema",
    "Split": "split",
    "split_rows": "split",
}
__all__ = sorted([*_WHERE, "SplitSpec"])


def __getattr__(name: str):
    if name == "SplitSpec":
        from dlstudio.core.config import SplitSpec

        return SplitSpec
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"dlstudio.core.data.{_WHERE[name]}"), name)
