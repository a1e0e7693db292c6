"""A `dlstudio` command run in a process of its own, for jobs that load Keras and have a CLI
of their own (keeping an anomaly run's threshold, exporting a forecast or anomaly run): the
window's process never imports TensorFlow, and the CLI already says every failure in plain
words ("error: ..." on stderr, exit status 2).

`CliProcess` is a ChildProcess like ProcessTask: start, then succeeded(stdout) or
failed(message).
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from dlstudio.gui.process_task import ChildProcess


class CliProcess(ChildProcess):
    def __init__(self, arguments: list[str], parent: QObject | None = None) -> None:
        super().__init__(["-m", "dlstudio", *arguments], "", parent)

    def _answer(self, code: int, output: str, errors: str) -> None:
        if code == 0:
            self.succeeded.emit(output)
            return
        # The CLI's own message, which may run over several lines, follows "error: ".
        at = errors.rfind("error: ")
        said = errors[at + len("error: ") :].strip() if at >= 0 else ""
        self.failed.emit(said or f"The job stopped unexpectedly (exit status {code}).")
