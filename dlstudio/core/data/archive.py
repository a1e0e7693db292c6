"""Safe extraction of a .zip of an image or text folder.

Refused outright: entries with absolute paths, drive letters or `..` (they would write outside
the target folder), symbolic links, and archives whose contents exceed a size or file-count
limit (zip bombs). The byte limit is enforced on what is actually written, not on the sizes the
archive declares, because those can lie.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from dlstudio.core.errors import DataError
from dlstudio.core.paths import cache_dir

MAX_EXTRACTED_BYTES = 4 * 1024**3
MAX_ENTRIES = 500_000
_CHUNK = 1024 * 1024


def extract_zip(
    archive: Path,
    max_bytes: int = MAX_EXTRACTED_BYTES,
    max_entries: int = MAX_ENTRIES,
) -> Path:
    """Extract `archive` once into the cache and return the folder with its contents.

    A later call for the same unchanged archive returns the same folder without extracting.

    Raises:
        DataError: The archive is corrupt, unsafe, or larger than the limits.
    """
    stat_ = archive.stat()
    key = hashlib.sha1(
        f"{archive.resolve()}|{stat_.st_size}|{stat_.st_mtime_ns}".encode()
    ).hexdigest()[:16]
    target = cache_dir("extracted") / f"{archive.stem}-{key}"
    if target.is_dir():
        return target
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not _is_noise(m.filename)]
            _check_members(archive, members, max_bytes, max_entries)
            staging = Path(tempfile.mkdtemp(prefix=".extracting-", dir=target.parent))
            try:
                _extract(archive, zf, members, staging, max_bytes)
                os.replace(staging, target)  # atomic: a half-extracted folder is never seen
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    except zipfile.BadZipFile as exc:
        raise DataError(
            f"{archive.name!r} is not a readable zip archive ({exc}).",
            "a .zip file with one folder per class inside",
            "Create the archive again, e.g. with 'zip -r data.zip folder/'.",
        ) from exc
    return target


def _is_noise(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return any(p == "__MACOSX" or p.startswith("._") or p == ".DS_Store" for p in parts)


def _check_members(archive: Path, members, max_bytes: int, max_entries: int) -> None:
    if len(members) > max_entries:
        raise DataError(
            f"{archive.name!r} holds {len(members)} entries.",
            f"at most {max_entries} files in an archive",
            "Split the data into smaller archives or use the unpacked folder.",
        )
    for member in members:
        name = member.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
            raise DataError(
                f"{archive.name!r} contains the entry {name!r}, which would be written outside "
                "the extraction folder.",
                "entries with relative paths inside the archive only",
                "Re-create the archive from inside the data folder; this one may be malicious.",
            )
        if stat.S_ISLNK(member.external_attr >> 16):
            raise DataError(
                f"{archive.name!r} contains a symbolic link ({name!r}).",
                "plain files and folders only",
                "Re-create the archive without links (e.g. zip without --symlinks).",
            )
    declared = sum(m.file_size for m in members)
    if declared > max_bytes:
        _too_big(archive, declared, max_bytes)


def _extract(archive: Path, zf: zipfile.ZipFile, members, staging: Path, max_bytes: int) -> None:
    written = 0
    for member in members:
        dest = staging.joinpath(*PurePosixPath(member.filename.replace("\\", "/")).parts)
        if member.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(member) as src, dest.open("wb") as out:
            while chunk := src.read(_CHUNK):
                written += len(chunk)
                if written > max_bytes:
                    _too_big(archive, written, max_bytes)
                out.write(chunk)


def _too_big(archive: Path, size: int, max_bytes: int) -> None:
    raise DataError(
        f"{archive.name!r} would unpack to more than {size / 1024**2:,.0f} MiB.",
        f"an archive that unpacks to at most {max_bytes / 1024**2:,.0f} MiB",
        "Unpack it yourself and open the folder, or split it into smaller archives.",
    )
