"""Loading, profiling and splitting data: `from dlstudio.core.data import load_dataset`.

The names load on first use (PEP 562), so that importing a light one (a role, a split spec)
does not import pandas: the desktop window shows before pandas and numpy are loaded.
"""

from importlib import import_module

_WHERE = {
    "Dataset": "dlstudio.core.data.dataset",
    "load_dataset": "dlstudio.core.data.dataset",
    "DataKind": "dlstudio.core.data.profile",
    "DataProfile": "dlstudio.core.data.profile",
    "ProfileWarning": "dlstudio.core.data.profile",
    "WarningKind": "dlstudio.core.data.profile",
    "ColumnInfo": "dlstudio.core.data.schema",
    "ColumnRole": "dlstudio.core.data.schema",
    "Task": "dlstudio.core.data.schema",
    "Split": "dlstudio.core.data.split",
    "split_rows": "dlstudio.core.data.split",
    "SplitSpec": "dlstudio.core.config",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
