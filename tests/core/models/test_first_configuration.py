"""Where a search starts: the template's known-good values, sized to the data."""

from __future__ import annotations

from dlstudio.core.models.space import (
    LARGE_TABLE_ROWS,
    default_space,
    defaults,
    first_configuration,
    merge_space,
)


def test_a_large_table_starts_with_a_wider_deeper_network_without_dropout():
    space = default_space("mlp", "regression")
    small = first_configuration(space, 300, "mlp")
    assert {k: small[k] for k in ("units", "depth", "dropout")} == {
        k: defaults(space)[k] for k in ("units", "depth", "dropout")
    }
    large = first_configuration(space, LARGE_TABLE_ROWS, "mlp")
    assert (large["units"], large["depth"], large["dropout"]) == (256, 3, 0.0)
    assert large["batch_size"] == 32  # 5,000 rows / 200: the batch grows with the data too


def test_what_the_user_set_wins_over_the_large_table_start():
    space = merge_space(
        default_space("mlp", "binary"),
        {
            "units": {"type": "fixed", "value": 64},  # fixed by the user
            "depth": {"type": "int", "min": 1, "max": 2, "default": 1},  # 3 is out of range
        },
    )
    start = first_configuration(space, 50_000, "mlp")
    assert (start["units"], start["depth"], start["dropout"]) == (64, 1, 0.0)
    assert start["batch_size"] == 128  # the largest choice up to 50,000 / 200


def test_other_templates_keep_their_defaults_on_large_data():
    space = default_space("tfidf_mlp", "binary")
    start = first_configuration(space, 50_000, "tfidf_mlp")
    assert start["units"] == defaults(space)["units"]
