"""Loading, profiling and splitting data: `from dlstudio.core.data import load_dataset`."""

from dlstudio.core.data.dataset import Dataset, load_dataset
from dlstudio.core.data.profile import DataKind, DataProfile, ProfileWarning, WarningKind
from dlstudio.core.data.schema import ColumnInfo, ColumnRole, Task
from dlstudio.core.data.split import Split, SplitSpec, split_rows

__all__ = [
    "ColumnInfo",
    "ColumnRole",
    "DataKind",
    "DataProfile",
    "Dataset",
    "ProfileWarning",
    "Split",
    "SplitSpec",
    "Task",
    "WarningKind",
    "load_dataset",
    "split_rows",
]
