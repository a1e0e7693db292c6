"""Image datasets: a folder with one subfolder per class, or a table of file paths and labels.

Every file is opened once while scanning so that unreadable ones are skipped and reported by
name up front, never discovered half-way through training. That includes images too large to
open safely (over Pillow's decompression-bomb limit). Pixels are read later, on demand,
through `load_image`, which normalises every mode (grayscale, palette, RGBA, 16-bit) to 8-bit
grayscale or RGB of one size.

The same pass judges whether each image is grayscale, on a thumbnail of the pixels it already
decoded (a colour JPEG can hold a black-and-white photo): a class whose images are nearly all
grayscale while the others are in colour (or the reverse) lets a model learn "no colour" instead
of the class, and the profile says so (`colour_shortcut`).

Very large images (tens of megapixels) are decoded at a bounded size: JPEGs straight at a
fraction of their size (libjpeg's DCT scaling, `Image.draft`); other formats have no such
mode, so they are decoded once, shrunk right away in their own mode, and the shrunk copy is
kept in the cache, so that later runs, evaluations and predictions never decode them again.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import warnings
from collections import Counter
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, UnidentifiedImageError

from dlstudio.core.data.schema import label_text, sample_rows
from dlstudio.core.errors import DataError
from dlstudio.core.paths import cache_dir

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
_GRAY_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"}
# Header-only checks are cheap; decoding a 4000×3000 photo just to validate it is not.
_FULL_DECODE_MAX_PIXELS = 1024 * 1024
# Above this many pixels an image is decoded at a bounded size and its shrunk copy cached: a
# 12,000 × 12,000 RGB image is 432 MB decoded, and every mode conversion at full size would
# copy it again. Photos from cameras and phones (up to about 4000 × 4000) stay below.
LARGE_IMAGE_PIXELS = 4096 * 4096
# The longest side of the shrunk copy: far more than any model here takes (64 to 224), so
# the final resize still has detail to work from.
REDUCED_SIDE = 1024
_REDUCIBLE_MODES = {"L", "LA", "RGB", "RGBA", "I", "F", "CMYK", "YCbCr", "La", "RGBa"}


@dataclass
class ImageScan:
    """What a scan found: one row per readable image, and what it left out and why."""

    frame: pd.DataFrame  # columns: path (absolute), label
    skipped: list[str] = field(default_factory=list)  # "name: reason" of unreadable images
    ignored: list[str] = field(default_factory=list)  # files that are not images at all
    sizes: Counter = field(default_factory=Counter)  # (width, height) -> count
    modes: Counter = field(default_factory=Counter)  # PIL mode -> count
    empty: list[str] = field(default_factory=list)  # class folders left without an image
    # Per class (as text): images judged grayscale, and images whose colour was judged (large
    # non-JPEG images are not decoded while scanning, so their colour is not known).
    grayscale: Counter = field(default_factory=Counter)
    colour_judged: Counter = field(default_factory=Counter)

    @property
    def channels(self) -> int:
        """1 if every image is grayscale, else 3 (colour images are read as RGB)."""
        return 1 if self.modes and set(self.modes) <= _GRAY_MODES else 3


def is_image_file(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".")


def class_folders(root: Path) -> list[Path]:
    """The visible subfolders of `root`, sorted by name."""
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "__")))


def scan_image_folder(root: Path) -> ImageScan:
    """Scan `root/<class>/*.<image>`; files directly in `root` are ignored and reported."""
    rows, ignored = [], []
    for folder in class_folders(root):
        for file in sorted(folder.rglob("*")):
            if not file.is_file() or file.name.startswith("."):
                continue
            if is_image_file(file):
                rows.append((str(file.resolve()), folder.name))
            else:
                ignored.append(str(file.relative_to(root)))
    ignored += [p.name for p in root.iterdir() if p.is_file() and not p.name.startswith(".")]
    scan = _check_images(pd.DataFrame(rows, columns=["path", "label"]), root, ignored)
    found = set(scan.frame["label"])
    scan.empty = [folder.name for folder in class_folders(root) if folder.name not in found]
    return scan


def scan_image_table(
    frame: pd.DataFrame, path_column: str, label_column: str, base: Path
) -> ImageScan:
    """Scan a table whose `path_column` names image files (relative paths are from `base`)."""
    paths = frame[path_column].astype(str).map(lambda p: str((base / p).resolve()))
    table = pd.DataFrame({"path": paths, "label": frame[label_column]})
    return _check_images(table, base, [])


def _check_images(table: pd.DataFrame, root: Path, ignored: list[str]) -> ImageScan:
    keep, skipped, sizes, modes = [], [], Counter(), Counter()
    grayscale, judged = Counter(), Counter()
    rows = zip(table.index, table["path"], table["label"], strict=True)
    for index, path, label in rows:
        problem, info = _probe(Path(path))
        if problem:
            skipped.append(f"{_display(Path(path), root)}: {problem}")
            continue
        keep.append(index)
        sizes[info[0]] += 1
        modes[info[1]] += 1
        if info[2] is not None and not pd.isna(label):
            name = label_text(label)
            judged[name] += 1
            grayscale[name] += info[2]
    frame = table.loc[keep].reset_index(drop=True)
    return ImageScan(
        frame, skipped, ignored, sizes, modes, grayscale=grayscale, colour_judged=judged
    )


def _probe(path: Path) -> tuple[str | None, tuple]:
    """Open an image enough to know it is readable; return (problem, (size, mode, gray)),
    `gray` being whether it is grayscale, or None where that was not judged."""
    if not path.is_file():
        return "file not found", ()
    try:
        with _quiet_about_size(), Image.open(path) as im:
            size, mode = im.size, im.mode
            if size[0] * size[1] <= _FULL_DECODE_MAX_PIXELS:
                im.load()  # catches truncated files that a header check would miss
                gray = _is_grayscale(im)
            else:
                jpeg = im.format == "JPEG"
                im.verify()
                gray = True if mode in _GRAY_MODES else _large_jpeg_grayscale(path, jpeg)
    except Image.DecompressionBombError as exc:
        return f"{_too_large(exc)}; shrink it in an image editor to use it", ()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return f"not a readable image ({type(exc).__name__})", ()
    return None, (size, mode, gray)


# An image is grayscale when its colour channels agree nearly everywhere: on a thumbnail of at
# most `_THUMBNAIL_SIDE` pixels a side, the spread between a pixel's largest and smallest
# channel averages at most 2 (of 255), and 99 % of pixels spread by at most 8. A grayscale photo
# saved as a colour JPEG spreads by 0 or 1; the least colourful of 1,000 real colour photos of
# clothes (white backgrounds, grey and black garments) averaged 3 and reached 9.
_THUMBNAIL_SIDE = 32
_GRAY_MEAN_SPREAD = 2.0
_GRAY_P99_SPREAD = 8


def _is_grayscale(im: Image.Image) -> bool | None:
    """Whether a decoded image has no colour, judged on a thumbnail of pixels picked from it
    (nearest-neighbour: 0.04 ms for a 400 × 533 photo, where averaging blocks takes 1)."""
    if im.mode in _GRAY_MODES:
        return True
    try:
        width, height = im.size
        scale = min(1.0, _THUMBNAIL_SIDE / max(width, height))
        side = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = im.resize(side, Image.Resampling.NEAREST) if scale < 1 else im
        if small.mode not in ("RGB", "RGBA"):
            small = small.convert("RGB")  # palette, CMYK, YCbCr…: a palette may hold only greys
        pixels = np.asarray(small)[..., :3]  # uint8: max - min cannot wrap
    except (OSError, ValueError):
        return None
    spread = pixels.max(axis=2) - pixels.min(axis=2)
    colourful = np.count_nonzero(spread > _GRAY_P99_SPREAD)
    return bool(spread.mean() <= _GRAY_MEAN_SPREAD and colourful <= 0.01 * spread.size)


def _large_jpeg_grayscale(path: Path, jpeg: bool) -> bool | None:
    """Whether a colour JPEG over `_FULL_DECODE_MAX_PIXELS` is grayscale, decoded at an eighth
    of its size (libjpeg's DCT scaling: milliseconds). Other large images are not decoded
    while scanning, so their colour stays unknown (None)."""
    if not jpeg:
        return None
    try:
        with Image.open(path) as im:
            im.draft("RGB", (_THUMBNAIL_SIDE * 4, _THUMBNAIL_SIDE * 4))
            im.load()
            return _is_grayscale(im)
    except (OSError, SyntaxError, ValueError):
        return None


# A class is (almost) all grayscale at 90 % of its images, (almost) all colour at 10 % or less,
# judged on at least `_COLOUR_MIN_IMAGES` of its images.
_ALMOST_ALL = 0.9
_COLOUR_MIN_IMAGES = 5


def colour_shortcut(scan: ImageScan) -> str | None:
    """A warning when colour alone tells some classes apart: one class (or a few) almost all
    grayscale while the others are mostly in colour, or the reverse. A model learns that
    shortcut first, and then calls any black-and-white photo by the grayscale class's name."""
    shares = {
        label: scan.grayscale[label] / judged
        for label, judged in scan.colour_judged.items()
        if judged >= _COLOUR_MIN_IMAGES
    }
    gray = [label for label, share in shares.items() if share >= _ALMOST_ALL]
    colour = [label for label, share in shares.items() if share <= 1 - _ALMOST_ALL]
    if not gray or not colour:
        return None
    # The classes colour sets apart (those of the rarer kind), and how each kind is said: "are grayscale" / "are in
    # colour" and "grayscale images" / "colour images".
    overall = sum(scan.grayscale.values()) / sum(scan.colour_judged.values())
    if overall <= 0.5:  # most images are in colour: the grayscale classes stand out
        odd, kind, other_kind, kind_adj, other_adj = (
            gray,
            "grayscale",
            "in colour",
            "grayscale",
            "colour",
        )
    else:
        odd, kind, other_kind, kind_adj, other_adj = (
            colour,
            "in colour",
            "grayscale",
            "colour",
            "grayscale",
        )
    others = [label for label in scan.colour_judged if label not in odd]
    others_gray = sum(scan.grayscale[c] for c in others) / sum(
        scan.colour_judged[c] for c in others
    )
    others_share = others_gray if odd is colour else 1 - others_gray
    if others_share <= 0.5:
        return None  # the other classes are not mostly the other kind
    names = ", ".join(repr(label) for label in odd[:5]) + (
        f" and {len(odd) - 5} more" if len(odd) > 5 else ""
    )
    if len(odd) == 1:
        label = odd[0]
        counted = (
            f"{_kind_count(scan, label, odd is gray)} of its {scan.colour_judged[label]} images "
            f"({_kind_share(scan, label, odd is gray):.0%}) are {kind}"
        )
    else:
        counted = (
            f"their images are {kind} ("
            + "; ".join(
                f"{label!r}: {_kind_count(scan, label, odd is gray)} of {scan.colour_judged[label]}"
                for label in odd[:5]
            )
            + ")"
        )
    learnt = "no colour" if odd is gray else "colour"
    plain = " or ".join(str(label) for label in odd[:5])
    return (
        f"Colour alone tells {names} apart: {counted}, while {others_share:.0%} of the other "
        f'classes\' images are {other_kind}. The model may learn "{learnt} means {plain}" '
        f"instead of what the images show, and then call any {kind_adj} photo {names}. Add "
        f"{other_adj} images of {names} (or {kind_adj} ones of the other classes), or convert "
        "every image to grayscale."
    )


def _kind_count(scan: ImageScan, label: str, gray: bool) -> int:
    return scan.grayscale[label] if gray else scan.colour_judged[label] - scan.grayscale[label]


def _kind_share(scan: ImageScan, label: str, gray: bool) -> float:
    return _kind_count(scan, label, gray) / scan.colour_judged[label]


def _too_large(exc: Exception) -> str:
    """Why an image over Pillow's decompression-bomb limit is left out, in plain words."""
    found = re.search(r"\((\d+) pixels\)", str(exc))
    pixels = f"{_count(int(found.group(1)))} pixels" if found else "too many pixels"
    limit = _count(2 * (Image.MAX_IMAGE_PIXELS or 0))
    return (
        f"too large to open safely ({pixels}; the most dlstudio opens is {limit}, a guard "
        "against decompression bombs)"
    )


def _count(pixels: int) -> str:
    return f"{pixels / 1e6:,.0f} million" if pixels >= 10**7 else f"{pixels:,}"


@contextmanager
def _quiet_about_size():
    """Pillow warns about images between its limit and twice it; dlstudio opens those on
    purpose (at a bounded size), so the warning would only alarm the user."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        yield


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.resolve()))
    except ValueError:
        return path.name


def looks_like_image_paths(series: pd.Series) -> bool:
    """True when nearly every value of a text column ends with an image file extension."""
    values = series.dropna().astype(str)
    if values.empty:
        return False
    sample = sample_rows(values, 500)
    return sample.str.lower().str.endswith(tuple(IMAGE_SUFFIXES)).mean() >= 0.9


def load_image(path: str | Path, size: tuple[int, int], channels: int) -> np.ndarray:
    """Read one image as uint8 pixels of shape (height, width, channels).

    Palette images are expanded, transparency is flattened onto white (how viewers show it),
    16-bit and float grayscale are scaled to 8 bits, and the image is resized to `size`
    (width, height) with a high-quality filter. Images over `LARGE_IMAGE_PIXELS` are read
    through a shrunk copy (see `_bounded`).

    Raises:
        DataError: The image is over Pillow's decompression-bomb limit.
    """
    try:
        with _quiet_about_size(), Image.open(path) as opened:
            im = _bounded(opened, Path(path))
            pixels = _normalised(im, size, channels)
    except Image.DecompressionBombError as exc:
        raise DataError(
            f"The image {Path(path).name!r} is {_too_large(exc)}.",
            "images small enough to decode safely",
            "Shrink the image in an image editor, or leave it out.",
        ) from exc
    return pixels[..., None] if channels == 1 else pixels


def _normalised(im: Image.Image, size: tuple[int, int], channels: int) -> np.ndarray:
    im = _to_8bit(im)
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(background, rgba)
    im = im.convert("L" if channels == 1 else "RGB")
    if im.size != tuple(size):
        im = im.resize(tuple(size), Image.Resampling.BILINEAR)
    return np.asarray(im, dtype=np.uint8)


def _bounded(im: Image.Image, path: Path) -> Image.Image:
    """`im` itself, or for a very large image a copy at most `REDUCED_SIDE` pixels a side.

    The copy is made once per file (and per change of the file) and kept in the cache: a PNG
    of 12,000 × 12,000 pixels takes seconds and hundreds of MB to decode, its copy neither.
    """
    width, height = im.size
    if width * height <= LARGE_IMAGE_PIXELS:
        return im
    cached = _reduced_copy_path(path)
    if cached is not None and cached.is_file():
        try:
            with Image.open(cached) as copy:
                copy.load()
                return copy
        except (OSError, SyntaxError, ValueError):
            pass  # a damaged cache file: decode the original again
    factor = max(width, height) / REDUCED_SIDE
    target = (max(1, round(width / factor)), max(1, round(height / factor)))
    # JPEG decodes straight at 1/2, 1/4 or 1/8 of its size, no smaller than `target`.
    im.draft(im.mode if im.mode in ("L", "RGB") else None, target)
    if im.mode not in _REDUCIBLE_MODES:  # palette, 1-bit and 16-bit: the nearest that is
        transparent = im.mode == "P" and "transparency" in im.info
        im = im.convert({"P": "RGBA" if transparent else "RGB", "1": "L"}.get(im.mode, "I"))
    step = int(max(im.size) // REDUCED_SIDE)
    reduced = im.reduce(step) if step >= 2 else im.copy()
    if reduced.size != target:
        reduced = reduced.resize(target, Image.Resampling.BILINEAR)
    reduced = _to_8bit(reduced)  # PNG holds no float or 32-bit integer pixels
    if reduced.mode not in ("L", "LA", "RGB", "RGBA"):  # CMYK and the like
        reduced = reduced.convert("RGB")
    if cached is not None:
        _save_atomically(reduced, cached)
    return reduced


def _reduced_copy_path(path: Path) -> Path | None:
    """Where the shrunk copy of `path` is cached: named after the file's path, size and
    modification time, so an edited file gets a new copy."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{REDUCED_SIDE}"
    return cache_dir("reduced-images") / (hashlib.sha1(key.encode()).hexdigest()[:24] + ".png")


def _save_atomically(im: Image.Image, target: Path) -> None:
    """Write the copy under a temporary name, then rename: a reader never sees half a file.
    A cache that cannot be written (read-only, full disk) only costs the next decode."""
    try:
        handle, temporary = tempfile.mkstemp(suffix=".png", dir=target.parent)
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            im.save(out, format="PNG", compress_level=1)
        os.replace(temporary, target)
    except OSError:
        with suppress(OSError):
            os.unlink(temporary)


def _to_8bit(im: Image.Image) -> Image.Image:
    if im.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        values = np.asarray(im, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) / (high - low) * 255 if high > low else np.zeros_like(values)
        return Image.fromarray(scaled.astype(np.uint8))  # 2-D uint8 → mode "L"
    if im.mode == "1":
        return im.convert("L")
    return im
