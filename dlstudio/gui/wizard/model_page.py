"""The Model step: choose an architecture and set its knobs, or let keras-tuner search.

Everything here is built from the search spaces as data (dlstudio.core.models.space), which
import no Keras; the device is detected in the background the first time the page is shown.

Forecasting and anomaly detection have their own templates (their family's record names them:
core/families.py, `templates`), searched by the same keras-tuner oracles (each template's defaults
first). So for them the page offers the template, its values (to train one), the tuner and the
budget, and no objective or editable space: each compares trials by one measure, and draws from
its templates' own lists.

What is chosen here goes to the window's session as plain JSON on every change the user makes
(`choices_changed`; model_choices.py writes and reads it), so that a project reopened shows it
again (`restore_choices`).
"""

from __future__ import annotations

import html
import importlib.util
import os
from contextlib import contextmanager

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dlstudio.core.config import (
    OBJECTIVES,
    TUNERS,
    DataSpec,
    ModelSpec,
    RunSpec,
    SearchSpec,
    SplitSpec,
    TrainSpec,
)
from dlstudio.core.durations import format_duration, parse_duration
from dlstudio.core.errors import DlstudioError
from dlstudio.core.families import family_for_task, resolve
from dlstudio.core.models.space import (
    TEMPLATES_BY_KIND,
    default_of,
    default_space,
    first_configuration,
    template_for,
)
from dlstudio.core.wording import (
    hyperparameter_name,
    metric_label,
    template_name,
    tuner_name,
    value_words,
)
from dlstudio.gui.process_task import ProcessTask
from dlstudio.gui.widgets import boxed
from dlstudio.gui.wizard.knobs import changed_signal, knob_for, knob_value
from dlstudio.gui.wizard.model_choices import NAME_ROLE, choices_of
from dlstudio.gui.wizard.model_choices import restore_choices as _restore_choices
from dlstudio.gui.wizard.search_words import (
    EACH_TEMPLATE,
    PLANNER_HOW,
    PLANNER_NOTE,
    TUNER_TIPS,
)
from dlstudio.gui.wizard.space_text import describe_range, parse_range, parse_value, shown_value

BACKENDS = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
# One table of names (core/wording.py), shared with the Results page and the CLI.
TEMPLATE_NAMES = {
    name: template_name(name) for names in TEMPLATES_BY_KIND.values() for name in names
}


def installed_backends() -> list[str]:
    """Backends importable here, found without importing them."""
    return [name for name in BACKENDS if importlib.util.find_spec(name) is not None]


def current_backend() -> str:
    return os.environ.get("KERAS_BACKEND", "tensorflow")


