"""What the top of the Results step says: the one-sentence verdict, then which run, trial and
architecture it is about, and the test-split metrics beside the baselines, in plain words.

Kept apart from results_page.py so that the words can be checked without building plots.
Everything that comes from the data (class names, run names, messages) is escaped: the title
is rich text, and a class called "<=50K" must read as itself.
"""

from __future__ import annotations

import html

from dlstudio.core.data.anomaly_data import JUDGE_ON_HINT
from dlstudio.core.data.series_view import JUDGE_ON_CONTROL
from dlstudio.core.families import family_for_task, resolve
from dlstudio.core.run_header import RunHeader
from dlstudio.core.verdict import NOT_LEARNED, describe
from dlstudio.core.wording import (
    higher_is_better,
    metric_label,
    metric_value,
    run_status,
    template_name,
    trial_words,
)

GOOD, BAD, NOTE, QUIET = "#1b5e20", "#b00020", "#8a5a00", "#555555"

METRIC_HELP = {
    "accuracy": "The share of test rows the model classified right.",
    "balanced_accuracy": "Accuracy counting every class equally: the mean, over classes, of "
    "the share of that class's rows found. Any constant guess gets 1 / classes.",
    "f1_macro": "Per class, a balance of how often a prediction of that class is right and "
    "how many of its rows are found; averaged over classes.",
    "log_loss": "How confident the model was in the right class (0 is perfect).",
    "auc": "How well the model ranks rows of a class above the others: 1 is perfect, 0.5 is "
    "guessing.",
    "mae": "How far off a prediction is on average, in the target's own units.",
    "rmse": "Like the mean absolute error, but large misses count more.",
    "r2": "The share of the target's variation the model explains: 1 is perfect, 0 is no "
    "better than always guessing the mean.",
}


def title_html(run, evaluation: dict, state: dict, card: dict) -> str:
    """The verdict first, coloured by its tone (green only for a clear lead over the trivial
    baseline with no classical model as good; amber for a lead within noise or a classical
    model as good or better; red for no better than guessing); then the run in words."""
    verdict = describe(evaluation)
    beats = verdict["beats_baseline"]
    colour = {"good": GOOD, "mixed": NOTE}.get(verdict.get("tone", ""), BAD)
    lines = [
        f"<span style='font-size:large; color:{colour}'><b>"
        f"{html.escape(verdict['headline'])}</b></span>"
    ]
    more = [html.escape(verdict["detail"])] if verdict["detail"] else []
    if verdict["classic_text"]:
        more.append(html.escape(verdict["classic_text"]))
    if verdict["model"] is not None and verdict["baseline"] is not None and not beats:
        more.append(f"<span style='color:{BAD}'>{html.escape(NOT_LEARNED)}</span>")
    if verdict.get("validation") and verdict["validation"]["beats_baseline"] != beats:
        side = "does" if verdict["validation"]["beats_baseline"] else "does not"
        more.append(html.escape(f"On the validation rows it {side} beat that guess."))
    if more:
        lines.append(" ".join(more))
    lines.append(
        f"<span style='color:{QUIET}'>{html.escape(run_words(run, evaluation, state, card))}</span>"
    )
    ensemble = evaluation.get("ensemble") or {}
    if ensemble.get("kept"):  # the model is not the best trial alone: say what it is
        lines.append(f"<span style='color:{QUIET}'>{html.escape(ensemble['text'])}</span>")
    if evaluation.get("partial"):
        lines.append(
            f"<span style='color:{NOTE}'><b>Partial model.</b> "
            f"{html.escape(str(evaluation['partial']))}</span>"
        )
    return "<br>".join(lines)


def run_words(run, evaluation: dict, state: dict, card: dict) -> str:
    """ "Run 20261202-1413 (finished) · best: trial 2 of 4, Multilayer perceptron (MLP) · 51
    test rows the model never saw while training." """
    name = state.get("name") or getattr(run, "id", "?")
    status = run_status(state.get("status") or "completed")
    trials = _trials(run)
    header = RunHeader.of(evaluation, card, state)
    record = next((t for t in trials if t.trial_id == header.best_trial_id), None)
    number = record.number if record is not None else _number(header.best_trial_id)
    trial = trial_words(number, len(trials) or None)
    template = template_name(header.template)
    rows = evaluation.get("rows", 0)
    which = f"best: {trial}" if len(trials) > 1 else "one trial"
    return (
        f"Run {name} ({status}) · {which}, {template} · tested on {rows:,} rows the model "
        "never saw while training."
    )


