"""Errors a user can cause and fix, phrased the Keras way.

Every message says what was received, what was expected and how to fix it. The CLI prints
`str(error)` and exits with status 2; the GUI shows it in a dialog. Neither shows a traceback.
"""

from __future__ import annotations


class DlstudioError(Exception):
    """A problem with the user's input or request, with a message meant for that user.

    Args:
        received: What dlstudio was given, in the user's terms.
        expected: What it needed instead.
        fix: One concrete step that resolves it.
    """

    def __init__(self, received: str, expected: str, fix: str) -> None:
        self.received = received
        self.expected = expected
        self.fix = fix
        super().__init__(f"{received} Expected {expected}. {fix}")


class DataError(DlstudioError):
    """The data file, folder or archive cannot be used as given."""


def error_summary(error: BaseException, limit: int = 300) -> str:
    """A library's exception in one line for a message: its type and first line of text."""
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[0][:limit]}" if lines else type(error).__name__
