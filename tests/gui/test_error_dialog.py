"""An error in the window's code reaches the user: a dialog with a one-line reason and where the
full traceback was written, one dialog at a time, never only a traceback on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from dlstudio.gui.error_dialog import ErrorDialogHook
from dlstudio.gui.wizard import export_page
from dlstudio.gui.wizard.export_page import ExportPage

ROOT = Path(__file__).resolve().parents[2]


def _dialogs() -> list[QMessageBox]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]


def test_a_button_whose_slot_raises_shows_the_reason_and_the_log(qtbot, monkeypatch, tmp_path):
    page = ExportPage()
    qtbot.addWidget(page)
    page.show()
    browse = next(b for b in page.findChildren(export_page.QPushButton) if b.text() == "Choose…")

    def broken(*_args):
        raise OSError("the file chooser could not start")

    monkeypatch.setattr(export_page.QFileDialog, "getExistingDirectory", broken)
    log = tmp_path / "logs" / "errors.log"
    # pytest-qt's capture stays underneath: it still records every error the dialog shows.
    with qtbot.capture_exceptions() as captured:
        hook = ErrorDialogHook(log).install()
        try:
            qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: len(_dialogs()) == 1)
            box = _dialogs()[0]
            reason = box.text()
            assert "\n" not in reason
            assert "OSError: the file chooser could not start" in reason
            assert "export_page.py, line" in reason  # where in dlstudio, for a bug report
            said = box.informativeText()
            assert f"The full traceback is in {log}" in said
            assert "the rest of the window still works" in said
            assert "Traceback (most recent call last)" in box.detailedText()
            text = log.read_text(encoding="utf-8")
            assert "Traceback (most recent call last)" in text
            assert "_choose_folder" in text and "the file chooser could not start" in text

            # The same error again, and another one, while the dialog is open: still one dialog.
            browse.click()
            browse.click()
            page.copy_button.setEnabled(True)
            monkeypatch.setattr(export_page.QApplication, "clipboard", broken)
            page.copy_button.click()
            assert _dialogs() == [box]
            assert "This happened 3 times." in box.informativeText()
            assert "1 other error since, also in the log." in box.informativeText()
            assert log.read_text(encoding="utf-8").count("Traceback (most recent call last)") == 4

            # Muted: the same error is logged, not shown; another error shows a fresh dialog.
            box.checkBox().setChecked(True)
            box.button(QMessageBox.StandardButton.Ok).click()
            qtbot.waitUntil(lambda: not _dialogs())
            browse.click()
            assert not _dialogs()
            page.copy_button.click()
            qtbot.waitUntil(lambda: len(_dialogs()) == 1)
            assert "could not start" in _dialogs()[0].text()
            assert "_copy_code" in log.read_text(encoding="utf-8")
            _dialogs()[0].close()
        finally:
            hook.uninstall()
    assert len(captured) == 6
    assert all(isinstance(error, OSError) for _kind, error, _tb in captured)


def test_an_error_in_a_background_thread_shows_the_dialog_on_the_window(qtbot, tmp_path):
    import threading

    printed = []
    hook = ErrorDialogHook(tmp_path / "errors.log").install()
    hook.previous_thread_hook = printed.append  # instead of pytest's warning about it
    try:

        def load_pages():
            raise ImportError("pyqtgraph is missing")

        thread = threading.Thread(target=load_pages)
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: len(_dialogs()) == 1)  # carried to the GUI thread
        box = _dialogs()[0]
        assert "ImportError: pyqtgraph is missing" in box.text()
        assert len(printed) == 1
        assert "load_pages" in (tmp_path / "errors.log").read_text(encoding="utf-8")
        box.close()
    finally:
        hook.uninstall()


def test_an_error_while_reporting_is_printed_not_raised_again(qtbot, monkeypatch, tmp_path):
    hook = ErrorDialogHook(tmp_path / "errors.log")
    printed = []
    hook.previous = lambda kind, error, tb: printed.append(error)

    def broken_box(*_args):
        raise RuntimeError("no dialog today")

    monkeypatch.setattr("dlstudio.gui.error_dialog.QMessageBox", broken_box)
    try:
        raise ValueError("first")
    except ValueError as error:
        hook(type(error), error, error.__traceback__)  # must not raise
    assert [str(e) for e in printed] == ["first"]
    assert hook.dialog is None
    assert "ValueError: first" in (tmp_path / "errors.log").read_text(encoding="utf-8")


def test_the_app_installs_the_dialog_when_it_starts(tmp_path):
    """The real start: `application()` makes the QApplication and installs the hook; an error in
    a timer's callback then shows the dialog and is logged under dlstudio's cache folder."""
    script = textwrap.dedent(
        """
        import sys
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QMessageBox
        from dlstudio.gui.app import application

        app = application()

        def broken():
            raise KeyError("no such step")

        def check():
            boxes = [w for w in app.topLevelWidgets() if isinstance(w, QMessageBox)]
            shown = [b for b in boxes if b.isVisible()]
            print("DIALOG", shown[0].text() if shown else None)
            print("INFO", shown[0].informativeText().replace(chr(10), " ") if shown else None)
            app.exit(0)

        QTimer.singleShot(0, broken)
        QTimer.singleShot(500, check)
        sys.exit(app.exec())
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DLSTUDIO_CACHE": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    log = tmp_path / "logs" / "errors.log"
    assert "DIALOG The window's code failed in <string>, line " in done.stdout, done.stdout
    assert ": KeyError: 'no such step'\n" in done.stdout
    assert f"The full traceback is in {log}" in done.stdout
    assert "KeyError: 'no such step'" in log.read_text(encoding="utf-8")
    assert "KeyError" in done.stderr  # the terminal still has it too
