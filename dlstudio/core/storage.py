"""Files that dlstudio writes and reads back: atomically written, and plainly reported when
they cannot be written (a full disk, a read-only folder) or read (cut by a crash, edited).

Writes go to a temporary file beside the target, synced, then renamed over it, so a crash
leaves either the old or the new version, never half of one. The temporary file gets the
mode a plain `open()` would have given (the user's umask, or the replaced file's own mode):
tempfile.mkstemp alone would leave every file readable by its owner only.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from pathlib import Path

from dlstudio.core.errors import DlstudioError

# Errors that say the disk or folder refuses writes, not that dlstudio did something wrong.
DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
NOT_WRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM}
STORAGE_ERRNOS = DISK_FULL | NOT_WRITABLE | {errno.ENOENT, errno.EIO}


class StorageError(DlstudioError):
    """A file could not be written: the disk is full, the folder is read-only or gone."""


class DamagedFile(DlstudioError):
    """A file dlstudio wrote cannot be read back (cut short, emptied or edited by hand).

    Attributes:
        path: The damaged file.
        problem: What is wrong with it, in a few words.
    """

    def __init__(self, path: Path, problem: str, fix: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(
            f"The file {str(path)!r} cannot be read: {problem}.",
            f"the {self.path.name} that dlstudio wrote there",
            fix,
        )


def storage_error(path: Path, error: OSError, fix: str | None = None) -> StorageError:
    """`error` (raised while writing `path`) said in a user's words. `path` may be a folder
    when the file is not known (Keras and h5py do not always say which one failed)."""
    path = Path(path)
    folder, name = (str(path), "a file") if path.is_dir() else (str(path.parent), path.name)
    reason = error.strerror or str(error)
    if error.errno in DISK_FULL:
        return StorageError(
            f"The disk holding {folder!r} is full: {name} could not be written.",
            "free space on that disk",
            fix or "Free some space, or write to a folder on another disk, then try again.",
        )
    if error.errno in NOT_WRITABLE:
        return StorageError(
            f"dlstudio may not write in {folder!r} ({reason}).",
            "a folder you can write to",
            fix or "Make the folder writable, or choose another one, then try again.",
        )
    if error.errno == errno.ENOENT:
        return StorageError(
            f"The folder {folder!r} no longer exists: it was deleted or moved while dlstudio "
            f"was writing {name}.",
            "the folder to stay in place while dlstudio works in it",
            fix or "Put the folder back, or start again in another folder.",
        )
    return StorageError(
        f"{name} could not be written in {folder!r} ({reason}).",
        "a folder on a working disk that you can write to",
        fix or "Check the disk, or choose another folder, then try again.",
    )


def is_storage_error(error: BaseException) -> bool:
    """True for an OSError that says the disk or folder refused a write."""
    return isinstance(error, OSError) and error.errno in STORAGE_ERRNOS


def atomic_write_text(path: Path, text: str, make_parents: bool = True) -> None:
    """Write `text` to `path` atomically; a failure is a StorageError that says why.

    Args:
        path: The file to write (replaced if it exists).
        text: Its whole new content.
        make_parents: Create missing parent folders. Run folders pass False: a run folder
            that vanished mid-run must be an error, not silently re-created half empty.
    """
    _atomic_write(path, text, {"mode": "w", "encoding": "utf-8"}, make_parents)


def atomic_write_bytes(path: Path, content: bytes, make_parents: bool = True) -> None:
    """atomic_write_text for bytes (a trial's weights, arrays)."""
    _atomic_write(path, content, {"mode": "wb"}, make_parents)


def _atomic_write(path: Path, content, opening: dict, make_parents: bool) -> None:
    path = Path(path)
    try:
        if make_parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise storage_error(path, error) from error
    try:
        _chmod_like_open(fd, path)
        with os.fdopen(fd, **opening) as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise storage_error(path, error) from error
        raise


def atomic_write_json(path: Path, data, make_parents: bool = True) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    atomic_write_text(path, text, make_parents)


def read_json(path: Path, default=None, fix: str | None = None):
    """The JSON in `path`; `default` when there is no such file.

    Raises:
        DamagedFile: The file exists but is empty, cut short or not JSON.
        StorageError: The file exists but may not be read.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return default
    except UnicodeDecodeError:
        raise DamagedFile(path, "it is not text", fix or _RESTORE) from None
    except IsADirectoryError:
        raise DamagedFile(path, "it is a folder, not a file", fix or _RESTORE) from None
    except OSError as error:
        raise StorageError(
            f"The file {str(path)!r} may not be read ({error.strerror or error}).",
            "a file you can read",
            "Check its permissions.",
        ) from None
    if not text.strip():
        raise DamagedFile(path, "it is empty", fix or _RESTORE)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"{error.msg} at line {error.lineno}, column {error.colno}"
        raise DamagedFile(
            path, f"it is cut short or not valid JSON ({where})", fix or _RESTORE
        ) from None
    except ValueError as error:  # numbers too long to convert, and the like
        raise DamagedFile(path, f"it is not valid JSON ({error})", fix or _RESTORE) from None


def read_json_object(path: Path, default=None, fix: str | None = None) -> dict | None:
    """read_json for files that hold one JSON object (a list or a number there is damage)."""
    data = read_json(path, default, fix)
    if data is not default and not isinstance(data, dict):
        raise DamagedFile(
            path, f"it holds a JSON {type(data).__name__}, not an object", fix or _RESTORE
        )
    return data


_RESTORE = "Restore the file from a copy, or make it again with dlstudio."


def _chmod_like_open(fd: int, path: Path) -> None:
    """Give the temporary file the mode the file it replaces has, or else what the umask
    allows (mkstemp creates it 0600 whatever the umask)."""
    if not hasattr(os, "fchmod"):
        return  # Windows: no POSIX modes to keep
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~current_umask()
    # A file system without modes (FAT, some network shares) refuses: its default stands.
    with contextlib.suppress(OSError):
        os.fchmod(fd, mode)


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    # Elsewhere the only way to read it is to set it; put it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
