"""Hostile files, generated in code: broken tables, images and run folders.

Every function writes into a folder it is given and returns the path it made, so nothing binary
is committed and each case starts from its own fresh copy. The real data they start from is the
bundled penguins and digits samples (credits in dlstudio/resources/samples/README.md).
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "dlstudio" / "resources" / "samples"
PENGUINS = SAMPLES / "tabular" / "palmer_penguins.csv"
DIGITS = SAMPLES / "image" / "sklearn_digits"

# What a faithful reader finds in the penguins sample (its README and `inspect` agree).
PENGUIN_CLASSES = {"Adelie": 152, "Gentoo": 124, "Chinstrap": 68}
PENGUIN_COLUMNS = PENGUINS.read_text(encoding="utf-8").splitlines()[0].split(",")


def penguin_lines() -> list[str]:
    """The penguins sample as text lines: the header first, then 344 data rows."""
    return PENGUINS.read_text(encoding="utf-8").splitlines()


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def write_lines(path: Path, lines: list[str]) -> Path:
    return write(path, "\n".join(lines) + "\n")


# ---------------------------------------------------------------- tables


def trailing_comma(path: Path) -> Path:
    """Every data row ends with a comma the header does not have (a common spreadsheet export);
    pandas then takes the first column as the index and shifts every name one place."""
    header, *rows = penguin_lines()
    return write_lines(path, [header, *(row + "," for row in rows)])


def extra_field_on_most_rows(path: Path) -> Path:
    """Nine rows in ten carry an extra, non-empty field the header does not name."""
    header, *rows = penguin_lines()
    rows = [row + ",extra" if i % 10 else row for i, row in enumerate(rows)]
    return write_lines(path, [header, *rows])


UNTERMINATED_QUOTE_LINE = 11  # 1-based file line, the header being line 1


def unterminated_quote(path: Path) -> Path:
    """One quote opens on line 11 and never closes: a CSV reader swallows the rest of the file."""
    lines = penguin_lines()
    lines[UNTERMINATED_QUOTE_LINE - 1] = lines[UNTERMINATED_QUOTE_LINE - 1].replace(",", ',"', 1)
    return write_lines(path, lines)


RAGGED_LINES = (5, 20, 100)  # 1-based file lines with the wrong number of fields


def ragged_few(path: Path) -> Path:
    """Three rows out of 344 with a field too few or too many (the rest are fine)."""
    lines = penguin_lines()
    lines[RAGGED_LINES[0] - 1] = lines[RAGGED_LINES[0] - 1].rsplit(",", 1)[0]
    lines[RAGGED_LINES[1] - 1] = lines[RAGGED_LINES[1] - 1] + ",2099"
    lines[RAGGED_LINES[2] - 1] = lines[RAGGED_LINES[2] - 1].rsplit(",", 1)[0]
    return write_lines(path, lines)


def ragged_many(path: Path) -> Path:
    """One row in eight misses its last field: too many to skip quietly."""
    header, *rows = penguin_lines()
    rows = [row.rsplit(",", 1)[0] if i % 8 == 3 else row for i, row in enumerate(rows)]
    return write_lines(path, [header, *rows])


# The island names with accents, so a wrong decoding shows in the class names.
ACCENTED_ISLANDS = {"Torgersen": "Tørgersen", "Biscoe": "Biscöe", "Dream": "Dréam"}
ISLAND_COUNTS = {"Tørgersen": 52, "Biscöe": 168, "Dréam": 124}


def _accented_lines() -> list[str]:
    lines = penguin_lines()
    for plain, accented in ACCENTED_ISLANDS.items():
        lines = [line.replace(f",{plain},", f",{accented},") for line in lines]
    return lines


def mixed_utf8_cp1252(path: Path) -> Path:
    """Rows pasted together from two sources: even data lines UTF-8, odd ones cp1252."""
    header, *rows = _accented_lines()
    chunks = [header.encode("utf-8")]
    chunks += [row.encode("cp1252" if i % 2 else "utf-8") for i, row in enumerate(rows)]
    return write(path, b"\n".join(chunks) + b"\n")


def utf16_without_bom(path: Path, byteorder: str) -> Path:
    """The accented penguins as UTF-16 (little or big endian) with no byte-order mark."""
    text = "\n".join(_accented_lines()) + "\n"
    return write(path, text.encode(f"utf-16-{byteorder}"))


def duplicate_header(path: Path) -> Path:
    """Two columns named bill_mm (length and depth)."""
    header, *rows = penguin_lines()
    header = header.replace("bill_length_mm", "bill_mm").replace("bill_depth_mm", "bill_mm")
    return write_lines(path, [header, *rows])


def empty_header_name(path: Path) -> Path:
    """The last column (the year) has no name."""
    header, *rows = penguin_lines()
    return write_lines(path, [header.rsplit(",", 1)[0] + ",", *rows])


def nested_json(path: Path) -> Path:
    """Records whose bill measurements are an object inside each record."""
    import csv

    with PENGUINS.open(encoding="utf-8") as fh:
        records = [
            {
                "species": row["species"],
                "island": row["island"],
                "bill": {
                    "length_mm": _number(row["bill_length_mm"]),
                    "depth_mm": _number(row["bill_depth_mm"]),
                },
                "body_mass_g": _number(row["body_mass_g"]),
            }
            for row in csv.DictReader(fh)
        ]
    return write(path, json.dumps(records))


def _number(text: str) -> float | None:
    return None if text == "NA" else float(text)


TARGET_WORDS = ("n/a?", "about 20", "twelve", "~15")


def numeric_target_with_words(path: Path) -> Path:
    """A price column of numbers with four words typed in among them."""
    rows = ["size,weight,price"]
    for i in range(120):
        price = str(10 + (i * 7) % 90)
        if i % 30 == 7:
            price = TARGET_WORDS[i // 30]
        rows.append(f"{i % 13},{(i * 3) % 17}.5,{price}")
    return write_lines(path, rows)


def penguins_frame_edit(path: Path, edit) -> Path:
    """The penguins sample after `edit(list of row dicts)`, written back as CSV."""
    import csv

    with PENGUINS.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows = edit(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def one_class_only(path: Path) -> Path:
    return penguins_frame_edit(path, lambda rows: [{**r, "species": "Adelie"} for r in rows])


def class_with_one_row(path: Path) -> Path:
    """Chinstrap keeps a single row: it cannot be in train, validation and test at once."""

    def keep_one(rows):
        first = next(i for i, r in enumerate(rows) if r["species"] == "Chinstrap")
        return [r for i, r in enumerate(rows) if r["species"] != "Chinstrap" or i == first]

    return penguins_frame_edit(path, keep_one)


def inf_in_feature(path: Path) -> Path:
    def edit(rows):
        for i in (3, 50, 120, 200, 300):
            rows[i]["bill_length_mm"] = "inf" if i % 2 else "-inf"
        return rows

    return penguins_frame_edit(path, edit)


def inf_in_target(path: Path) -> Path:
    def edit(rows):
        for i in (10, 160, 310):
            rows[i]["body_mass_g"] = "inf"
        return rows

    return penguins_frame_edit(path, edit)


def wide_table(path: Path, rows: int = 60, columns: int = 10_000) -> Path:
    """60 rows × 10,000 numeric columns and a 0/1 target: nothing can be learned reliably."""
    header = ",".join(f"f{j}" for j in range(columns)) + ",y"
    lines = [header]
    for i in range(rows):
        values = ",".join(str((i * 31 + j * 17) % 97) for j in range(columns))
        lines.append(f"{values},{i % 2}")
    return write_lines(path, lines)


def single_column(path: Path) -> Path:
    header, *rows = penguin_lines()
    return write_lines(path, ["species", *(row.split(",", 1)[0] for row in rows)])


def binary_junk(path: Path) -> Path:
    return write(path, bytes(range(256)) * 40)


def excel_book(path: Path) -> Path:
    """A real .xlsx with one sheet named 'penguins'."""
    import pandas as pd

    pd.read_csv(PENGUINS).to_excel(path, sheet_name="penguins", index=False)
    return path


# ---------------------------------------------------------------- images


def digits(root: Path, classes: int = 3, per_class: int = 8) -> Path:
    """A few real digit images per class, in class subfolders."""
    for folder in sorted(DIGITS.iterdir())[:classes]:
        (root / folder.name).mkdir(parents=True, exist_ok=True)
        for file in sorted(folder.glob("*.png"))[:per_class]:
            (root / folder.name / file.name).write_bytes(file.read_bytes())
    return root


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_bomb(path: Path, side: int = 30_000) -> Path:
    """A 200-byte PNG whose header claims side × side pixels (900 megapixels for 30,000):
    Pillow refuses it by size before decoding anything."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = zlib.compress(b"\x00" * (side + 1) * 4)  # a few rows; the size check comes first
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )
    return write(path, data)


def corrupt_png(path: Path) -> Path:
    """A real PNG cut after its first 60 bytes and padded with garbage."""
    good = next(DIGITS.glob("0/*.png")).read_bytes()
    return write(path, good[:60] + b"\xde\xad\xbe\xef" * 40)


# ---------------------------------------------------------------- run folders


def truncate(path: Path, keep: float = 0.5) -> Path:
    """Cut a file as a crash mid-write would (half its bytes)."""
    data = path.read_bytes()
    path.write_bytes(data[: max(1, int(len(data) * keep))])
    return path


def cut_trial_line(run: Path) -> Path:
    """A second trial's line cut mid-write after the first, complete one."""
    trials = run / "trials.jsonl"
    first = trials.read_text(encoding="utf-8").splitlines()[0]
    cut = json.dumps({**json.loads(first), "trial_id": "1", "number": 2})[:70]
    trials.write_text(first + "\n" + cut, encoding="utf-8")
    return trials
