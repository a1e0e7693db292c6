"""An average of the best few trials, as one Keras model, kept only when it validates better.

When a search ends with two or more finished trials, their networks are rebuilt from the weights
each trial kept (supervised_trials.py), and members are picked by greedy forward selection
with replacement on the validation split (Caruana et al. 2004, "Ensemble selection from
libraries of models"; AutoGluon's weighted ensemble does the same): start from the best trial,
then repeatedly add whichever candidate improves the average most, stop when none does. A trial
picked twice counts twice in the average. When that selection finds no clear gain and the
search trained the best configuration more than once (tuner.repeat_best), those trainings are
averaged with equal weights instead, if that validates better than one of them on average.

The result is ONE functional model: the members are sub-models reading the same raw inputs, and
an Average layer combines their probabilities (classes) or their values in the user's units
(numbers: each member is unscaled first, since the average of logarithms is not the logarithm
of the average). It holds only built-in layers, so it loads in safe mode and exports like a
single trial's model.

Everything here is measured on the validation split only; the test split stays untouched until
the chosen model is evaluated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers, ops

from dlstudio.core.data import Task
from dlstudio.core.data.prepare import PreparedData
from dlstudio.core.engine.evaluate import evaluate_predictions
from dlstudio.core.events import TrialRecord, TrialStatus
from dlstudio.core.search.budget import AVERAGED_MOST
from dlstudio.core.wording import listed, metric_name, metric_value

# The best finished trials considered; more rarely help and cost time (and the search keeps
# time free for rebuilding this many: budget.py).
MAX_CANDIDATES = AVERAGED_MOST
MAX_ROUNDS = 8  # additions of the greedy selection (with replacement), at most
# Each addition must beat the average so far by more than float noise.
MIN_GAIN = 1e-6
# And the whole average must beat the best trial alone by this share of its loss or error (or
# of 1 - accuracy): on validation splits of a few hundred rows a smaller gain is mostly the
# selection fitting that split. Titanic (134 validation rows, 180 s): an average 1 % better on
# validation log loss was 2 % worse on test; diamonds (750 rows): 2.4 % better on validation
# MAE, 6 % better on test.
MIN_RELATIVE_GAIN = 0.02


def selection_metric(objective: str, task: Task) -> tuple[str, str]:
    """The evaluate_predictions metric that stands for the run's objective, and its direction.

    The network's own validation loss differs between trials of a regression (MSE, MAE or Huber
    are hyperparameters), so numbers are compared by their error in the target's units."""
    if "accuracy" in objective:
        return "accuracy", "max"
    if "auc" in objective:
        return "auc", "max"
    if task is Task.REGRESSION:
        return ("rmse", "min") if "rmse" in objective else ("mae", "min")
    return "log_loss", "min"


@dataclass
class Candidate:
    """One finished trial's network and its validation output (as evaluate_predictions takes
    it: positive-class probability, class probabilities, or the value in the user's units)."""

    trial_id: str
    number: int
    network: keras.Model
    validation: np.ndarray


def validation_scorer(data: PreparedData, metric: str) -> Callable[[np.ndarray], float]:
    """Scores one validation output on `metric` (the same numbers the evaluation reports,
    weighted when the rows carry weights)."""
    train_mean, weights = data.baseline_mean(), data.weights("validation")

    def score(output: np.ndarray) -> float:
        result = evaluate_predictions(
            data.task, data.y["validation"], output, data.class_names, train_mean, weights
        )
        return float(result["metrics"].get(metric, float("nan")))

    return score


