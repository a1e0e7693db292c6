"""One short search per modality on the bundled samples: it trains, beats the trivial baseline
on the test split, exports, reloads and predicts on new raw files."""

from __future__ import annotations

import json
import shutil

import keras
import numpy as np
import pandas as pd
import pytest

from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, SearchSpec, TrainSpec
from dlstudio.core.engine.run import start_run
from dlstudio.core.errors import DlstudioError
from dlstudio.core.events import RunStatus, TrialStatus
from dlstudio.core.export import export_run, predict_file
from dlstudio.core.search.cancel import CancelToken
from tests.core.engine.conftest import Recorder

pytestmark = pytest.mark.slow


def test_table_search_beats_baseline_exports_and_predicts(penguins_csv, tmp_path, recorder):
    spec = RunSpec(
        DataSpec(str(penguins_csv), target="species"),
        train=TrainSpec(epochs=15),
        search=SearchSpec("random", max_trials=2),
    )
    run = start_run(spec, tmp_path / "project", recorder)

    kinds = [type(e).__name__ for e in recorder.events if type(e).__name__ != "BatchEnded"]
    assert kinds[0] == "RunStarted" and kinds[-1] == "RunFinished"
    assert kinds.count("TrialStarted") == kinds.count("TrialEnded") == 2
    assert recorder.of("RunFinished")[0].status is RunStatus.COMPLETED
    trials = run.trials()
    assert [t.status for t in trials] == [TrialStatus.COMPLETED] * 2
    assert all(len(t.history["val_loss"]) == t.epochs > 0 for t in trials)
    evaluation = run.evaluation()
    assert evaluation["metrics"]["accuracy"] > evaluation["baseline"]["accuracy"] + 0.2
    assert np.array(evaluation["confusion_matrix"]).sum() == evaluation["rows"]
    assert set(evaluation["roc"]) == {"Adelie", "Chinstrap", "Gentoo"}

    # The .keras file works with plain Keras, in safe mode, on raw columns.
    model = keras.saving.load_model(run.model_path, safe_mode=True)
    card = json.loads((run.path / "model_card.json").read_text())
    assert card["class_names"] == ["Adelie", "Chinstrap", "Gentoo"]

    new = pd.read_csv(penguins_csv).drop(columns=["species"]).head(6)
    new.loc[0, "island"] = "Atlantis"  # a category never seen in training
    new.loc[1, "bill_length_mm"] = np.nan
    new["ring_colour"] = "red"  # extra columns are ignored
    path = tmp_path / "new.csv"
    new.to_csv(path, index=False)
    predicted = predict_file(run.path, path)
    assert len(predicted) == 6
    assert set(predicted["predicted_species"]) <= {"Adelie", "Chinstrap", "Gentoo"}
    probabilities = predicted[[f"probability_{c}" for c in card["class_names"]]].to_numpy()
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)

    inputs = {i["name"]: None for i in card["inputs"]}
    assert set(inputs) == {t.name for t in model.inputs}

    with pytest.raises(DlstudioError, match="lacks the column"):
        new.drop(columns=["island"]).to_csv(path, index=False)
        predict_file(run.path, path)

    written = export_run(run.path, ["keras", "savedmodel"], tmp_path / "export")
    assert [w.format for w in written] == ["keras", "savedmodel"]
    assert all(w.max_difference <= 1e-4 for w in written)
    assert (tmp_path / "export" / "model_card.md").exists()

    # The run keeps sample rows to check exports on: the training file may move away.
    card_path = run.path / "model_card.json"
    card["data"]["path"] = str(tmp_path / "moved.csv")
    card_path.write_text(json.dumps(card))
    assert [w.format for w in export_run(run.path, ["keras"], tmp_path / "export2")] == ["keras"]


def test_regression_beats_the_mean(penguins_csv, tmp_path):
    spec = RunSpec(
        DataSpec(str(penguins_csv), target="body_mass_g"),
        train=TrainSpec(epochs=40),
        model=ModelSpec(hyperparameters={"learning_rate": 0.01}),
    )
    run = start_run(spec, tmp_path / "project")
    evaluation = run.evaluation()
    assert evaluation["task"] == "regression"
    assert evaluation["metrics"]["mae"] < 0.7 * evaluation["baseline"]["mae"]
    assert len(evaluation["points"]["actual"]) == evaluation["rows"]


