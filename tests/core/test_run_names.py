"""Runs can be given names that survive a restart."""

from __future__ import annotations

import pytest

from dlstudio.core.errors import DlstudioError
from dlstudio.core.run_names import display_name, run_name, set_run_name, short_name


def test_a_name_is_stored_in_the_run_folder_and_read_back(tmp_path):
    run = tmp_path / "20261202-141500"
    run.mkdir()
    assert run_name(run) is None and display_name(run) == "20261202-141500"
    assert set_run_name(run, "  bigger\nnetwork ") == "bigger network"
    assert run_name(run) == "bigger network"
    assert display_name(run) == "bigger network (20261202-141500)"
    assert short_name(run) == "bigger network"
    assert not [p for p in run.iterdir() if p.name.startswith(".")]  # no temp file left
    assert set_run_name(run, "") is None and run_name(run) is None


def test_a_damaged_name_file_is_ignored_and_bad_names_are_explained(tmp_path):
    (tmp_path / "name.json").write_text("{cut")
    assert run_name(tmp_path) is None
    with pytest.raises(DlstudioError, match="at most 80"):
        set_run_name(tmp_path, "x" * 81)
    with pytest.raises(DlstudioError, match="not a folder"):
        set_run_name(tmp_path / "gone", "a name")
