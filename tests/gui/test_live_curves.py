"""The live curves keep their axes still while data stays inside them, and leave a plot the
user has zoomed alone."""

import numpy as np


def _curves(qtbot):
    from dlstudio.gui.plots.live_curves import LiveCurves

    curves = LiveCurves()
    qtbot.addWidget(curves)
    curves.resize(900, 300)
    curves.show()
    curves.start_trial(epochs=5)
    return curves


def _y_range(plot):
    return tuple(plot.getViewBox().viewRange()[1])


def test_axes_span_the_trial_and_hold_while_the_loss_falls_inside_them(qtbot):
    curves = _curves(qtbot)
    assert curves.batch_plot.getViewBox().viewRange()[0][1] >= 5  # all 5 epochs in view
    for step in range(1, 11):
        curves.add_batch(0, step, 100, 1.0 - step / 100)
    curves.redraw()
    first = _y_range(curves.batch_plot)
    assert first[0] <= 0.9 and first[1] >= 0.99
    curves.add_batch(0, 11, 100, 0.92)  # inside the shown range: the axis stays
    curves.redraw()
    assert _y_range(curves.batch_plot) == first
    curves.add_batch(0, 12, 100, 0.5)  # below it: the axis follows
    curves.redraw()
    assert _y_range(curves.batch_plot)[0] < 0.5


def test_a_plot_the_user_zoomed_stays_where_they_put_it(qtbot):
    curves = _curves(qtbot)
    curves.add_epoch(0, {"loss": 1.0, "val_loss": 1.1})
    curves.add_epoch(1, {"loss": 0.8, "val_loss": 0.9})
    curves.redraw()
    box = curves.loss_plot.getViewBox()
    box.scaleBy((0.5, 0.5))  # as a mouse-wheel zoom does
    box.sigRangeChangedManually.emit(box.state["mouseEnabled"])
    zoomed = _y_range(curves.loss_plot)
    curves.add_epoch(2, {"loss": 0.1, "val_loss": 0.2})  # outside the zoomed view
    curves.redraw()
    assert np.allclose(_y_range(curves.loss_plot), zoomed)
    curves.reset("accuracy")  # a new run manages the axes again
    curves.start_trial(epochs=3)
    curves.add_epoch(0, {"loss": 5.0, "val_loss": 6.0})
    curves.redraw()
    low, high = _y_range(curves.loss_plot)
    assert low < 5.0 and high > 6.0


def _epochs(curves, losses: list[float], mae: list[float]) -> None:
    for epoch, (loss, error) in enumerate(zip(losses, mae, strict=True)):
        metrics = {"loss": loss, "val_loss": loss * 1.2, "mae": error, "val_mae": error * 1.1}
        curves.add_epoch(epoch, metrics)
    curves.redraw()


def test_trials_that_differ_in_loss_share_only_the_mae_plot(qtbot):
    """A forecast search tries MSE and MAE: their losses (squared units and plain ones) do not
    share an axis; every trial's MAE does, and the earlier trials stay faint there."""
    from dlstudio.gui.plots.live_curves import LiveCurves

    curves = LiveCurves()
    qtbot.addWidget(curves)
    curves.resize(1200, 320)
    curves.show()
    curves.reset("mae")
    curves.start_trial(epochs=4, loss="mse")
    _epochs(curves, [900.0, 500.0, 420.0, 400.0], [25.0, 19.0, 17.0, 16.5])
    curves.start_trial(epochs=4, loss="mse")  # the same loss so far: kept faint on both plots
    _epochs(curves, [800.0, 450.0, 410.0, 390.0], [24.0, 18.0, 16.8, 16.2])
    assert curves.past_curves(curves.loss_plot) == 2
    assert curves.loss_plot.plotItem.titleLabel.text == "Loss per epoch"

    curves.start_trial(epochs=4, loss="mae")
    assert curves.past_curves(curves.loss_plot) == 0  # no MSE under an MAE loss
    assert curves.past_curves(curves.metric_plot) == 4  # both trials, training and validation
    assert curves.loss_plot.plotItem.titleLabel.text == "Loss: MAE"
    assert "different losses (MAE and MSE)" in curves.loss_plot.toolTip()
    _epochs(curves, [22.0, 17.0, 15.5, 15.0], [22.0, 17.0, 15.5, 15.0])
    low, high = curves.loss_plot.getViewBox().viewRange()[1]
    assert low >= 0 and high < 40  # ranged on the MAE trial, not stretched to the MSE's 1,080
    mae_low, mae_high = curves.metric_plot.getViewBox().viewRange()[1]
    assert mae_low <= 15.0 and mae_high >= 25.0 * 1.1  # the earlier trials' MAE in view

    curves.start_trial(epochs=4, loss="mse")
    _epochs(curves, [700.0, 430.0], [23.0, 17.5])
    assert curves.past_curves(curves.loss_plot) == 0
    assert curves.past_curves(curves.metric_plot) == 6
    assert curves.loss_plot.plotItem.titleLabel.text == "Loss: MSE, squared units"
    curves.grab().save("/tmp/live_curves_mixed_losses.png")

    best = {"loss": [22.0, 17.0, 15.5, 15.0], "val_loss": [26.4, 20.4, 18.6, 18.0]}
    curves.show_trial(best, "trial 3, the best", loss="mae")
    assert curves.loss_plot.plotItem.titleLabel.text == "Loss: MAE — trial 3, the best"
    assert curves.past_curves(curves.loss_plot) == 0
    drawn = [item for item in curves.loss_plot.listDataItems() if item.getData()[0] is not None]
    assert len(drawn) == 2  # the best trial's training and validation loss, nothing else


def test_a_run_whose_trials_share_one_loss_keeps_them_faint_on_the_loss_plot(qtbot):
    from dlstudio.gui.plots.live_curves import LiveCurves

    curves = LiveCurves()
    qtbot.addWidget(curves)
    curves.reset("mae")
    for _ in range(3):
        curves.start_trial(epochs=4, loss="mae")
        _epochs(curves, [22.0, 17.0], [22.0, 17.0])
    curves.show_trial({"loss": [22.0, 17.0], "val_loss": [24.0, 19.0]}, "trial 1", loss="mae")
    assert curves.past_curves(curves.loss_plot) == 6  # 3 trials, training and validation
    assert curves.loss_plot.plotItem.titleLabel.text == "Loss per epoch — trial 1"
    assert curves.loss_plot.toolTip() == ""
