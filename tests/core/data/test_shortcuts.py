"""Shortcuts the Data step warns about (issue 26, item 4): a class told apart by colour alone, a
second target among the features, a survey weight used as an input, and empty Excel sheets
read as data. Each on small data the test writes."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest
from PIL import Image

from dlstudio.core.data import ColumnRole, WarningKind, load_dataset
from dlstudio.core.data.profile import LEAKAGE_PURITY, _ordered_purity
from dlstudio.core.data.unworkable import check_trainable
from dlstudio.core.data.weights import named_like_a_weight
from dlstudio.core.errors import DataError

# ---------------------------------------------------------------- colour


def _photos(root, classes: dict[str, list[str]], seed: int = 0):
    """One folder per class; each image 'gray' (saved as an RGB JPEG or an L PNG) or 'colour'."""
    rng = np.random.default_rng(seed)
    for label, kinds in classes.items():
        (root / label).mkdir(parents=True)
        for i, kind in enumerate(kinds):
            pixels = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
            image = Image.fromarray(pixels)
            if kind == "gray":  # half as colour JPEGs of a gray photo, half as grayscale PNGs
                gray = image.convert("L")
                image = gray.convert("RGB") if i % 2 else gray
            suffix = ".jpg" if image.mode == "RGB" else ".png"
            image.save(root / label / f"{i}{suffix}")
    return root


def _colour_warnings(profile):
    return [w.message for w in profile.warnings_of(WarningKind.LEAKAGE) if "Colour" in w.message]


def test_a_grayscale_class_among_colour_ones_is_named(tmp_path):
    root = _photos(
        tmp_path / "flowers",
        {"rose": ["colour"] * 6, "tulip": ["colour"] * 6, "sunflower": ["gray"] * 6},
    )
    profile = load_dataset(root).profile
    (message,) = _colour_warnings(profile)
    assert "'sunflower'" in message and "6 of its 6 images (100%) are grayscale" in message
    assert "100% of the other classes' images are in colour" in message
    assert "no colour means sunflower" in message  # what the model may learn
    assert "Add colour images of 'sunflower'" in message  # and what to do
    assert profile.details["channels"] == 3


def test_the_one_colour_class_among_grayscale_ones_is_named(tmp_path):
    root = _photos(
        tmp_path / "scans",
        {"a": ["gray"] * 6, "b": ["gray"] * 5 + ["colour"], "car": ["colour"] * 6},
    )
    (message,) = _colour_warnings(load_dataset(root).profile)
    assert "'car' apart: 6 of its 6 images (100%) are in colour" in message
    assert "92% of the other classes' images are grayscale" in message


@pytest.mark.parametrize(
    "classes",
    [
        {"a": ["colour"] * 6, "b": ["colour"] * 6},  # all colour
        {"a": ["gray"] * 6, "b": ["gray"] * 6},  # all grayscale
        {"a": ["gray", "colour"] * 3, "b": ["gray", "colour"] * 3},  # mixed alike
        {"a": ["gray"] * 4, "b": ["colour"] * 4},  # too few images to judge
        {"a": ["gray"] * 4 + ["colour"] * 2, "b": ["colour"] * 6},  # a third in colour
    ],
)
def test_no_colour_warning_without_a_colour_shortcut(tmp_path, classes):
    assert not _colour_warnings(load_dataset(_photos(tmp_path / "set", classes)).profile)


def test_colour_from_a_table_of_image_paths(tmp_path):
    root = _photos(tmp_path / "img", {"cat": ["colour"] * 6, "dog": ["gray"] * 6})
    rows = [(str(p.relative_to(tmp_path)), p.parent.name) for p in sorted(root.rglob("*.*"))]
    pd.DataFrame(rows, columns=["file", "animal"]).to_csv(tmp_path / "pets.csv", index=False)
    (message,) = _colour_warnings(load_dataset(tmp_path / "pets.csv", target="animal").profile)
    assert "'dog'" in message


# ---------------------------------------------------------------- a second target


def _table(rows: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    price = rng.gamma(3.0, 100.0, rows)
    return pd.DataFrame(
        {
            "size": price / 50 + rng.normal(0, 1.5, rows),  # a real, strong feature (r ≈ 0.9)
            "rooms": rng.integers(1, 6, rows),
            "area": rng.choice(["north", "south", "east"], rows),
            "price": price,
        }
    )


def test_a_second_numeric_target_is_flagged_with_its_correlation(tmp_path):
    frame = _table()
    noise = np.random.default_rng(1).normal(0, 1, len(frame)) * frame["price"].std() * 0.25
    frame["price_with_tax"] = frame["price"] * 1.2 + noise  # r ≈ 0.98
    frame.to_csv(tmp_path / "houses.csv", index=False)
    profile = load_dataset(tmp_path / "houses.csv", target="price").profile
    (leak,) = profile.warnings_of(WarningKind.LEAKAGE)
    assert "'price_with_tax'" in leak.message and "r = 0.98" in leak.message
    assert "second target" in leak.message


def test_a_strong_real_feature_is_not_a_second_target(tmp_path):
    _table().to_csv(tmp_path / "houses.csv", index=False)
    profile = load_dataset(tmp_path / "houses.csv", target="price").profile
    assert not profile.warnings_of(WarningKind.LEAKAGE)


def test_a_class_that_is_a_threshold_on_a_number_is_flagged(tmp_path):
    """20 quantile bins blur a threshold (one bin of mixed rows: 98.75 % pure here, under the
    99 % that flags a column); the ordered purity sees the single cut."""
    rng = np.random.default_rng(2)
    score = rng.uniform(0, 1, 400)
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 90, 400),
            "income": rng.normal(50, 10, 400),
            "risk_score": score,
            "approved": np.where(score > 0.425, "yes", "no"),
        }
    )
    frame.to_csv(tmp_path / "loans.csv", index=False)
    profile = load_dataset(tmp_path / "loans.csv", target="approved").profile
    (leak,) = profile.warnings_of(WarningKind.LEAKAGE)
    assert "'risk_score' alone predicts 'approved' for 100.0% of rows" in leak.message


def test_ordered_purity_of_a_threshold_noise_and_ties():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, 1000)
    assert _ordered_purity(x, (x > 0.5).astype(np.int64)) == 1.0
    assert _ordered_purity(x, np.digitize(x, [0.2, 0.7]).astype(np.int64)) == 1.0  # 3 classes
    assert _ordered_purity(x, rng.integers(0, 2, 1000)) < 0.6  # unrelated
    # Many rows sharing each value with mixed classes: the ties are not sorted into purity.
    tied = rng.integers(0, 60, 1000).astype(float)
    assert _ordered_purity(tied, rng.integers(0, 2, 1000)) < LEAKAGE_PURITY


# ---------------------------------------------------------------- weight and leave-out roles


def _survey(tmp_path, rows: int = 200):
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 90, rows),
            "hours": rng.normal(40, 8, rows).round(1),
            "region": rng.choice(["a", "b", "c"], rows),
            "fnlwgt": rng.integers(10_000, 900_000, rows),
            "interviewer": rng.choice(["ann", "bob", "eve", "joe"], rows),
            "income": rng.choice(["<=50K", ">50K"], rows),
        }
    )
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_column_named_like_a_weight_is_proposed_not_applied(tmp_path):
    profile = load_dataset(_survey(tmp_path), target="income").profile
    (proposal,) = profile.warnings_of(WarningKind.WEIGHT)
    assert "'fnlwgt' is named like a survey or sample weight" in proposal.message
    assert "--role 'fnlwgt=weight'" in proposal.message
    assert profile.column("fnlwgt").role is ColumnRole.NUMERIC  # not applied silently
    assert "fnlwgt" in profile.features


@pytest.mark.parametrize(
    ("name", "weight"),
    [
        ("fnlwgt", True),
        ("perwt", True),
        ("sample_weight", True),
        ("Survey Weight", True),
        ("final_weight", True),
        ("pweight", True),
        ("weights", True),
        ("weight", False),  # a body's or a car's weight
        ("wt", False),  # mtcars: the car's weight
        ("weight_kg", False),
        ("birth weight", False),
    ],
)
def test_weight_names(name, weight):
    assert named_like_a_weight(name) is weight


def test_weight_and_leave_out_roles(tmp_path):
    roles = {"fnlwgt": "weight", "interviewer": "leave out"}
    dataset = load_dataset(_survey(tmp_path), target="income", roles=roles)
    profile = dataset.profile
    assert profile.column("fnlwgt").role is ColumnRole.WEIGHT
    assert profile.column("interviewer").role is ColumnRole.LEAVE_OUT
    assert profile.features == ["age", "hours", "region"]
    assert not profile.warnings_of(WarningKind.IDENTIFIER)  # leave_out claims no identity
    (said,) = profile.warnings_of(WarningKind.WEIGHT)
    assert "'fnlwgt' is the weight" in said.message and "not an input" in said.message
    # Training takes the weights (tests/core/data/test_weighted_rows.py): nothing refuses it.
    check_trainable(dataset)
    assert "scores weigh each row by it" in said.message
    # Left out instead: trainable, and nothing is said about a weight.
    left = load_dataset(_survey(tmp_path), target="income", roles={"fnlwgt": "leave_out"})
    check_trainable(left)
    assert not left.profile.warnings_of(WarningKind.WEIGHT)
    assert "fnlwgt" not in left.profile.features


@pytest.mark.parametrize(
    ("roles", "target", "said"),
    [
        ({"fnlwgt": "weight", "hours": "weight"}, "income", "at most one weight column"),
        ({"region": "weight"}, "income", "not numbers"),
        ({"income": "weight"}, "income", "The target 'income' has the role weight"),
        ({"income": "leave_out"}, "income", "The target 'income' has the role leave_out"),
    ],
)
def test_weight_roles_that_cannot_work_are_refused(tmp_path, roles, target, said):
    with pytest.raises(DataError, match=said):
        load_dataset(_survey(tmp_path), target=target, roles=roles)


def test_a_negative_weight_is_refused(tmp_path):
    path = _survey(tmp_path)
    frame = pd.read_csv(path)
    frame.loc[3, "fnlwgt"] = -5
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match="1 negative value"):
        load_dataset(path, target="income", roles={"fnlwgt": "weight"})


# ---------------------------------------------------------------- Excel sheets


def _book(path, sheets: dict):
    """A workbook whose sheets are built by the given functions, in order."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, fill in sheets.items():
        fill(book.create_sheet(name))
    book.save(path)
    return path


