"""What every run's results say first, whatever its family: the typed header of its evaluation
and model card. Each family writes its own body (a table's per-class scores, a forecast's
origins, an anomaly's threshold); the header is read the same way for all of them, from the
shapes every version wrote (a verdict's "headline" or only its "text"; the best trial as
"best_trial_id" or as "best_trial": {"trial_id"}; the template on the card or among its
hyperparameters), so that run folders from before open as they did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dlstudio.core.families import family_for_task, resolve


@dataclass(frozen=True)
class RunHeader:
    """The common header of a finished run.

    Attributes:
        task: The problem it solved ("multiclass", "forecast", …; None: not recorded).
        family: The family that trained it.
        headline: The verdict's first sentence; `detail` the rest.
        beats_baseline: Whether it beats the trivial baseline (None: cannot say).
        tone: "mixed" or "bad" when the verdict is not a clear lead, else None.
        best_trial_id: The trial its model came from.
        template: The architecture of that trial.
        metrics: The test-split scores.
    """

    task: str | None
    family: str
    headline: str = ""
    detail: str = ""
    beats_baseline: bool | None = None
    tone: str | None = None
    best_trial_id: str | None = None
    template: str | None = None
    metrics: dict = field(default_factory=dict)

    @classmethod
    def of(cls, evaluation: dict | None, card: dict | None, state: dict | None) -> RunHeader:
        evaluation, card, state = evaluation or {}, card or {}, state or {}
        task = evaluation.get("task") or card.get("task")
        family = family_for_task(task)
        verdict = (resolve(family.verdict)(evaluation) if family.verdict else None) or (
            evaluation.get("verdict") or {}
        )
        headline = verdict.get("headline") or verdict.get("text") or ""
        detail = verdict.get("detail") or verdict.get("text", "").replace(headline, "").strip()
        best = (
            state.get("best_trial_id")
            or evaluation.get("best_trial_id")
            or (evaluation.get("best_trial") or {}).get("trial_id")
        )
        template = card.get("template") or (card.get("hyperparameters") or {}).get("template")
        return cls(
            task=task,
            family=family.name,
            headline=headline,
            detail=detail,
            beats_baseline=verdict.get("beats_baseline"),
            tone=verdict.get("tone") if verdict.get("tone") in ("mixed", "bad") else None,
            best_trial_id=None if best is None else str(best),
            template=template or evaluation.get("template"),
            metrics=dict(evaluation.get("metrics") or {}),
        )

    @classmethod
    def read(cls, run) -> RunHeader:
        """The header of `run` (a project.RunFolder), from its files."""
        return cls.of(run.evaluation(), run.card(), run.state())
