"""A toy task family, registered from this folder only (issue 25): a regressor of one number
from the others in a CSV, searched over two small templates. Nothing outside this folder
knows it; `DLSTUDIO_FAMILIES=tests.toy_family.family:FAMILY` (or `register(FAMILY)`) adds it.
Keras-free, as every family record is: the window's process may read it."""

from dlstudio.core.families import NO_BACKBONE, Family, Unread

FAMILY = Family(
    "toy",
    ("toy_regression",),
    "toy regression",
    execute="tests.toy_family.engine:execute",
    export="tests.toy_family.engine:export",
    predict="tests.toy_family.engine:predict",
    check="tests.toy_family.engine:check",
    printer="tests.toy_family.printer",
    formats=("keras",),
    objectives=("val_mae",),
    tuners=("random", "bayesian", "grid"),
    search_words="compares trials by their validation MAE",
    unread={
        "--weights": NO_BACKBONE,
        "--space": Unread("its two templates have fixed lists", "Leave --space out."),
    },
)
