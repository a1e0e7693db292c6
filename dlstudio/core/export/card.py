"""The model card: what a model is, how it was made, how it scored, and how to use it.

model_card.json is for programs (dlstudio reads it to predict and export); model_card.md is
for people, with copy-paste code for each format the model was exported to.
"""

from __future__ import annotations

import json
import platform
from datetime import datetime
from pathlib import Path

import keras
import numpy as np

from dlstudio import __version__
from dlstudio.core.data import Task
from dlstudio.core.data.prepare import PreparedData
from dlstudio.core.formats import LABELS, USES
from dlstudio.core.model_choice import card_line
from dlstudio.core.paths import MODEL_CARD_FILE, MODEL_CARD_TEXT
from dlstudio.core.project import atomic_write_json, atomic_write_text
from dlstudio.core.snippets import inputs_code, outputs_note, runtime_code
from dlstudio.core.threshold import threshold_markdown
from dlstudio.core.wording import metric_name, metric_value


def write_model_card(
    folder: Path,
    data: PreparedData,
    spec,
    template: str,
    best,
    evaluation: dict,
    device: dict,
    activations: list[str] | None = None,
) -> dict:
    """model_card.json (machine-readable) and model_card.md (for people) beside the model;
    `activations`: those the model uses (core/formats.py reads them)."""
    card = {
        "dlstudio_version": __version__,
        "created": datetime.now().isoformat(timespec="seconds"),
        "kind": data.kind,
        "task": data.task.value,
        "target": data.target,
        "class_names": data.class_names,
        "inputs": [i.to_dict() for i in data.inputs],
        "outputs": ["value"] if data.task is Task.REGRESSION else ["probabilities", "label"],
        "target_scaling": data.target_scaling.to_dict() if data.target_scaling else None,
        "template": template,
        "hyperparameters": best.hyperparameters,
        "activations": activations or [],
        "best_trial": best.trial_id,
        # How an average of trials was tried, and whether the model is one (engine/ensemble.py).
        "ensemble": evaluation.get("ensemble"),
        "best_epoch": None if best.best_epoch is None else best.best_epoch + 1,
        "partial": evaluation.get("partial"),  # why this is a partial model, when it is one
        "metrics": evaluation.get("metrics", {}),
        "baseline": evaluation.get("baseline", {}),
        "classic": evaluation.get("classic"),  # a classical model on the same split
        "verdict": evaluation.get("verdict", {}),
        "data": {
            "path": spec.data.path,
            "split": evaluation.get("split", {}),
            "weighted_by": data.weight_column,  # the column training and the scores weighed by
        },
        "versions": {
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
        "device": device,
    }
    # Into the run folder as it is: a folder deleted mid-run is an error, not re-created.
    atomic_write_json(folder / MODEL_CARD_FILE, card, make_parents=False)
    atomic_write_text(folder / MODEL_CARD_TEXT, card_markdown(card, ["keras"]), make_parents=False)
    return card


_RAW_INPUTS = {
    "table": "Missing numbers may be passed as NaN and missing categories as empty strings; dates "
    "as seconds since 1970-01-01.",
    "images": "Images are 0–255 pixels; the model resizes any size itself, but resizing them "
    "first as below, as dlstudio did when training, gives the predictions it measured.",
    "text": "Texts are passed as they are: the model splits them into words itself.",
}


def _ensemble_markdown(card: dict, ensemble: dict) -> str:
    """What the model averages, and how it and the best trial alone did on the test rows."""
    if not ensemble.get("kept"):
        return ""
    text = f"\n**{ensemble['text']}**"
    alone = ensemble.get("single", {}).get("test") or {}
    metric = ensemble.get("metric")
    if metric in alone and metric in card["metrics"]:
        text += (
            f" On the test rows: {metric_name(metric)[0].lower()}{metric_name(metric)[1:]} "
            f"{metric_value(metric, card['metrics'][metric])} vs "
            f"{metric_value(metric, alone[metric])} for trial "
            f"{ensemble['single']['number']} alone."
        )
    return text + "\n"


def _weighted_markdown(card: dict) -> str:
    """Which column weighed the rows in training and in the scores ("" when none did)."""
    data = card.get("data")
    column = data.get("weighted_by") if isinstance(data, dict) else None
    if not column:
        return ""
    return (
        f"\nRows were weighted by the column `{column}` in training and in every score below "
        "(it is not an input)."
    )


def _in_use_markdown(in_use: dict) -> str:
    """Which model the export holds, when it is the classical one (core/model_choice.py)."""
    if in_use.get("model") != "classical":
        return ""
    classic = in_use.get("classic") or {}
    scores = ", ".join(f"{k} {v:.4f}" for k, v in (classic.get("metrics") or {}).items())
    return (
        f"{card_line(in_use.get('sentence') or 'Model in use: the classical model.')}"
        f"The file is `{in_use.get('file')}`: {classic.get('name', 'the classical model')}, "
        "trained by scikit-learn on the same split and written as ONNX by skl2onnx. Its "
        f"test-split scores: {scores or 'see below'}. What follows describes the network it "
        "was compared with; the inputs and outputs are the same. The network's decision "
        "threshold, if one was kept, does not apply to it.\n\n"
    )


def write_card_markdown(path: Path, card: dict, formats: list[str]) -> None:
    atomic_write_text(path, card_markdown(card, formats))


def card_markdown(card: dict, formats: list[str]) -> str:
    """The card for people, with a usage section for each of `formats`."""
    metrics = "\n".join(f"| {k} | {v:.4f} |" for k, v in card["metrics"].items())
    inputs = "\n".join(f"| `{i['name']}` | {i['column']} | {i['kind']} |" for i in card["inputs"])
    baseline = ", ".join(
        f"{k} {v:.4f}" for k, v in card["baseline"].items() if isinstance(v, (int, float))
    )  # its "name" and its "paired" test against the model are said elsewhere
    classes = ", ".join(card["class_names"] or []) or "—"
    partial = f"\n**Partial model.** {card['partial']}\n" if card.get("partial") else ""
    ensemble = card.get("ensemble") or {}
    averaged = _ensemble_markdown(card, ensemble)
    hyperparameters_of = " (of the best trial alone)" if averaged else ""
    made_of = (
        f"an average of trials (the best alone: trial {card['best_trial']}"
        if averaged
        else f"trial\n{card['best_trial']}"
    )
    made_of += f", best epoch {card.get('best_epoch') or '?'}" + (")" if averaged else "")
    verdict = card.get("verdict", {}).get("text", "")
    scaling = card.get("target_scaling")
    scaled = ""
    if scaling:
        how = "the logarithm of" if scaling["log"] else ""
        scaled = (
            f"\nThe network learned {how} the target standardised; the model turns its output "
            "back into the target's own units, so `value` needs no conversion.\n"
        )
    in_use = card.get("model_in_use") if isinstance(card.get("model_in_use"), dict) else {}
    usage = "\n".join(
        f"### {LABELS[fmt]}: {USES[fmt]}\n\n```python\n"
        f"{runtime_code(fmt, in_use.get('file'))}{outputs_note(card)}```\n"
        for fmt in formats
    )
    return f"""# Model card: {card["target"]} ({card["task"]})

{_in_use_markdown(in_use)}Made by dlstudio {card["dlstudio_version"]} on {card["created"]} from
`{card["data"]["path"]}` ({card["kind"]}), architecture `{card["template"]}`, {made_of}.{_weighted_markdown(card)}
{partial}{averaged}
## Test-split results

{verdict}

| metric | value |
|---|---|
{metrics}

Trivial baseline ({card["baseline"].get("name", "")}): {baseline}.{classic_markdown(card)}

{threshold_markdown(card)}## Inputs and outputs

| input | from column | kind |
|---|---|---|
{inputs}

Outputs: {", ".join(card["outputs"])}. Classes, in output order: {classes}.
{_RAW_INPUTS[card["kind"]]}
{scaled}
## Hyperparameters{hyperparameters_of}

```json
{json.dumps(card["hyperparameters"], indent=2)}
```

## How to use it

First, the inputs: raw data read the way dlstudio read the training data.

```python
{inputs_code(card)}```

Then the model, in the runtime of the format you use (none of them needs dlstudio):

{usage}
Versions: {json.dumps(card["versions"])}. Device: {card["device"].get("name", "?")}.
"""


def classic_markdown(card: dict) -> str:
    """The model card's words for the reference, to follow the trivial baseline's line: ""
    when the card has none (cards written before it existed)."""
    classic = card.get("classic")
    if not isinstance(classic, dict):
        return ""
    if not classic.get("name"):
        return f"\n\nClassical reference: none. {classic.get('reason', '')}".rstrip()
    scores = ", ".join(f"{k} {v:.4f}" for k, v in (classic.get("metrics") or {}).items())
    cut = ", cut short by the time budget" if classic.get("cut_short") else ""
    return (
        f"\n\nClassical reference, trained on the same split in "
        f"{classic.get('seconds', 0):.1f} s ({classic['name']}{cut}): {scores}."
    ) + _kept_markdown(classic)


def _kept_markdown(classic: dict) -> str:
    """Whether the reference can be used instead of the network, and why not when it cannot."""
    onnx = classic.get("onnx")
    if not isinstance(onnx, dict):
        return ""
    if not onnx.get("file"):
        return f" It cannot be used instead of the network: {onnx.get('reason', '')}."
    versus = classic.get("versus") or {}
    better = " It validated better than the network and" if versus.get("classic_better") else " It"
    return (
        f"{better} is kept as `{onnx['file']}` (ONNX, checked in onnxruntime against "
        "scikit-learn): `dlstudio use RUN classical` puts it in use."
    )
