"""How well anomaly scores match the labels, beside two references, in plain words.

Point-wise: ROC AUC (1.0: every anomaly scores above every normal row; 0.5: a random score),
PR AUC (average precision), and precision / recall / F1 of the flags at the threshold. For
labelled windows of a series: the share of windows with at least one flag inside, and how
early in the window the first flag came. The references are a random score (ROC AUC 0.5 by
construction) and scikit-learn's IsolationForest fitted on the same normal data.
"""

from __future__ import annotations

import numpy as np

from dlstudio.core.wording import metric_value


def threshold_for(validation_scores: np.ndarray, all_scores: np.ndarray, settings) -> dict:
    """The flagging threshold: the share of scores to flag (contamination) or a quantile of
    the normal validation scores; with the rule that set it, in words."""
    if settings.contamination:
        value = float(np.quantile(all_scores, 1.0 - settings.contamination))
        rule = f"flags the {settings.contamination:.1%} highest scores"
    else:
        value = float(np.quantile(validation_scores, settings.quantile))
        rule = f"above {settings.quantile:.1%} of the scores of normal validation data"
    return {"value": value, "rule": rule}


def point_metrics(scores: np.ndarray, labels: np.ndarray, threshold: float) -> dict:
    """ROC AUC, PR AUC and precision / recall / F1 at the threshold; NaN scores are left out."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    keep = ~np.isnan(scores)
    scores, labels = scores[keep], labels[keep].astype(bool)
    flags = scores > threshold
    result = {
        "rows_scored": int(len(scores)),
        "anomalies": int(labels.sum()),
        "flagged": int(flags.sum()),
    }
    if 0 < labels.sum() < len(labels):
        result["roc_auc"] = float(roc_auc_score(labels, scores))
        result["pr_auc"] = float(average_precision_score(labels, scores))
        result["pr_auc_random"] = float(labels.mean())
    caught = int((flags & labels).sum())
    precision = caught / flags.sum() if flags.sum() else 0.0
    recall = caught / labels.sum() if labels.sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    result.update(precision=float(precision), recall=float(recall), f1=float(f1))
    return result


def window_metrics(
    scores: np.ndarray, threshold: float, windows: list[tuple[int, int]], times=None
) -> dict:
    """Share of labelled windows with a flag inside, and how far into them the first flag came
    (0 %: at the start), per window and on average."""
    flags = np.nan_to_num(scores, nan=-np.inf) > threshold
    details, delays = [], []
    for start, end in windows:
        hits = np.flatnonzero(flags[start : end + 1])
        entry = {"start": int(start), "end": int(end), "caught": bool(len(hits))}
        if times is not None:
            entry["start_time"] = str(times.iloc[start])
            entry["end_time"] = str(times.iloc[end])
        if len(hits):
            share = hits[0] / max(1, end - start)
            entry["first_flag_share"] = float(share)
            delays.append(share)
            if times is not None:
                entry["first_flag_time"] = str(times.iloc[start + hits[0]])
        details.append(entry)
    return {
        "windows": len(windows),
        "windows_caught": sum(d["caught"] for d in details),
        "window_recall": (sum(d["caught"] for d in details) / len(windows)) if windows else None,
        "mean_first_flag_share": float(np.mean(delays)) if delays else None,
        "details": details,
    }


def isolation_forest_scores(train: np.ndarray, samples: np.ndarray, seed: int) -> np.ndarray:
    """IsolationForest fitted on the same normal samples (flattened windows), higher = odder.
    Missing readings become the training mean, as in the model."""
    from sklearn.ensemble import IsolationForest

    flat_train = train.reshape(len(train), -1)
    flat = samples.reshape(len(samples), -1)
    mean = np.nanmean(flat_train, axis=0)
    mean = np.where(np.isnan(mean), 0.0, mean)
    flat_train = np.where(np.isnan(flat_train), mean, flat_train)
    flat = np.where(np.isnan(flat), mean, flat)
    forest = IsolationForest(n_estimators=200, random_state=seed).fit(flat_train)
    return -forest.score_samples(flat)


def verdict(evaluation: dict) -> dict:
    """The one-sentence answer (house style of core/verdict.py): is the model's score better
    than a random score, and than IsolationForest? The detail says what normal was learnt
    from and what the model was judged on."""
    test = evaluation.get("metrics", {})
    provenance = " ".join(
        evaluation[key] for key in ("learnt_from", "judged_on") if evaluation.get(key)
    )
    auc = test.get("roc_auc")
    forest = (evaluation.get("baselines", {}).get("isolation_forest") or {}).get("roc_auc")
    flagged = test.get("flagged")
    if auc is None:
        headline = (
            f"Flags {flagged} of {test.get('rows_scored')} scored rows "
            f"({evaluation.get('threshold', {}).get('rule', '')}). Without labels, how many of "
            "them are real anomalies cannot be measured: look at the top ones."
        )
        return {
            "metric": "roc_auc",
            "model": None,
            "baseline": 0.5,
            "beats_baseline": None,
            "headline": headline,
            **({"detail": provenance} if provenance else {}),
            "text": f"{headline} {provenance}".strip(),
            "verdict": "unlabelled",
        }
    beats = auc >= 0.6
    words = (
        "ranks labelled anomalies above normal readings "
        f"{'clearly better' if auc >= 0.7 else 'better' if beats else 'no better'} than chance"
    )
    headline = f"The model {words}: ROC AUC {auc:.2f} against 0.50 for a random score"
    if forest is not None:
        compare = (
            "above" if auc > forest + 0.02 else "below" if auc < forest - 0.02 else "level with"
        )
        headline += f", {compare} IsolationForest ({forest:.2f})"
    headline += "."
    recall = test.get("recall", 0.0)
    precision = test.get("precision", 0.0)
    detail = (
        f"At the threshold it catches {metric_value('recall', recall)} of anomalous readings, "
        f"and {metric_value('precision', precision)} of its flags are real."
    )
    windows = evaluation.get("windows") or {}
    if windows.get("windows"):
        detail += (
            f" {windows['windows_caught']} of {windows['windows']} labelled window(s) get "
            "at least one flag."
        )
    if provenance:
        detail += f" {provenance}"
    return {
        "metric": "roc_auc",
        "model": auc,
        "baseline": 0.5,
        "isolation_forest": forest,
        "beats_baseline": beats,
        "headline": headline,
        "detail": detail,
        "text": f"{headline} {detail}",
        "verdict": "better" if beats else "no_better",
    }