def greedy_selection(
    outputs: list[np.ndarray],
    score: Callable[[np.ndarray], float],
    direction: str,
    rounds: int = MAX_ROUNDS,
) -> tuple[list[int], float]:
    """Caruana's forward selection with replacement: indices of `outputs` (repeats allowed)
    whose plain average scores best, and that score. `outputs[0]` must be the best alone; the
    selection starts from it, and returns it alone unless the average is clearly better
    (MIN_RELATIVE_GAIN)."""
    better = (
        (lambda a, b: a > b + MIN_GAIN) if direction == "max" else (lambda a, b: a < b - MIN_GAIN)
    )
    chosen = [0]
    total = np.asarray(outputs[0], dtype=np.float64)
    best = alone = score(total)
    for _ in range(rounds - 1):
        trials = [
            score((total + np.asarray(o, dtype=np.float64)) / (len(chosen) + 1)) for o in outputs
        ]
        finite = [(s, i) for i, s in enumerate(trials) if np.isfinite(s)]
        if not finite:
            break
        pick = (max if direction == "max" else min)(finite)
        if not better(pick[0], best):
            break
        best = pick[0]
        chosen.append(pick[1])
        total = total + np.asarray(outputs[pick[1]], dtype=np.float64)
    if not _clearly_better(best, alone, direction):
        return [0], alone
    return chosen, best


def _clearly_better(score: float, alone: float, direction: str) -> bool:
    """`score` beats `alone` by MIN_RELATIVE_GAIN of what is left to gain (a loss, an error,
    or 1 - a share such as accuracy)."""
    if direction == "max":
        return (1.0 - score) <= (1.0 - alone) * (1.0 - MIN_RELATIVE_GAIN) and score > alone
    return score <= alone * (1.0 - MIN_RELATIVE_GAIN) and score < alone


def ensemble_network(networks: list[keras.Model], counts: list[int], data: PreparedData):
    """One model over the same raw inputs: the members' outputs averaged, each member counted
    `counts[i]` times. For numbers the output is already in the user's units (see the module
    docstring); returns (model, in_user_units)."""
    first = networks[0]
    inputs = {
        t.name: keras.Input(shape=t.shape[1:], dtype=t.dtype, name=t.name) for t in first.inputs
    }
    regression = data.task is Task.REGRESSION
    averaged = []
    for index, (trained, count) in enumerate(zip(networks, counts, strict=True)):
        # Each trial's network as a sub-model of its own: uncompiled (a compiled one carries
        # its training metrics into the file, which safe mode cannot load) and with a name
        # unique in the ensemble, as Keras requires.
        network = keras.Model(trained.inputs, trained.outputs[0], name=f"member_{index + 1}")
        feed = [inputs[t.name] for t in network.inputs]
        feed = feed[0] if len(feed) == 1 else feed
        output = network(feed)
        if regression and data.target_scaling is not None:
            output = _unscaled(output, data, index)
        averaged += [output] * count
    combined = averaged[0] if len(averaged) == 1 else layers.Average(name="average")(averaged)
    return keras.Model(inputs, combined, name="ensemble"), regression


def _unscaled(output, data: PreparedData, index: int):
    """A member's scaled value in the user's units, with built-in layers (safe-mode loadable),
    exactly as export/model.inference_model does for a single network."""
    scaling = data.target_scaling
    output = layers.Rescaling(scaling.std, scaling.mean, name=f"unscale_{index + 1}")(output)
    if scaling.log:  # exp(x) - 1, not expm1: ONNX has no Expm1 operation
        output = ops.exp(ops.clip(output, scaling.low, scaling.high)) - 1.0
    return output


def members_text(chosen: list[int], candidates: list[Candidate]) -> str:
    """ "trials 3, 7 and 9" or "trial 7 (counted twice) and trial 9"."""
    counts = Counter(chosen)
    parts = []
    for index in sorted(counts, key=lambda i: candidates[i].number):
        times = counts[index]
        weight = "" if times == 1 else f" (counted {_times(times)})"
        parts.append(f"{candidates[index].number}{weight}")
    if len(parts) == 1:
        return f"trial {parts[0]}"
    return "trials " + listed(parts)


def _times(count: int) -> str:
    return {2: "twice", 3: "three times"}.get(count, f"{count} times")