class ModelPage(QWidget):
    status = Signal(str)
    choices_changed = Signal(object)  # dict: every choice as plain JSON, after a user's edit

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.kind: str | None = None
        self.task: str = "binary"
        self._device_task: ProcessTask | None = None
        self._knobs: dict[str, QWidget] = {}
        self._train_rows = 0  # of the data loaded, as the default split gives them
        self._quiet = 0  # > 0 while the page itself sets values: no choices_changed then

        self.choose_radio = QRadioButton("Choose an architecture and set it up")
        self.tune_radio = QRadioButton("Auto-tune: let keras-tuner search for a good one")
        self.tune_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.choose_radio)
        group.addButton(self.tune_radio)
        self.choose_radio.toggled.connect(self._mode_changed)

        self.template_combo = QComboBox()
        self.template_combo.setToolTip(
            "The family of network to train; each suits one kind of data."
        )
        self.template_combo.currentIndexChanged.connect(self._template_changed)

        self.knobs_form = QFormLayout()
        knobs_widget = QWidget()
        knobs_widget.setLayout(self.knobs_form)
        knobs_scroll = QScrollArea()
        knobs_scroll.setWidgetResizable(True)
        knobs_scroll.setWidget(knobs_widget)

        self.space_table = QTableWidget(0, 4)
        self.space_table.setHorizontalHeaderLabels(
            ["Hyperparameter", "Search it", "Range or choices", "Value if fixed"]
        )
        self.space_table.verticalHeader().hide()
        self.space_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.space_table.horizontalHeader().setStretchLastSection(True)
        self.space_table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)

        self.mode_stack = QStackedWidget()
        self.mode_stack.addWidget(
            boxed("Settings (hover over a name to learn what it does)", knobs_scroll)
        )
        # A group box's title never wraps, and this one sentence made every step of the window
        # about 1,500 px wide at least: the title stays short, the how-to wraps below it.
        space_help = QLabel(
            "Untick a row to hold its value fixed. Edit a range as '0.001 to 0.1' (add ', on a "
            "log scale' to try each power of ten as often), choices as 'a, b or c'."
        )
        space_help.setWordWrap(True)
        space_help.setStyleSheet("color: #555;")
        space_box = boxed("What the search may try", self.space_table)
        space_box.layout().insertWidget(0, space_help)
        self.mode_stack.addWidget(space_box)
        self.planner_note = QLabel()
        self.planner_note.setWordWrap(True)
        self.planner_note.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.mode_stack.addWidget(boxed("How the search goes", self.planner_note))

        self.tuner_combo = QComboBox()
        for name in TUNERS:
            self.tuner_combo.addItem(tuner_name(name), name)
        for i, name in enumerate(TUNERS):
            self.tuner_combo.setItemData(i, TUNER_TIPS[name], Qt.ItemDataRole.ToolTipRole)
        self.trials_spin = _spin(1, 500, 10, "How many configurations to try at most.")
        self.budget_edit = QLineEdit("10m")
        self.budget_edit.setPlaceholderText("none (e.g. 45s, 90s, 10m, 1h30m)")
        self.budget_edit.setToolTip(
            "A hard wall-clock limit: seconds (45 or 45s), minutes (10m) or hours (1h30m); "
            "empty for none. The search plans its trials and epochs to fit and always keeps "
            "the best model it trained. If no trial can finish in time, the best epoch of the "
            "one cut short is kept, and said to be a partial model."
        )
        self.budget_edit.textChanged.connect(self._budget_changed)
        self.budget_note = QLabel()
        self.budget_note.setWordWrap(True)
        self.objective_combo = QComboBox()
        self.objective_combo.setToolTip("What 'best' means: measured on the validation split.")
        search_form = self.search_form = QFormLayout()
        search_form.addRow("Tuner", self.tuner_combo)
        search_form.addRow("Max trials", self.trials_spin)
        search_form.addRow("Time budget", self.budget_edit)
        search_form.addRow(self.budget_note)
        self._budget_changed(self.budget_edit.text())
        search_form.addRow("Objective", self.objective_combo)
        self.search_box = boxed("Search", _widget(search_form))

        self.epochs_spin = _spin(
            1,
            1000,
            30,
            "Most passes over the training data per trial; early "
            "stopping ends sooner when validation stops improving.",
        )
        self.patience_spin = _spin(1, 100, 5, "Epochs without improvement before early stopping.")
        self.seed_spin = _spin(0, 10**6, 0, "Same seed, same split and same starting weights.")
        train_form = QFormLayout()
        train_form.addRow("Epochs", self.epochs_spin)
        train_form.addRow("Patience", self.patience_spin)
        train_form.addRow("Seed", self.seed_spin)

        self.backend_combo = QComboBox()
        for name in installed_backends():
            self.backend_combo.addItem(BACKENDS[name], name)
        self.backend_combo.setCurrentIndex(max(0, self.backend_combo.findData(current_backend())))
        self.backend_combo.activated.connect(self._backend_chosen)
        self.backend_note = QLabel()
        self.backend_note.setWordWrap(True)
        self.device_label = QLabel("Device: detected when this page is first shown…")
        self.device_label.setWordWrap(True)
        train_form.addRow("Backend", self.backend_combo)
        train_form.addRow(self.backend_note)
        train_form.addRow(self.device_label)

        side = QVBoxLayout()
        side.addWidget(self.search_box)
        side.addWidget(boxed("Training", _widget(train_form)))
        side.addStretch(1)

        top = QHBoxLayout()
        top.addWidget(self.tune_radio)
        top.addWidget(self.choose_radio)
        top.addStretch(1)
        top.addWidget(QLabel("Architecture:"))
        top.addWidget(self.template_combo)
        body = QHBoxLayout()
        body.addWidget(self.mode_stack, 3)
        body.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        for signal in (
            self.choose_radio.toggled,
            self.template_combo.currentIndexChanged,
            self.space_table.itemChanged,
            self.tuner_combo.currentIndexChanged,
            self.trials_spin.valueChanged,
            self.budget_edit.textChanged,
            self.objective_combo.currentIndexChanged,
            self.epochs_spin.valueChanged,
            self.patience_spin.valueChanged,
            self.seed_spin.valueChanged,
        ):
            signal.connect(self._edited)
        self.tuner_combo.currentIndexChanged.connect(self._say_how_the_search_goes)

    # ------------------------------------------------------------ data in

    def set_dataset(self, dataset) -> None:
        """Offer what fits `dataset`: its kind's architectures, its task's objectives, and a
        starting network sized to it (the page's choices are kept for the same kind of
        data)."""
        with self._quietly():
            self._set_dataset(dataset)

    def _set_dataset(self, dataset) -> None:
        profile = dataset.profile
        kind, task = profile.kind.value, profile.task.value
        train_rows = round(profile.rows * SplitSpec().train)
        resized = self._starting_values(train_rows) != self._starting_values(self._train_rows)
        self._train_rows = train_rows
        if (kind, task) == (self.kind, self.task):
            if resized:  # the same kind of data, but the starting network is sized otherwise
                self._template_changed()
            return
        self.kind, self.task = kind, task
        own = self._own_templates()
        self.search_form.setRowVisible(self.objective_combo, own is None)
        if own is not None:
            self._set_series_task(own)
            return
        self.template_combo.blockSignals(True)
        self.template_combo.clear()
        for name in TEMPLATES_BY_KIND[kind]:
            self.template_combo.addItem(TEMPLATE_NAMES[name], name)
        self.template_combo.setCurrentIndex(self.template_combo.findData(template_for(kind, None)))
        self.template_combo.blockSignals(False)
        self.objective_combo.clear()
        for name in family_for_task(task).objectives_for(task) or OBJECTIVES[:1]:
            self.objective_combo.addItem(metric_label(name), name)
        self._template_changed()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._device_task is None:
            self._detect_device()

    def _detect_device(self) -> None:
        # Keras answers this, so it is asked in a worker process: the window never loads it.
        self.status.emit("Looking for a GPU (in a worker process, loading Keras)…")
        self._device_task = ProcessTask("detect", {}, self)
        self._device_task.succeeded.connect(self._device_found)
        self._device_task.failed.connect(self._device_unknown)
        self._device_task.start()

    @Slot(object)
    def _device_found(self, device: dict) -> None:
        text = device["description"]
        self.device_label.setText(f"<b>Device:</b> {html.escape(str(text))}")
        self.device_label.setToolTip(device.get("notice") or text)
        self.status.emit(f"Training will run on: {text}")

    @Slot(str)
    def _device_unknown(self, message: str) -> None:
        self.device_label.setText(f"Device: unknown ({message})")

    def wait(self) -> None:
        if self._device_task is not None:
            self._device_task.wait()

    # ------------------------------------------------------------ choices

    def _own_templates(self) -> dict[str, tuple[str, dict[str, list]]] | None:
        """The templates of the task's family, when it has its own (forecast, anomaly: its
        record's `templates`, core/families.py); None for the supervised templates."""
        family = family_for_task(self.task)
        return resolve(family.templates)(self.kind) if family.templates else None

    def _set_series_task(self, own: dict[str, tuple[str, dict[str, list]]]) -> None:
        """A family's own templates (forecast, anomaly), and the words for their search."""
        self.template_combo.blockSignals(True)
        self.template_combo.clear()
        self.template_combo.addItem(EACH_TEMPLATE, None)
        for name, (words, _space) in own.items():
            self.template_combo.addItem(_capitalised(words), name)
        self.template_combo.setCurrentIndex(0)
        self.template_combo.blockSignals(False)
        self._say_how_the_search_goes()
        self._template_changed()

    @Slot()
    def _say_how_the_search_goes(self) -> None:
        """The note of a family's own search (forecast, anomaly), for the tuner chosen."""
        family = family_for_task(self.task)
        if family.templates is None:
            return
        why = f": {family.best_words}" if family.best_words else ""
        how = PLANNER_HOW.get(self.tuner_combo.currentData(), PLANNER_HOW["random"])
        self.planner_note.setText(PLANNER_NOTE.format(how=how, why=why))

    @Slot()
    def _mode_changed(self) -> None:
        choose = self.choose_radio.isChecked()
        own = family_for_task(self.task).templates is not None
        self.mode_stack.setCurrentIndex(0 if choose else 2 if own else 1)
        self.search_box.setEnabled(not choose)

    @Slot()
    def _template_changed(self) -> None:
        with self._quietly():  # the new template's rows are not choices until they are whole
            self._show_template()

    def _show_template(self) -> None:
        template = self.template_combo.currentData()
        if family_for_task(self.task).templates is not None:
            self._fill_series_knobs(template)
            self._mode_changed()
            return
        if template is None:
            return
        space = default_space(template, self.task)
        start = self._starting_values(self._train_rows)
        self._fill_knobs(space, start)
        self._fill_space_table(space, start)
        self._mode_changed()

    def _starting_values(self, train_rows: int) -> dict:
        """The configuration a search starts from, and one training trains, for this many
        training rows (a large table starts with a larger network: models/space.py)."""
        template = self.template_combo.currentData()
        if family_for_task(self.task).templates is not None or template is None:
            return {}
        return first_configuration(default_space(template, self.task), train_rows, template)

    def _fill_knobs(self, space: dict, start: dict) -> None:
        while self.knobs_form.rowCount():
            self.knobs_form.removeRow(0)
        self._knobs = {}
        for name, entry in space.items():
            widget = knob_for(entry, start.get(name, default_of(entry)))
            widget.setToolTip(entry.get("help", ""))
            label = QLabel(hyperparameter_name(name))
            label.setToolTip(entry.get("help", ""))
            self.knobs_form.addRow(label, widget)
            self._knobs[name] = widget
            changed_signal(widget).connect(self._edited)

    def _fill_series_knobs(self, template: str | None) -> None:
        """One drop-down per hyperparameter of `template` (the first template when the search
        is to try each), holding the values its search draws from, the default first."""
        while self.knobs_form.rowCount():
            self.knobs_form.removeRow(0)
        self._knobs = {}
        own = self._own_templates()
        template = template or next(iter(own))
        if self.template_combo.currentData() is None:
            self.knobs_form.addRow(
                QLabel(
                    "<i>To train one model, pick an architecture above; these are the "
                    f"values of the first, {_capitalised(own[template][0])}.</i>"
                )
            )
        for name, values in own[template][1].items():
            widget = QComboBox()
            for value in values:
                widget.addItem(value_words(value), value)
            tip = "The values the search draws from; the first is the template's default."
            widget.setToolTip(tip)
            label = QLabel(hyperparameter_name(name))
            label.setToolTip(tip)
            self.knobs_form.addRow(label, widget)
            self._knobs[name] = widget
            changed_signal(widget).connect(self._edited)

    def _fill_space_table(self, space: dict, start: dict) -> None:
        self.space_table.setRowCount(0)
        for name, entry in space.items():
            row = self.space_table.rowCount()
            self.space_table.insertRow(row)
            item = QTableWidgetItem(hyperparameter_name(name))
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            item.setToolTip(entry.get("help", ""))
            item.setData(Qt.ItemDataRole.UserRole, entry)
            item.setData(NAME_ROLE, name)
            self.space_table.setItem(row, 0, item)
            searched = QTableWidgetItem()
            searched.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            searched.setCheckState(Qt.CheckState.Checked)
            self.space_table.setItem(row, 1, searched)
            self.space_table.setItem(row, 2, QTableWidgetItem(describe_range(entry)))
            value = start.get(name, default_of(entry))
            self.space_table.setItem(row, 3, QTableWidgetItem(shown_value(value)))

    @Slot(str)
    def _budget_changed(self, text: str) -> None:
        try:
            seconds = parse_duration(text, "the time budget")
        except DlstudioError as error:
            self.budget_note.setText(f"<span style='color:#b00'>{html.escape(str(error))}</span>")
            return
        self.budget_note.setText(
            f"<i>Up to {format_duration(seconds)} in all, saving the best model included.</i>"
            if seconds
            else "<i>No time limit: the search ends after the trials above.</i>"
        )

    @Slot(int)
    def _backend_chosen(self, _index: int) -> None:
        backend = self.backend_combo.currentData()
        QSettings().setValue("keras/backend", backend)
        if backend == current_backend():
            self.backend_note.setText("")
        else:
            self.backend_note.setText(
                f"<i>{BACKENDS[backend]} takes effect when dlstudio is restarted: "
                "Keras fixes its backend when it first loads.</i>"
            )

    # ------------------------------------------------------------ choices kept

    def choices(self) -> dict:
        """Every choice on the page as plain JSON (what a project keeps of this step)."""
        return choices_of(self)

    def restore_choices(self, choices: dict | None) -> None:
        """Show `choices` again (a reopened project's); what no longer fits the data loaded
        keeps its default. Announces nothing: they are the session's already."""
        with self._quietly():
            _restore_choices(self, choices)

    @contextmanager
    def _quietly(self):
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    def _edited(self, *_args) -> None:
        if not self._quiet and self.kind is not None:
            self.choices_changed.emit(self.choices())

    # ------------------------------------------------------------ spec out

    def hyperparameters(self) -> dict:
        return {name: knob_value(widget) for name, widget in self._knobs.items()}

    def search_space(self) -> dict:
        """The edited table as search-space entries (raises DlstudioError on bad text)."""
        space = {}
        for row in range(self.space_table.rowCount()):
            name = self.space_table.item(row, 0).data(NAME_ROLE)
            entry = self.space_table.item(row, 0).data(Qt.ItemDataRole.UserRole)
            searched = self.space_table.item(row, 1).checkState() == Qt.CheckState.Checked
            if searched:
                space[name] = parse_range(name, entry, self.space_table.item(row, 2).text())
            else:
                space[name] = {
                    "type": "fixed",
                    "value": parse_value(name, self.space_table.item(row, 3).text(), entry),
                }
        return space

    def run_spec(self, data: DataSpec) -> RunSpec:
        template = self.template_combo.currentData()
        train = TrainSpec(
            epochs=self.epochs_spin.value(),
            patience=self.patience_spin.value(),
            seed=self.seed_spin.value(),
        )
        if family_for_task(self.task).templates is not None:
            return self._series_run_spec(data, template, train)
        if self.choose_radio.isChecked():
            return RunSpec(data, ModelSpec(template, self.hyperparameters()), train)
        budget = parse_duration(self.budget_edit.text(), "the time budget")
        search = SearchSpec(
            self.tuner_combo.currentData() or "random",
            self.trials_spin.value(),
            budget,
            self.objective_combo.currentData() or "val_loss",
            self.search_space(),
        )
        return RunSpec(data, ModelSpec(template), train, search)

    def _series_run_spec(self, data: DataSpec, template: str | None, train: TrainSpec) -> RunSpec:
        """A forecast or an anomaly search: the template, its values, the tuner, the trials and
        the budget (no objective or space: see the module's docstring)."""
        if self.choose_radio.isChecked():
            template = template or next(iter(self._own_templates()))
            return RunSpec(data, ModelSpec(template, self.hyperparameters()), train)
        budget = parse_duration(self.budget_edit.text(), "the time budget")
        search = SearchSpec(
            self.tuner_combo.currentData() or "random",
            max_trials=self.trials_spin.value(),
            time_limit_s=budget,
        )
        return RunSpec(data, ModelSpec(template), train, search)


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]


# ---------------------------------------------------------------- widgets


def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setToolTip(tip)
    return spin


def _widget(layout) -> QWidget:
    widget = QWidget()
    widget.setLayout(layout)
    return widget
