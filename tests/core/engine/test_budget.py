"""The budget plan's arithmetic, with a clock the test moves (no Keras, no waiting)."""

from __future__ import annotations

import pytest

from dlstudio.core.search.budget import (
    AVERAGED_MOST,
    CLOSING_MOST_SHARE,
    FIRST_TRIAL_SHARE,
    FIRST_TRIAL_STRETCH,
    REPEAT_SLACK,
    BudgetPlan,
    TrialCost,
    TrialWindow,
    epochs_that_fit,
    reserve_for,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_first_trial_gets_the_larger_share_and_a_lone_trial_all_of_it():
    clock = Clock()
    plan = BudgetPlan(clock.now + 100, max_trials=10, clock=clock)
    window = plan.start_trial()
    assert window.end == pytest.approx(clock.now + 100 * FIRST_TRIAL_SHARE)
    assert window.stretch == pytest.approx(clock.now + 100 * FIRST_TRIAL_STRETCH)
    lone = BudgetPlan(clock.now + 100, max_trials=1, clock=clock).start_trial()
    assert lone.end == pytest.approx(clock.now + 100) and lone.stretch is None


def test_later_trials_split_what_is_left_by_how_long_a_trial_took_to_converge():
    clock = Clock()
    plan = BudgetPlan(clock.now + 100, max_trials=10, clock=clock)
    plan.start_trial()
    clock.now += 40  # the first trial converged in 40 s
    plan.record(TrialCost(epoch_s=2.0, overhead_s=4.0, converged_s=40.0), scored=True)
    # 60 s left, a trial takes 40 s: one more fits, and gets all of it (and no stretch).
    assert plan.start_trial() == TrialWindow(pytest.approx(clock.now + 60))

    fast = BudgetPlan(clock.now + 60, max_trials=10, clock=clock)
    fast.start_trial()
    fast.record(TrialCost(epoch_s=0.1, overhead_s=1.0, converged_s=5.0), scored=True)
    # 60 s left and 5 s trials: 12 would fit, but only 9 trials remain.
    assert fast.start_trial().end == pytest.approx(clock.now + 60 / 9)


def test_trials_that_run_side_by_side_each_get_a_round_of_what_is_left():
    clock = Clock()
    one, two = (
        BudgetPlan(clock.now + 60, max_trials=10, clock=clock, slots=slots) for slots in (1, 2)
    )
    for plan in (one, two):
        plan.start_trial()
        plan.record(TrialCost(epoch_s=0.1, overhead_s=1.0, converged_s=5.0), scored=True)
    # 9 trials remain, 5 s each: alone, each gets 60/9 s; two at a time run 5 rounds of 12 s.
    assert one.start_trial().end == pytest.approx(clock.now + 60 / 9)
    assert two.start_trial().end == pytest.approx(clock.now + 60 / 5)


def test_a_repeated_configuration_gets_what_it_took_before_as_far_as_the_budget_goes():
    clock = Clock()
    plan = BudgetPlan(clock.now + 100, max_trials=10, clock=clock)
    assert plan.share_spent() == 0.0
    plan.start_trial()
    clock.now += 40
    plan.record(TrialCost(epoch_s=0.5, overhead_s=1.0, converged_s=5.0), scored=True)
    assert plan.share_spent() == pytest.approx(0.4)
    # Other trials would get 60 / 9 s; a repeat of a 20 s trial gets its 20 s and some slack.
    assert plan.start_trial(needs_s=20.0).end == pytest.approx(clock.now + 20.0 * REPEAT_SLACK)
    clock.now += 55
    assert plan.start_trial(needs_s=20.0).end == pytest.approx(clock.now + 5.0)
    assert BudgetPlan(None, max_trials=3).share_spent() is None


def test_no_further_trial_when_not_even_a_short_one_fits_and_a_model_exists():
    clock = Clock()
    plan = BudgetPlan(clock.now + 10, max_trials=5, clock=clock)
    plan.start_trial()
    clock.now += 8
    plan.record(TrialCost(epoch_s=1.0, overhead_s=2.0), scored=False)
    assert plan.why_not_another_trial() is None, "without a model, any time left is worth a try"
    plan.record(None, scored=True)
    why = plan.why_not_another_trial()
    assert why and "2 s left" in why and "about 5 s" in why


def test_no_budget_means_no_plan():
    plan = BudgetPlan(None, max_trials=3)
    assert plan.start_trial() is None and plan.why_not_another_trial() is None


def test_the_reserve_for_saving_grows_with_the_budget_within_bounds():
    assert reserve_for(30) == 3.0
    assert reserve_for(10) == 2.0
    assert reserve_for(3) == 1.5  # never more than half
    assert reserve_for(3600) == 20.0


@pytest.mark.parametrize(
    "seconds, epoch, most, expected",
    [(10, 3, 30, 3), (1, 3, 30, 1), (100, 1, 30, 30), (5, 0, 7, 7)],
)
def test_epochs_that_fit(seconds, epoch, most, expected):
    assert epochs_that_fit(seconds, epoch, most) == expected


def test_a_search_that_ends_by_averaging_keeps_time_to_rebuild_its_best_trials():
    """Rebuilding up to AVERAGED_MOST networks costs about a trial's set-up each: what the
    reserve does not cover is kept free of trials, so an average that validates better is
    not dropped for lack of time."""
    clock = Clock()
    # 20 s after the search's deadline, of which the average may take half.
    plan = BudgetPlan(clock.now + 100, max_trials=10, clock=clock, averaging=(20.0, 0.5))
    plain = BudgetPlan(clock.now + 100, max_trials=10, clock=clock)
    for each in (plan, plain):
        each.start_trial()
    clock.now += 30
    slow_setup = TrialCost(epoch_s=1.0, overhead_s=4.0, converged_s=30.0)
    for each in (plan, plain):
        each.record(slow_setup, scored=True)
    # 4 rebuilds of 4 s, at half the time after the deadline: 32 s, 20 s of it covered.
    assert plan.closing_s == pytest.approx((AVERAGED_MOST - 1) * 4.0 / 0.5 - 20.0)
    assert plan.time_left() == pytest.approx(plain.time_left() - plan.closing_s)
    clock.now += 70 - plan.closing_s - 3  # 3 s before the trials' end: no room for another
    assert "12 s are kept for averaging the best trials" in plan.why_not_another_trial()
    assert plain.why_not_another_trial() is None

    # Quick set-ups need nothing beyond the reserve; slow ones never take more than a share.
    quick = BudgetPlan(clock.now + 100, max_trials=10, clock=clock, averaging=(20.0, 0.5))
    quick.record(TrialCost(epoch_s=1.0, overhead_s=0.5), scored=True)
    assert quick.closing_s == 0.0
    quick.record(TrialCost(epoch_s=1.0, overhead_s=60.0), scored=True)
    quick.record(TrialCost(epoch_s=1.0, overhead_s=60.0), scored=True)
    assert quick.closing_s == pytest.approx(CLOSING_MOST_SHARE * 100)
