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
