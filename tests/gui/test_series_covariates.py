"""Covariates chosen in the window: the Data step offers the other columns of a series, the
ticks go into the session's DataSpec and come back with the project."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.core.test_forecast_covariates import driven_csv
from tests.gui.conftest import open_and_wait
from tests.gui.test_series_window import (
    _choose_task,
    projects,  # noqa: F401  (a fixture)
)


def _tick(panel, column: str, place: int) -> None:
    table = panel.covariates_table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == column)
    table.item(row, place).setCheckState(Qt.CheckState.Checked)


def _ticked(panel) -> dict[str, tuple[bool, bool]]:
    table = panel.covariates_table
    checked = Qt.CheckState.Checked
    return {
        table.item(r, 0).text(): (
            table.item(r, 1).checkState() == checked,
            table.item(r, 2).checkState() == checked,
        )
        for r in range(table.rowCount())
    }


def test_ticked_covariates_go_into_the_spec_and_come_back_with_the_project(
    qtbot,
    window,
    projects,  # noqa: F811
    tmp_path,
):
    from dlstudio.gui.app import create_main_window

    data = driven_csv(tmp_path / "sales.csv")
    open_and_wait(qtbot, window, data)
    _choose_task(qtbot, window.data_page, "forecast")
    panel = window.data_page.series_panel
    assert panel.target_combo.currentText() == "sales"
    assert _ticked(panel) == {"driver": (False, False), "mode": (False, False)}
    assert "None chosen" in panel.covariates_reason.text()

    _tick(panel, "driver", 1)
    _tick(panel, "mode", 2)  # known ahead: read too
    assert _ticked(panel) == {"driver": (True, False), "mode": (True, True)}
    spec = window.session.state.data
    assert spec.covariates == ("driver",) and spec.known_covariates == ("mode",)
    assert "known ahead: mode" in panel.covariates_reason.text()

    folder = tmp_path / "kept"
    window.session.state.save_project_as(folder)
    other = create_main_window()
    qtbot.addWidget(other)
    with qtbot.waitSignal(other.data_page.dataset_loaded, timeout=30000):
        other.open_project(folder)
    assert _ticked(other.data_page.series_panel) == {
        "driver": (True, False),
        "mode": (True, True),
    }
    assert other.session.state.data.known_covariates == ("mode",)
    other.data_page.wait_until_loaded()
