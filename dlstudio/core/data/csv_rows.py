"""Rows of a delimited file that do not fit its header: repaired, skipped by line, or refused.

pyarrow refuses a file whose rows do not all have as many fields as the header; the pandas
engines instead pad short rows with missing values and, when rows carry one field too many,
shift every column by one place, so a model learns from the wrong columns without a word.
This pass reads such a file with the csv module, which knows the line each row starts on, and
decides row by row:

- a trailing delimiter on (nearly) every data row that the header lacks is an empty last field:
  dropped, with a note (and the same for a header with a trailing delimiter its rows lack);
- other rows whose number of fields differs from the header's are skipped, with their count and
  first line numbers in a note; when more than MAX_BAD_SHARE of the rows are bad, the file is
  refused, since what is left would not be the table the user meant;
- a bad row that runs over several lines is a quote that opens and does not close where it
  should: the file is refused, naming the line where the quote opens.

The rows that fit are then parsed by the same parser as the fast path (told to skip the rows
that do not fit, or handed `clean_text`), so column types come out as for a clean file.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from dlstudio.core.errors import DataError

MAX_BAD_SHARE = 0.05  # above this share of bad rows, refuse rather than skip
TRAILING_SHARE = 0.9  # an extra empty last field on this share of rows is a trailing delimiter
SHOWN_LINES = 5  # how many line numbers a note names
# A cell that swallowed rows: at least this many of its lines, and this share of them, split
# into exactly as many fields as the header.
SWALLOWED_MIN_LINES = 3
SWALLOWED_SHARE = 0.8


@dataclass
class RowCheck:
    """What checking every row found, and how to read the rows that fit."""

    header: list[str]  # the header's names, less an empty trailing one the rows lack
    drop_last: bool  # rows end with an empty field the header lacks
    total: int  # data rows
    skipped: int  # data rows that do not fit and are left out
    notes: list[str] = field(default_factory=list)
    skipped_lines: list[int] = field(default_factory=list)
    header_line_only: bool = True  # the header is the text's first line, on one line

    @property
    def width(self) -> int:
        return len(self.header)

    def fits(self, fields: list[str]) -> bool:
        n = len(fields)
        return n == self.width or (self.drop_last and n == self.width + 1 and not fields[-1])


@dataclass
class _Row:
    fields: list[str]
    line: int  # the physical line the row starts on, 1-based as an editor shows it
    last_line: int


def check_rows(text: str, delimiter: str, name: str, first_line: int = 1) -> RowCheck:
    """Check every row of `text` against its header: what fits, what is skipped (see module).

    Args:
        text: The whole file as text, from its header row on.
        delimiter: The field separator.
        name: The file's name, for messages.
        first_line: The line number of the header row in the file.

    Raises:
        DataError: A quote that does not close, or too many rows that do not fit the header.
    """
    lines_in_text = text.count("\n") + (0 if text.endswith("\n") else 1)
    last_line = first_line + lines_in_text - 1
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    for header in reader:
        if header and (len(header) > 1 or header[0].strip()):
            break
    header_line_only = reader.line_num == 1
    width = len(header)
    counts: Counter[int] = Counter()
    trailing = 0
    bad: list[_Row] = []
    end = reader.line_num
    # One tight loop: this runs once per row of files with a million rows.
    for fields in reader:
        start, end = end + 1, reader.line_num
        n = len(fields)
        if n == width:
            counts[n] += 1
            if end > start:  # a cell over several lines: did a stray quote swallow rows?
                _refuse_swallowed_rows(name, _row(fields, start, end, first_line), delimiter)
            continue
        if n <= 1 and not (fields and fields[0].strip()):
            continue  # a blank line, which every reader ignores
        counts[n] += 1
        if n == width + 1 and not fields[-1]:
            trailing += 1
        if len(bad) < 10_000 or end > start:
            bad.append(_row(fields, start, end, first_line))
    total = sum(counts.values())
    check = RowCheck(header, False, total, 0, header_line_only=header_line_only)
    shown = "tab" if delimiter == "\t" else repr(delimiter)
    if total and trailing >= TRAILING_SHARE * total:
        check.drop_last = True
        rows_said = "every data row" if trailing == total else f"{trailing} of {total} data rows"
        check.notes.append(
            f"{rows_said} ended with an extra empty field (a trailing {shown}) that the header "
            "does not have; that empty field was dropped"
        )
    elif (
        total
        and width > 1
        and not header[-1].strip()
        and counts[width - 1] >= TRAILING_SHARE * total
    ):
        check.header = header[:-1]
        check.notes.append(
            f"the header ended with a trailing {shown} that the data rows do not have; "
            "the empty name it makes was dropped"
        )
    width = check.width
    check.skipped = total - counts[width] - (trailing if check.drop_last else 0)
    skipped = [row for row in bad if not check.fits(row.fields)]
    for row in skipped:
        if row.last_line > row.line:  # a bad row over several lines: a quote left open
            _refuse_open_quote(name, row, width, last_line)
    if check.skipped > MAX_BAD_SHARE * total:
        _refuse_many_bad(name, skipped, check.skipped, total, width)
    if check.skipped:
        many = "s" if check.skipped > 1 else ""
        check.notes.append(
            f"skipped {check.skipped} malformed line{many} whose number of fields did not match "
            f"the header's {width}: {_lines(skipped, check.skipped)}"
        )
    check.skipped_lines = [row.line for row in skipped]
    return check


def clean_text(text: str, delimiter: str, check: RowCheck) -> str:
    """`text` with only the rows that fit, trimmed to the header's width, as plain CSV."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(check.header)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for fields in reader:
        if len(fields) > 1 or (fields and fields[0].strip()):
            break  # the header
    width = check.width
    for fields in reader:
        if check.fits(fields):
            writer.writerow(fields[:width])
    return out.getvalue()


