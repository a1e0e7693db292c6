"""Image collections: folders, zips and path tables, with every pixel format normalised."""

from __future__ import annotations

import shutil
import zipfile

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from dlstudio.core.data import DataKind, Task, WarningKind, load_dataset
from dlstudio.core.data.images import load_image
from dlstudio.core.errors import DataError


@pytest.fixture
def small_digits(digits_dir, tmp_path):
    """Three digit classes, 20 images each, copied so a test may add awkward files."""
    root = tmp_path / "digits"
    for label in ("0", "1", "7"):
        (root / label).mkdir(parents=True)
        for file in sorted((digits_dir / label).glob("*.png"))[:20]:
            shutil.copy(file, root / label / file.name)
    return root


def test_bundled_digits_folder(digits_dir):
    profile = load_dataset(digits_dir).profile
    assert (profile.kind, profile.rows, profile.task) == (DataKind.IMAGES, 1797, Task.MULTICLASS)
    assert profile.target == "label" and len(profile.classes) == 10
    assert profile.classes["3"] == 183 and profile.classes["8"] == 174
    assert profile.details["channels"] == 1 and profile.details["image_size_max"] == [32, 32]
    assert profile.skipped == [] and profile.warnings == []


def test_mixed_modes_sizes_and_broken_files(small_digits):
    base = Image.open(next((small_digits / "7").glob("*.png")))
    extra = small_digits / "7"
    base.convert("RGBA").resize((40, 48)).save(extra / "rgba.png")
    base.convert("P").save(extra / "palette.gif")
    base.convert("RGB").save(extra / "photo.jpg")
    base.convert("RGB").save(extra / "lossless.webp")
    base.convert("L").save(extra / "old.bmp")
    Image.fromarray(np.asarray(base, dtype=np.uint16) * 200).save(extra / "sixteen.png")
    (extra / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    (extra / "cut.jpg").write_bytes((extra / "photo.jpg").read_bytes()[:200])
    (extra / "notes.txt").write_text("taken on a Tuesday")

    dataset = load_dataset(small_digits)
    profile = dataset.profile
    assert profile.rows == 66 and profile.classes["7"] == 26
    assert sorted(s.split(":")[0] for s in profile.skipped) == ["7/broken.png", "7/cut.jpg"]
    skipped = [w.message for w in profile.warnings if w.kind is WarningKind.SKIPPED]
    assert any("2 unreadable image(s)" in m for m in skipped)
    assert any("7/notes.txt" in m for m in skipped)
    assert profile.details["channels"] == 3  # colour images present: read everything as RGB
    assert profile.details["image_size_max"] == [40, 48]
    for path in dataset.frame["path"]:
        pixels = load_image(path, (32, 32), channels=3)
        assert pixels.shape == (32, 32, 3) and pixels.dtype == np.uint8


def test_transparency_is_flattened_on_white(tmp_path):
    path = tmp_path / "clear.png"
    Image.new("RGBA", (8, 8), (255, 0, 0, 0)).save(path)
    assert load_image(path, (8, 8), channels=3).min() == 255
    assert load_image(path, (4, 4), channels=1).shape == (4, 4, 1)


def test_zip_with_a_wrapper_folder(small_digits, tmp_path):
    archive = tmp_path / "digits.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in small_digits.rglob("*.png"):
            zf.write(file, f"my_digits/{file.relative_to(small_digits)}")
        zf.writestr("__MACOSX/my_digits/._junk", b"mac resource fork")
    profile = load_dataset(archive).profile
    assert profile.kind is DataKind.IMAGES and profile.rows == 60
    assert profile.classes == {"0": 20, "1": 20, "7": 20}
    assert load_dataset(archive).profile.rows == 60  # second open reuses the extraction


def test_table_of_image_paths(small_digits, tmp_path):
    rows = [
        {"file": str(p.relative_to(small_digits)), "digit": int(p.parent.name), "scanner": "A"}
        for p in sorted(small_digits.rglob("*.png"))
    ]
    rows.append({"file": "7/missing.png", "digit": 7, "scanner": "B"})
    pd.DataFrame(rows).to_csv(small_digits / "labels.csv", index=False)
    dataset = load_dataset(small_digits / "labels.csv", target="digit")
    profile = dataset.profile
    assert profile.kind is DataKind.IMAGES and profile.features == ["file"]
    assert profile.rows == 60 and profile.classes == {"0": 20, "1": 20, "7": 20}
    assert profile.skipped == ["7/missing.png: file not found"]
    assert dataset.frame["file"].map(lambda p: p.startswith("/")).all()


def test_an_image_over_the_bomb_limit_is_skipped_by_name(small_digits, monkeypatch):
    # Pillow refuses images over twice MAX_IMAGE_PIXELS; a lower limit stands in for a
    # 30,000 × 30,000 scan without writing one.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 40 * 40)
    Image.new("L", (100, 100), 128).save(small_digits / "7" / "scan.png")
    profile = load_dataset(small_digits).profile
    assert profile.rows == 60 and profile.classes["7"] == 20
    assert profile.skipped == [
        "7/scan.png: too large to open safely (10,000 pixels; the most dlstudio opens is "
        "3,200, a guard against decompression bombs); shrink it in an image editor to use it"
    ]
    [warning] = profile.warnings_of(WarningKind.SKIPPED)
    assert "7/scan.png: too large to open safely" in warning.message
    with pytest.raises(DataError, match="'scan.png' is too large to open safely"):
        load_image(small_digits / "7" / "scan.png", (32, 32), channels=1)


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_a_very_large_image_is_decoded_once_at_a_bounded_size(tmp_path, monkeypatch, suffix):
    import dlstudio.core.data.images as images

    # Thresholds scaled down with the image, so that a 640 × 480 picture counts as huge.
    monkeypatch.setattr(images, "LARGE_IMAGE_PIXELS", 100 * 100)
    monkeypatch.setattr(images, "REDUCED_SIDE", 64)
    y, x = np.mgrid[0:480, 0:640]
    pixels = np.stack([x * 255 // 640, y * 255 // 480, (x + y) * 255 // 1120], axis=-1)
    path = tmp_path / f"huge{suffix}"
    Image.fromarray(pixels.astype(np.uint8)).save(path)
    reference = np.asarray(
        Image.open(path).convert("RGB").resize((32, 24), Image.Resampling.BILINEAR), dtype=float
    )
    full_decodes = []
    reduce = Image.Image.reduce
    monkeypatch.setattr(
        Image.Image,
        "reduce",
        lambda im, *a, **k: full_decodes.append(im.size) or reduce(im, *a, **k),
    )

    first = load_image(path, (32, 24), channels=3)
    again = load_image(path, (32, 24), channels=3)
    assert first.shape == (24, 32, 3) and np.array_equal(first, again)
    assert np.abs(first - reference).mean() < 3  # out of 255: the same picture
    # A PNG is decoded in full once, then read from its shrunk copy; a JPEG never is in full.
    assert full_decodes == ([(640, 480)] if suffix == ".png" else [])


def test_an_empty_class_folder_is_left_out_by_name(small_digits):
    (small_digits / "sevens").mkdir()
    profile = load_dataset(small_digits).profile
    assert "sevens" not in profile.classes and profile.rows == 60
    assert any("'sevens'" in w.message for w in profile.warnings_of(WarningKind.SKIPPED))
