"""Hostile tables read faithfully or refused with the line to fix, never shifted or garbled.

Every file here is written in tmp_path from the bundled penguins sample, broken the way real
exports break: trailing delimiters, extra fields, a quote left open, ragged rows, mixed
encodings, UTF-16 without a byte-order mark, duplicate names and nested JSON.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dlstudio.cli import run
from dlstudio.core.data import load_dataset
from dlstudio.core.data.tabular import read_table
from dlstudio.core.errors import DataError


@pytest.fixture
def lines(penguins_csv) -> list[str]:
    """The sample's lines: a header and 344 rows of 8 fields, no quotes."""
    return penguins_csv.read_text().splitlines()


@pytest.fixture
def clean(penguins_csv) -> pd.DataFrame:
    return read_table(penguins_csv).frame


def _write(path, lines: list[str]):
    path.write_text("\n".join(lines) + "\n")
    return path


def test_trailing_comma_on_every_row_is_dropped_not_shifted(lines, clean, tmp_path):
    path = _write(tmp_path / "trailing.csv", [lines[0]] + [line + "," for line in lines[1:]])
    read = read_table(path)
    pd.testing.assert_frame_equal(read.frame, clean)  # species are species, not islands
    assert any("trailing ','" in note for note in read.notes)


def test_trailing_delimiter_on_header_and_rows_leaves_no_empty_column(lines, clean, tmp_path):
    path = _write(tmp_path / "both.csv", [line + ";" for line in lines])
    path.write_text(path.read_text().replace(",", ";"))
    read = read_table(path)
    assert list(read.frame.columns) == list(clean.columns)
    assert any("empty, unnamed last column was dropped" in note for note in read.notes)


def test_extra_fields_on_most_rows_are_refused_with_their_lines(lines, tmp_path):
    rows = [lines[0]] + [line + (",x" if i % 10 else "") for i, line in enumerate(lines[1:])]
    with pytest.raises(DataError, match=r"309 of the 344 data rows") as error:
        read_table(_write(tmp_path / "extra.csv", rows))
    assert "line 3 (9 fields)" in str(error.value)
    assert "has no name in the header" in str(error.value)  # the likely cause, said


def test_a_quote_left_open_is_refused_at_its_line(lines, tmp_path):
    rows = list(lines)
    rows[10] = '"' + rows[10]  # line 11 opens a quote that nothing closes
    with pytest.raises(DataError, match=r'quote \("\) on line 11') as error:
        read_table(_write(tmp_path / "open_quote.csv", rows))
    assert "end of the file" in str(error.value)
    assert "one class only" not in str(error.value)


def test_a_stray_quote_that_closes_rows_later_is_refused(lines, tmp_path):
    rows = [lines[0] + ",comment"] + [line + ",ok" for line in lines[1:]]
    rows[10] = rows[10][:-2] + '"oops'  # opens on line 11 ...
    rows[40] = rows[40][:-2] + '"fine"'  # ... and the first quote on line 41 closes it
    with pytest.raises(DataError, match=r"on line 11 that closes only 30 lines later"):
        read_table(_write(tmp_path / "swallowed.csv", rows))


def test_a_few_ragged_rows_are_skipped_and_named(lines, tmp_path):
    rows = list(lines)
    rows[5] = ",".join(rows[5].split(",")[:5])  # line 6: 5 fields
    rows[9] = rows[9] + ",9,9"  # line 10: 10 fields
    read = read_table(_write(tmp_path / "ragged.csv", rows))
    assert len(read.frame) == 342
    assert read.frame["year"].dtype == "int64"  # nothing padded with missing values
    note = next(n for n in read.notes if "skipped 2 malformed lines" in n)
    assert "line 6 (5 fields)" in note and "line 10 (10 fields)" in note


def test_many_short_rows_are_refused_not_padded(lines, tmp_path):
    rows = [lines[0]] + [",".join(line.split(",")[:6]) for line in lines[1:60]] + lines[60:]
    with pytest.raises(DataError, match=r"59 of the 344 data rows .*line 2 \(6 fields\)"):
        read_table(_write(tmp_path / "short.csv", rows))


