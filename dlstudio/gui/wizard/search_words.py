"""What the Model step says about a search: how each tuner goes about it, in words."""

from __future__ import annotations

EACH_TEMPLATE = "Each of them in turn"
PLANNER_NOTE = (
    "<p>The search {how}, until the trials or the time budget run out, and keeps the one that "
    "does best on the validation part{why}.</p><p>To set the values yourself, choose "
    "<i>Choose an architecture and set it up</i> above.</p>"
)
# How each tuner goes about a forecast's or an anomaly search (search/templates.py).
PLANNER_HOW = {
    "random": "tries each architecture with its default settings first, then random "
    "variations of them",
    "bayesian": "tries each architecture with its default settings first, then the "
    "variations that the finished trials make look most promising",
    "hyperband": "trains many variations for a few epochs, then the best of them for longer",
    "grid": "tries every combination of the listed values, in order",
}
TUNER_TIPS = {
    "random": "Tries random combinations: simple and surprisingly strong.",
    "bayesian": "Learns from finished trials which region looks promising.",
    "hyperband": "Trains many configurations briefly and continues only the best.",
    "grid": "Tries every combination (continuous ranges get 3 points).",
}