def _data(sheet, rows: int = 30):
    rng = np.random.default_rng(5)
    sheet.append(["x", "size", "label"])
    for _ in range(rows):
        sheet.append([float(rng.normal()), int(rng.integers(1, 9)), str(rng.choice(["a", "b"]))])


def _cover(sheet):
    sheet["A1"] = "Sales 2023"
    sheet["A3"] = "Prepared by the finance team"
    sheet["A4"] = "The data is on the next sheet"


def _header_only(sheet):
    sheet.append(["x", "size", "label"])


def _formatted_blank(sheet):
    for row in range(1, 20):
        for column in range(1, 5):
            sheet.cell(row=row, column=column).number_format = "0.00"


def test_empty_sheets_before_the_data_are_passed_over_and_said(tmp_path):
    path = _book(
        tmp_path / "book.xlsx",
        {"About": _cover, "Template": _header_only, "Blank": _formatted_blank, "Data": _data},
    )
    profile = load_dataset(path, target="label").profile
    assert profile.details["sheet"] == "Data" and profile.rows == 30
    assert profile.details["sheets_without_data"] == ["About", "Template", "Blank"]
    (note,) = [n for n in profile.notes if "sheet" in n]
    assert "read sheet 'Data', the first with data" in note
    assert "'About' holds 3 line(s) in one column" in note
    assert "'Template' holds only a header row" in note and "'Blank' is empty" in note


def test_a_workbook_without_data_is_refused_with_each_sheets_reason(tmp_path):
    path = _book(tmp_path / "empty.xlsx", {"About": _cover, "Template": _header_only})
    with pytest.raises(DataError) as refused:
        load_dataset(path)
    message = str(refused.value)
    assert "No sheet of 'empty.xlsx' holds a table" in message
    assert "'About' holds 3 line(s) in one column" in message
    assert "'Template' holds only a header row" in message


def test_a_chosen_empty_sheet_is_refused_by_name(tmp_path):
    path = _book(tmp_path / "book.xlsx", {"Template": _header_only, "Data": _data})
    with pytest.raises(DataError, match="The sheet 'Template' of 'book.xlsx' holds only a header"):
        load_dataset(path, sheet="Template")
    assert load_dataset(path, sheet="Data").profile.rows == 30
    # The first sheet holding data: no note about passed-over sheets, only how to pick another.
    book = _book(tmp_path / "two.xlsx", {"Data": _data, "Template": _header_only})
    notes = load_dataset(book).profile.notes
    assert any("read the first sheet, 'Data', of 2" in n for n in notes)
