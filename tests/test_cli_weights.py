"""A weight column on the command line (issue 26, item 4): `dlstudio train --role COL=weight`
trains and scores with the rows' weights and says so; a weight column that cannot weigh rows
exits 2 with the reason, before a run folder or TensorFlow."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dlstudio.cli import run
from dlstudio.core.config import SplitSpec
from dlstudio.core.data import load_dataset
from dlstudio.core.data.prepare import prepare
from tests.core.data.test_weighted_rows import survey_frame

ROLE = ["--role", "survey_weight=weight"]


@pytest.mark.parametrize(
    ("values", "said"),
    [(0.0, "holds only zeros"), ("heavy", "not numbers"), (-2.0, "1 negative value")],
)
def test_a_bad_weight_column_exits_2_with_the_reason(capsys, tmp_path, values, said):
    frame = survey_frame()
    if values == -2.0:
        frame.loc[3, "survey_weight"] = values
    else:
        frame["survey_weight"] = values
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    project = tmp_path / "project"
    args = ["train", str(path), "--target", "buys", *ROLE, "--epochs", "2"]
    assert run([*args, "--project", str(project)]) == 2
    err = capsys.readouterr().err
    assert said in err and "'survey_weight'" in err and "Traceback" not in err
    assert not (project / "runs").exists()


@pytest.mark.slow
def test_train_weighs_rows_end_to_end(capsys, tmp_path):
    """30 % of the rows buy but stand for 80 % of the weight: the weighted baseline guesses
    'yes' where counting rows guesses 'no', the network learns to say 'yes' more than the rows'
    share, and every figure (the validation loss Keras chose the best epoch on, the test
    accuracy) is the weighted one."""
    path = tmp_path / "survey.csv"
    survey_frame().to_csv(path, index=False)
    project = tmp_path / "project"
    args = ["train", str(path), "--target", "buys", *ROLE, "--epochs", "2"]
    assert run([*args, "--project", str(project), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "completed"
    folder = project / "runs" / result["run"].split("/")[-1]
    evaluation = json.loads((folder / "evaluation.json").read_text())
    data = prepare(
        load_dataset(path, target="buys", roles={"survey_weight": "weight"}), SplitSpec()
    )

    # The baseline: by weight 'yes', by rows it would be 'no'.
    assert evaluation["weighted_by"] == "survey_weight" and evaluation["weighted"]
    assert evaluation["baseline"]["class"] == "yes"
    by_rows = max(evaluation["per_class"], key=lambda row: row["support"])
    assert by_rows["class"] == "no" and by_rows["support"] / evaluation["rows"] > 0.6
    w = data.weights("test")
    share_yes = float(np.sum(w * data.y["test"]) / np.sum(w))
    assert evaluation["baseline"]["accuracy"] == pytest.approx(share_yes)
    assert share_yes > 0.7

    # The test accuracy is the weighted one, recomputed from the saved predictions.
    tested = pd.read_csv(folder / "test_predictions.csv")
    right = (tested["true"] == tested["predicted"]).to_numpy()
    assert (tested["true"] == np.where(data.y["test"] == 1, "yes", "no")).all()
    assert evaluation["metrics"]["accuracy"] == pytest.approx(np.sum(right * w) / np.sum(w))
    # Training weighed the rows: 'yes' is 30 % of the rows, yet said for most of them.
    assert (tested["predicted"] == "yes").mean() > 0.5

    # The best epoch was chosen on the weighted validation loss: it is the weighted log loss
    # of the saved model's validation predictions.
    validated = pd.read_csv(folder / "validation_predictions.csv")
    picked = np.where(
        validated["true"] == "yes", validated["probability:yes"], 1 - validated["probability:yes"]
    )
    losses = -np.log(np.clip(picked, 1e-7, 1.0))
    wv = data.weights("validation")
    (trial,) = [json.loads(line) for line in (folder / "trials.jsonl").read_text().splitlines()]
    best = trial["history"]["val_loss"][trial["best_epoch"]]
    assert best == pytest.approx(np.sum(losses * wv) / np.sum(wv), rel=1e-3)
    assert best != pytest.approx(float(losses.mean()), rel=1e-2)

    # The verdict and the card say so; the classical reference is weighted too.
    assert "of test rows, weighted by survey_weight" in evaluation["verdict"]["text"]
    assert "the class with the most weight (‘yes’)" in evaluation["verdict"]["text"]
    card = json.loads((folder / "model_card.json").read_text())
    assert card["data"]["weighted_by"] == "survey_weight"
    assert (
        "weighted by the column `survey_weight` in training"
        in (folder / "model_card.md").read_text()
    )
    classic = evaluation["classic"]
    assert classic["name"] == "Gradient boosting"

    # Predicting needs no weight: it is not an input.
    new = tmp_path / "new.csv"
    survey_frame().drop(columns=["buys", "survey_weight"]).head(4).to_csv(new, index=False)
    out = tmp_path / "predictions.csv"
    assert run(["predict", str(folder), str(new), "-o", str(out)]) == 0
    assert len(pd.read_csv(out)) == 4
