"""The parallel chunked CSV reader: same table as pandas, or None where it cannot be sure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.csv as pacsv
import pytest

from dlstudio.core.data import csv_chunks
from dlstudio.core.data.tabular import MISSING_TOKENS

CONVERT = pacsv.ConvertOptions(
    null_values=MISSING_TOKENS, strings_can_be_null=True, quoted_strings_can_be_null=True
)
PARSE = pacsv.ParseOptions(delimiter=",", newlines_in_values=False)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(csv_chunks, "CHUNK_BYTES", 2048)  # many chunks from a small file


def _read(path, skiprows=0):
    return csv_chunks.read_csv_chunks(path, "utf-8", skiprows, PARSE, CONVERT)


def test_chunks_give_the_same_table_as_pandas(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=3000).round(3),
            "n": rng.integers(0, 50, 3000),
            "city": rng.choice(["Oslo", "Lima", "Pune"], 3000),
        }
    )
    frame.loc[::97, "x"] = np.nan
    path = tmp_path / "t.csv"
    path.write_text("sep=,\n" + frame.to_csv(index=False))
    table = _read(path, skiprows=1)
    assert table is not None and table.num_rows == 3000
    pd.testing.assert_frame_equal(table.to_pandas(), pd.read_csv(path, skiprows=1))


def test_a_later_chunk_with_other_types_hands_the_file_back(tmp_path):
    lines = ["id,count"] + [f"{i},{i % 7}" for i in range(2000)] + ["2000,3.5"]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n")
    assert _read(path) is None  # the whole-file reader sees the 3.5 and makes it a float


def test_quotes_hand_the_file_back(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('note,y\n"two\nlines",1\n' + "plain,0\n" * 2000)
    assert _read(path) is None
