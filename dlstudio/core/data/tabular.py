"""Reading tables: CSV/TSV/TXT, Parquet, Excel and JSON, with the awkward cases handled.

pandas with the pyarrow engine reads delimited text fastest and without an extra copy; where it
cannot (quoted newlines, ragged lines, odd encodings), we fall back to the C engine and then to
the Python engine, which can skip malformed lines and count them.
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

from dlstudio.core.data.csv_chunks import read_csv_chunks
from dlstudio.core.data.encoding import detect_encoding
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


def read_table(path: Path, sheet: str | None = None) -> TableRead:
    """Read any supported table file into a DataFrame.

    Args:
        path: The file.
        sheet: For Excel, the sheet to read; by default the first sheet that holds data.

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
        read = _read_delimited(path)
    elif suffix in PARQUET_SUFFIXES:
        read = TableRead(_guarded(pd.read_parquet, path, "Parquet"), "parquet")
    elif suffix in EXCEL_SUFFIXES:
        read = _read_excel(path, sheet)
    elif suffix in JSON_SUFFIXES:
        read = _read_json(path)
    else:
        raise DataError(
            f"{path.name!r} has the extension {suffix or '(none)'!r}, which dlstudio cannot read.",
            f"a table ({', '.join(sorted(TABLE_SUFFIXES))}), an image folder or a .zip of one",
            "Save the data in one of those formats (an old .xls can be saved as .xlsx).",
        )
    frame = read.frame
    frame.columns = _clean_column_names(frame.columns)
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


def _read_delimited(path: Path) -> TableRead:
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    _refuse_binary(path, head)
    encoding = detect_encoding(head)
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
    options = dict(
        sep=delimiter,
        encoding=encoding,
        na_values=MISSING_TOKENS,
        keep_default_na=False,
        skiprows=skiprows,
    )
    notes: list[str] = []
    try:
        frame = _read_with_arrow(path, delimiter, encoding, skiprows)
        details["engine"] = "pyarrow"
    except Exception:  # pyarrow refuses ragged rows and some encodings: try the C engine
        try:
            frame = pd.read_csv(path, engine="c", encoding_errors="replace", **options)
            details["engine"] = "c"
        except Exception:
            bad: list[list[str]] = []
            frame = pd.read_csv(
                path,
                engine="python",
                encoding_errors="replace",
                on_bad_lines=lambda line: bad.append(line) and None,
                **options,
            )
            details["engine"] = "python"
            if bad:
                notes.append(
                    f"skipped {len(bad)} malformed line(s) whose fields did not match the header"
                )
    if len(frame.columns) == 1 and len(frame):
        _refuse_single_column(path, frame.columns[0], delimiter)
    return TableRead(frame, path.suffix.lower().lstrip(".") or "text", details, notes)


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
    convert = pacsv.ConvertOptions(
        null_values=MISSING_TOKENS, strings_can_be_null=True, quoted_strings_can_be_null=True
    )
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
            except pa.ArrowInvalid:
                table = None
    if table is None:
        read = pacsv.ReadOptions(encoding=encoding, skip_rows=skiprows)
        table = pacsv.read_csv(
            path, read_options=read, parse_options=parse, convert_options=convert
        )
    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    del table
    pa.default_memory_pool().release_unused()  # hand the freed Arrow buffers back to the OS
    return frame


def _refuse_binary(path: Path, head: bytes) -> None:
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise DataError(
                f"{path.name!r} is named like a text table but is {what}.",
                "comma-, semicolon- or tab-separated text",
                "Rename it with its real extension (.xlsx, .parquet, .zip, …) or export it as CSV.",
            )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
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


def _read_excel(path: Path, sheet: str | None) -> TableRead:
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
                    "Pass one of those names with --sheet.",
                )
            frame = _tidy_sheet(pd.read_excel(book, sheet_name=sheet))
            return TableRead(frame, "excel", {"sheet": sheet, "sheets": names})
        for name in names:
            frame = _tidy_sheet(pd.read_excel(book, sheet_name=name))
            if not frame.empty:
                notes = (
                    [f"read sheet {name!r}, the first of {len(names)} with data"]
                    if len(names) > 1
                    else []
                )
                return TableRead(frame, "excel", {"sheet": name, "sheets": names}, notes)
    raise DataError(
        f"Every sheet of {path.name!r} is empty ({', '.join(map(repr, names))}).",
        "a sheet with a header row and data rows",
        "Check that the workbook was saved with its data.",
    )


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
    return TableRead(frame, "json lines" if lines else "json")


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


def _clean_column_names(columns) -> list[str]:
    """Strip spaces and BOM remnants; name blank headers; make duplicates unique."""
    names, seen = [], Counter()
    for i, col in enumerate(columns):
        name = str(col).strip().lstrip("\ufeff") or f"column_{i + 1}"
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return names


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _short(value, limit: int = 40) -> str:
    text = repr(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"
