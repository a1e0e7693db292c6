"""A decision threshold kept for a two-class run is the exported model's own: its `label`
output follows it, as `dlstudio predict` and the window do."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from dlstudio.cli import run as cli

pytestmark = pytest.mark.slow


def test_the_exported_label_follows_the_kept_threshold(cancer_csv, tmp_path):
    project = tmp_path / "project"
    assert (
        cli(["train", str(cancer_csv), "--epochs", "2", "--project", str(project), "--quiet"]) == 0
    )
    (run,) = (project / "runs").iterdir()
    card = json.loads((run / "model_card.json").read_text())
    positive = card["class_names"][1]
    # A threshold so high that almost nothing is labelled positive: an argmax label disagrees.
    assert cli(["threshold", str(run), "0.99", "--keep"]) == 0
    assert cli(["export", str(run), "--out", str(run / "export"), "--format", "keras"]) == 0

    check = (
        "import json, sys, numpy as np, keras\n"
        "model = keras.saving.load_model(sys.argv[1], safe_mode=True)\n"
        "stored = np.load(sys.argv[2])\n"
        "inputs = {k: stored[k] for k in stored.files}\n"
        "out = model.predict(inputs, verbose=0)\n"
        "labels = [x.decode() if isinstance(x, bytes) else str(x) for x in "
        "np.asarray(out['label']).ravel()]\n"
        "print(json.dumps({'p': np.asarray(out['probabilities'])[:, 1].tolist(), "
        "'label': labels}))\n"
    )
    (exported,) = (run / "export").glob("*.keras")
    done = subprocess.run(
        [sys.executable, "-c", check, str(exported), str(run / "sample_inputs.npz")],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        timeout=300,
        check=True,
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    p = np.asarray(answer["p"])
    expected = np.where(p >= 0.99, positive, card["class_names"][0])
    assert answer["label"] == expected.tolist()
    assert np.any((p >= 0.5) & (p < 0.99)), "the sample should hold rows the threshold relabels"
