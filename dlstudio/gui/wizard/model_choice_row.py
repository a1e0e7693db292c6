"""The Results step's "Use gradient boosting (classical)": which of a run's models is in use.

Shown when the classical model trained beside the network validated better on the run's
objective (core/model_choice.py), as Orange's Test & Score lets a user pick the winner; greyed
out with the reason when it cannot be used (no skl2onnx when the run trained, no onnxruntime
here). Choosing it writes the run's model_choice.json; predictions, Try it and exports follow.
No Keras, no scikit-learn: the choice is a small JSON file, written in the window's process.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from dlstudio.core.model_choice import (
    CLASSICAL,
    NETWORK,
    classical_offer,
    current_sentence,
    lower_first,
    model_in_use,
    use_model,
)

GOOD, NOTE = "#1b5e20", "#8a5a00"


class ModelChoiceRow(QWidget):
    """A sentence and a button: offer the classical model, or say it is in use."""

    changed = Signal(str)  # NETWORK or CLASSICAL, after the user chose

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.folder: Path | None = None
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.use_classic = QPushButton("Use gradient boosting (classical)")
        self.use_classic.clicked.connect(lambda: self._use(CLASSICAL))
        self.use_network = QPushButton("Use the network again")
        self.use_network.setToolTip("Predictions and exports come from the network again")
        self.use_network.clicked.connect(lambda: self._use(NETWORK))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note, 1)
        layout.addWidget(self.use_classic)
        layout.addWidget(self.use_network)
        self.hide()

    def set_run(self, folder: str | Path | None) -> None:
        """Show what the run in `folder` offers (nothing for None or a series run)."""
        self.folder = Path(folder) if folder is not None else None
        if self.folder is None:
            self.hide()
            return
        offer = classical_offer(self.folder)
        in_use = model_in_use(self.folder)
        self.use_classic.setText(offer.label)
        self.use_classic.setVisible(in_use == NETWORK and offer.better)
        self.use_classic.setEnabled(offer.available)
        self.use_classic.setToolTip(
            "Predictions, Try it and exports then come from it (an ONNX file, checked "
            "against scikit-learn)"
            if offer.available
            else f"Not available: {offer.reason}"
        )
        self.use_network.setVisible(in_use == CLASSICAL)
        if in_use == CLASSICAL:
            text = f"<b style='color:{GOOD}'>{html.escape(current_sentence(self.folder))}</b>"
        elif offer.better:
            name = lower_first(offer.name or "the classical model")
            text = (
                f"<span style='color:{NOTE}'>The classical model ({html.escape(name)}) "
                f"validated better: {html.escape(offer.comparison)}.</span> "
            )
            text += (
                "You can use it instead of the network."
                if offer.available
                else f"It cannot be used: {html.escape(offer.reason)}"
            )
        else:
            self.hide()
            return
        self.note.setText(text)
        self.show()

    @Slot()
    def _use(self, which: str) -> None:
        from dlstudio.core.errors import DlstudioError

        if self.folder is None:
            return
        try:
            use_model(self.folder, which)
        except DlstudioError as error:
            QMessageBox.warning(self, "The classical model cannot be used", str(error))
            return
        self.set_run(self.folder)
        self.changed.emit(which)
