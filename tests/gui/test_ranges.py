from dlstudio.gui.plots.ranges import settled_range


def test_a_range_holds_while_the_data_stays_inside_it():
    first = settled_range(None, 0.2, 1.0)
    assert first[0] < 0.2 and first[1] > 1.0
    assert settled_range(first, 0.25, 0.95) is None  # a falling loss, still filling the axis


def test_a_range_moves_when_data_leaves_it_or_shrinks_to_a_corner():
    shown = (0.0, 1.0)
    low, high = settled_range(shown, -0.5, 1.0)
    assert low < -0.5 and high > 1.0
    low, high = settled_range(shown, 0.1, 0.2)  # a tenth of the axis: zoom in
    assert 0.0 < low < 0.1 and 0.2 < high < 0.3


def test_flat_and_non_finite_data():
    low, high = settled_range(None, 2.0, 2.0)
    assert low < 2.0 < high
    assert settled_range((0.0, 1.0), float("nan"), 1.0) is None
