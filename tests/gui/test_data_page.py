"""The Data page as a user drives it: open, read the inferred schema, change choices."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from dlstudio.gui.qmodels.schema_model import ROLE_COLUMN
from tests.gui.conftest import open_and_wait


def test_sample_shows_preview_schema_classes_and_warnings(qtbot, window, penguins_csv):
    page = window.data_page
    assert page.stack.currentIndex() == 0  # the welcome page says what to do first
    open_and_wait(qtbot, window, penguins_csv)
    assert page.stack.currentIndex() == 1
    assert page.preview_model.rowCount() == 344 and page.preview_model.columnCount() == 8
    assert page.preview_model.index(3, 2).data() == "missing"  # 'NA' shown as missing
    assert page.schema_model.rowCount() == 8
    assert page.schema_model.index(0, ROLE_COLUMN).data() == "categorical · target"
    assert page.target_combo.currentText() == "species"
    assert "multiclass" in page.summary.text()
    assert page.classes.rowCount() == 3 and page.classes.item(0, 0).text() == "Adelie"
    messages = [page.warnings.item(i).text() for i in range(page.warnings.count())]
    assert any("missing values" in m for m in messages)
    assert window.windowTitle() == "dlstudio — palmer_penguins.csv"
    assert "344 rows" in window.status_label.text()
    assert not any("Forecast future values" in m for m in messages)  # a lone year is a feature


def test_a_table_over_time_says_it_can_be_forecast(qtbot, window, tmp_path):
    # Beijing's air-quality table: time in year/month/day/hour, the last column is guessed
    # the target of a regression; the page says the rows can be forecast instead.
    rows = [
        (2010, 1 + h // 96, 1 + h // 24 % 4, h % 24, 50 + h % 7, "NW" if h % 3 else "cv")
        for h in range(240)
    ]
    table = tmp_path / "air.csv"
    table.write_text(
        "year,month,day,hour,pm,wind\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)
    )
    open_and_wait(qtbot, window, table)
    page = window.data_page
    messages = [page.warnings.item(i).text() for i in range(page.warnings.count())]
    hint = next(m for m in messages if "Forecast future values" in m)
    assert "year + month + day + hour" in hint


def test_changing_a_role_profiles_again(qtbot, window, penguins_csv):
    open_and_wait(qtbot, window, penguins_csv)
    model = window.data_page.schema_model
    year = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "year")
    with qtbot.waitSignal(window.data_page.dataset_loaded, timeout=30000) as blocker:
        model.setData(model.index(year, ROLE_COLUMN), "categorical")
    assert blocker.args[0].profile.column("year").role.value == "categorical"
    assert "set by the user" in model.index(year, 5).data()


def test_changing_the_target_and_task(qtbot, window, penguins_csv):
    page = window.data_page
    open_and_wait(qtbot, window, penguins_csv)
    with qtbot.waitSignal(page.dataset_loaded, timeout=30000) as blocker:
        page.target_combo.setCurrentText("island")
        page.target_combo.activated.emit(page.target_combo.currentIndex())
    assert blocker.args[0].profile.target == "island"
    assert page.classes.rowCount() == 3 and page.classes.item(0, 0).text() == "Biscoe"


def test_bad_file_explains_and_keeps_what_was_loaded(
    qtbot, window, penguins_csv, tmp_path, monkeypatch
):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    open_and_wait(qtbot, window, penguins_csv)
    junk = tmp_path / "broken.csv"
    junk.write_bytes(bytes(range(256)) * 10)
    window.data_page.open_path(junk)
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    assert "binary data" in shown[0] and "Traceback" not in shown[0]
    assert window.data_page.dataset.profile.target == "species"  # nothing lost
    assert window.data_page.preview_model.rowCount() == 344


def test_impossible_task_is_refused_and_the_choice_reverts(
    qtbot, window, penguins_csv, monkeypatch
):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    page = window.data_page
    open_and_wait(qtbot, window, penguins_csv)
    page.task_combo.setCurrentText("regression")
    page.task_combo.activated.emit(page.task_combo.currentIndex())
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    assert "holds text labels" in shown[0]
    assert page.task_combo.currentText() == "inferred"


def test_sample_buttons_and_image_folders(qtbot, window):
    page = window.data_page
    button = page.findChild(type(page.open_button), "sample_digits")
    with qtbot.waitSignal(page.dataset_loaded, timeout=30000) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].profile.kind.value == "images"
    assert page.classes.rowCount() == 10
    assert not page.schema_box.isVisibleTo(page)  # a folder has no columns to show
    page.thumbnails.wait()
    qtbot.waitUntil(lambda: page.thumbnails.count() == 80, timeout=30000)  # 8 per class
    assert not page.thumbnails.item(0).icon().isNull()
    assert page.preview_model.index(0, 0).data().startswith("0/")  # relative to the folder


def test_dropping_a_file_opens_it_and_remembers_it(qtbot, window, sms_csv):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(sms_csv))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.data_page.dataset_loaded, timeout=30000) as blocker:
        window.dropEvent(event)
    assert blocker.args[0].profile.kind.value == "text"
    assert window.recent_data.paths()[0] == str(sms_csv.resolve())
    assert window.recent_data.menu.actions()[0].text() == str(sms_csv.resolve())
    assert window.data_page._start_folder() == sms_csv.resolve().parent  # remembered for dialogs
