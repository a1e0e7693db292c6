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
