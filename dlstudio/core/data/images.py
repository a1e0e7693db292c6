"""Image datasets: a folder with one subfolder per class, or a table of file paths and labels.

Every file is opened once while scanning so that unreadable ones are skipped and reported by
name up front, never discovered half-way through training. Pixels are read later, on demand,
through `load_image`, which normalises every mode (grayscale, palette, RGBA, 16-bit) to 8-bit
grayscale or RGB of one size.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, UnidentifiedImageError

from dlstudio.core.data.schema import sample_rows

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
_GRAY_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"}
# Header-only checks are cheap; decoding a 4000×3000 photo just to validate it is not.
_FULL_DECODE_MAX_PIXELS = 1024 * 1024


@dataclass
class ImageScan:
    """What a scan found: one row per readable image, and what it left out and why."""

    frame: pd.DataFrame  # columns: path (absolute), label
    skipped: list[str] = field(default_factory=list)  # "name: reason" of unreadable images
    ignored: list[str] = field(default_factory=list)  # files that are not images at all
    sizes: Counter = field(default_factory=Counter)  # (width, height) -> count
    modes: Counter = field(default_factory=Counter)  # PIL mode -> count

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
    return _check_images(pd.DataFrame(rows, columns=["path", "label"]), root, ignored)


def scan_image_table(
    frame: pd.DataFrame, path_column: str, label_column: str, base: Path
) -> ImageScan:
    """Scan a table whose `path_column` names image files (relative paths are from `base`)."""
    paths = frame[path_column].astype(str).map(lambda p: str((base / p).resolve()))
    table = pd.DataFrame({"path": paths, "label": frame[label_column]})
    return _check_images(table, base, [])


def _check_images(table: pd.DataFrame, root: Path, ignored: list[str]) -> ImageScan:
    keep, skipped, sizes, modes = [], [], Counter(), Counter()
    for index, path in zip(table.index, table["path"], strict=True):
        problem, info = _probe(Path(path))
        if problem:
            skipped.append(f"{_display(Path(path), root)}: {problem}")
            continue
        keep.append(index)
        sizes[info[0]] += 1
        modes[info[1]] += 1
    frame = table.loc[keep].reset_index(drop=True)
    return ImageScan(frame, skipped, ignored, sizes, modes)


def _probe(path: Path) -> tuple[str | None, tuple]:
    """Open an image enough to know it is readable; return (problem, (size, mode))."""
    if not path.is_file():
        return "file not found", ()
    try:
        with Image.open(path) as im:
            size, mode = im.size, im.mode
            if size[0] * size[1] <= _FULL_DECODE_MAX_PIXELS:
                im.load()  # catches truncated files that a header check would miss
            else:
                im.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return f"not a readable image ({type(exc).__name__})", ()
    return None, (size, mode)


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
    (width, height) with a high-quality filter.
    """
    with Image.open(path) as im:
        im = _to_8bit(im)
        if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
            rgba = im.convert("RGBA")
            background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            im = Image.alpha_composite(background, rgba)
        im = im.convert("L" if channels == 1 else "RGB")
        if im.size != tuple(size):
            im = im.resize(tuple(size), Image.Resampling.BILINEAR)
        pixels = np.asarray(im, dtype=np.uint8)
    return pixels[..., None] if channels == 1 else pixels


def _to_8bit(im: Image.Image) -> Image.Image:
    if im.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        values = np.asarray(im, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) / (high - low) * 255 if high > low else np.zeros_like(values)
        return Image.fromarray(scaled.astype(np.uint8))  # 2-D uint8 → mode "L"
    if im.mode == "1":
        return im.convert("L")
    return im