def try_ensemble(
    records: list[TrialRecord],
    best: TrialRecord,
    best_network: keras.Model,
    stored_output: Callable[[str], np.ndarray | None],
    rebuild: Callable[[str], keras.Model],
    data: PreparedData,
    objective: str,
    seconds_left: Callable[[], float | None],
    seconds_per_member: tuple[float, float],
) -> tuple[keras.Model | None, dict | None]:
    """The ensemble of the best finished trials, if it validates better than `best` alone.

    Members are chosen from the validation outputs each finished trial stored as it ended
    (supervised_trials.py), so only the chosen ones are rebuilt.

    Args:
        records: The run's TrialRecords; only finished (completed) trials are candidates.
        best: The best trial's record; `best_network` its network, already rebuilt.
        stored_output: A trial's raw network output on the validation rows, None if absent.
        rebuild: A trial id's network with its saved weights, ready to predict.
        seconds_left: Seconds this step may still take (None: no budget).
        seconds_per_member: What rebuilding one network takes here, and what one network's
            pass over the validation and test rows takes.

    Returns:
        (network over the raw inputs, in the user's units for numbers, or None to keep `best`
        alone; a JSON-ready account for evaluation.json and the card, or None when fewer than
        two finished trials can be compared).
    """
    direction = "max" if "accuracy" in objective or "auc" in objective else "min"
    finished = [
        r
        for r in records
        if r.status is TrialStatus.COMPLETED and r.score is not None and np.isfinite(r.score)
    ]
    if best.partial or best.trial_id not in {r.trial_id for r in finished}:
        return None, None
    sign = -1.0 if direction == "max" else 1.0
    finished.sort(key=lambda r: (r.trial_id != best.trial_id, sign * r.score))
    candidates = []
    for record in finished:
        raw = stored_output(record.trial_id)
        if raw is not None and len(raw) == len(data.y["validation"]):
            evaluated = as_evaluated(raw, data)
            candidates.append(Candidate(record.trial_id, record.number, None, evaluated))
        if len(candidates) == MAX_CANDIDATES:
            break
    if len(candidates) < 2 or candidates[0].trial_id != best.trial_id:
        return None, None
    candidates[0].network = best_network
    metric, metric_direction = selection_metric(objective, data.task)
    score = validation_scorer(data, metric)
    chosen, averaged = greedy_selection([c.validation for c in candidates], score, metric_direction)
    single = score(candidates[0].validation)
    label = _metric_words(metric)
    account = {
        "metric": metric,
        "single": {"trial_id": best.trial_id, "number": best.number, "validation": single},
        "candidates": [c.number for c in candidates],
        "validation": averaged,
        "kept": False,
    }
    bag = None
    if len(set(chosen)) < 2:
        bag = _averaged_trainings(best, finished, candidates, score, metric_direction, data, single)
        if bag is not None:
            chosen, averaged, typical = bag
            account["validation"] = averaged
    if len(set(chosen)) < 2:
        account["text"] = (
            f"No average of the best {len(candidates)} trials beat trial {best.number} alone by "
            f"{MIN_RELATIVE_GAIN * 100:.0f} % or more on the validation {label} "
            f"({_number(metric, single)}), so the model is that trial."
        )
        return None, account
    if bag is None and data.class_names is not None and metric != "accuracy":
        # Classes: an average chosen on log loss can be surer yet right on fewer rows (SMS
        # spam at 60 and 180 s: lower loss, 0.5 points lower test accuracy); it is never kept
        # when it is right on fewer validation rows than the best trial alone.
        right = validation_scorer(data, "accuracy")
        average = np.mean([candidates[i].validation for i in chosen], axis=0)
        if right(average) < right(candidates[0].validation):
            account["text"] = (
                f"An average of {members_text(chosen, candidates)} had a better validation "
                f"{label} ({_number(metric, averaged)} vs {_number(metric, single)}) but was "
                f"right on fewer validation rows ({right(average):.1%} vs "
                f"{right(candidates[0].validation):.1%}), so the model is trial {best.number} "
                "alone."
            )
            return None, account
    counts = Counter(chosen)
    members = sorted(counts)
    # Rebuilding the others, one pass of the average over the validation and test rows, and
    # one of the best trial alone over the test rows (the comparison the evaluation reports).
    rebuild_s, predict_s = seconds_per_member
    needed = rebuild_s * (len(members) - 1) + predict_s * (len(members) + 1)
    left = seconds_left()
    if left is not None and left < needed:
        account["text"] = (
            f"An average of {members_text(chosen, candidates)} validated better "
            f"({_number(metric, averaged)} vs {_number(metric, single)}), but the budget was "
            f"ending, so the model is trial {best.number} alone."
        )
        return None, account
    for index in members[1:]:
        candidates[index].network = rebuild(candidates[index].trial_id)
    network, _ = ensemble_network(
        [candidates[i].network for i in members], [counts[i] for i in members], data
    )
    account.update(
        kept=True,
        members=[
            {
                "trial_id": candidates[i].trial_id,
                "number": candidates[i].number,
                "weight": counts[i] / len(chosen),
            }
            for i in members
        ],
        text=(
            f"The model is an average of {members_text(chosen, candidates)}: validation {label} "
            f"{_number(metric, averaged)} vs {_number(metric, single)} for trial {best.number} "
            "alone."
        )
        if bag is None
        else (
            f"The model is an average of {len(chosen)} trainings of one configuration "
            f"({members_text(chosen, candidates)}): validation {label} "
            f"{_number(metric, averaged)}, against {_number(metric, typical)} for one of them "
            f"on average ({_number(metric, single)} for trial {best.number}, the best alone)."
        ),
    )
    return network, account


