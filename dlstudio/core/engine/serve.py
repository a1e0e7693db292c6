"""A model that stays loaded and answers predictions one at a time: the "Try it" panel's
worker, run as `python -m dlstudio.core.engine.child` with the job {"serve": run folder}.

Loading TensorFlow and the model takes seconds; answering then takes milliseconds, so the app
keeps one such process per run it shows instead of starting a task per prediction.

Protocol, one JSON object per line:
    stdout, first       {"ready": true, "kind": ...} once the model is loaded and warmed up,
                        or {"fatal": message} when it cannot be (the process then ends)
    stdin, then         a request: {"id": n, "rows": [{column: value}]} (a table model),
                        {"id": n, "texts": [text, ...]} or {"id": n, "images": [path, ...]};
                        the end of stdin (or "quit") ends the process
    stdout, per request {"id": n, "predictions": [answer, ...]} with each answer
                        {"label": ..., "probabilities": {class: p}} (sorted, most likely
                        first) or {"value": number} for regression; or {"id": n, "error": message}
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from dlstudio.core.errors import DlstudioError, error_summary


def serve(run: str | Path, requests: Iterable[str], out: TextIO) -> int:
    """Load the model of `run` once, then answer each line of `requests` on `out`."""

    def say(message: dict) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    try:
        from dlstudio.core.export.predict import load_in_use

        loaded = load_in_use(run)  # the classical model, when the user chose it
        _warm_up(loaded)
    except DlstudioError as error:
        say({"fatal": str(error)})
        return 1
    except Exception as error:  # noqa: BLE001  (said to the user, never a silent death)
        say({"fatal": f"The model could not be loaded ({error_summary(error)})."})
        return 1
    say({"ready": True, "kind": loaded.kind, "task": loaded.card["task"]})
    for line in requests:
        line = line.strip()
        if line == "quit":
            break
        if line:
            say(answer(loaded, line))
    return 0


def answer(loaded, line: str) -> dict:
    """One request's answer: predictions, or the one message that says what was wrong."""
    try:
        request = json.loads(line)
        if not isinstance(request, dict):
            raise ValueError("not an object")
    except ValueError:
        return {"id": None, "error": f"Unreadable request {line[:80]!r}."}
    ident = request.get("id")
    try:
        return {"id": ident, "predictions": _predictions(loaded, request)}
    except DlstudioError as error:
        return {"id": ident, "error": str(error)}
    except Exception as error:  # noqa: BLE001  (one bad input must not end the process)
        return {
            "id": ident,
            "error": f"The model could not take this input ({error_summary(error)}). "
            "Change the input and try again.",
        }


def _predictions(loaded, request: dict) -> list[dict]:
    from dlstudio.core.export.predict import (
        predict_image_list,
        predict_records,
        predict_text_list,
    )

    if "rows" in request:
        frame = predict_records(loaded, list(request["rows"]))
    elif "texts" in request:
        frame = predict_text_list(loaded, [str(t) for t in request["texts"]])
    elif "images" in request:
        frame = predict_image_list(loaded, list(request["images"]))
    else:
        raise DlstudioError(
            f"A request with {sorted(request)}.",
            "one of 'rows', 'texts' or 'images'",
            "Send the input under one of those keys.",
        )
    return records(loaded.card, frame)


def records(card: dict, frame) -> list[dict]:
    """predictions_frame's rows as plain answers."""
    predicted = f"predicted_{card['target']}"
    if card["task"] == "regression":
        return [{"value": float(v)} for v in frame[predicted]]
    answers = []
    for _, row in frame.iterrows():
        shares = {name: float(row[f"probability_{name}"]) for name in card["class_names"]}
        ranked = dict(sorted(shares.items(), key=lambda item: -item[1]))
        answers.append({"label": str(row[predicted]), "probabilities": ranked})
    return answers


def _warm_up(loaded) -> None:
    """One prediction on a kept test row: the first call traces the model (a second or so),
    which the user would otherwise wait for on their first keystroke."""
    import numpy as np

    from dlstudio.core.export.predict import predict_sample_arrays
    from dlstudio.core.export.writers import SAMPLE_FILE

    stored = loaded.folder / SAMPLE_FILE
    if not stored.is_file():
        return
    with np.load(stored) as arrays:
        inputs = {
            k: arrays[k][:1].astype(object) if arrays[k].dtype.kind == "U" else arrays[k][:1]
            for k in arrays
        }
    with contextlib.suppress(Exception):  # only a warm-up: the first request will tell
        predict_sample_arrays(loaded, inputs)
