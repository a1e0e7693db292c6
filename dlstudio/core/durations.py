"""Durations as people type them: 45, 90s, 10m, 1h30m."""

from __future__ import annotations

import re

from dlstudio.core.errors import DlstudioError

_DURATION = re.compile(
    r"\s*(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m(?:in)?)?\s*(?:(\d+(?:\.\d+)?)\s*s?)?\s*",
    re.IGNORECASE,
)


def parse_duration(text: str | None, where: str = "the time limit") -> float | None:
    """'45' or '45s' (seconds), '10m', '1h30m', '2h' → seconds; empty or None → None."""
    if text is None or not str(text).strip():
        return None
    match = _DURATION.fullmatch(str(text))
    if not match or not any(match.groups()):
        raise DlstudioError(
            f"{where} reads {text!r}.",
            "a duration like 90s, 45 (seconds), 10m or 1h30m",
            f"Fix {where}.",
        )
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise DlstudioError(
            f"{where} is {text!r}, no time at all.",
            "a positive duration, e.g. 90s or 10m",
            f"Give a longer {where}, or leave it out for no limit.",
        )
    return total


def format_duration(seconds: float | None) -> str:
    """The short form parse_duration reads back: 90 → '1m30s', 45 → '45s'."""
    if not seconds:
        return ""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{secs}s" if secs else "",
    ]
    return "".join(parts) or "0s"
