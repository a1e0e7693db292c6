"""`dlstudio threshold` and `dlstudio rename`: the window's Threshold tab and Rename, headless."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dlstudio.cli import run as cli
from dlstudio.core import test_predictions as tp
from dlstudio.core import threshold as th
from tests.conftest import SAMPLES


def _predictions(names: list[str], rows: int, seed: int, source: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, len(names), rows)
    scores = rng.normal(size=(rows, len(names))) + 2.0 * np.eye(len(names))[truth]
    probabilities = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    frame = pd.DataFrame({"row": np.arange(1, rows + 1)} if source else {})
    frame["true"] = np.asarray(names, dtype=object)[truth]
    frame["predicted"] = np.asarray(names, dtype=object)[probabilities.argmax(axis=1)]
    frame["confidence"] = probabilities.max(axis=1)
    for i, name in enumerate(names):
        frame[tp.PROBABILITY + name] = probabilities[:, i]
    return frame


def _run(tmp_path, names: list[str], validation: bool = True) -> str:
    """A run folder as a finished run leaves it: model card, state, test predictions (200 rows)
    and, unless it is from before they were kept, validation predictions (other rows: 150)."""
    folder = tmp_path / "project" / "runs" / "20261202-120000-tune"
    folder.mkdir(parents=True)
    tp.write_test_predictions(folder, _predictions(names, 200, 0, source=True))
    if validation:
        tp.write_test_predictions(folder, _predictions(names, 150, 1, False), "validation")
    task = "binary" if len(names) == 2 else "multiclass"
    card = {"task": task, "target": "label", "class_names": names, "kind": "table"}
    (folder / "model_card.json").write_text(json.dumps(card))
    (folder / "model_card.md").write_text("# Model card\n")
    (folder / "state.json").write_text(json.dumps({"status": "completed"}))
    return str(folder)


def test_threshold_lists_what_each_trades_and_keeps_one(tmp_path, capsys):
    run = _run(tmp_path, ["ham", "spam"])
    assert cli(["threshold", run]) == 0
    out = capsys.readouterr().out
    assert "labels a row 'spam'" in out and "0.50" in out and "0.90" in out
    assert cli(["threshold", run, "0.3", "--keep"]) == 0
    out = capsys.readouterr().out
    assert "catches" in out and "Kept 0.3" in out
    card = json.loads((tmp_path / "project/runs/20261202-120000-tune/model_card.json").read_text())
    assert card["decision_threshold"]["threshold"] == 0.3
    assert cli(["threshold", run]) == 0
    assert "Kept now: 0.3" in capsys.readouterr().out


def _table(out: str) -> dict[float, list[str]]:
    """The table `dlstudio threshold` printed: threshold -> its figures as printed."""
    table = {}
    for line in out.splitlines():
        found = re.match(r"\s+(0\.\d\d)\s+([\d.]+%)\s+([\d.]+%)\s+([\d.]+%)\s+([\d.]+%)", line)
        if found:
            table[float(found[1])] = list(found.groups()[1:]) + [line.split()[-1]]
    return table


def _printed(stats: th.AtThreshold) -> list[str]:
    shares = (stats.precision, stats.recall, stats.f1, stats.accuracy)
    return [f"{share:.1%}" for share in shares] + [str(stats.rows)]


def test_the_table_is_on_validation_rows_and_the_test_rows_report_apart(tmp_path, capsys):
    run = _run(tmp_path, ["ham", "spam"])
    rows = th.load_rows(run)
    assert cli(["threshold", run]) == 0
    out = capsys.readouterr().out
    assert "The figures below are on the 150 validation rows, used to choose." in out
    table = _table(out)
    assert sorted(table) == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    for t, printed in table.items():
        assert printed == _printed(rows.choose.at(t))
        assert printed != _printed(rows.report.at(t))  # the test rows would read otherwise
    # Nothing kept: the test rows report the default 0.5, which they played no part in.
    assert th.report_words(rows, 0.5) in out
    assert "At 0.5, on the 200 test rows, which played no part in choosing: catches " in out

    assert cli(["threshold", run, "0.35", "--keep"]) == 0
    out = capsys.readouterr().out
    assert _table(out) == {0.35: _printed(rows.choose.at(0.35))}
    assert th.trade_words(rows.choose.at(0.35), "spam") in out
    test = rows.report.at(0.35)
    assert (
        f"At 0.35, on the 200 test rows, which played no part in choosing: catches "
        f"{test.recall * 100:.0f} % of the 'spam' rows ({test.tp} of {test.tp + test.fn})" in out
    )
    card = json.loads((tmp_path / "project/runs/20261202-120000-tune/model_card.json").read_text())
    kept = card["decision_threshold"]
    assert kept["chosen_on"] == "validation"
    assert kept["validation_split"] == rows.choose.at(0.35).to_dict()
    assert kept["test_split"] == test.to_dict()
    assert cli(["threshold", run]) == 0
    assert "At 0.35, on the 200 test rows" in capsys.readouterr().out  # the kept one, reported


def test_a_run_from_before_validation_predictions_chooses_on_test_rows_and_says_so(
    tmp_path, capsys
):
    run = _run(tmp_path, ["ham", "spam"], validation=False)
    rows = th.load_rows(run)
    assert cli(["threshold", run]) == 0
    out = capsys.readouterr().out
    assert "The figures below are on the 200 test rows, which are also the rows that report" in out
    assert "before dlstudio kept validation predictions" in out
    assert all(p == _printed(rows.report.at(t)) for t, p in _table(out).items())
    assert "which were also used to choose" in out and "optimistic" in out
    assert cli(["threshold", run, "0.4", "--keep"]) == 0
    capsys.readouterr()
    card = (tmp_path / "project/runs/20261202-120000-tune/model_card.md").read_text()
    assert "- Chosen on the 200 test rows, which also measure it" in card


def test_threshold_refuses_what_it_cannot_do_in_one_line(tmp_path, capsys):
    binary = _run(tmp_path / "b", ["ham", "spam"])
    assert cli(["threshold", binary, "1.5"]) == 2
    assert "between 0.01 and 0.99" in capsys.readouterr().err
    assert cli(["threshold", binary, "--keep"]) == 2
    assert "--keep without a threshold" in capsys.readouterr().err
    three = _run(tmp_path / "m", ["a", "b", "c"])
    assert cli(["threshold", three]) == 2
    err = capsys.readouterr().err
    assert "3 classes" in err and "Traceback" not in err


def test_a_renamed_run_is_listed_by_its_name(tmp_path, capsys):
    run = _run(tmp_path, ["ham", "spam"])
    assert cli(["rename", run, "first try"]) == 0
    capsys.readouterr()
    assert cli(["runs", str(tmp_path / "project"), "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["name"] == "first try"
    assert cli(["rename", run, ""]) == 0
    assert "has no name now" in capsys.readouterr().out


@pytest.mark.slow
def test_a_trained_two_class_run_keeps_its_validation_rows_to_choose_on(tmp_path, capsys):
    data = SAMPLES / "tabular" / "breast_cancer_wisconsin.csv"
    project = tmp_path / "project"
    args = ["train", str(data), "--target", "diagnosis", "--epochs", "2", "--patience", "2"]
    assert cli([*args, "--project", str(project), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    split = json.loads((Path(result["run"]) / "evaluation.json").read_text())["split"]
    validation = tp.read_test_predictions(result["run"], "validation")
    assert len(validation) == split["validation"] > 0
    assert len(tp.read_test_predictions(result["run"])) == split["test"]
    assert tp.class_names(validation) == ["benign", "malignant"]
    assert "row" not in validation.columns  # a position in the split is no row of the file
    assert cli(["threshold", result["run"]]) == 0
    out = capsys.readouterr().out
    assert f"on the {split['validation']} validation rows, used to choose" in out
    assert f"on the {split['test']} test rows, which played no part in choosing" in out