def test_mixed_utf8_and_cp1252_lines_are_both_read_right(lines, tmp_path):
    rows = [line.replace("Dream", "Dréam") for line in lines]
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        ("\n".join(rows[:150]) + "\n").encode("utf-8")
        + ("\n".join(rows[150:]) + "\n").encode("cp1252")
    )
    read = read_table(path)
    assert read.frame["island"].value_counts()["Dréam"] == 124  # every one, in both halves
    assert not read.frame["island"].str.contains("\ufffd|Ã", regex=True).any()
    assert any("read as cp1252" in note and "line 151" in note for note in read.notes)


def test_cp1252_after_the_sniffed_head_is_not_left_as_bytes(tmp_path):
    rows = ["name,city,score,label"] + [f"n{i},Paris,{i % 7},{'ab'[i % 2]}" for i in range(20000)]
    rows[19000] = "n18999,Besançon,3,a"
    path = tmp_path / "late.csv"
    path.write_bytes(
        ("\n".join(rows[:19000]) + "\n").encode()
        + ("\n".join(rows[19000:]) + "\n").encode("cp1252")
    )
    assert path.stat().st_size > 256 * 1024  # beyond what the encoding is guessed from
    read = read_table(path)
    assert read.frame["city"].iloc[18999] == "Besançon"
    assert any("line 19001" in note for note in read.notes)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read(lines, clean, tmp_path, codec):
    path = tmp_path / "unicode.txt"
    path.write_bytes(("\n".join(lines) + "\n").replace(",", "\t").encode(codec))
    read = read_table(path)
    assert read.details["encoding"] == codec
    pd.testing.assert_frame_equal(read.frame, clean)


def test_duplicate_and_empty_header_names_are_renamed_and_said(tmp_path):
    rows = ["x,x,,y,x"] + [f"{i},{i * 2},{i % 3},{'ab'[i % 2]},{i}" for i in range(30)]
    read = read_table(_write(tmp_path / "names.csv", rows))
    assert list(read.frame.columns) == ["x", "x_2", "column_3", "y", "x_3"]
    assert "3 columns were named 'x'; the others are now 'x_2', 'x_3'" in read.notes
    assert "column 3 has no name in the header; it is now 'column_3'" in read.notes


def _nested_records() -> list[dict]:
    return [
        {"id": i, "size": {"w": i % 5, "h": {"cm": i % 3}}, "tags": ["a", "b"][: i % 3],
         "label": "ab"[i % 2]}
        for i in range(40)
    ]  # fmt: skip


@pytest.mark.parametrize("suffix", [".json", ".jsonl", ".parquet"])
def test_nested_objects_flattened_and_lists_left_out(tmp_path, suffix):
    path = tmp_path / f"nested{suffix}"
    records = _nested_records()
    if suffix == ".json":
        path.write_text(json.dumps(records))
    elif suffix == ".jsonl":
        path.write_text("\n".join(map(json.dumps, records)) + "\n")
    else:
        pd.DataFrame(records).to_parquet(path)
    profile = load_dataset(path, target="label").profile
    assert [c.name for c in profile.columns] == ["id", "size.w", "size.h.cm", "label"]
    assert any("'size' holds objects" in note for note in profile.notes)
    assert any("'tags' holds lists" in note and "left out" in note for note in profile.notes)


def test_inspect_prints_the_notes_and_refuses_in_one_line(lines, tmp_path, capsys):
    path = _write(tmp_path / "trailing.csv", [lines[0]] + [line + "," for line in lines[1:]])
    assert run(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "note: every data row ended with an extra empty field" in " ".join(out.split())
    rows = list(lines)
    rows[10] = '"' + rows[10]
    assert run(["inspect", str(_write(tmp_path / "open.csv", rows))]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "on line 11" in err and err.count("\n") == 1


def test_inspect_shows_names_with_brackets_as_written(tmp_path, capsys):
    rows = ["price[usd],b[/],label"] + [f"{i},{i * 3},{'yn'[i % 2]}" for i in range(20)]
    assert run(["inspect", str(_write(tmp_path / "brackets.csv", rows))]) == 0
    out = capsys.readouterr().out
    assert "price[usd]" in out and "b[/]" in out
