"""Exported models take the user's own column names wherever TensorFlow's rules allow."""

from __future__ import annotations

from dlstudio.core.data.prepare import _input_name


def _names(*columns):
    used: set[str] = set()
    return [_input_name(c, used) for c in columns]


def test_column_names_are_kept_as_they_are_when_they_can_be():
    assert _names("bill_length_mm", "cap-shape", "Passengers", "pm2.5") == [
        "bill_length_mm",
        "cap-shape",
        "Passengers",
        "pm2.5",
    ]


def test_others_get_the_nearest_name_that_works_everywhere():
    assert _names("mean radius", "2nd class", "prix (€)", "") == [
        "mean_radius",
        "c_2nd_class",
        "prix",
        "column",
    ]


def test_python_keywords_and_the_models_own_layer_names_are_avoided():
    # SavedModel makes its inputs Python arguments: `class` cannot be one (titanic has it).
    assert _names("class", "output", "label") == ["class_column", "output_column", "label_column"]


def test_names_stay_unique_ignoring_case():
    assert _names("Age", "age", "AGE") == ["Age", "age_2", "AGE_3"]