def _row(fields: list[str], start: int, end: int, first_line: int) -> _Row:
    return _Row(fields, first_line - 1 + start, first_line - 1 + end)


def swallowed_rows_line(cells: list[str], delimiter: str, width: int) -> str | None:
    """The first of `cells` whose lines look like whole rows of the file, or None.

    A quote that opens by mistake and closes at some later quote makes one cell of the rows in
    between; its lines then split into exactly as many fields as the header, which the lines of
    a real multi-line text almost never do.
    """
    for cell in cells:
        if _looks_like_rows(cell, delimiter, width):
            return cell
    return None


def _lines(rows: list[_Row], count: int) -> str:
    shown = [f"line {row.line} ({_fields(len(row.fields))})" for row in rows[:SHOWN_LINES]]
    more = count - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _fields(count: int) -> str:
    return f"{count} field{'' if count == 1 else 's'}"


def _looks_like_rows(cell: str, delimiter: str, width: int) -> bool:
    lines = cell.split("\n")
    rowlike = sum(line.count(delimiter) == width - 1 for line in lines)
    return rowlike >= SWALLOWED_MIN_LINES and rowlike >= SWALLOWED_SHARE * len(lines)


def _quote_line(row: _Row) -> int:
    """The line where the longest multi-line field of `row` starts (where its quote opens)."""
    longest = max(range(len(row.fields)), key=lambda i: row.fields[i].count("\n"))
    return row.line + sum(f.count("\n") for f in row.fields[:longest])


def _refuse_open_quote(name: str, row: _Row, width: int, last_line: int) -> None:
    opens = _quote_line(row)
    until = "the end of the file" if row.last_line >= last_line else f"line {row.last_line}"
    raise DataError(
        f'{name!r} has a quote (") on line {opens} that does not close before {until}, so '
        f"{row.last_line - opens + 1} lines were read as one value (that row has "
        f"{_fields(len(row.fields))}; the header has {width}).",
        "every quoted value to end with a closing quote",
        f"Open the file in a text editor, close or remove the quote on line {opens}, and save "
        "it again.",
    )


def _refuse_swallowed_rows(name: str, row: _Row, delimiter: str) -> None:
    width = len(row.fields)
    for i, cell in enumerate(row.fields):
        if "\n" in cell and _looks_like_rows(cell, delimiter, width):
            opens = row.line + sum(f.count("\n") for f in row.fields[:i])
            closes = opens + cell.count("\n")
            raise DataError(
                f'{name!r} has a quote (") on line {opens} that closes only on line {closes}, '
                f"so the {closes - opens + 1} rows in between were read as one value.",
                "every quoted value to end with a closing quote on its own row",
                f"Open the file in a text editor, close or remove the quote on line {opens}, "
                "and save it again.",
            )


def _refuse_many_bad(name: str, rows: list[_Row], bad: int, total: int, width: int) -> None:
    usual, _ = Counter(len(row.fields) for row in rows).most_common(1)[0]
    if usual > width:
        fix = (
            f"Most of them have {usual} fields: if a column has no name in the header, add its "
            "name; otherwise quote the values that contain the separator."
        )
    else:
        fix = "Check the separator and the quotes on those lines, then save the file again."
    raise DataError(
        f"{bad} of the {total} data rows of {name!r} ({bad / total:.0%}) do not have the "
        f"header's {width} fields ({_lines(rows, bad)}).",
        f"every row to have {width} fields, as the header does (a few bad rows are skipped)",
        fix,
    )
