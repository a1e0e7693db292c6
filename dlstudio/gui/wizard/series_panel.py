"""The Data step for forecasting and anomaly detection: the series over time, what was found
and fixed in it, and the settings of the task.

The panel shows a SeriesView (core/data/series_view.py) and edits a copy of its DataSpec. A
choice that changes what is read (the time column, the target, the labels, the part assumed
normal, the recording to judge on) asks the data page to read the file again
(`reload_requested`); the horizon and the context only change the spec (`choices_changed`),
after a check that the series is long enough for them; so do the covariates ticked (other
columns read beside the target, some marked as known ahead). Proposed values are shown as
the defaults, with the reason beside them: the label column proposed is shown chosen in its
box (and recorded in the spec, so that a run reads exactly it), and the columns left out of
the inputs as labels are said under it.
"""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dlstudio.core.config import DataSpec
from dlstudio.core.data.anomaly_data import AnomalySettings, check_judge_on
from dlstudio.core.data.series_view import JUDGE_ON_CONTROL, SeriesView
from dlstudio.core.errors import DlstudioError
from dlstudio.core.forecast_spec import check_sizes
from dlstudio.gui.plots.series import SeriesPlot
from dlstudio.gui.widgets import boxed

NO_COLUMN = "(none)"
NO_LABELS = ""  # AnomalySettings.label_column: no label column (none found, or chosen)
QUANTILE_RULE, SHARE_RULE = "quantile", "share"
RECORDING_FILTER = "Tables (*.csv *.tsv *.txt *.xlsx *.parquet *.json *.jsonl);;All files (*)"


