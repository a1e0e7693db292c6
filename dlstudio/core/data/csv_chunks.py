"""Reading a large CSV in parallel chunks with bounded memory.

pyarrow's one-shot reader is parallel but holds parse buffers worth about twice the table while
it runs; its streaming reader holds almost none but parses on one thread (3× slower on two
cores). Where no field can contain a line break (the file has no quote character at all),
the file can be cut at line ends into chunks that parse independently: a few at a time, each on
its own thread, with the column types of the first chunk imposed on the rest so that they fit
together. Anything this cannot do (quotes, other encodings, a later chunk that does not match
the first one's types) is answered with `None`, and the caller reads the file another way. A
row that does not fit the header, or text that is not UTF-8, is raised as pyarrow's error
instead: no other way of parsing would do better, and the caller checks such files row by row.

The file is mapped, not read: chunk bounds are found by looking only near each cut, and each
chunk is handed to the parser as a slice of Arrow's own mapping, without a copy.
"""

from __future__ import annotations

import mmap
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

CHUNK_BYTES = 8 * 1024**2
_NOT_BLANK = re.compile(rb"\S")
_PLAIN_ENCODINGS = {"utf-8", "utf8", "ascii"}


def read_csv_chunks(
    path: Path,
    encoding: str,
    skiprows: int,
    parse: pacsv.ParseOptions,
    convert: pacsv.ConvertOptions,
) -> pa.Table | None:
    """The table, or None where this file needs another reader (see the module's note)."""
    if encoding.lower() not in _PLAIN_ENCODINGS:
        return None
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(b'"') >= 0:
            return None
        start = 0
        for _ in range(skiprows):
            start = data.find(b"\n", start) + 1
        bounds = _chunk_bounds(data, start)
    # Python's mapping is for searching; Arrow's whole-file buffer (zero-copy, kept mapped as
    # long as a slice of it lives) is what the parser reads.
    with pa.memory_map(str(path)) as mapped:
        whole = mapped.read_buffer()

    def chunk(span: tuple[int, int]) -> pa.Buffer:
        return whole.slice(span[0], span[1] - span[0])

    first = pacsv.read_csv(
        chunk(bounds[0]),
        read_options=pacsv.ReadOptions(use_threads=False),
        parse_options=parse,
        convert_options=convert,
    )
    names, schema = first.column_names, first.schema
    rest = pacsv.ConvertOptions(
        column_types=schema,
        null_values=convert.null_values,
        strings_can_be_null=convert.strings_can_be_null,
        quoted_strings_can_be_null=convert.quoted_strings_can_be_null,
    )

    def read(span: tuple[int, int]) -> pa.Table:
        return pacsv.read_csv(
            chunk(span),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=parse,
            convert_options=rest,
        )

    try:
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            tables = [first, *pool.map(read, bounds[1:])]
        return pa.concat_tables(tables)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        if needs_row_check(error):
            raise
        return None  # a later chunk disagrees with the first one's types


def needs_row_check(error: Exception) -> bool:
    """Whether pyarrow failed on a row's shape or on bytes that are not UTF-8 (not on a type)."""
    message = str(error)
    return message.startswith("CSV parse error") or "invalid UTF8" in message


def _chunk_bounds(data: mmap.mmap, start: int) -> list[tuple[int, int]]:
    """Byte ranges of about CHUNK_BYTES each, ending at line ends; the first holds the header."""
    bounds, size = [], len(data)
    while start < size:
        end = data.find(b"\n", min(start + CHUNK_BYTES, size))
        end = size if end < 0 else end + 1
        if _NOT_BLANK.search(data, start, end):  # stops at the first character that is not blank
            bounds.append((start, end))
        start = end
    return bounds or [(0, size)]
