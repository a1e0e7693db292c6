"""A model kept loaded answers one prediction per request line, and a bad input gets one plain
message while the next request is answered again (core/engine/serve.py)."""

from __future__ import annotations

import io
import json

import pytest

from dlstudio.core.config import DataSpec, RunSpec, TrainSpec
from dlstudio.core.engine.serve import serve

pytestmark = pytest.mark.slow

ROW = {
    "island": "Biscoe",
    "bill_length_mm": 49.3,
    "bill_depth_mm": 15.7,
    "flipper_length_mm": 217,
    "body_mass_g": 5850,
    "sex": "male",
    "year": 2007,
}


def _train(folder, penguins_csv, target, epochs=2):
    from dlstudio.core.engine.run import start_run

    spec = RunSpec(DataSpec(str(penguins_csv), target=target), train=TrainSpec(epochs=epochs))
    return start_run(spec, folder).path


@pytest.fixture(scope="module")
def species_run(tmp_path_factory):
    from tests.conftest import SAMPLES

    return _train(
        tmp_path_factory.mktemp("serve"), SAMPLES / "tabular" / "palmer_penguins.csv", "species"
    )


def _serve(run, requests) -> list[dict]:
    out = io.StringIO()
    lines = [r if isinstance(r, str) else json.dumps(r) for r in requests]
    code = serve(run, lines, out)
    assert code == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_table_model_answers_each_request_with_the_label_and_the_class_shares(species_run):
    ready, first, bad, garbled, partial = _serve(
        species_run,
        [
            {"id": 1, "rows": [ROW]},
            {"id": 2, "rows": [{**ROW, "bill_length_mm": "long"}]},
            "not json",
            {"id": 4, "rows": [{"island": "Dream", "bill_length_mm": ""}]},  # others missing
        ],
    )
    assert ready == {"ready": True, "kind": "table", "task": "multiclass"}
    (answer,) = first["predictions"]
    assert first["id"] == 1
    assert answer["label"] in {"Adelie", "Chinstrap", "Gentoo"}
    shares = answer["probabilities"]
    assert set(shares) == {"Adelie", "Chinstrap", "Gentoo"}
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-4)
    assert list(shares)[0] == answer["label"]  # most likely first
    assert bad["id"] == 2 and "'long'" in bad["error"] and "not a number" in bad["error"]
    assert "Traceback" not in bad["error"]
    assert "Unreadable request" in garbled["error"]
    assert partial["id"] == 4 and partial["predictions"][0]["label"]  # still answering


def test_texts_and_images_sent_to_a_table_model_are_refused_in_words(species_run):
    _, texts, images = _serve(species_run, [{"id": 1, "texts": ["hi"]}, {"id": 2, "images": []}])
    assert "reads table, not a text" in texts["error"]
    assert "reads table, not images" in images["error"]


def test_a_regression_model_answers_the_value_in_the_targets_units(tmp_path, penguins_csv):
    run = _train(tmp_path, penguins_csv, "body_mass_g", epochs=1)
    row = {k: v for k, v in ROW.items() if k != "body_mass_g"}
    _, answer = _serve(run, [{"id": 7, "rows": [row]}])
    value = answer["predictions"][0]["value"]
    assert 1000 < value < 10000  # grams, not a standardised score


def test_a_folder_without_a_model_says_so_and_ends(tmp_path):
    out = io.StringIO()
    assert serve(tmp_path, [], out) == 1
    (message,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert "not a run folder" in message["fatal"] and "Traceback" not in message["fatal"]
