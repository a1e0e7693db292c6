"""Reading tables: CSV/TSV/TXT, Parquet, Excel and JSON, with the awkward cases handled.

pyarrow reads delimited text fastest and without an extra copy, and it refuses a file whose
rows do not all fit the header, which is the cheap check that a file is clean. Only when it
refuses (or finds bytes that are not UTF-8) is every row checked with the csv module
(csv_rows), which repairs trailing delimiters, skips and names malformed lines, refuses quotes
left open, and hands clean text back to pyarrow; lines that are not UTF-8 in a UTF-8 file are
decoded on their own (encoding.decode_utf8_lines). Nothing is padded, shifted or garbled
silently: what was changed is said in the notes.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from pandas.api import types as ptypes

from dlstudio.core.data.csv_chunks import needs_row_check, read_csv_chunks
from dlstudio.core.data.csv_rows import RowCheck, check_rows, clean_text, swallowed_rows_line
from dlstudio.core.data.encoding import UTF8_NAMES, decode_utf8_lines, detect_encoding
from dlstudio.core.data.nested import flatten_nested
from dlstudio.core.data.schema import sample_rows
from dlstudio.core.errors import DataError

DELIMITED_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".dat"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
TABLE_SUFFIXES = DELIMITED_SUFFIXES | PARQUET_SUFFIXES | EXCEL_SUFFIXES | JSON_SUFFIXES

# What people and tools write for "no value". Matched exactly, per cell.
MISSING_TOKENS = [
    "",
    "?",
    "NA",
    "N/A",
    "n/a",
    "na",
    "NaN",
    "nan",
    "null",
    "NULL",
    "Null",
    "None",
    "#N/A",
    "<NA>",
]

DELIMITERS = [",", ";", "\t", "|"]
_SNIFF_BYTES = 256 * 1024
STREAM_ABOVE_BYTES = 32 * 1024**2

# Signatures of binary formats people save under a .csv name by mistake.
_MAGIC = {
    b"PK\x03\x04": "a zip archive or an Excel (.xlsx) workbook",
    b"PAR1": "a Parquet file",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or Office file",
    b"\x1f\x8b": "a gzip archive",
    b"SQLite format 3": "an SQLite database",
}


@dataclass
class TableRead:
    """A table as read, with what was detected along the way (shown to the user)."""

    frame: pd.DataFrame
    format: str
    details: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_table(path: Path, sheet: str | None = None, one_column: bool = False) -> TableRead:
    """Read any supported table file into a DataFrame.

    Args:
        path: The file.
        sheet: For Excel, the sheet to read; by default the first sheet that holds data.
        one_column: A delimited file of a single column is what is expected (new texts for a
            model that reads one text column); else it is refused as a wrong separator.

    Raises:
        DataError: The file is empty, not a table, or has no data rows.
    """
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise DataError(
            f"The file {path.name!r} is empty (0 bytes).",
            "a table with a header row and at least one data row",
            "Check that the export or download finished, then try again.",
        )
    if suffix in DELIMITED_SUFFIXES:
        read = _read_delimited(path, one_column)
    elif suffix in PARQUET_SUFFIXES:
        read = TableRead(_guarded(pd.read_parquet, path, "Parquet"), "parquet")
        read.frame, read.notes = flatten_nested(read.frame)
    elif suffix in EXCEL_SUFFIXES:
        read = _read_excel(path, sheet, one_column)
    elif suffix in JSON_SUFFIXES:
        read = _read_json(path)
    else:
        raise DataError(
            f"{path.name!r} has the extension {suffix or '(none)'!r}, which dlstudio cannot read.",
            f"a table ({', '.join(sorted(TABLE_SUFFIXES))}), an image folder or a .zip of one",
            "Save the data in one of those formats (an old .xls can be saved as .xlsx).",
        )
    frame = read.frame
    frame.columns, renamed = _clean_column_names(frame.columns)
    read.notes += renamed
    if frame.empty:
        what = "only a header row" if len(frame.columns) else "no rows"
        raise DataError(
            f"{path.name!r} has {what} and no data.",
            "a header row followed by at least one data row",
            "Check that the file was saved with its data, or pick another file.",
        )
    read.notes += _parse_numbers_written_as_text(
        frame, decimal_comma=read.details.get("delimiter") == ";"
    )
    return read


def _guarded(reader, path: Path, what: str, **kwargs) -> pd.DataFrame:
    try:
        return reader(path, **kwargs)
    except Exception as exc:  # a corrupt file can raise anything from the library underneath
        raise DataError(
            f"{path.name!r} could not be read as {what}: {_first_line(exc)}",
            f"a valid {what} file",
            "Open it in the program that made it and save it again.",
        ) from exc


# ---------------------------------------------------------------- delimited text


class _NotPlainUtf8(Exception):
    """The file was read as UTF-8 but some bytes are not (pyarrow makes them binary columns)."""


def _read_delimited(path: Path, one_column: bool = False) -> TableRead:
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    _refuse_binary_format(path, head)
    encoding = detect_encoding(head)
    if not encoding.startswith("utf-16"):
        _refuse_binary(path, head)
    text = _decode_head(head, encoding)
    skiprows = 0
    first = text.split("\n", 1)[0].strip()
    explicit = re.fullmatch(r'"?sep=(.)"?', first)  # Excel's "sep=;" hint line
    if explicit:
        delimiter, skiprows = explicit.group(1), 1
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delimiter = sniff_delimiter(text, prefer_tab=path.suffix.lower() in {".tsv", ".tab"})
    details = {"delimiter": delimiter, "encoding": encoding}
    notes: list[str] = []
    try:
        frame = _read_with_arrow(path, delimiter, encoding, skiprows)
        details["engine"] = "pyarrow"
        _refuse_swallowed_rows(path, frame, delimiter, skiprows)
    except (pa.ArrowInvalid, UnicodeDecodeError, _NotPlainUtf8):
        # Rows that do not fit the header, or bytes that are not the encoding: check each row.
        frame = _read_row_by_row(path, delimiter, encoding, skiprows, details, notes)
    frame, dropped = _drop_trailing_empty_column(frame, delimiter)
    notes += dropped
    if len(frame.columns) == 1 and len(frame) and not one_column:
        _refuse_single_column(path, frame.columns[0], delimiter)
    return TableRead(frame, path.suffix.lower().lstrip(".") or "text", details, notes)


def _read_row_by_row(
    path: Path, delimiter: str, encoding: str, skiprows: int, details: dict, notes: list[str]
) -> pd.DataFrame:
    """The slow, careful path: decode line-wise if need be, check every row, parse the rest."""
    raw = path.read_bytes()
    if encoding in UTF8_NAMES:
        decoded = decode_utf8_lines(raw)
        text = decoded.text
        if decoded.fallback_lines:
            details["encoding"] = f"utf-8 and {decoded.fallback}"
            notes.append(decoded.note())
    else:
        text = raw.decode(encoding, errors="replace")
    del raw
    for _ in range(skiprows):
        text = text.split("\n", 1)[1] if "\n" in text else ""
    check = check_rows(text, delimiter, path.name, first_line=1 + skiprows)
    notes += check.notes
    details["engine"] = "pyarrow, every row checked"
    frame = _read_skipping(text, delimiter, check)
    if frame is None:  # rows to trim one by one: write the rows that fit as clean CSV
        frame = _parse_text(clean_text(text, delimiter, check), delimiter)
    return frame


_TRAILING = "\x00trailing"  # a name no header has, for the empty field after a trailing delimiter


def _read_skipping(text: str, delimiter: str, check: RowCheck) -> pd.DataFrame | None:
    """pyarrow on `text`, skipping the rows that do not fit, when that is all there is to do.

    Rows that fit either all have the header's width or (with a trailing delimiter) all one
    more, empty field; otherwise, or if pyarrow skips other rows than the check did, None.
    """
    if not check.header_line_only or (check.drop_last and check.skipped):
        return None
    skipped = 0

    def skip(row) -> str:
        nonlocal skipped
        skipped += 1
        return "skip"

    names = check.header + ([_TRAILING] if check.drop_last else [])
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=skip
            ),
            convert_options=_convert_options(),
        )
    except pa.ArrowInvalid:
        return None
    if skipped != check.skipped:
        return None
    if check.drop_last:
        if table.column(_TRAILING).null_count != table.num_rows:
            return None
        table = table.drop_columns([_TRAILING])
    return table.to_pandas(self_destruct=True, split_blocks=True)


def _parse_text(text: str, delimiter: str) -> pd.DataFrame:
    data = text.encode("utf-8")
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=_convert_options(),
        )
        return table.to_pandas(self_destruct=True, split_blocks=True)
    except pa.ArrowInvalid:  # a value pyarrow cannot convert; the C engine infers per column
        return pd.read_csv(
            io.BytesIO(data),
            sep=delimiter,
            encoding="utf-8",
            na_values=MISSING_TOKENS,
            keep_default_na=False,
        )


def _convert_options() -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(
        null_values=MISSING_TOKENS, strings_can_be_null=True, quoted_strings_can_be_null=True
    )


def _refuse_swallowed_rows(path: Path, frame: pd.DataFrame, delimiter: str, skiprows: int):
    """Refuse a quote opened by mistake that closed at a later quote, swallowing the rows between.

    Cheap first: only a file with more lines than rows has cells that span lines, and only
    those cells are looked at.
    """
    with path.open("rb") as fh:
        lines = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
    if lines <= len(frame) + 1 + skiprows:
        return
    texts = [c for c in frame.columns if _is_text(frame[c])]
    newlines = pd.Series(0, index=frame.index)
    found = None
    for col in texts:
        counts = frame[col].str.count("\n").fillna(0).astype(int)
        newlines = newlines + counts
        multi = frame[col][counts > 0]
        cell = swallowed_rows_line(multi.tolist()[:1000], delimiter, len(frame.columns))
        if cell is not None and found is None:
            found = (multi.index[multi.tolist().index(cell)], col)
    if found is None:
        return
    row, col = found
    # The physical line of the row: the header, the rows before it and their inner line breaks.
    position = frame.index.get_loc(row)
    opens = 1 + skiprows + 1 + position + int(newlines.iloc[:position].sum())
    width = len(frame.columns)
    raise DataError(
        f'{path.name!r} has a quote (") in column {str(col)!r} on line {opens} that closes only '
        f"{int(newlines.loc[row])} lines later, so rows of {width} fields were read as one value.",
        "every quoted value to end with a closing quote on its own row",
        f"Open the file in a text editor, close or remove the stray quote on line {opens}, "
        "and save it again.",
    )


def _is_text(values: pd.Series) -> bool:
    """A column of strings (pandas' str dtype, or object holding only strings)."""
    if not ptypes.is_string_dtype(values.dtype):
        return False
    return ptypes.infer_dtype(values, skipna=True) in ("string", "empty")


def _drop_trailing_empty_column(
    frame: pd.DataFrame, delimiter: str
) -> tuple[pd.DataFrame, list[str]]:
    """A header and rows that all end with the delimiter make an unnamed, empty last column."""
    if len(frame.columns) < 2:
        return frame, []
    last = frame.columns[-1]
    if str(last).strip() or not frame.iloc[:, -1].isna().all():
        return frame, []
    shown = "tab" if delimiter == "\t" else repr(delimiter)
    note = f"every line ended with a trailing {shown}; the empty, unnamed last column was dropped"
    return frame.iloc[:, :-1], [note]


def _decode_head(head: bytes, encoding: str) -> str:
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    if len(head) == _SNIFF_BYTES and "\n" in text:
        text = text[: text.rfind("\n")]  # the last line may be cut mid-way
    return text


def _read_with_arrow(path: Path, delimiter: str, encoding: str, skiprows: int) -> pd.DataFrame:
    """pyarrow's CSV reader, then a conversion that frees each Arrow column as it goes.

    Large files are read in parallel chunks where they allow it (csv_chunks), else parsed as a
    stream of 1 MiB blocks: the one-shot reader holds parse buffers worth about twice the table
    while it runs, those two almost none. Both take column types from their first block; where
    a later block disagrees, the one-shot reader runs.
    """
    parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)
    convert = _convert_options()
    table = None
    if path.stat().st_size > STREAM_ABOVE_BYTES:
        no_quotes = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False)
        table = read_csv_chunks(path, encoding, skiprows, no_quotes, convert)
        if table is None:
            read = pacsv.ReadOptions(encoding=encoding, skip_rows=skiprows, block_size=1 << 20)
            try:
                table = pacsv.open_csv(
                    path, read_options=read, parse_options=parse, convert_options=convert
                ).read_all()
            except pa.ArrowInvalid as error:
                if needs_row_check(error):
                    raise  # the one-shot reader would not do better
                table = None
    if table is None:
        read = pacsv.ReadOptions(encoding=encoding, skip_rows=skiprows)
        table = pacsv.read_csv(
            path, read_options=read, parse_options=parse, convert_options=convert
        )
    if any(pa.types.is_binary(t) or pa.types.is_large_binary(t) for t in table.schema.types):
        raise _NotPlainUtf8  # pyarrow keeps text that is not UTF-8 as bytes
    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    del table
    pa.default_memory_pool().release_unused()  # hand the freed Arrow buffers back to the OS
    return frame


