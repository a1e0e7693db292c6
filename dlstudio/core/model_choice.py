"""Which of a run's two models is in use: its network, or the classical model trained beside it.

Every table or text run also trains a classical model on the same split (engine/classic.py)
and keeps it as an ONNX file in the run folder (export/classic_onnx.py). When it validates
better on the run's objective, the Results step offers "Use gradient boosting (classical)",
as Orange's Test & Score lets a user pick the winner; `dlstudio use RUN classical|network`
does the same. The choice is a small JSON file in the run (CHOICE_FILE); `dlstudio predict`,
the Export step's predictions, Try it and `dlstudio export` follow it, and the model card
says which model is in use and why.

No Keras, no scikit-learn here: the window reads and writes the choice in its own process.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dlstudio.core.errors import DlstudioError
from dlstudio.core.paths import EVALUATION_FILE, MODEL_CARD_TEXT
from dlstudio.core.project import atomic_write_json, atomic_write_text
from dlstudio.core.storage import read_json_object
from dlstudio.core.wording import metric_name, metric_value

CHOICE_FILE = "model_choice.json"
CLASSIC_FILE = "classic.onnx"  # export/classic_onnx.py writes it
NETWORK, CLASSICAL = "network", "classical"
CHOICES = (NETWORK, CLASSICAL)
_CARD_LINE = re.compile(r"^\*\*Model in use:\*\*.*\n\n?", re.MULTILINE)


@dataclass(frozen=True)
class ClassicalOffer:
    """Whether the run's classical model can be used, and whether it validated better."""

    available: bool
    better: bool = False
    name: str = ""  # "Gradient boosting", "TF-IDF + logistic regression", …
    reason: str = ""  # why it cannot be used, when it cannot
    comparison: str = ""  # "validation log loss 0.041 vs the network's 0.067"

    @property
    def label(self) -> str:
        """The button's words: "Use gradient boosting (classical)"."""
        return f"Use {lower_first(self.name or 'the classical model')} (classical)"


def classical_offer(folder: str | Path) -> ClassicalOffer:
    """What the run in `folder` offers: its classical model, or why not."""
    folder = Path(folder)
    evaluation = read_json_object(folder / EVALUATION_FILE) or {}
    classic = evaluation.get("classic")
    if not isinstance(classic, dict) or not classic.get("name"):
        why = (classic or {}).get("reason") if isinstance(classic, dict) else None
        return ClassicalOffer(
            False,
            reason=f"This run has no classical model. {why or 'None was trained for it.'}",
        )
    name = str(classic["name"])
    versus = classic.get("versus") if isinstance(classic.get("versus"), dict) else {}
    better = bool(versus.get("classic_better"))
    comparison = _comparison(versus)
    onnx = classic.get("onnx") if isinstance(classic.get("onnx"), dict) else None
    if onnx is None:
        reason = (
            "This run kept no file of its classical model (runs trained before dlstudio kept "
            "one); train again to be offered it."
        )
    elif not onnx.get("file"):
        reason = f"Its classical model cannot be used: {onnx.get('reason', 'no file was kept')}."
    elif not (folder / onnx["file"]).is_file():
        reason = f"Its classical model's file {onnx['file']!r} is no longer in the run folder."
    elif not _installed("onnxruntime"):
        reason = (
            "Using the classical model needs onnxruntime, which is not installed here "
            "(pip install 'dlstudio[onnx]')."
        )
    else:
        reason = ""
    return ClassicalOffer(not reason, better, name, reason, comparison)


def model_in_use(folder: str | Path) -> str:
    """NETWORK or CLASSICAL: the user's choice, or the network when none was made (or the
    classical model's file is gone)."""
    folder = Path(folder)
    choice = read_json_object(folder / CHOICE_FILE) or {}
    if choice.get("model") == CLASSICAL and (folder / CLASSIC_FILE).is_file():
        return CLASSICAL
    return NETWORK


def use_model(folder: str | Path, which: str) -> dict:
    """Record that the run in `folder` uses `which` (NETWORK or CLASSICAL) from now on, and say
    so in its model_card.md.

    Returns:
        The choice as written: {"model", "name", "sentence", "chosen"}.

    Raises:
        DlstudioError: An unknown choice, or the classical model asked for where the run
            cannot use one (with why).
    """
    folder = Path(folder)
    if which not in CHOICES:
        raise DlstudioError(
            f"{which!r} is not a model of a run.",
            f"one of {', '.join(CHOICES)}",
            "e.g. `dlstudio use RUN classical`.",
        )
    offer = classical_offer(folder)
    if which == CLASSICAL and not offer.available:
        raise DlstudioError(
            offer.reason,
            "a run whose classical model was trained and kept as a checked ONNX file",
            "Keep using its network, or train again with scikit-learn, skl2onnx and "
            "onnxruntime installed (pip install 'dlstudio[onnx]').",
        )
    choice = {
        "model": which,
        "name": offer.name if which == CLASSICAL else "network",
        "chosen": datetime.now().isoformat(timespec="seconds"),
    }
    choice["sentence"] = in_use_sentence(choice, offer)
    atomic_write_json(folder / CHOICE_FILE, choice)
    _mark_card(folder / MODEL_CARD_TEXT, choice["sentence"])
    return choice


def in_use_sentence(choice: dict | None, offer: ClassicalOffer | None = None) -> str:
    """ "Model in use: gradient boosting (classical), because it validated better: validation
    log loss 0.041 vs the network's 0.067."; "" for a run that uses its network by default."""
    if not choice:
        return ""
    if choice.get("model") != CLASSICAL:
        return "Model in use: the network (chosen by the user)."
    name = lower_first(str(choice.get("name") or "the classical model"))
    if offer is not None and offer.better:
        why = f"because it validated better: {offer.comparison}" if offer.comparison else ""
    elif offer is not None and offer.comparison:
        why = f"chosen by the user, although the network validated better: {offer.comparison}"
    else:
        why = "chosen by the user"
    return f"Model in use: {name} (classical), {why}.".replace(", .", ".")


def current_sentence(folder: str | Path) -> str:
    """The sentence for the run's recorded choice ("" when none was made)."""
    choice = read_json_object(Path(folder) / CHOICE_FILE)
    if not choice or model_in_use(folder) != choice.get("model"):
        return ""
    return in_use_sentence(choice, classical_offer(folder))


def _comparison(versus: dict) -> str:
    metric = versus.get("metric")
    ours, theirs = versus.get("classic"), versus.get("network")
    if not metric or ours is None or theirs is None:
        return ""
    label = lower_first(metric_name(metric))
    return (
        f"validation {label} {metric_value(metric, ours)} vs the network's "
        f"{metric_value(metric, theirs)}"
    )


def _mark_card(path: Path, sentence: str) -> None:
    """model_card.md says which model is in use, under its title (written without Keras)."""
    if not path.is_file():
        return
    text = _CARD_LINE.sub("", path.read_text(encoding="utf-8"))
    head, _, rest = text.partition("\n\n")
    atomic_write_text(path, f"{head}\n\n**{sentence.replace(':', ':**', 1)}\n\n{rest}")


def card_line(sentence: str) -> str:
    """The sentence as model_card.md writes it (bold up to its colon), with a blank line."""
    return f"**{sentence.replace(':', ':**', 1)}\n\n" if sentence else ""


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text and not text[:5].isupper() else text


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None
