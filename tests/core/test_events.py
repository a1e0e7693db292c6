"""Events cross from the training process to the app as JSON lines and come back equal."""

from __future__ import annotations

import numpy as np

from dlstudio.core.events import (
    BatchEnded,
    EpochEnded,
    RunFailed,
    RunFinished,
    RunMessage,
    RunStarted,
    RunStatus,
    TrialEnded,
    TrialRecord,
    TrialStarted,
    TrialStatus,
    event_from_json,
    event_to_json,
)


def test_every_event_survives_the_trip_through_json():
    record = TrialRecord(
        "03",
        3,
        TrialStatus.CUT_SHORT,
        {"units": 64, "learning_rate": 1e-3},
        {"loss": [0.9, 0.5], "val_loss": [1.0, float("nan")]},
        score=0.5,
        best_epoch=1,
        epochs=2,
        message="cut short by the time limit",
    )
    events = [
        RunStarted("r1", "tune", "tensorflow", {"kind": "cpu"}, 10, 60.0, 240, 2),
        TrialStarted("03", 3, {"units": 64}, 30),
        BatchEnded("03", 0, 5, None, 0.75),
        EpochEnded("03", 1, 30, {"loss": np.float32(0.5), "accuracy": 0.9}),
        TrialEnded(record),
        RunMessage("Trial 03 ran out of memory; retrying once with batch size 16."),
        RunFinished("r1", RunStatus.TIME_LIMIT, "02", 0.4, 61.5, {"accuracy": 0.97}, "/m.keras"),
        RunFailed("r1", "The data file is gone."),
    ]
    for event in events:
        line = event_to_json(event)
        assert "\n" not in line
        back = event_from_json(line)
        assert type(back) is type(event)
        if isinstance(event, TrialEnded):
            assert back.record.status is TrialStatus.CUT_SHORT
            assert back.record.history["val_loss"][0] == 1.0
            assert np.isnan(back.record.history["val_loss"][1])
        elif isinstance(event, EpochEnded):
            assert back.metrics == {"loss": 0.5, "accuracy": 0.9}
        else:
            assert back == event
