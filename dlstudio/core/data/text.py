"""Text datasets: one subfolder per class of .txt files (a table with a text column is read
as a table and recognised by its column roles)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dlstudio.core.data.encoding import read_text_file
from dlstudio.core.data.images import class_folders

TEXT_SUFFIXES = {".txt", ".text", ".md"}


@dataclass
class TextScan:
    """Texts found in a folder: one row per non-empty file, and what was left out."""

    frame: pd.DataFrame  # columns: text, label
    skipped: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    encodings: Counter = field(default_factory=Counter)


def is_text_file(path: Path) -> bool:
    return path.suffix.lower() in TEXT_SUFFIXES and not path.name.startswith(".")


def scan_text_folder(root: Path) -> TextScan:
    """Read `root/<class>/*.txt`, detecting each file's encoding; empty files are skipped."""
    rows, skipped, ignored, encodings = [], [], [], Counter()
    for folder in class_folders(root):
        for file in sorted(folder.rglob("*")):
            if not file.is_file() or file.name.startswith("."):
                continue
            if not is_text_file(file):
                ignored.append(str(file.relative_to(root)))
                continue
            text, encoding = read_text_file(file)
            if not text.strip():
                skipped.append(f"{file.relative_to(root)}: empty file")
                continue
            encodings[encoding] += 1
            rows.append((text.strip(), folder.name))
    return TextScan(pd.DataFrame(rows, columns=["text", "label"]), skipped, ignored, encodings)


def text_length_stats(texts: pd.Series) -> dict:
    """Characters and words per text: what a user needs to judge a sequence length."""
    texts = texts.dropna().astype(str)
    chars = texts.str.len()
    words = texts.str.split().str.len()
    return {
        "chars_min": int(chars.min()),
        "chars_median": float(chars.median()),
        "chars_max": int(chars.max()),
        "words_median": float(words.median()),
        "words_p95": float(words.quantile(0.95)),
    }
