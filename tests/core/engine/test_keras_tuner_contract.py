"""The keras-tuner internals dlstudio reaches (pinned below 1.5 in pyproject.toml), checked on
the installed version: if an upgrade moves them, this fails before users notice anything."""

from __future__ import annotations

import keras_tuner as kt
from keras_tuner.src.engine import base_tuner

from dlstudio.core.search.oracle import make_oracle


def _oracle(tmp_path, values=(1, 2, 3)):
    space = kt.HyperParameters()
    space.Choice("units", list(values))
    oracle = make_oracle("random", "val_loss", "min", 10, 0, 10, space)
    oracle._set_project_dir(str(tmp_path), "contract")
    return oracle


def test_the_oracle_internals_exist_where_dlstudio_reaches_them(tmp_path):
    oracle = _oracle(tmp_path)
    assert isinstance(oracle._tried_so_far, set) and isinstance(oracle._retry_queue, list)
    assert isinstance(oracle._compute_values_hash({"units": 1}), str)
    assert callable(oracle._duplicate) and callable(oracle.populate_space)
    assert callable(oracle._get_trial_dir) and callable(oracle._get_oracle_fname)
    assert callable(base_tuner.BaseTuner._run_and_update_trial)
    assert callable(base_tuner.BaseTuner._try_run_and_update_trial)


def test_avoided_configurations_are_never_drawn(tmp_path):
    oracle = _oracle(tmp_path)
    oracle.avoid([{"units": 1}, {"units": 3}])
    drawn = {oracle.create_trial(f"t{i}").hyperparameters.values.get("units") for i in range(3)}
    assert drawn <= {2, None}  # 2, then nothing left to draw


def test_the_first_trial_is_the_given_configuration_unless_it_was_tried(tmp_path):
    oracle = _oracle(tmp_path)
    oracle.start_with([{"units": 3}])
    assert oracle.create_trial("t0").hyperparameters.values == {"units": 3}

    tried = _oracle(tmp_path / "again")
    tried.avoid([{"units": 3}])
    tried.start_with([{"units": 3}])
    assert tried.create_trial("t0").hyperparameters.values["units"] != 3


def test_once_exploring_is_done_the_best_finished_configuration_runs_again(tmp_path):
    oracle = _oracle(tmp_path)
    done = [False]
    oracle.start_with([{"units": 1}])
    oracle.repeat_best_after(lambda: done[0])
    scores = {1: 0.5, 2: 0.2, 3: 0.9}  # val_loss: units=2 is best
    for i in range(2):
        trial = oracle.create_trial(f"t{i}")
        oracle.update_trial(trial.trial_id, {"val_loss": scores[trial.hyperparameters["units"]]})
        trial.status = "COMPLETED"  # as the tuner sets it when the trial's fit returned
        oracle.end_trial(trial)
    best = min(oracle.trials.values(), key=lambda t: t.score)
    done[0] = True
    again = oracle.create_trial("t2")
    # keras-tuner accepts a configuration it has run before when populate_space returns it.
    assert again.hyperparameters.values == best.hyperparameters.values
    assert again.status == "RUNNING" and oracle.repeats == {again.trial_id: best.trial_id}
    oracle.update_trial(again.trial_id, {"val_loss": 0.1})
    again.status = "COMPLETED"
    oracle.end_trial(again)
    # The repeat is now the best trial; a further repeat still names the original.
    later = oracle.create_trial("t3")
    assert oracle.repeats[later.trial_id] == best.trial_id


def test_the_oracle_and_its_trials_are_saved_whole_where_keras_tuner_reloads_them(tmp_path):
    oracle = _oracle(tmp_path)
    trial = oracle.create_trial("t0")
    oracle.finish(trial, "val_loss", 0.5)
    again = _oracle(tmp_path)
    assert again.keep_state_in(str(tmp_path), "contract", resume=True)
    assert again.trials[trial.trial_id].score == 0.5
    assert not list(tmp_path.rglob(".*"))  # no temporary file left behind


def test_a_trial_whose_state_a_kill_did_not_save_runs_again(tmp_path):
    """Killed between a new trial's trial.json and the oracle's own file."""
    oracle = _oracle(tmp_path)
    first = oracle.create_trial("t0")
    oracle.finish(first, "val_loss", 0.5)
    saved = (tmp_path / "contract" / "oracle.json").read_text()
    second = oracle.create_trial("t0")
    (tmp_path / "contract" / "oracle.json").write_text(saved)  # as before the second began

    again = _oracle(tmp_path)
    assert again.keep_state_in(str(tmp_path), "contract", resume=True)
    assert again.create_trial("t0").trial_id == second.trial_id
