"""Text collections: a table with a text column, or one folder of .txt files per class."""

from __future__ import annotations

import pandas as pd

from dlstudio.core.data import DataKind, Task, WarningKind, load_dataset


def test_sms_table_is_text(sms_csv):
    profile = load_dataset(sms_csv).profile
    assert (profile.kind, profile.target, profile.task) == (DataKind.TEXT, "label", Task.BINARY)
    assert profile.rows == 5574 and profile.features == ["message"]
    assert profile.classes == {"ham": 4827, "spam": 747}
    kinds = {w.kind for w in profile.warnings}
    assert WarningKind.IMBALANCE in kinds and WarningKind.DUPLICATES in kinds
    assert profile.duplicate_rows == 403
    assert profile.details["chars_max"] == 910


def test_text_folder_with_other_encodings(sms_csv, tmp_path):
    messages = pd.read_csv(sms_csv).groupby("label").head(15)
    root = tmp_path / "sms"
    for i, (label, message) in enumerate(zip(messages["label"], messages["message"], strict=True)):
        (root / label).mkdir(parents=True, exist_ok=True)
        encoding = "cp1252" if i % 2 else "utf-8"
        text = message + (" Prix : 5 £, café compris." if i % 2 else "")
        (root / label / f"{i:03d}.txt").write_bytes(text.encode(encoding))
    (root / "spam" / "empty.txt").write_text("  \n")
    (root / "spam" / "photo.jpg").write_bytes(b"\xff\xd8\xff")  # not text, not counted

    dataset = load_dataset(root)
    profile = dataset.profile
    assert (profile.kind, profile.rows) == (DataKind.TEXT, 30)
    assert profile.classes == {"ham": 15, "spam": 15}
    assert profile.skipped == ["spam/empty.txt: empty file"]
    assert dataset.frame["text"].str.contains("café compris", regex=False).sum() == 15
    assert set(profile.details["encodings"]) == {"utf-8", "cp1252"}