def test_text_search_beats_majority_and_predicts_on_txt_files(sms_csv, tmp_path, recorder):
    spec = RunSpec(
        DataSpec(str(sms_csv), target="label"),
        model=ModelSpec(hyperparameters={"max_tokens": 5000, "batch_size": 64}),
        train=TrainSpec(epochs=3),
        search=SearchSpec("bayesian", max_trials=2),
    )
    run = start_run(spec, tmp_path / "project", recorder)
    evaluation = run.evaluation()
    assert evaluation["metrics"]["accuracy"] > evaluation["baseline"]["accuracy"] + 0.05
    assert evaluation["metrics"]["auc"] > 0.9
    assert recorder.of("BatchEnded"), "the live loss is reported while epochs run"

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text("WINNER!! You have won a FREE prize, call 0800 now to claim")
    (folder / "b.txt").write_bytes("Ok, see you at the café at 6".encode("cp1252"))
    predicted = predict_file(run.path, folder)
    assert list(predicted["file"]) == ["a.txt", "b.txt"]
    assert list(predicted["predicted_label"]) == ["spam", "ham"]
    # New texts as a table hold one column, the one the model reads: that is no wrong separator.
    texts = tmp_path / "new.csv"
    texts.write_text(
        'message\n"WINNER!! You have won a FREE prize, call 0800 now"\n"Ok, see you"\n'
    )
    assert list(predict_file(run.path, texts)["predicted_label"]) == ["spam", "ham"]

    # Text needs TensorFlow's string operations: ONNX and LiteRT are refused up front.
    with pytest.raises(DlstudioError, match="string operations") as refused:
        export_run(run.path, ["keras", "onnx"], tmp_path / "export")
    assert "ONNX Runtime and LiteRT's built-in operations lack" in str(refused.value)
    assert not (tmp_path / "export").exists(), "nothing is written when a format is refused"


def test_image_training_beats_chance_and_exports_everywhere(digits_dir, small_digits, tmp_path):
    spec = RunSpec(
        DataSpec(str(digits_dir)),
        model=ModelSpec("small_cnn", {"augment": False, "learning_rate": 0.003, "filters": 16}),
        train=TrainSpec(epochs=8),
    )
    run = start_run(spec, tmp_path / "project")
    evaluation = run.evaluation()
    assert evaluation["metrics"]["accuracy"] > 3 * evaluation["baseline"]["accuracy"]

    written = export_run(run.path, ["keras", "onnx", "tflite"], tmp_path / "export")
    assert {w.format: w.max_difference <= 1e-4 for w in written} == {
        "keras": True,
        "onnx": True,
        "tflite": True,
    }

    new = tmp_path / "new_images"
    new.mkdir()
    for digit in ("3", "7"):
        shutil.copy(sorted((small_digits / digit).glob("*.png"))[0], new / f"{digit}.png")
    predicted = predict_file(run.path, new)
    assert list(predicted["file"]) == ["3.png", "7.png"]
    assert predicted.filter(like="probability_").shape[1] == 10


def test_backbone_from_a_local_weights_file_is_fine_tuned(tiny_digits, tmp_path, recorder):
    # No pretrained file can be downloaded here, so make one the way a user would bring one:
    # the backbone's own weights file, without its top.
    weights = tmp_path / "mobilenet_v3_small_notop.weights.h5"
    backbone = keras.applications.MobileNetV3Small(
        input_shape=(32, 32, 3), include_top=False, weights=None, pooling="avg"
    )
    backbone.save_weights(weights)
    keras.backend.clear_session()
    spec = RunSpec(
        DataSpec(str(tiny_digits)),
        model=ModelSpec(
            "mobilenet_v3_small", {"fine_tune_epochs": 1, "augment": False}, weights=str(weights)
        ),
        train=TrainSpec(epochs=1),
    )
    run = start_run(spec, tmp_path / "project", recorder)
    assert run.trials()[0].status is TrialStatus.COMPLETED
    assert run.trials()[0].epochs == 2  # one frozen epoch, then one fine-tuning epoch
    assert any("fine-tuning the pretrained backbone" in m.text for m in recorder.of("RunMessage"))


def test_missing_weights_file_is_refused_and_none_means_from_scratch(
    tiny_digits, tmp_path, recorder
):
    spec = RunSpec(
        DataSpec(str(tiny_digits)),
        model=ModelSpec("mobilenet_v3_small", weights=str(tmp_path / "nope.h5")),
        train=TrainSpec(epochs=1),
    )
    with pytest.raises(DlstudioError, match="does not exist.*never"):
        start_run(spec, tmp_path / "project", recorder)
    assert not (tmp_path / "project" / "runs").exists()  # refused before a run folder is made
    assert "does not exist" in recorder.of("RunFailed")[0].message  # the window hears it too

    # Without a weights file the user is told, before any training starts (so stop there).
    token = CancelToken()
    told = Recorder(lambda e: "trains from scratch" in getattr(e, "text", "") and token.cancel())
    spec = RunSpec(
        DataSpec(str(tiny_digits)), model=ModelSpec("mobilenet_v3_small"), train=TrainSpec(epochs=1)
    )
    start_run(spec, tmp_path / "project", told, token)
    assert any("trains from scratch" in m.text for m in told.of("RunMessage"))
    assert told.of("TrialStarted") == []
