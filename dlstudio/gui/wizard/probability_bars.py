"""The bars of a prediction's class shares (Try it, and wherever a prediction is shown), and
how a predicted share or value is written for people."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

MAX_BARS = 10  # classes beyond these are summed up in one line


class ProbabilityBars(QWidget):
    """One horizontal bar per class, most likely first, with its probability in per cent."""

    ROW = 24

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.shares: dict[str, float] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_shares(self, shares: dict[str, float]) -> None:
        self.shares = dict(sorted(shares.items(), key=lambda item: -item[1]))
        self.updateGeometry()
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def _rows(self) -> list[tuple[str, float]]:
        rows = list(self.shares.items())
        if len(rows) > MAX_BARS:
            rest = rows[MAX_BARS - 1 :]
            rows = rows[: MAX_BARS - 1] + [(f"{len(rest)} other classes", sum(p for _, p in rest))]
        return rows

    def sizeHint(self) -> QSize:
        return QSize(360, self.ROW * len(self._rows()) + 4)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        rows = self._rows()
        name_width = min(
            max((metrics.horizontalAdvance(name) for name, _ in rows), default=0) + 12,
            self.width() // 3,
        )
        value_width = metrics.horizontalAdvance("100.0 %") + 10
        bar_width = max(self.width() - name_width - value_width, 20)
        text = self.palette().windowText().color()
        for i, (name, share) in enumerate(rows):
            top = i * self.ROW + 2
            height = self.ROW - 6
            label = metrics.elidedText(name, Qt.TextElideMode.ElideRight, name_width - 8)
            painter.setPen(text)
            painter.drawText(
                QRectF(0, top, name_width - 8, height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#e6e6e6"))
            painter.drawRoundedRect(QRectF(name_width, top, bar_width, height), 3, 3)
            painter.setBrush(QColor("#1565c0" if i == 0 else "#90a4ae"))
            filled = max(bar_width * min(max(share, 0.0), 1.0), 1.0)
            painter.drawRoundedRect(QRectF(name_width, top, filled, height), 3, 3)
            painter.setPen(text)
            painter.drawText(
                QRectF(name_width + bar_width + 6, top, value_width, height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                percent(share),
            )
        painter.end()


def percent(share: float) -> str:
    return f"{100 * share:.1f} %"


def number_words(value: float) -> str:
    """A predicted value as a person reads it: 4,231 or 12.35 or 0.03125."""
    if value != value:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.4g}"
