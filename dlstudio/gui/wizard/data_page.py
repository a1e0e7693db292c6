"""The Data step: open a file or folder, preview it, and check what dlstudio inferred.

Loading and profiling run off the GUI thread (a million-row CSV takes seconds); the page shows a
busy bar meanwhile. Changing the target, the task or a column's role profiles the data again
with that choice.

The user's choices live in the window's session (gui/session.py), not in the widgets: the
target, the task and role overrides, the sheet and the split go into the session's DataSpec
when the data loads with them (a choice that fails to load leaves the last good one), and the
split as it is edited. Opening data with a spec (a reopened project) restores every choice.

A time series (or the task "forecast" or "anomaly" chosen in the task box) is shown by the
series panel (series_panel.py) instead of the columns and classes: the data page only reads it
(core/data/series_view.py) and keeps the panel's choices in the session.
"""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dlstudio.core.config import DataSpec
from dlstudio.core.data import (
    ColumnRole,
    DataProfile,
    Dataset,
    SplitSpec,
    WarningKind,
    load_dataset,
)
from dlstudio.core.data.series_view import (
    SeriesView,
    carried_over,
    is_series_task,
    load_series_view,
    only_time_features,
)
from dlstudio.core.data.timeseries import DATE_PARTS, looks_like_series
from dlstudio.core.errors import DlstudioError
from dlstudio.core.samples import SAMPLES, sample_path
from dlstudio.core.wording import task_name
from dlstudio.gui.qmodels.dataframe_model import DataFrameModel
from dlstudio.gui.qmodels.schema_model import ROLE_COLUMN, SchemaModel
from dlstudio.gui.session import SessionModel
from dlstudio.gui.tasks import BackgroundTask
from dlstudio.gui.widgets import boxed
from dlstudio.gui.wizard.image_grid import ImageGrid
from dlstudio.gui.wizard.series_panel import SeriesPanel
from dlstudio.gui.wizard.split_box import SplitBox

TABLE_FILTER = (
    "Data (*.csv *.tsv *.txt *.tab *.dat *.parquet *.pq *.xlsx *.xlsm *.json *.jsonl *.ndjson "
    "*.zip);;All files (*)"
)
AUTO_TASK = "inferred"
# The task box: what it shows, and the task it stands for.
TASK_CHOICES = (
    (AUTO_TASK, AUTO_TASK),
    ("binary", "binary"),
    ("multiclass", "multiclass"),
    ("regression", "regression"),
    ("Forecast future values", "forecast"),
    ("Find unusual readings", "anomaly"),
)
# Warnings that mean "look at this before training" get the warning icon; the rest inform.
_SERIOUS = {
    WarningKind.LEAKAGE,
    WarningKind.TINY_CLASS,
    WarningKind.IMBALANCE,
    WarningKind.TARGET_MISSING,
    WarningKind.TIME_ORDER,
    WarningKind.SKIPPED,
    WarningKind.INFINITE,
    WarningKind.MIXED_TARGET,
    WarningKind.TOO_WIDE,
}


class RoleDelegate(QStyledItemDelegate):
    """A drop-down of the column roles for the Role cell."""

    def createEditor(self, parent, option, index):
        editor = QComboBox(parent)
        editor.addItems([r.value for r in ColumnRole])
        editor.activated.connect(lambda: self.commitData.emit(editor))
        return editor

    def setEditorData(self, editor, index):
        editor.setCurrentText(index.data(Qt.ItemDataRole.EditRole))

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentText())