class SeriesPanel(QWidget):
    """The series, its facts, and the forecast or anomaly settings."""

    reload_requested = Signal(object)  # DataSpec: read the file again with these choices
    choices_changed = Signal(object)  # DataSpec: the same data, other horizon or context

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: SeriesView | None = None
        self.spec: DataSpec | None = None
        self._updating = False

        self.plot = SeriesPlot()
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.facts = QTableWidget(0, 2)
        self.facts.setHorizontalHeaderLabels(["", ""])
        self.facts.horizontalHeader().hide()
        self.facts.verticalHeader().hide()
        self.facts.horizontalHeader().setStretchLastSection(True)
        self.facts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.notes = QListWidget()
        self.notes.setWordWrap(True)

        # ---- settings shared by both tasks
        self.time_combo = _combo()
        self.time_combo.setToolTip("The column that holds the time of each row")
        self.time_combo.activated.connect(self._reread)
        self.target_combo = _combo()
        self.target_combo.activated.connect(self._reread)
        self.target_label = QLabel("Forecast:")

        # ---- forecast
        self.horizon_spin = _spin(1, 100_000, "How many steps ahead each forecast goes")
        self.context_spin = _spin(2, 100_000, "How many past values each forecast reads")
        self.horizon_reason = _grey_label()
        self.context_reason = _grey_label()
        for spin in (self.horizon_spin, self.context_spin):
            spin.valueChanged.connect(self._sizes_changed)
        forecast_form = QFormLayout()
        forecast_form.addRow("Steps ahead (horizon)", self.horizon_spin)
        forecast_form.addRow(self.horizon_reason)
        forecast_form.addRow("Past values read (context)", self.context_spin)
        forecast_form.addRow(self.context_reason)
        self.covariates_table = QTableWidget(0, 3)
        self.covariates_table.setHorizontalHeaderLabels(["Column", "Read it", "Known ahead"])
        self.covariates_table.verticalHeader().hide()
        header = self.covariates_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for place in (1, 2):
            header.setSectionResizeMode(place, QHeaderView.ResizeMode.ResizeToContents)
        self.covariates_table.setMaximumHeight(150)
        self.covariates_table.setToolTip(
            "Columns the model reads beside the target (covariates). Known ahead: values you "
            "will know for the forecast's steps too (a holiday, a planned price); forecasting "
            "then needs them in rows after the last value of the target."
        )
        self.covariates_table.itemChanged.connect(self._covariates_changed)
        self.covariates_reason = _grey_label()
        forecast_form.addRow("Covariates", self.covariates_table)
        forecast_form.addRow(self.covariates_reason)

        # ---- anomaly
        self.label_combo = _combo()
        self.label_combo.setToolTip(
            "A column that marks the known anomalies: used only to measure the model, "
            "never to train it"
        )
        self.label_combo.activated.connect(self._reread)
        self.labels_note = _grey_label()
        self.labels_note.setTextFormat(Qt.TextFormat.PlainText)  # column names, as they are
        self.windows_button = QPushButton("…or labelled windows file…")
        self.windows_button.setToolTip(
            "A JSON of known anomalous time windows, as the Numenta benchmark's "
            "combined_windows.json: used only to measure the model"
        )
        self.windows_button.clicked.connect(self.choose_windows)
        self.windows_clear = QPushButton("Clear")
        self.windows_clear.clicked.connect(lambda: self.set_label_windows(None))
        self.windows_label = _grey_label()
        windows_row = QHBoxLayout()
        windows_row.addWidget(self.windows_button)
        windows_row.addWidget(self.windows_clear)
        windows_row.addStretch(1)
        self.judge_button = QPushButton(JUDGE_ON_CONTROL)
        self.judge_button.setToolTip(
            "Another recording with the same columns (a table file), never learnt from: the "
            "model is measured on it alone, with its own labels if it has them"
        )
        self.judge_button.clicked.connect(self.choose_judge_on)
        self.judge_clear = QPushButton("Clear")
        self.judge_clear.setToolTip("Judge on this recording again")
        self.judge_clear.clicked.connect(lambda: self.set_judge_on(None))
        self.judge_label = _grey_label()
        self.judge_label.setTextFormat(Qt.TextFormat.PlainText)  # a file's name, as it is
        judge_row = QHBoxLayout()
        judge_row.addWidget(self.judge_button)
        judge_row.addWidget(self.judge_clear)
        judge_row.addStretch(1)
        self.normal_spin = QSpinBox()
        self.normal_spin.setRange(1, 100)
        self.normal_spin.setSuffix(" %")
        self.normal_spin.setToolTip(
            "The share of the data, from its start, that is assumed normal: the model learns "
            "what normal looks like from it"
        )
        self.normal_spin.editingFinished.connect(self._reread)
        self.window_spin = _spin(2, 10_000, "Readings the model looks at together")
        self.window_spin.editingFinished.connect(self._reread)
        self.window_reason = _grey_label()
        self.rule_combo = _combo()
        self.rule_combo.addItem("Above almost every normal score", QUANTILE_RULE)
        self.rule_combo.addItem("Flag a fixed share of rows", SHARE_RULE)
        self.rule_combo.setToolTip(
            "Where the line between normal and unusual goes: above a share of the scores of "
            "normal validation rows, or so that a given share of all rows is flagged"
        )
        self.rule_combo.activated.connect(self._rule_changed)
        self.quantile_spin = _share_spin(50.0, 99.99, "of the normal validation scores lie below")
        self.contamination_spin = _share_spin(0.01, 49.99, "of all rows are flagged")
        for spin in (self.quantile_spin, self.contamination_spin):
            spin.editingFinished.connect(self._reread)
        self.anomaly_form = QFormLayout()
        self.anomaly_form.addRow("Known anomalies (column)", self.label_combo)
        self.anomaly_form.addRow(self.labels_note)
        # The file buttons span the form (their words say what they are): narrow enough for
        # the settings box beside the plot.
        self.anomaly_form.addRow(windows_row)
        self.anomaly_form.addRow(self.windows_label)
        self.anomaly_form.addRow(judge_row)
        self.anomaly_form.addRow(self.judge_label)
        self.anomaly_form.addRow("Assumed normal", self.normal_spin)
        self.anomaly_form.addRow("Readings per window", self.window_spin)
        self.anomaly_form.addRow(self.window_reason)
        self.anomaly_form.addRow("Threshold", self.rule_combo)
        self.anomaly_form.addRow("Normal scores below it", self.quantile_spin)
        self.anomaly_form.addRow("Share of rows flagged", self.contamination_spin)

        self.task_settings = QStackedWidget()
        self.task_settings.addWidget(_widget(forecast_form))
        self.task_settings.addWidget(_widget(self.anomaly_form))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.hide()  # shown with a choice that could not be used

        common = QFormLayout()
        common.addRow("Time column", self.time_combo)
        common.addRow(self.target_label, self.target_combo)
        settings = QVBoxLayout()
        settings.addLayout(common)
        settings.addWidget(self.task_settings)
        settings.addStretch(1)

        # Scrolled rather than squeezed: the anomaly settings' notes wrap over several lines.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(_widget(settings))
        # What went wrong stays in view above the settings, however far they are scrolled.
        settings_box = QVBoxLayout()
        settings_box.setContentsMargins(0, 0, 0, 0)
        settings_box.addWidget(self.message)
        settings_box.addWidget(scroll, 1)
        side = QVBoxLayout()
        side.addWidget(boxed("Settings", _widget(settings_box)), 3)
        side.addWidget(boxed("What dlstudio found", self.facts), 2)
        side.addWidget(boxed("What was fixed on reading", self.notes), 1)
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(
            boxed("The series (wheel or drag to zoom; right-click → View all)", self.plot)
        )
        body.addWidget(_widget(side))
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(body, 1)

    # ------------------------------------------------------------ showing

    def show_view(self, view: SeriesView) -> None:
        """Show `view` and its settings (as loaded: nothing is asked again)."""
        self.view, self.spec = view, view.spec
        self._updating = True
        anomaly = view.task == "anomaly"
        self.task_settings.setCurrentIndex(1 if anomaly else 0)
        self.title.setText(_title_html(view))
        self.plot.show_series(
            view.times,
            view.values,
            view.plotted,
            view.filled,
            view.left_out,
            view.label_windows,
            view.normal_end,
        )
        _fill(self.facts, view.facts)
        self.notes.clear()
        self.notes.addItems(view.notes or ["Nothing needed fixing."])
        self._fill_columns(view, anomaly)
        if anomaly:
            self._show_anomaly(view)
        else:
            self._show_forecast(view)
        self._updating = False
        self.clear_error()
        if not anomaly:
            self._sizes_fit(self.wanted())  # a kept horizon may not fit a new target's series

    def _fill_columns(self, view: SeriesView, anomaly: bool) -> None:
        self.time_combo.clear()
        settings = AnomalySettings.from_dict(view.spec.anomaly or {})
        if anomaly:
            self.time_combo.addItem("(none: independent rows of a table)", None)
        for column in view.time_columns:
            self.time_combo.addItem(column, column)
        current = settings.time_column if anomaly else view.spec.split.time_column
        self.time_combo.setCurrentIndex(max(0, self.time_combo.findData(current)))
        self.target_label.setText("Plot the reading:" if anomaly else "Forecast:")
        self.target_combo.setToolTip(
            "The reading drawn above (the model watches every column of numbers)"
            if anomaly
            else "The column of numbers to forecast"
        )
        self.target_combo.clear()
        choices = view.numeric_columns
        if anomaly:  # the readings the model watches: not the labels, nor columns like them
            choices = view.watched or [c for c in choices if c != settings.label_column]
        self.target_combo.addItems(choices)
        self.target_combo.setCurrentText(view.plotted)

    def _show_forecast(self, view: SeriesView) -> None:
        spec = view.spec
        for spin, reason, name in (
            (self.horizon_spin, self.horizon_reason, "horizon"),
            (self.context_spin, self.context_reason, "context"),
        ):
            proposed = view.proposed[name]
            chosen = getattr(spec, name)
            spin.setValue(chosen or proposed)
            reason.setText(f"Proposed: {proposed} — {view.reasons[name]}.")
        self._show_covariates(view)

    def _show_covariates(self, view: SeriesView) -> None:
        table, spec = self.covariates_table, view.spec
        table.setRowCount(len(view.covariate_columns))
        for row, column in enumerate(view.covariate_columns):
            name = QTableWidgetItem(column)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            table.setItem(row, 0, name)
            for place, chosen in (
                (1, column in spec.covariates or column in spec.known_covariates),
                (2, column in spec.known_covariates),
            ):
                box = QTableWidgetItem()
                box.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                box.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
                table.setItem(row, place, box)
        self._say_covariates(spec)

    def _say_covariates(self, spec: DataSpec) -> None:
        chosen = [*spec.covariates, *spec.known_covariates]
        if chosen:
            known = ", ".join(spec.known_covariates)
            self.covariates_reason.setText(
                f"Read beside the target: {', '.join(chosen)}"
                + (f"; known ahead: {known}" if known else "")
                + ". Missing values are filled as the target's are."
            )
        elif self.view is not None and self.view.covariate_columns:
            self.covariates_reason.setText(
                "None chosen: the model reads the target's own past (the default)."
            )
        else:
            self.covariates_reason.setText(
                "No other column of numbers or of a few categories to read beside the target."
            )

    def _chosen_covariates(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(observed, known ahead) as the table's boxes say; known ahead implies read."""
        observed, known = [], []
        table = self.covariates_table
        for row in range(table.rowCount()):
            name, read, ahead = (table.item(row, place) for place in range(3))
            if name is None or read is None or ahead is None:
                continue
            if ahead.checkState() == Qt.CheckState.Checked:
                known.append(name.text())
            elif read.checkState() == Qt.CheckState.Checked:
                observed.append(name.text())
        return tuple(observed), tuple(known)

    def _show_anomaly(self, view: SeriesView) -> None:
        settings = AnomalySettings.from_dict(view.spec.anomaly or {})
        self.label_combo.clear()
        self.label_combo.addItem(NO_COLUMN, NO_LABELS)
        for column in view.columns:
            if column != settings.time_column:
                self.label_combo.addItem(column, column)
        # The column the labels are read from, proposed or chosen; "(none)" when there are none.
        shown = self.label_combo.findData(view.labels_from or NO_LABELS)
        self.label_combo.setCurrentIndex(max(0, shown))
        self.labels_note.setText(view.labels_words)
        windows = settings.label_windows
        self.windows_label.setText(
            f"Windows from {html.escape(Path(windows).name)}" if windows else "No windows file."
        )
        self.windows_clear.setEnabled(bool(windows))
        self.judge_label.setText(view.judged_words)
        self.judge_clear.setEnabled(bool(settings.judge_on))
        series = view.kind.value == "series"
        share = settings.normal_share or (0.5 if series else 1.0)
        self.normal_spin.setValue(round(100 * share))
        self.window_spin.setEnabled(series)
        self.window_spin.setValue(settings.window or view.proposed.get("window", 24))
        self.window_reason.setText(
            f"Proposed: {view.proposed['window']} — {view.reasons['window']}."
            if series
            else "Rows of a table are looked at one by one."
        )
        share_rule = settings.contamination is not None
        self.rule_combo.setCurrentIndex(1 if share_rule else 0)
        self.quantile_spin.setValue(100 * settings.quantile)
        self.contamination_spin.setValue(100 * (settings.contamination or 0.01))
        self._show_rule()

    def _show_rule(self) -> None:
        share_rule = self.rule_combo.currentData() == SHARE_RULE
        self.quantile_spin.setEnabled(not share_rule)
        self.contamination_spin.setEnabled(share_rule)

    def show_error(self, message: str) -> None:
        """A choice that could not be used, in words (the last good one stays)."""
        self.message.setText(f"<span style='color:#b00'>{html.escape(message)}</span>")
        self.message.show()

    def clear_error(self) -> None:
        self.message.clear()
        self.message.hide()

    # ------------------------------------------------------------ choices

    def wanted(self) -> DataSpec:
        """The spec with the settings as the widgets show them."""
        spec = self.spec
        if spec.task == "anomaly":
            series = self.view is not None and self.view.kind.value == "series"
            old = AnomalySettings.from_dict(spec.anomaly or {})
            time_column = self.time_combo.currentData()
            share_rule = self.rule_combo.currentData() == SHARE_RULE
            settings = replace(
                old,
                time_column=time_column,
                label_column=self.label_combo.currentData(),
                window=self.window_spin.value() if series and time_column else None,
                normal_share=self.normal_spin.value() / 100,
                contamination=self.contamination_spin.value() / 100 if share_rule else None,
                quantile=self.quantile_spin.value() / 100,
            )
            if settings.label_column:
                settings = replace(settings, label_windows=None)
            return replace(spec, target=self.target_combo.currentText(), anomaly=settings.to_dict())
        return replace(
            spec,
            target=self.target_combo.currentText(),
            split=replace(spec.split, time_column=self.time_combo.currentData()),
            horizon=self.horizon_spin.value(),
            context=self.context_spin.value(),
            covariates=self._chosen_covariates()[0],
            known_covariates=self._chosen_covariates()[1],
        )

    @Slot()
    def _reread(self, *_) -> None:
        if self._updating or self.spec is None:
            return
        wanted = self.wanted()
        if wanted != self.spec:
            self.reload_requested.emit(wanted)

    @Slot()
    def _rule_changed(self, *_) -> None:
        self._show_rule()
        self._reread()

    @Slot()
    def _sizes_changed(self, *_) -> None:
        if self._updating or self.spec is None or self.view is None:
            return
        wanted = self.wanted()
        if self._sizes_fit(wanted) and wanted != self.spec:
            self.spec = wanted
            self.choices_changed.emit(wanted)

    @Slot(QTableWidgetItem)
    def _covariates_changed(self, item: QTableWidgetItem) -> None:
        if self._updating or self.spec is None or self.view is None:
            return
        # Ticking "known ahead" ticks "read it"; unticking "read it" unticks "known ahead".
        row, table = item.row(), self.covariates_table
        read, ahead = table.item(row, 1), table.item(row, 2)
        self._updating = True
        if item.column() == 2 and ahead.checkState() == Qt.CheckState.Checked:
            read.setCheckState(Qt.CheckState.Checked)
        elif item.column() == 1 and read.checkState() == Qt.CheckState.Unchecked:
            ahead.setCheckState(Qt.CheckState.Unchecked)
        self._updating = False
        wanted = self.wanted()
        self._say_covariates(wanted)
        if wanted != self.spec:
            self.spec = wanted
            self.choices_changed.emit(wanted)

    def _sizes_fit(self, wanted: DataSpec) -> bool:
        """Whether the series is long enough for this horizon and context; if not, says why."""
        try:
            check_sizes(len(self.view.values), wanted.context, wanted.horizon)
        except DlstudioError as error:
            self.show_error(str(error))
            return False
        self.clear_error()
        return True

    @Slot()
    def choose_judge_on(self) -> None:
        start = Path(self.spec.path).parent if self.spec else Path.home()
        path, _ = QFileDialog.getOpenFileName(
            self, "Another recording to judge the model on", str(start), RECORDING_FILTER
        )
        if path:
            self.set_judge_on(path)

    def set_judge_on(self, path: str | None) -> bool:
        """Judge the model on the recording in `path` (None: on this one again). A file that
        cannot be is refused here with the reason (the rest of the checks, its columns, run as
        the data is read again, and a failure is said here too); False when refused."""
        if self.spec is None:
            return False
        if path:
            try:
                path = check_judge_on(path, self.spec.path)
            except DlstudioError as error:
                self.show_error(str(error))
                return False
        settings = AnomalySettings.from_dict(self.wanted().anomaly or {})
        settings = replace(settings, judge_on=path or None)
        self.clear_error()
        self.reload_requested.emit(replace(self.spec, anomaly=settings.to_dict()))
        return True

    @Slot()
    def choose_windows(self) -> None:
        start = Path(self.spec.path).parent if self.spec else Path.home()
        path, _ = QFileDialog.getOpenFileName(
            self, "Labelled anomaly windows", str(start), "JSON (*.json);;All files (*)"
        )
        if path:
            self.set_label_windows(path)

    def set_label_windows(self, path: str | None) -> None:
        """Use the windows of `path` (None: none) as the known anomalies."""
        if self.spec is None:
            return
        settings = AnomalySettings.from_dict(self.wanted().anomaly or {})
        # Windows replace a label column; without them one that looks like the labels is
        # proposed again.
        settings = replace(
            settings, label_windows=str(Path(path).resolve()) if path else None, label_column=None
        )
        self.reload_requested.emit(replace(self.spec, anomaly=settings.to_dict()))


def _title_html(view: SeriesView) -> str:
    name = html.escape(Path(view.spec.path).name)
    if view.task == "anomaly":
        what = "readings over time" if view.kind.value == "series" else "rows of a table"
        return (
            f"<b>Find unusual readings</b> in {name}: {len(view.values):,} {what}. The model "
            "learns what normal looks like from the part assumed normal, then scores every "
            "row; known anomalies, if given, only measure it."
        )
    facts = dict(view.facts)
    return (
        f"<b>Forecast future values</b> of <b>{html.escape(view.plotted)}</b> in {name}: "
        f"{facts['Values']} {facts['Frequency']} values from {facts['First time']} to "
        f"{facts['Last time']}. The last part is kept to test forecasts the model never saw."
    )


def _fill(table: QTableWidget, facts: list[tuple[str, str]]) -> None:
    table.setRowCount(len(facts))
    for row, (name, value) in enumerate(facts):
        table.setItem(row, 0, QTableWidgetItem(name))
        table.setItem(row, 1, QTableWidgetItem(value))
    table.resizeColumnToContents(0)


def _combo() -> QComboBox:
    """A combo box as narrow as the settings box: a long column name or choice is elided, not
    pushed off its side (set before any item is added: Qt keeps the first size it works out)."""
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(10)
    return combo


def _spin(low: int, high: int, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setToolTip(tip)
    spin.setKeyboardTracking(False)  # one check per value typed, not per digit
    return spin


def _share_spin(low: float, high: float, tip: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(low, high)
    spin.setDecimals(2)
    spin.setSuffix(" %")
    spin.setToolTip(f"The share that {tip}")
    return spin


def _grey_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: gray")
    return label


def _widget(layout) -> QWidget:
    widget = QWidget()
    widget.setLayout(layout)
    return widget