def _trials(run) -> list:
    try:
        return list(run.trials())
    except Exception:  # noqa: BLE001  (a damaged trials.jsonl only loses the "of N")
        return []


def _number(trial_id) -> int | None:
    """keras-tuner's ids count from 0 ("00", "3"); people count from 1."""
    try:
        return int(str(trial_id)) + 1
    except (TypeError, ValueError):
        return None


def metric_table(evaluation: dict) -> tuple[list[str], list[list[str]], list[str], list[int]]:
    """(headers, rows of text, a tooltip per row, the column of each row's best value or -1).

    Columns: the measure with which way is better, this model, always guessing (the trivial
    baseline, named plainly), and the classical model when the evaluation has one."""
    classification = evaluation.get("task") != "regression"
    baseline = dict(evaluation.get("baseline", {}))
    if classification and "balanced_accuracy" in evaluation.get("metrics", {}):
        present = [r for r in evaluation.get("per_class", []) if r.get("support")]
        baseline.setdefault("balanced_accuracy", 1 / max(1, len(present)))
    # Two-line headers keep the table narrow enough for its box beside the plots.
    headers = ["Measure", "This\nmodel", _baseline_header(evaluation)]
    classic = evaluation.get("classic")
    if not (isinstance(classic, dict) and classic.get("name") and classic.get("metrics")):
        classic = None  # none trained (no time left, or stopped): no empty column
    if classic is not None:
        headers.append(_classic_header(classic))
    rows, tips, best = [], [], []
    for name, value in evaluation.get("metrics", {}).items():
        values = [value, baseline.get(name)]
        if classic is not None:
            values.append((classic.get("metrics") or {}).get(name))
        label = metric_label(name).replace(" (", "\n(", 1)  # the way that is better below
        rows.append([label, *(metric_value(name, v) if v is not None else "" for v in values)])
        tips.append(METRIC_HELP.get(name, ""))
        best.append(_best_column(name, values))
    return headers, rows, tips, best


def _baseline_header(evaluation: dict) -> str:
    if evaluation.get("task") == "regression":
        return "Always guessing\nthe mean"
    guessed = (evaluation.get("baseline") or {}).get("class")  # by weight, in weighted runs
    if guessed is not None:
        return f"Always guessing\n‘{guessed}’"
    rows = [r for r in evaluation.get("per_class", []) if r.get("support") is not None]
    if not rows:
        return "Always guessing\nthe most common class"
    most = max(r["support"] for r in rows)
    return f"Always guessing\n‘{next(r['class'] for r in rows if r['support'] == most)}’"


def _classic_header(classic: dict) -> str:
    name = str(classic.get("name") or "Classical model")
    name = name.replace(" + ", " +\n", 1)  # "TF-IDF + logistic regression" on two lines
    seconds = classic.get("seconds")
    took = ""
    if isinstance(seconds, int | float):
        took = f", {seconds:.1f} s" if seconds < 10 else f", {seconds:.0f} s"
    return f"{name[0].upper()}{name[1:]}\n(classical{took})"


def _best_column(name: str, values: list) -> int:
    """1 + the index of the best of `values` (a table column), or -1 when fewer than two."""
    known = [(v, i) for i, v in enumerate(values) if v is not None and v == v]
    if len(known) < 2:
        return -1
    pick = max if higher_is_better(name) else min
    value, index = pick(known, key=lambda pair: pair[0])
    if sum(1 for v, _ in known if v == value) > 1:
        return -1  # a tie: no winner to point at
    return index + 1


# ---------------------------------------------------------------- forecast and anomaly runs

FORECAST_HELP = {
    "mae": "How far off a forecast is on average, in the series' own units.",
    "rmse": "Like the mean absolute error, but large misses count more.",
    "smape": "The error as a share of the values' size, in % (0 is perfect, 200 the worst).",
    "mase": "The mean error divided by that of repeating the value one season earlier on the "
    "training part: below 1 beats that simple rule.",
}
BASELINE_WORDS = {
    "last value": "Repeat the\nlast value",
    "seasonal naive": "Repeat one\nseason earlier",
    "mean": "The mean of\nthe past",
}


