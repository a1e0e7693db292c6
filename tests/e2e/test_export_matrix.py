"""Every kind of data, through to every format it is offered in, used as a user would use it.

For each case: a search under a short budget; an export to every format the model can use
(each file is checked by the exporter in its own runtime); `dlstudio predict` on new raw data;
then, in a fresh interpreter without dlstudio, the model card's own snippets read the same raw
data and run each exported file; their outputs must match `dlstudio predict` within 1e-4.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dlstudio.cli import run as cli
from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, TrainSpec
from dlstudio.core.engine.run import start_run
from dlstudio.core.formats import FORMATS
from dlstudio.core.snippets import inputs_code, runtime_code

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "dlstudio" / "resources" / "samples"
DATA = ROOT / "tests" / "data"
BUDGET_S = 12
TOLERANCE = 1e-4


def _table(source: Path, target: str, rows: int | None = None):
    def make(tmp: Path):
        frame = pd.read_csv(source)
        if rows:
            frame = frame.head(rows)
        data = tmp / source.name
        frame.to_csv(data, index=False)
        new = frame.drop(columns=[target]).sample(12, random_state=0).reset_index(drop=True)
        for column in new.columns:  # a missing value and an unseen category, as in real use
            if pd.api.types.is_numeric_dtype(new[column]):
                new.loc[0, column] = np.nan
            else:
                new.loc[1, column] = "never seen in training"
        new_path = tmp / "new.csv"
        new.to_csv(new_path, index=False)
        return data, target, new_path, str(new_path)

    return make


def _images(source: Path, per_class: int):
    def make(tmp: Path):
        data = tmp / "images"
        new = tmp / "new_images"
        new.mkdir()
        for folder in sorted(p for p in source.iterdir() if p.is_dir())[:3]:
            files = sorted(folder.iterdir())
            (data / folder.name).mkdir(parents=True)
            for file in files[:per_class]:
                shutil.copy(file, data / folder.name / file.name)
            shutil.copy(files[-1], new / f"{folder.name}-{files[-1].name}")
        paths = sorted(str(p) for p in new.iterdir())
        return data, None, new, paths

    return make


def _sms_texts(tmp: Path):
    frame = pd.read_csv(SAMPLES / "text" / "sms_spam.csv").head(600)
    data = tmp / "sms.csv"
    frame.to_csv(data, index=False)
    texts = ["WINNER!! Claim your free prize now\x85call 0800", "see you at 6\u2028ok?", ""]
    new = tmp / "new_texts"
    new.mkdir()
    for i, text in enumerate(texts):
        (new / f"{i}.txt").write_text(text, encoding="utf-8")
    return data, "label", new, texts


AWKWARD = [
    "\x85",
    "\u2028",
    "\u2029",
    "\x00",
    "\ufeff",
    "\u200b",
    "e\u0301",
    "\U0001f44d\U0001f3fd",
    "\u05e9\u05dc\u05d5\u05dd",
    "\u4f60\u597d",
    "\xa0",
]
WORDS = {
    "praise": ["great", "lovely", "superb", "thanks", "happy", "recommend", "perfect"],
    "complaint": ["broken", "late", "refund", "awful", "never", "angry", "missing"],
}


def _awkward_texts(tmp: Path):
    """Texts with line separators, NUL, joiners, emoji, right-to-left and combined letters."""
    rng = random.Random(0)

    def text(label: str) -> str:
        words = rng.choices(WORDS[label], k=rng.randint(3, 9)) + rng.choices(AWKWARD, k=3)
        rng.shuffle(words)
        return " ".join(words) if rng.random() < 0.7 else "".join(words)

    data = tmp / "reviews"
    for label in WORDS:
        (data / label).mkdir(parents=True)
        for i in range(40):
            (data / label / f"{i:02d}.txt").write_text(text(label), encoding="utf-8")
    new = tmp / "new_reviews"
    new.mkdir()
    texts = [text("praise"), text("complaint"), "\x85\u2028", "great" * 200]
    for i, value in enumerate(texts):
        (new / f"{i}.txt").write_text(value, encoding="utf-8")
    return data, None, new, texts


def _reviews_table(tmp: Path):
    """A table whose features are a free-text column and a number (texts go through TF-IDF
    inside the table model, beside the other columns)."""
    rng = random.Random(1)
    rows = []
    for _ in range(240):
        label = rng.choice(list(WORDS))
        # NUL is left out here: in a CSV it reads as a binary file, and is refused as one.
        odd = rng.choices([a for a in AWKWARD if a != "\x00"], k=1)
        words = " ".join(rng.choices(WORDS[label], k=rng.randint(3, 8)) + odd)
        rows.append({"review": words, "stars": rng.randint(1, 5), "verdict": label})
    frame = pd.DataFrame(rows)
    data = tmp / "reviews.csv"
    frame.to_csv(data, index=False)
    new = frame.drop(columns=["verdict"]).head(8)
    new.loc[0, "review"] = ""
    new_path = tmp / "new.csv"
    new.to_csv(new_path, index=False)
    return data, "verdict", new_path, str(new_path)


CASES = {
    "binary table": (
        _table(SAMPLES / "tabular" / "breast_cancer_wisconsin.csv", "diagnosis"),
        list(FORMATS),
    ),
    "multiclass table with categories": (
        _table(SAMPLES / "tabular" / "palmer_penguins.csv", "species"),
        list(FORMATS),
    ),
    "regression table": (_table(DATA / "auto_mpg.csv", "mpg"), list(FORMATS)),
    "regression on a skewed target (log scale)": (
        _table(DATA / "diamonds_600.csv", "price"),
        list(FORMATS),
    ),
    "table with a text column": (_reviews_table, ["keras", "savedmodel"]),
    "grayscale images": (_images(SAMPLES / "image" / "sklearn_digits", 25), list(FORMATS)),
    "RGB images of varying sizes": (_images(DATA / "clothing_tiny", 10), list(FORMATS)),
    "texts in a table": (_sms_texts, ["keras", "savedmodel"]),
    "awkward texts in folders": (_awkward_texts, ["keras", "savedmodel"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_trained_exported_and_reloaded_everywhere_it_is_offered(case, tmp_path, capsys):
    make, formats = CASES[case]
    data, target, new_data, example = make(tmp_path)
    spec = RunSpec(
        DataSpec(str(data), target=target),
        train=TrainSpec(epochs=20),
        search=SearchSpec("random", max_trials=3, time_limit_s=BUDGET_S),
    )
    run = start_run(spec, tmp_path / "project")
    assert run.model_path.exists(), run.state().get("message")
    card = json.loads((run.path / "model_card.json").read_text())

    out = tmp_path / "export"
    assert cli(["export", str(run.path), "--out", str(out)]) == 0
    written = {line.split()[0] for line in capsys.readouterr().out.splitlines() if line.strip()}
    assert set(formats) <= written, f"{case}: exported {written}, expected {formats}"

    predictions = tmp_path / "predictions.csv"
    assert cli(["predict", str(run.path), str(new_data), "-o", str(predictions)]) == 0
    expected = pd.read_csv(predictions, keep_default_na=False)

    outputs = _run_snippets_without_dlstudio(card, out, formats, example, tmp_path)
    for fmt in formats:
        got = outputs[fmt]
        if card["task"] == "regression":
            ours = expected[f"predicted_{card['target']}"].to_numpy(float)
            theirs = got["value"].reshape(-1)
            # float32 keeps about seven digits: a price of 5,000 is exact to about 0.0005
            gap = np.abs(ours - theirs) / np.maximum(1.0, np.abs(ours))
        else:
            ours = expected[[f"probability_{c}" for c in card["class_names"]]].to_numpy(float)
            gap = np.abs(ours - got["probabilities"].reshape(len(ours), -1))
        assert gap.max() <= TOLERANCE, f"{case}: {fmt} differs by {gap.max():.2g}"
        if "label" in got:
            labels = expected[f"predicted_{card['target']}"].astype(str)
            assert list(got["label"]) == list(labels), f"{case}: {fmt} labels differ"


def _run_snippets_without_dlstudio(card, out, formats, example, tmp_path) -> dict:
    """Each format's snippet from the model card, in one fresh interpreter (-I: no user site,
    no current folder on the path), which must not import dlstudio."""
    program = ["import sys, numpy as np", "results = {}"]
    for fmt in formats:
        path = str(
            out
            / {
                "keras": "model.keras",
                "savedmodel": "savedmodel",
                "onnx": "model.onnx",
                "tflite": "model.tflite",
            }[fmt]
        )
        program += [
            inputs_code(card, example),
            runtime_code(fmt, path),
            "for name, value in outputs.items():",
            "    value = np.asarray(value)",
            "    if value.dtype.kind in 'OS':",
            "        value = np.array([v.decode() if isinstance(v, bytes) else str(v) for v in value.ravel()])",
            f"    results[{fmt!r} + '/' + name] = value",
        ]
    program += [
        "assert 'dlstudio' not in sys.modules",
        f"np.savez({str(tmp_path / 'snippets.npz')!r}, **results)",
    ]
    script = tmp_path / "snippets.py"
    script.write_text("\n".join(program), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", str(script)], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results: dict = {fmt: {} for fmt in formats}
    with np.load(tmp_path / "snippets.npz") as arrays:
        for key in arrays:
            fmt, name = key.split("/", 1)
            results[fmt][_output_name(name)] = arrays[key]
    return results


def _output_name(name: str) -> str:
    """ONNX may call an output after its graph node; dlstudio names them after what they hold."""
    for known in ("probabilities", "value", "label"):
        if known in name:
            return known
    return name