def _refuse_binary_format(path: Path, head: bytes) -> None:
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise DataError(
                f"{path.name!r} is named like a text table but is {what}.",
                "comma-, semicolon- or tab-separated text",
                "Rename it with its real extension (.xlsx, .parquet, .zip, …) or export it as CSV.",
            )


def _refuse_binary(path: Path, head: bytes) -> None:
    """Refuse bytes that are not text (called for encodings other than UTF-16)."""
    sample = head[:8192]
    controls = sum(b < 9 or 13 < b < 32 for b in sample)
    if b"\x00" in sample or controls > len(sample) * 0.05:
        raise DataError(
            f"{path.name!r} holds binary data, not text.",
            "comma-, semicolon- or tab-separated text",
            "Check that this is the file you meant; export the data as CSV from its program.",
        )


def sniff_delimiter(text: str, prefer_tab: bool = False) -> str:
    """Pick the delimiter that splits the sample into the most consistent number of fields."""
    lines = [ln for ln in text.splitlines()[:500] if ln.strip()]
    best, best_score = ("\t" if prefer_tab else ","), (-1.0, 0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [
                len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
            ]
        except csv.Error:
            continue
        if not counts:
            continue
        fields, seen = Counter(counts).most_common(1)[0]
        if fields < 2:
            continue
        score = (round(seen / len(counts), 2), fields, prefer_tab and delimiter == "\t")
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _refuse_single_column(path: Path, header: str, delimiter: str) -> None:
    shown = {"\t": "tab"}.get(delimiter, repr(delimiter))
    others = [d for d in ":-_ " if str(header).count(d) >= 2]
    hint = (
        f" The header contains {others[0]!r} several times: is that the separator?"
        if others
        else ""
    )
    raise DataError(
        f"{path.name!r} splits into a single column ({_short(header)}) with {shown} as the "
        f"separator.{hint}",
        "at least two columns (the features and a target) separated by , ; tab or |",
        "Save the file with one of those separators, e.g. 'CSV (comma delimited)'.",
    )


# ---------------------------------------------------------------- Excel and JSON


def _read_excel(path: Path, sheet: str | None, one_column: bool = False) -> TableRead:
    """The named sheet, or the first that holds a table: a header and data rows in at least two
    columns (one, where `one_column`). Empty sheets, sheets with only a header row and cover
    sheets of notes in one column are passed over, and the note says which."""
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:
        raise DataError(
            f"{path.name!r} could not be opened as an Excel workbook: {_first_line(exc)}",
            "an .xlsx workbook",
            "Open it in Excel or LibreOffice and save it again as .xlsx.",
        ) from exc
    with book:
        names = [str(n) for n in book.sheet_names]
        if sheet is not None:
            if sheet not in names:
                raise DataError(
                    f"The workbook {path.name!r} has no sheet named {sheet!r}.",
                    f"one of its sheets: {', '.join(map(repr, names))}",
                    "Choose one of those sheets (on the command line: --sheet NAME).",
                )
            frame = _tidy_sheet(pd.read_excel(book, sheet_name=sheet))
            if frame.empty:
                raise DataError(
                    f"The sheet {sheet!r} of {path.name!r} {_sheet_content(frame)}.",
                    "a sheet with a header row and data rows",
                    "Choose the sheet that holds the data (on the command line: --sheet NAME; "
                    "leave it out to read the first sheet with data).",
                )
            return TableRead(frame, "excel", {"sheet": sheet, "sheets": names})
        passed = []  # (name, what it holds) of the sheets before the one read
        for name in names:
            frame = _tidy_sheet(pd.read_excel(book, sheet_name=name))
            if not _holds_table(frame, one_column):
                passed.append((name, _sheet_content(frame)))
                continue
            details = {"sheet": name, "sheets": names}
            notes = []
            if passed:
                details["sheets_without_data"] = [n for n, _ in passed]
                skipped = "; ".join(f"{n!r} {what}" for n, what in passed[:5])
                more = f"; and {len(passed) - 5} more" if len(passed) > 5 else ""
                notes.append(
                    f"read sheet {name!r}, the first with data: the sheet(s) before it hold no "
                    f"table ({skipped}{more})"
                )
            elif len(names) > 1:
                notes.append(
                    f"read the first sheet, {name!r}, of {len(names)} (choose another with "
                    "--sheet NAME)"
                )
            return TableRead(frame, "excel", details, notes)
    described = "; ".join(f"{n!r} {what}" for n, what in passed[:8])
    more = f"; and {len(passed) - 8} more" if len(passed) > 8 else ""
    width = "a column" if one_column else "at least two columns"
    raise DataError(
        f"No sheet of {path.name!r} holds a table: {described}{more}.",
        f"a sheet with a header row and data rows in {width}",
        "Check that the workbook was saved with its data, or export the sheet with the data "
        "as CSV.",
    )


def _holds_table(frame: pd.DataFrame, one_column: bool) -> bool:
    """Data rows in at least two columns (one, where that is what is expected)."""
    if frame.empty:
        return False
    filled = int(frame.notna().any().sum())
    return filled >= (1 if one_column else 2)


def _sheet_content(frame: pd.DataFrame) -> str:
    """What a sheet without a table holds, in a few words."""
    if len(frame.columns) == 0:
        return "is empty"
    if len(frame) == 0:
        named = [str(c) for c in frame.columns if not str(c).startswith("Unnamed:")]
        if not named:
            return "is empty"
        return "holds only a header row" if len(named) > 1 else f"holds only the line {named[0]!r}"
    return f"holds {len(frame) + 1} line(s) in one column, like notes"


def _tidy_sheet(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the fully empty rows and unnamed empty columns that spreadsheets leave behind."""
    frame = frame.dropna(how="all")
    empty_unnamed = [
        c for c in frame.columns if str(c).startswith("Unnamed:") and frame[c].isna().all()
    ]
    frame = frame.drop(columns=empty_unnamed).reset_index(drop=True)
    for col in frame.columns:  # openpyxl gives object columns; let pandas pick real dtypes
        if frame[col].dtype == object:
            frame[col] = frame[col].replace({t: np.nan for t in MISSING_TOKENS if t})
    return frame.infer_objects()


def _read_json(path: Path) -> TableRead:
    with path.open("rb") as fh:
        head = fh.read(4096).lstrip()
    lines = path.suffix.lower() in {".jsonl", ".ndjson"} or (
        head.startswith(b"{") and b"\n{" in head.replace(b"\r\n", b"\n")
    )
    frame = _guarded(pd.read_json, path, "JSON" + (" lines" if lines else ""), lines=lines)
    frame, notes = flatten_nested(frame)
    return TableRead(frame, "json lines" if lines else "json", notes=notes)


# ---------------------------------------------------------------- numbers written as text

_THOUSANDS_COMMA = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _parse_numbers_written_as_text(frame: pd.DataFrame, decimal_comma: bool) -> list[str]:
    """Turn text columns that clearly hold numbers ('1,234.5', '3,14') into numbers.

    A column converts only when nearly every value matches one number convention; the few that
    do not (at most 3 distinct tokens, under 2 % of values) become missing, and a note says so.
    """
    notes = []
    for col in frame.columns:
        series = frame[col]
        if ptypes.is_numeric_dtype(series) or ptypes.is_bool_dtype(series):
            continue
        if ptypes.is_datetime64_any_dtype(series):
            continue
        converted, note = _as_number(series, decimal_comma)
        if converted is not None:
            frame[col] = converted
            notes.append(f"{col!r}: {note}")
    return notes


def _as_number(series: pd.Series, decimal_comma: bool) -> tuple[pd.Series | None, str]:
    values = series.dropna()
    if values.empty:
        return None, ""
    # Decide on a sample first: most text columns are not numbers, and a full-column
    # string copy of a million rows is what the two-copies memory budget cannot afford.
    sample = sample_rows(values, 2000)
    sample = sample.astype(str).str.strip()
    plain = sample.str.match(_PLAIN)
    thousands = sample.str.match(_THOUSANDS_COMMA) & sample.str.contains(",", regex=False)
    european = sample.str.match(_DECIMAL_COMMA) & sample.str.contains(",", regex=False)
    if thousands.any() and european.any():
        # '1,234' fits both; decide by the separator, then by decimals of 1-2 digits.
        decimals = sample[european].str.contains(r",\d{1,2}$|,\d{4,}$").any()
        use_decimal_comma = decimal_comma or decimals
    else:
        use_decimal_comma = bool(european.any())
    matched = plain | (european if use_decimal_comma else thousands)
    if matched.mean() < 0.98:
        return None, ""
    odd = set(sample[~matched].unique())
    if len(odd) > 3:
        return None, ""
    strings = values.astype(str).str.strip()
    if use_decimal_comma:
        cleaned = strings.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        note = "read as numbers with decimal commas"
    else:
        cleaned = strings.str.replace(",", "", regex=False)
        note = "read as numbers with thousands separators" if thousands.any() else "read as numbers"
    numbers = pd.to_numeric(cleaned, errors="coerce")
    if numbers.notna().mean() < 0.98:
        return None, ""
    if odd:
        note += f"; {', '.join(repr(v) for v in sorted(odd))} read as missing"
    result = pd.Series(np.nan, index=series.index, dtype="float64")
    result[numbers.index] = numbers.to_numpy(dtype="float64")
    return result, note


# ---------------------------------------------------------------- helpers


def _clean_column_names(columns) -> tuple[list[str], list[str]]:
    """Strip spaces and BOM remnants; name blank headers; make duplicates unique.

    Returns the names and a note for each renaming, since a user looking for 'x_2' or
    'column_3' should know where it came from.
    """
    stripped = [str(col).strip().lstrip("\ufeff") for col in columns]
    taken = set(stripped)
    names, seen, notes = [], Counter(), []
    renamed: dict[str, list[str]] = {}
    for i, name in enumerate(stripped):
        if not name:
            name = _unused(f"column_{i + 1}", taken)
            taken.add(name)
            notes.append(f"column {i + 1} has no name in the header; it is now {name!r}")
        seen[name] += 1
        if seen[name] > 1:
            new = _unused(f"{name}_{seen[name]}", taken)
            taken.add(new)
            renamed.setdefault(name, []).append(new)
            name = new
        names.append(name)
    for name, others in renamed.items():
        count = len(others) + 1
        said = "two" if count == 2 else str(count)
        after = "the second is" if count == 2 else "the others are"
        notes.append(
            f"{said} columns were named {name!r}; {after} now {', '.join(map(repr, others))}"
        )
    return names, notes


def _unused(name: str, taken: set[str]) -> str:
    base, n = name, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _short(value, limit: int = 40) -> str:
    text = repr(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"