def _averaged_trainings(best, finished, candidates, score, direction, data, single):
    """The candidates that trained the best trial's configuration (the search repeats it in
    the second half of its budget, tuner.repeat_best), averaged with equal weights, if that
    validates better than one of them does on average (and, for classes, is right on at
    least as many validation rows) and within MIN_RELATIVE_GAIN of the best alone (`single`;
    further behind, a poorly trained member drags it): (indices, its score, a member's
    average score), or None.

    They are not compared with the best of them alone, as the selection of mixed trials is:
    among trainings that differ only by their random seeds the best validation score is the
    luckiest, and picking it fits the validation rows (the first benchmark with repeats kept
    such single trials on Titanic, penguins and breast cancer, and lost 1 to 5 test rows on
    each). An average of
    trainings of one configuration is the deep-ensemble recipe (Lakshminarayanan et al.
    2017): it lowers the variance and rarely costs accuracy."""
    settings = {r.trial_id: r.hyperparameters for r in finished}
    same = [i for i, c in enumerate(candidates) if settings.get(c.trial_id) == best.hyperparameters]
    if len(same) < 2:
        return None
    average = np.mean([candidates[i].validation for i in same], axis=0)
    averaged = score(average)
    typical = float(np.mean([score(candidates[i].validation) for i in same]))
    if direction == "max":
        better = averaged > typical and (1 - averaged) <= (1 - single) * (1 + MIN_RELATIVE_GAIN)
    else:
        better = averaged < typical and averaged <= single * (1 + MIN_RELATIVE_GAIN)
    if data.class_names is not None:
        right = validation_scorer(data, "accuracy")
        better &= right(average) >= np.mean([right(candidates[i].validation) for i in same])
    return (same, averaged, typical) if better else None


def as_evaluated(raw: np.ndarray, data: PreparedData) -> np.ndarray:
    """A network's raw output as evaluate_predictions takes it: the positive class's
    probability, class probabilities, or the value in the user's units."""
    raw = np.asarray(raw, dtype=np.float64)
    if data.task is Task.REGRESSION:
        value = raw.reshape(-1)
        return value if data.target_scaling is None else data.target_scaling.unscale(value)
    return raw.reshape(-1) if data.task is Task.BINARY else raw


def _metric_words(metric: str) -> str:
    name = metric_name(metric)
    return name if name.isupper() else name[0].lower() + name[1:]


def _number(metric: str, value: float) -> str:
    return metric_value(metric, value)
