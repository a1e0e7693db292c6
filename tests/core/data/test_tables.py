"""Reading tables as users have them: other delimiters, encodings, missing tokens, Excel, …"""

from __future__ import annotations

import pandas as pd
import pytest

from dlstudio.core.data import ColumnRole, DataKind, Task, load_dataset


@pytest.fixture
def penguins(penguins_csv) -> pd.DataFrame:
    return pd.read_csv(penguins_csv, keep_default_na=False)  # raw text, 'NA' kept as written


def test_penguins_profile(penguins_csv):
    profile = load_dataset(penguins_csv).profile
    assert profile.kind is DataKind.TABLE
    assert profile.rows == 344
    assert profile.target == "species" and profile.target_reason.startswith("guessed")
    assert profile.task is Task.MULTICLASS
    assert profile.classes == {"Adelie": 152, "Gentoo": 124, "Chinstrap": 68}
    assert profile.column("sex").missing == 11  # 'NA' read as missing
    assert profile.column("bill_length_mm").role is ColumnRole.NUMERIC
    assert profile.column("island").role is ColumnRole.CATEGORICAL
    assert "species" not in profile.features and len(profile.features) == 7


def test_breast_cancer_is_binary(cancer_csv):
    profile = load_dataset(cancer_csv).profile
    assert (profile.target, profile.task) == ("diagnosis", Task.BINARY)
    assert profile.classes == {"benign": 357, "malignant": 212}
    assert len(profile.features) == 30
    assert [w.kind.value for w in profile.warnings] == ["guess"]  # nothing else to flag


def test_semicolons_decimal_commas_and_latin1(penguins, tmp_path):
    european = penguins.copy()
    for col in ("bill_length_mm", "bill_depth_mm"):
        european[col] = european[col].str.replace(".", ",", regex=False)
    european["island"] = european["island"].replace({"Dream": "Rêve", "Biscoe": "Île Biscoe"})
    path = tmp_path / "penguins_fr.csv"
    european.to_csv(path, sep=";", index=False, encoding="cp1252")

    dataset = load_dataset(path, target="species")
    profile = dataset.profile
    assert profile.details["delimiter"] == ";"
    assert profile.details["encoding"] in ("cp1252", "latin-1")
    assert profile.column("bill_length_mm").role is ColumnRole.NUMERIC
    assert dataset.frame["bill_length_mm"].iloc[0] == pytest.approx(39.1)
    assert set(dataset.frame["island"]) == {"Torgersen", "Rêve", "Île Biscoe"}
    assert profile.rows == 344 and profile.classes["Adelie"] == 152


@pytest.mark.parametrize("sep, suffix", [("\t", ".tsv"), ("|", ".txt"), ("\t", ".txt")])
def test_other_delimiters(penguins, tmp_path, sep, suffix):
    path = tmp_path / f"penguins{suffix}"
    penguins.to_csv(path, sep=sep, index=False)
    profile = load_dataset(path).profile
    assert profile.details["delimiter"] == sep
    assert len(profile.columns) == 8 and profile.rows == 344


def test_question_marks_and_other_missing_tokens(penguins, tmp_path):
    marked = penguins.replace({"NA": "?"})
    marked.loc[0, "sex"] = "n/a"
    marked.loc[1, "sex"] = "null"
    path = tmp_path / "q.csv"
    marked.to_csv(path, index=False)
    profile = load_dataset(path, target="species").profile
    assert profile.column("bill_length_mm").missing == 2
    assert profile.column("bill_length_mm").role is ColumnRole.NUMERIC
    assert profile.column("sex").missing == 13
    assert profile.column("sex").distinct == 2


def test_utf8_bom_and_utf16(penguins, tmp_path):
    bom = tmp_path / "bom.csv"
    penguins.to_csv(bom, index=False, encoding="utf-8-sig")
    utf16 = tmp_path / "excel_unicode.txt"
    penguins.to_csv(utf16, index=False, sep="\t", encoding="utf-16")
    for path in (bom, utf16):
        profile = load_dataset(path).profile
        assert profile.columns[0].name == "species"  # no BOM glued to the first header
        assert profile.target == "species" and profile.rows == 344


def test_thousands_separators_and_a_stray_word(tmp_path):
    rows = ["price,rooms,city"] + [
        f'"{1000 + 37 * i:,}.50",{i % 5 + 1},{"ab"[i % 2]}' for i in range(60)
    ]
    rows[7] = "unknown,3,a"
    path = tmp_path / "houses.csv"
    path.write_text("\n".join(rows) + "\n")
    dataset = load_dataset(path, target="price")
    assert dataset.profile.task is Task.REGRESSION
    assert dataset.frame["price"].iloc[0] == pytest.approx(1000.5)
    assert dataset.frame["price"].isna().sum() == 1
    assert any("thousands" in n and "'unknown'" in n for n in dataset.profile.notes)


def test_quoted_newlines_and_embedded_delimiters(tmp_path):
    lines = ["id,comment,score,label"]
    for i in range(30):
        lines.append(f'{i},"row {i}, with comma\nline ""two""",{i % 7},{"yes" if i % 3 else "no"}')
    path = tmp_path / "quoted.csv"
    path.write_text("\n".join(lines) + "\n")
    dataset = load_dataset(path, target="label")
    assert dataset.profile.rows == 30
    assert dataset.frame["comment"].iloc[1] == 'row 1, with comma\nline "two"'


def test_ragged_lines_are_skipped_and_counted(penguins, tmp_path):
    text = penguins.to_csv(index=False).splitlines()
    text.insert(5, "Adelie,Dream,1,2,3,4,male,2007,EXTRA,FIELDS")
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(text) + "\n")
    profile = load_dataset(path).profile
    assert profile.rows == 344
    assert any("skipped 1 malformed line" in n for n in profile.notes)


def test_excel_hint_line_sep(penguins, tmp_path):
    path = tmp_path / "hint.csv"
    path.write_text("sep=;\n" + penguins.to_csv(index=False, sep=";"))
    profile = load_dataset(path).profile
    assert profile.details["delimiter"] == ";" and profile.rows == 344


def test_excel_first_sheet_with_data_and_sheet_choice(penguins_csv, tmp_path):
    frame = pd.read_csv(penguins_csv)
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame().to_excel(writer, sheet_name="Cover", index=False)
        frame.to_excel(writer, sheet_name="Penguins", index=False)
        frame.head(40).to_excel(writer, sheet_name="Sample", index=False)
    # Trailing rows that were formatted but left empty, as spreadsheets often have.
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["Penguins"]
    for row in range(sheet.max_row + 1, sheet.max_row + 6):
        sheet.cell(row=row, column=1, value=None).number_format = "0.00"
        sheet.cell(row=row, column=3, value="")
    book.save(path)

    profile = load_dataset(path).profile
    assert profile.details["sheet"] == "Penguins"
    assert profile.rows == 344 and profile.target == "species"
    assert profile.column("sex").missing == 11
    assert load_dataset(path, sheet="Sample").profile.rows == 40


def test_parquet_json_and_json_lines(penguins_csv, tmp_path):
    frame = pd.read_csv(penguins_csv)
    frame.to_parquet(tmp_path / "p.parquet")
    frame.to_json(tmp_path / "p.json", orient="records")
    frame.to_json(tmp_path / "p.jsonl", orient="records", lines=True)
    for name in ("p.parquet", "p.json", "p.jsonl"):
        profile = load_dataset(tmp_path / name).profile
        assert (profile.rows, profile.target, profile.task) == (344, "species", Task.MULTICLASS)
        assert profile.column("sex").missing == 11
