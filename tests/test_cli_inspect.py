"""`dlstudio inspect` as a user runs it: readable output, JSON for scripts, and plain errors."""

from __future__ import annotations

import json
import zipfile

import pandas as pd
import pytest

from dlstudio.cli import run


def inspect_json(capsys, *args) -> dict:
    assert run(["inspect", *map(str, args), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_keys_for_each_kind(capsys, penguins_csv, sms_csv, digits_dir):
    table = inspect_json(capsys, penguins_csv)
    assert {"kind", "rows", "target", "task", "classes", "columns", "warnings", "skipped"} <= set(
        table
    )
    assert (table["kind"], table["rows"], table["target"], table["task"]) == (
        "table",
        344,
        "species",
        "multiclass",
    )
    assert table["classes"] == {"Adelie": 152, "Gentoo": 124, "Chinstrap": 68}
    assert {"name": "sex", "role": "categorical", "dtype": "str", "missing": 11}.items() <= (
        next(c for c in table["columns"] if c["name"] == "sex").items()
    )
    text = inspect_json(capsys, sms_csv, "--target", "label")
    assert (text["kind"], text["task"], text["classes"]["spam"]) == ("text", "binary", 747)
    images = inspect_json(capsys, digits_dir)
    assert (images["kind"], images["rows"], len(images["classes"])) == ("images", 1797, 10)


def test_overrides_from_the_command_line(capsys, penguins_csv):
    options = ["--target", "year", "--task", "regression", "--role", "island=text"]
    out = inspect_json(capsys, penguins_csv, *options)
    assert out["task"] == "regression"
    assert next(c for c in out["columns"] if c["name"] == "island")["role"] == "text"


def test_weight_and_leave_out_roles_from_the_command_line(capsys, tmp_path):
    """A column named like a survey weight is proposed, not applied; --role makes it the weight
    (not an input) and another column left out (no claim that it identifies rows)."""
    rows = 80
    frame = pd.DataFrame(
        {
            "age": [18 + i % 60 for i in range(rows)],
            "hours": [30 + (7 * i) % 25 for i in range(rows)],
            "fnlwgt": [1000 + (37 * i) % 500 for i in range(rows)],
            "interviewer": ["ann", "bob", "eve", "joe"] * (rows // 4),
            "income": ["low", "high"] * (rows // 2),
        }
    )
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    proposed = inspect_json(capsys, path, "--target", "income")
    assert "fnlwgt" in proposed["features"]
    assert any("--role 'fnlwgt=weight'" in w for w in proposed["warnings"])
    out = inspect_json(
        capsys,
        path,
        "--target",
        "income",
        "--role",
        "fnlwgt=weight",
        "--role",
        "interviewer=leave_out",
    )
    roles = {c["name"]: c["role"] for c in out["columns"]}
    assert (roles["fnlwgt"], roles["interviewer"]) == ("weight", "leave_out")
    assert out["features"] == ["age", "hours"]
    assert any("'fnlwgt' is the weight" in w for w in out["warnings"])
    assert not any("identifier" in w for w in out["warnings"])


def test_readable_output(capsys, penguins_csv):
    assert run(["inspect", str(penguins_csv)]) == 0
    out = capsys.readouterr().out
    for expected in ("344 rows", "species", "multiclass", "Adelie", "bill_length_mm", "warning"):
        assert expected in out


def _junk(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(bytes(range(256)) * 40)
    return path


def _zip_slip(tmp_path):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("cats/ok.png", b"x")
        zf.writestr("../../outside.png", b"x")
    return path


def _penguins_with(penguins_csv, tmp_path, **changes):
    frame = pd.read_csv(penguins_csv).assign(**changes)
    path = tmp_path / "changed.csv"
    frame.to_csv(path, index=False)
    return path


BAD_INPUTS = {
    "missing path": (lambda t, p: t / "nope.csv", [], "Nothing exists at"),
    "empty file": (lambda t, p: _write(t / "empty.csv", ""), [], "is empty (0 bytes)"),
    "header only": (lambda t, p: _write(t / "h.csv", "a,b,c\n"), [], "only a header row"),
    "binary junk": (lambda t, p: _junk(t), [], "binary data, not text"),
    "excel named csv": (lambda t, p: _write(t / "x.csv", b"PK\x03\x04rest"), [], "Excel"),
    "one column": (
        lambda t, p: _write(t / "colon.csv", "a:b:c\n1:2:3\n4:5:6\n"),
        [],
        "single column",
    ),
    "unknown target": (lambda t, p: p, ["--target", "specie"], "Did you mean 'species'"),
    "target all missing": (
        lambda t, p: _penguins_with(p, t, outcome=None),
        ["--target", "outcome"],
        "has no values",
    ),
    "one class only": (
        lambda t, p: _penguins_with(p, t, species="Adelie"),
        ["--target", "species"],
        "one class only",
    ),
    "folder without images": (
        lambda t, p: _write(t / "photos" / "cats" / "readme.md.bak", "none"),
        [],
        "no images or .txt files",
    ),
    "zip with ..": (lambda t, p: _zip_slip(t), [], "outside the extraction folder"),
    "unsupported extension": (lambda t, p: _write(t / "model.h5", "x"), [], "cannot read"),
    "unknown sheet": (lambda t, p: _excel(t), ["--sheet", "Nope"], "no sheet named 'Nope'"),
    "bad role": (lambda t, p: p, ["--role", "island=colour"], "Unknown column role"),
}


def _write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    return path.parents[1] if path.name == "readme.md.bak" else path


def _excel(tmp_path):
    path = tmp_path / "book.xlsx"
    pd.DataFrame({"a": [1, 2], "b": [3, 4]}).to_excel(path, index=False)
    return path


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_gives_one_plain_message(case, tmp_path, penguins_csv, capsys):
    make, extra, expected = BAD_INPUTS[case]
    path = make(tmp_path, penguins_csv)
    assert run(["inspect", str(path), *extra]) == 2
    captured = capsys.readouterr()
    assert expected in captured.err
    assert "Expected" in captured.err  # what was expected, after what was received
    assert "Traceback" not in captured.err + captured.out
    assert captured.err.count("\n") == 1  # one message, one line


def test_a_bundled_sample_by_name_with_its_target(capsys):
    images = inspect_json(capsys, "--sample", "digits")
    assert (images["kind"], images["rows"]) == ("images", 1797)
    assert inspect_json(capsys, "--sample", "breast_cancer")["target"] == "diagnosis"
    assert run(["inspect", "--sample", "cats"]) == 2
    assert "no bundled sample called 'cats'" in capsys.readouterr().err
    assert run(["inspect"]) == 2
    assert "dlstudio inspect --sample penguins" in capsys.readouterr().err