class DataPage(QWidget):
    """Open data, preview it, and review the inferred schema, target and task."""

    dataset_loaded = Signal(object)  # Dataset
    status = Signal(str)

    def __init__(self, parent: QWidget | None = None, session: SessionModel | None = None) -> None:
        super().__init__(parent)
        self.session = session if session is not None else SessionModel(self)
        self.dataset: Dataset | None = None
        self._path: Path | None = None
        self._wanted: DataSpec | None = None  # the choices being loaded
        self._data_split = True  # the next load takes the split the data suggests
        self._task: BackgroundTask | None = None
        self._updating = False

        self.open_button = QPushButton("Open data…")
        self.open_button.setToolTip(
            "A table (CSV, Excel, Parquet, JSON), a folder with one "
            "subfolder per class, or a .zip of one (Ctrl+O)"
        )
        self.open_button.clicked.connect(self.choose_file)
        self.open_folder_button = QPushButton("Open folder…")
        self.open_folder_button.setToolTip(
            "A folder with one subfolder per class of images or .txt files"
        )
        self.open_folder_button.clicked.connect(self.choose_folder)
        self.source_label = QLabel()
        self.source_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.target_combo = QComboBox()
        self.target_combo.setToolTip("The column the model learns to predict")
        self.target_combo.setMinimumContentsLength(14)
        self.target_combo.activated.connect(self._target_chosen)
        self.task_combo = QComboBox()
        for text, task in TASK_CHOICES:
            self.task_combo.addItem(text, task)
        self.task_combo.setToolTip(
            "Binary: one of two classes. Multiclass: one of several. Regression: a number. "
            "Forecast: the next values of a series over time. Unusual readings: the rows or "
            "stretches of a series that do not fit the rest (anomaly detection)."
        )
        self.task_combo.activated.connect(self._task_chosen)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.setTextVisible(False)
        self.busy.hide()

        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.open_folder_button)
        top.addWidget(self.source_label, 1)
        top.addWidget(self.busy)
        self.target_label = QLabel("Target:")
        top.addWidget(self.target_label)
        top.addWidget(self.target_combo)
        top.addWidget(QLabel("Task:"))
        top.addWidget(self.task_combo)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)

        self.preview_model = DataFrameModel(parent=self)
        self.preview = QTableView()
        self.preview.setModel(self.preview_model)
        self.preview.setAlternatingRowColors(True)
        self.preview.horizontalHeader().setDefaultSectionSize(110)
        self.preview.verticalHeader().setDefaultSectionSize(22)
        # Column widths from the first 50 rows (the ones on screen and more): measuring 200 held
        # the GUI thread ~90 ms on opening a table (bench/gui_visit.py).
        self.preview.horizontalHeader().setResizeContentsPrecision(50)

        self.schema_model = SchemaModel(self)
        self.schema_model.role_changed.connect(self._role_changed)
        self.schema = QTableView()
        self.schema.setModel(self.schema_model)
        self.schema.setItemDelegateForColumn(ROLE_COLUMN, RoleDelegate(self.schema))
        self.schema.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        header = self.schema.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.schema.verticalHeader().hide()

        self.classes = QTableWidget(0, 3)
        self.classes.setHorizontalHeaderLabels(["Class", "Rows", "Share"])
        self.classes.verticalHeader().hide()
        self.classes.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.classes.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.warnings = QListWidget()
        self.warnings.setWordWrap(True)
        self.warnings.setAlternatingRowColors(True)

        self.split_box = SplitBox()
        self.split_box.changed.connect(self._split_changed)

        side = QVBoxLayout()
        side.addWidget(
            boxed(
                "Split: rows to learn from, to pick the best epoch, and to test on",
                self.split_box,
            )
        )
        side.addWidget(boxed("Classes", self.classes), 1)
        side.addWidget(boxed("Warnings and notes", self.warnings), 2)
        side_widget = QWidget()
        side_widget.setLayout(side)

        self.thumbnails = ImageGrid()
        self.schema_box = boxed(
            "Columns — what dlstudio inferred (double-click a role to change it)", self.schema
        )
        self.thumbnails_box = boxed("A few images of each class", self.thumbnails)
        tables = QSplitter(Qt.Orientation.Vertical)
        tables.addWidget(boxed("Preview", self.preview))
        tables.addWidget(self.schema_box)
        tables.addWidget(self.thumbnails_box)
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(tables)
        body.addWidget(side_widget)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)

        loaded = QWidget()
        loaded_layout = QVBoxLayout(loaded)
        loaded_layout.setContentsMargins(0, 0, 0, 0)
        loaded_layout.addWidget(self.summary)
        loaded_layout.addWidget(body, 1)

        self.series_panel = SeriesPanel()
        self.series_panel.reload_requested.connect(self._load)
        self.series_panel.choices_changed.connect(self._series_choices_changed)

        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_welcome())
        self.stack.addWidget(loaded)
        self.stack.addWidget(self.series_panel)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self._set_controls_enabled(False)

    # ------------------------------------------------------------ building

    def _build_welcome(self) -> QWidget:
        welcome = QWidget()
        layout = QVBoxLayout(welcome)
        layout.addStretch(1)
        title = QLabel(
            "<h2>Start with your data</h2>"
            "<p>Open a table (CSV, Excel, Parquet, JSON), a folder with one subfolder of "
            "images or .txt files per class, or a .zip of such a folder — or drop it on "
            "this window. dlstudio works out the columns, the target and the task.</p>"
            "<p>Or try a bundled sample:</p>"
        )
        title.setWordWrap(True)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        row = QHBoxLayout()
        row.addStretch(1)
        descriptions = {
            "penguins": "Penguins (table, 3 species)",
            "breast_cancer": "Breast cancer (table, benign/malignant)",
            "sms_spam": "SMS spam (texts)",
            "digits": "Handwritten digits (images)",
        }
        for name in SAMPLES:
            button = QPushButton(descriptions.get(name, name))
            button.setObjectName(f"sample_{name}")
            button.clicked.connect(lambda _=False, n=name: self.open_sample(n))
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        # Filled by the window from its recent projects (set_recent_projects).
        self.recent_title = QLabel("<p>Or pick up where you left off:</p>")
        self.recent_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.recent_title.hide()
        layout.addWidget(self.recent_title)
        self.recent_buttons = QVBoxLayout()
        self.recent_buttons.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(self.recent_buttons)
        layout.addStretch(2)
        return welcome

    def set_recent_projects(self, paths: list[str], open_project) -> None:
        """Show up to five recent projects on the welcome page, each a button that reopens it
        with `open_project(path)`; folders that no longer exist are left out."""
        while self.recent_buttons.count():
            item = self.recent_buttons.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        shown = [path for path in paths if Path(path).is_dir()][:5]
        for path in shown:
            button = QPushButton(f"{Path(path).name}   ({path})")
            button.setObjectName("recent_project")
            button.setToolTip(f"Open the project in {path}: its data, runs and models")
            button.clicked.connect(lambda _=False, p=path: open_project(p))
            self.recent_buttons.addWidget(button)
        self.recent_title.setVisible(bool(shown))

    # ------------------------------------------------------------ opening

    @Slot()
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open data", str(self._start_folder()), TABLE_FILTER
        )
        if path:
            self.open_path(path)

    @Slot()
    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, "Open a folder of classes", str(self._start_folder())
        )
        if path:
            self.open_path(path)

    def _start_folder(self) -> Path:
        """Where the open dialogs start: the last folder data came from, kept across sessions."""
        last = QSettings().value("paths/last_data_folder")
        return Path(last) if last and Path(last).is_dir() else Path.home()

    def open_sample(self, name: str) -> None:
        self.open_path(sample_path(name), target=SAMPLES[name][1])

    def open_path(
        self, path: str | Path, target: str | None = None, spec: DataSpec | None = None
    ) -> None:
        """Load and profile `path` in the background; the page updates when it is done.

        Args:
            path: A table file, a folder of classes or a .zip of one.
            target: The column to predict; inferred when None.
            spec: Every choice to load it with (a reopened project's target, task, roles,
                sheet and split). Without it, the data already open keeps its choices and
                other data starts from what dlstudio infers.
        """
        if self.is_loading():
            return  # one load at a time; the controls are disabled meanwhile
        # A file's folder, or a class folder's parent: where the next dialog should start.
        QSettings().setValue("paths/last_data_folder", str(Path(path).resolve().parent))
        if spec is None:
            spec = self.session.state.choices_for(path)
            self._data_split = spec is None
            spec = spec or DataSpec(str(path), target)
            if target is not None:
                spec = replace(spec, target=target)
        else:
            self._data_split = False
        self._load(replace(spec, path=str(path)))

    def _load(self, wanted: DataSpec) -> None:
        if self.is_loading():
            return  # one load at a time; the controls are disabled meanwhile
        self._wanted = wanted
        self._path = path = Path(wanted.path)
        self._show_task(wanted.task)
        self._set_busy(True, f"Reading {path.name}…")
        self._task = BackgroundTask(lambda: _load(path, wanted), self)
        self._task.succeeded.connect(self._loaded)
        self._task.failed.connect(self._failed)
        self._task.start()

    def is_loading(self) -> bool:
        """Whether data is being read and profiled now (its choices are not settled yet)."""
        return self._task is not None and self._task.is_running()

    def wait_until_loaded(self, msecs: int = 30000) -> None:
        """Block until a running load finishes (closing the window, tests)."""
        if self._task is not None:
            self._task.wait(msecs)
        self.thumbnails.wait()

    @Slot(object)
    def _loaded(self, dataset: Dataset | SeriesView) -> None:
        if isinstance(dataset, SeriesView):
            self._series_loaded(dataset)
            return
        self.dataset = dataset
        profile, wanted = dataset.profile, self._wanted
        self._set_busy(False, self._describe(profile))
        self.show_profile(dataset)
        if not self._data_split:
            self.split_box.show_split(wanted.split)
        self._data_split = False
        self.session.state.set_data(
            DataSpec(
                str(Path(profile.source).resolve()),
                profile.target if profile.columns else None,
                profile.details.get("sheet"),
                wanted.task,
                dict(wanted.roles),
                self.split_box.split(wanted.split),
            )
        )
        self.dataset_loaded.emit(dataset)

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._set_busy(False, "Could not open the data.")
        self._set_controls_enabled(self.dataset is not None)
        good = self.session.state.data
        if self.dataset is not None:  # go back to the choices that worked; nothing is lost
            self._path = Path(self.dataset.profile.source)
            self._show_task(good.task if good else None)
            self.target_combo.setCurrentText(self.dataset.profile.target or "")
        if isinstance(self.dataset, SeriesView) and good is not None:
            # The settings that worked (as edited since), shown again with what went wrong.
            self.series_panel.show_view(replace(self.dataset, spec=good))
            self.series_panel.show_error(message)
        QMessageBox.warning(self, "Could not open the data", message)

    def _series_loaded(self, view: SeriesView) -> None:
        """A series to forecast or readings to search: the series panel instead of the table."""
        self.dataset = view
        self._set_busy(False, f"Loaded {Path(view.spec.path).name}: {len(view.values):,} values.")
        self._show_task(view.task)
        self.stack.setCurrentWidget(self.series_panel)
        self.source_label.setText(f"<b>{html.escape(Path(view.spec.path).name)}</b>")
        self.source_label.setToolTip(view.spec.path)
        self.session.state.set_data(view.spec)
        self.series_panel.show_view(view)
        self._set_controls_enabled(True)
        self.target_label.hide()  # the panel has its own target
        self.target_combo.hide()
        self.dataset_loaded.emit(view)

    @Slot(object)
    def _series_choices_changed(self, spec: DataSpec) -> None:
        """A forecast's horizon or context, edited: the same data with other choices."""
        if isinstance(self.dataset, SeriesView) and not self.is_loading():
            self.session.state.set_choices(spec)

    # ------------------------------------------------------------ showing

    def _show_task(self, task: str | None) -> None:
        self.task_combo.setCurrentIndex(max(0, self.task_combo.findData(task or AUTO_TASK)))

    def show_profile(self, dataset: Dataset) -> None:
        profile = dataset.profile
        self.stack.setCurrentIndex(1)
        self.target_label.show()
        self.target_combo.show()
        self.source_label.setText(f"<b>{html.escape(Path(profile.source).name)}</b>")
        self.source_label.setToolTip(profile.source)
        self.preview_model.set_frame(_display_frame(dataset))
        self.preview.resizeColumnsToContents()  # measures at most the first 50 rows
        for col in range(self.preview_model.columnCount()):
            self.preview.setColumnWidth(col, min(self.preview.columnWidth(col), 320))
        self.schema_model.set_profile(profile)
        self.schema_box.setVisible(bool(profile.columns))
        images = profile.kind.value == "images"
        self.thumbnails_box.setVisible(images)
        if images:
            self.thumbnails.show_classes(dataset.frame, profile.features[0], profile.target)
        self._updating = True
        self.target_combo.clear()
        candidates = [c.name for c in profile.columns] or [profile.target]
        self.target_combo.addItems(candidates)
        self.target_combo.setCurrentText(profile.target or "")
        self._updating = False
        self.summary.setText(self._summary_html(profile))
        self._show_classes(profile)
        self._show_warnings(profile)
        self.split_box.fill_order(profile)  # not the user's choice: no `changed`
        self._set_controls_enabled(True)
        self.target_combo.setEnabled(bool(profile.columns))

    def _summary_html(self, profile: DataProfile) -> str:
        task = task_name(profile.task.value) if profile.task else "—"
        kind = {"table": "Table", "images": "Images", "text": "Texts"}[profile.kind.value]
        shape = f"{profile.rows:,} rows"
        if profile.columns:
            shape += f" × {len(profile.columns)} columns"
        return (
            f"<b>{kind}</b> · {shape} · {len(profile.features)} feature(s) used<br>"
            f"Target <b>{html.escape(str(profile.target))}</b> {_grey(profile.target_reason)}"
            f" · Task <b>{html.escape(task)}</b> {_grey(profile.task_reason)}"
        )

    def _show_classes(self, profile: DataProfile) -> None:
        self.classes.setRowCount(0)
        total = sum(profile.classes.values()) or 1
        for label, count in profile.classes.items():
            row = self.classes.rowCount()
            self.classes.insertRow(row)
            for col, text in enumerate([label, f"{count:,}", f"{count / total:.1%}"]):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.classes.setItem(row, col, item)
        self.classes.parentWidget().setVisible(bool(profile.classes))

    def _show_warnings(self, profile: DataProfile) -> None:
        self.warnings.clear()
        style = self.style()
        for warning in profile.warnings:
            icon = (
                QStyle.StandardPixmap.SP_MessageBoxWarning
                if warning.kind in _SERIOUS
                else QStyle.StandardPixmap.SP_MessageBoxInformation
            )
            item = QListWidgetItem(style.standardIcon(icon), warning.message)
            item.setData(Qt.ItemDataRole.UserRole, warning.kind.value)
            self.warnings.addItem(item)
        for note in [*profile.notes, *_forecast_hint(profile)]:
            self.warnings.addItem(
                QListWidgetItem(style.standardIcon(QStyle.StandardPixmap.SP_FileIcon), note)
            )
        if self.warnings.count() == 0:
            self.warnings.addItem(
                "Nothing to worry about: no missing values, no imbalance, no leaks found."
            )

    def split_spec(self) -> SplitSpec:
        """The split the user set (ratios normalised to sum to 1)."""
        data = self.session.state.data
        return self.split_box.split(data.split if data is not None else SplitSpec())

    @Slot()
    def _split_changed(self, *_) -> None:
        if not self._updating and self.dataset is not None and self.session.state.data:
            self.session.state.set_split(self.split_spec())

    def _describe(self, profile: DataProfile) -> str:
        name, warnings = Path(profile.source).name, len(profile.warnings)
        return f"Loaded {name}: {profile.rows:,} rows, {warnings} warning(s)."

    # ------------------------------------------------------------ choices

    @Slot(int)
    def _target_chosen(self, _index: int) -> None:
        current = self.session.state.data
        target = self.target_combo.currentText()
        if not self._updating and self.dataset and current and target != current.target:
            self._load(replace(current, target=target, task=None))  # a new target: infer its task

    @Slot(int)
    def _task_chosen(self, _index: int) -> None:
        current = self.session.state.data
        if self.dataset and current:
            task = self.task_combo.currentData()
            task = None if task == AUTO_TASK else task
            if is_series_task(task) or is_series_task(current.task):
                self._load(carried_over(current, task))  # the time column and labels kept
            else:
                self._load(replace(current, task=task))

    @Slot(str, str)
    def _role_changed(self, column: str, role: str) -> None:
        current = self.session.state.data
        if self.dataset and current:
            self._load(replace(current, roles={**current.roles, column: role}))

    def _set_busy(self, busy: bool, message: str) -> None:
        self.busy.setVisible(busy)
        if busy:
            self._set_controls_enabled(False)
        self.status.emit(message)

    def _set_controls_enabled(self, enabled: bool) -> None:
        for widget in (self.target_combo, self.task_combo):
            widget.setEnabled(enabled)


