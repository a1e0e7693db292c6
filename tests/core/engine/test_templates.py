"""Every architecture template builds, trains an epoch and saves to a safe-mode .keras file."""

from __future__ import annotations

import keras
import keras_tuner as kt
import pandas as pd
import pytest

from dlstudio.core.data import SplitSpec, load_dataset
from dlstudio.core.data.prepare import prepare
from dlstudio.core.export import inference_model, predict_arrays
from dlstudio.core.export.feed import batches
from dlstudio.core.models.hypermodel import TemplateHyperModel
from dlstudio.core.models.space import TEMPLATES_BY_KIND, default_space

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sms_small(tmp_path_factory):
    from tests.conftest import SAMPLES

    path = tmp_path_factory.mktemp("sms") / "sms.csv"
    pd.read_csv(SAMPLES / "text" / "sms_spam.csv").groupby("label").head(120).to_csv(
        path, index=False
    )
    return prepare(load_dataset(path, target="label"), SplitSpec())


@pytest.fixture(scope="module")
def digits_small(tmp_path_factory):
    import shutil

    from tests.conftest import SAMPLES

    root = tmp_path_factory.mktemp("digits")
    for folder in sorted((SAMPLES / "image" / "sklearn_digits").iterdir())[:3]:
        (root / folder.name).mkdir()
        for file in sorted(folder.glob("*.png"))[:20]:
            shutil.copy(file, root / folder.name / file.name)
    return prepare(load_dataset(root), SplitSpec())


def _train_one_epoch_and_save(data, template, tmp_path):
    hypermodel = TemplateHyperModel(data, template, default_space(template, data.task.value))
    model = hypermodel.build(kt.HyperParameters())
    history = model.fit(
        batches(data, "train", 32),
        validation_data=batches(data, "validation", 32),
        epochs=1,
        shuffle=False,
        verbose=0,
    )
    assert history.history["loss"][0] > 0
    path = tmp_path / f"{template}.keras"
    inference_model(model, data).save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True)
    sample = {name: values[:4] for name, values in data.x["test"].items()}
    outputs = predict_arrays(reloaded, sample)
    assert set(outputs) == {"probabilities", "label"}
    assert outputs["probabilities"].shape == (4, len(data.class_names))


@pytest.mark.parametrize("template", TEMPLATES_BY_KIND["text"])
def test_text_templates(template, sms_small, tmp_path):
    _train_one_epoch_and_save(sms_small, template, tmp_path)


# efficientnet_b0 shares its builder with mobilenet_v3_small (tested with fine-tuning in
# test_modalities) and takes ~50 s to trace on a CPU, so it is left out here.
@pytest.mark.parametrize("template", ["small_cnn", "resnet"])
def test_image_templates(template, digits_small, tmp_path):
    _train_one_epoch_and_save(digits_small, template, tmp_path)
