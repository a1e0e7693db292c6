"""Axis ranges that stay put while live data stays inside them.

pyqtgraph's auto-range moves an axis whenever its data's bounds move, which in a live plot is
every tick; each move makes the axis recompute and re-lay its ticks and the grid and curves
repaint (the longest GUI stalls during training, bench/gui_stall.py). A settled range moves
only when data leaves it or shrinks to a small part of it, so a falling loss re-ranges a few
times a trial instead of ten times a second.
"""

from __future__ import annotations

import math

PADDING = 0.05
MIN_FILL = 0.5  # zoom back in once the data covers less than this share of the axis


def settled_range(
    current: tuple[float, float] | None, low: float, high: float
) -> tuple[float, float] | None:
    """The range to show data spanning `low`..`high`, or None to keep `current`."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    span = high - low
    if current is not None:
        start, end = current
        inside = start <= low and high <= end
        if inside and span >= MIN_FILL * (end - start):
            return None
    pad = span * PADDING if span > 0 else max(abs(high) * PADDING, 1e-3)
    return low - pad, high + pad