def _load(path: Path, wanted: DataSpec) -> Dataset | SeriesView:
    """The data with the user's choices (off the GUI thread). A time series is read as one to
    forecast when the task is left to dlstudio and the table has nothing else to learn from
    (its only feature is its time, or the table reading refuses it)."""
    if is_series_task(wanted.task):
        return load_series_view(path, wanted)
    try:
        dataset = load_dataset(
            path,
            target=wanted.target,
            sheet=wanted.sheet,
            task=wanted.task,
            roles=dict(wanted.roles),
        )
    except DlstudioError:
        if wanted.task is None and path.is_file() and looks_like_series(path) is not None:
            return load_series_view(path, replace(wanted, task="forecast"))
        raise
    series = (
        wanted.task is None
        and only_time_features(dataset.profile)
        and looks_like_series(path, dataset.profile.target) is not None
    )
    return load_series_view(path, replace(wanted, task="forecast")) if series else dataset


def _forecast_hint(profile: DataProfile) -> list[str]:
    """A table over time (a date column, or year / month / day / hour columns) is read as rows
    by default; say once that its columns can be forecast instead (the Beijing air-quality
    table: its last column would otherwise be guessed the target of a regression)."""
    dates = [c.name for c in profile.columns if getattr(c.role, "value", "") == "datetime"]
    parts = [c.name for c in profile.columns if str(c.name).lower() in DATE_PARTS]
    times = dates or (parts if len(parts) >= 2 else [])  # a lone "year" is a feature (penguins)
    if getattr(profile.kind, "value", "") != "table" or not times:
        return []
    return [
        f"The rows run over time ({' + '.join(times)}): to forecast one of the columns, choose "
        "'Forecast future values' in the Task box; 'Find unusual readings' finds the rows "
        "that do not fit."
    ]


def _display_frame(dataset: Dataset):
    """The frame as previewed: image paths relative to the folder opened, when they are in it."""
    profile = dataset.profile
    if profile.kind.value != "images" or profile.format != "image folder":
        return dataset.frame
    root = str(Path(profile.source).resolve())
    column = profile.features[0]
    relative = dataset.frame[column].str.removeprefix(root).str.lstrip("/\\")
    return dataset.frame.assign(**{column: relative})


def _grey(text: str) -> str:
    return f"<span style='color:gray'>({html.escape(str(text))})</span>"