def forecast_table(evaluation: dict) -> tuple[list[str], list[list[str]], list[str], list[int]]:
    """(headers, rows, tooltips, best column per row) of a forecast run's test backtest: the
    model beside the baselines and the classical reference, as metric_table's."""
    metrics = evaluation.get("metrics", {})
    baselines = evaluation.get("baselines", {})
    columns = [("This\nmodel", metrics)]
    columns += [(BASELINE_WORDS.get(name, name), values) for name, values in baselines.items()]
    classic = evaluation.get("classic") or {}
    if classic.get("metrics"):
        columns.append((_classic_header(classic), classic["metrics"]))
    headers = ["Measure", *(header for header, _ in columns)]
    rows, tips, best = [], [], []
    for name in ("mae", "rmse", "smape", "mase"):
        if name not in metrics:
            continue
        values = [column.get(name) for _, column in columns]
        label = metric_label(name).replace(" (", "\n(", 1)
        text = [
            metric_value(name, v) + (" %" if name == "smape" and v is not None else "")
            for v in values
        ]
        rows.append([label, *text])
        tips.append(FORECAST_HELP[name])
        best.append(_best_column(name, values))
    return headers, rows, tips, best


def series_title_html(run, evaluation: dict, state: dict, card: dict) -> str:
    """The verdict of a forecast or anomaly run (as saved in evaluation.json), coloured by
    whether it beats its reference, then the run in words."""
    header = RunHeader.of(evaluation, card, state)
    beats = header.beats_baseline
    colour = GOOD if beats else QUIET if beats is None else BAD
    if header.tone:  # green only for a clear lead, as for tables
        colour = NOTE if header.tone == "mixed" else BAD
    headline, rest = _window_words(header.headline), _window_words(header.detail)
    lines = [f"<span style='font-size:large; color:{colour}'><b>{html.escape(headline)}</b></span>"]
    if rest:
        lines.append(html.escape(rest))
    lines.append(
        f"<span style='color:{QUIET}'>{html.escape(series_run_words(run, evaluation, state, card))}</span>"
    )
    return "<br>".join(lines)


def _window_words(text: str) -> str:
    """A saved verdict (what normal was learnt from, what it was judged on) in the window's
    words: its control to judge on another recording, not the command line's flag."""
    return text.replace(JUDGE_ON_HINT, f"“{JUDGE_ON_CONTROL}” on the Data step")


def series_run_words(run, evaluation: dict, state: dict, card: dict) -> str:
    """ "Run 20261202-1413 (finished) · best: trial 2 of 5, LSTM · 11 test origins, 12 monthly
    steps ahead each." """
    name = state.get("name") or getattr(run, "id", "?")
    status = run_status(state.get("status") or "completed")
    trials = _trials(run)
    header = RunHeader.of(evaluation, card, state)
    record = next((t for t in trials if t.trial_id == header.best_trial_id), None)
    trial = trial_words(record.number if record else None, len(trials) or None)
    template = template_name(header.template)
    which = f"best: {trial}" if len(trials) > 1 else "one trial"
    family = family_for_task(header.task)
    what = resolve(family.tested_words)(evaluation, card) if family.tested_words else ""
    return f"Run {name} ({status}) · {which}, {template}" + (f" · {what}" if what else "")


def anomaly_counts_words(at, series: bool = True) -> str:
    """ "Flags 41 of 4,032 scored windows · catches 31 % of the 402 labelled readings (125) ·
    30 % of its flags are real · F1 30 %." for an AtAnomalyThreshold (core/series_results.py);
    `series`: windows of readings, else rows of a table."""
    scored, labelled = ("windows", "readings") if series else ("rows", "rows")
    words = f"Flags {at.flagged:,} of {at.rows:,} scored {scored}"
    if at.labelled is None:
        return words + ". Without labels, precision and recall cannot be measured."
    return (
        f"{words} · catches {metric_value('recall', at.recall)} of the {at.labelled:,} "
        f"labelled {labelled} ({at.caught:,}) · {metric_value('precision', at.precision)} of "
        f"its flags are real · F1 {metric_value('recall', at.f1)}."
    )
