"""Fine-tuning options that the registry tests do not reach: several runs, devices, bf16."""

from __future__ import annotations

import json

import pytest

from modeling.grader import fitting
from modeling.grader.fitting import EpochPlanner, LinearSchedule
from modeling.grader.training import TrainConfig, train
from tests.modeling.conftest import TINY


def test_several_runs_keep_the_best_run_or_their_average(tmp_path, data_files):
    # given two runs that differ only in their seed
    config = TrainConfig(data=data_files, **{**TINY, "runs": 2})

    # when
    outcome = train(config, tmp_path / "model", version="two-runs", progress=False, write=lambda _: None)

    # then both runs and their average were validated, and the kept one is the best of the three
    record = json.loads((tmp_path / "model" / "training.json").read_text())
    runs = {entry["run"] for entry in record["history"]}
    assert {"run 1/2", "run 2/2", "average of runs"} <= runs
    best = max(entry["macro_f1_3way"] for entry in record["history"])
    assert outcome.metrics["macro_f1_3way"] == pytest.approx(best)
    assert record["kept"] in {"average of 2 runs", "epoch 1 of run 1", "epoch 1 of run 2"}


def test_an_unknown_training_device_is_refused_by_name(data_files):
    with pytest.raises(ValueError, match="device must be auto, cpu or cuda, not 'tpu'"):
        TrainConfig(data=data_files, device="tpu")


def test_the_training_record_says_where_and_in_what_precision_it_trained(tmp_path, data_files):
    config = TrainConfig(data=data_files, **{**TINY, "bf16": False, "device": "cpu"})

    train(config, tmp_path / "model", version="cpu-fp32", progress=False, write=lambda _: None)

    environment = json.loads((tmp_path / "model" / "training.json").read_text())["environment"]
    assert environment["device"] == "cpu"
    assert environment["bf16_training"] is False


@pytest.mark.parametrize("by", ["answer", "module"])
def test_other_splits_hold_out_answers_or_whole_modules(data_files, by):
    from modeling.grader.training import load_split

    train_examples, val = load_split(TrainConfig(data=data_files, split=by))

    assert val and train_examples
    if by == "answer":  # every validation question also has training answers
        seen = {(e.dataset, e.question_id) for e in train_examples}
        assert all((e.dataset, e.question_id) in seen for e in val)
    else:  # no validation module is seen in training
        seen = {(e.dataset, e.module) for e in train_examples}
        assert not any((e.dataset, e.module) in seen for e in val)


def test_a_version_validated_on_unseen_answers_is_not_activated_by_itself(db, model_dir, data_files):
    from modeling import services

    services.grader_train(TrainConfig(data=data_files, **TINY), version="by-question", progress=False)
    _, registration = services.grader_train(
        TrainConfig(data=data_files, **{**TINY, "split": "answer"}), version="by-answer", progress=False
    )

    assert not registration.activated
    assert registration.grader_version.training_args["split"] == "answer"


def test_an_unknown_split_is_named(data_files):
    with pytest.raises(ValueError, match="split must be one of"):
        TrainConfig(data=data_files, split="student")


@pytest.mark.parametrize(("seconds", "planned"), [(1.0, 1), (3600.0, 2)])
def test_a_planned_run_trains_the_epochs_that_fit_in_its_time(tmp_path, data_files, seconds, planned):
    # given a two-epoch schedule and a time to fit it in (1 s: not even one epoch fits)
    config = TrainConfig(data=data_files, **{**TINY, "epochs": 2, "fit_seconds": seconds})

    outcome = train(config, tmp_path / "model", version="planned", progress=False, write=lambda _: None)

    # then it timed its steps, planned that many epochs (at least one), and trained them
    record = json.loads((tmp_path / "model" / "training.json").read_text())
    assert record["plan"]["epochs"] == planned
    assert record["plan"]["seconds_per_batch"] > 0
    assert record["config"]["epochs"] == planned
    assert [entry["epoch"] for entry in outcome.history if isinstance(entry["epoch"], int)] == list(
        range(1, planned + 1)
    )


def test_planning_leaves_the_run_itself_as_it_would_be(tmp_path, data_files):
    plain = train(
        TrainConfig(data=data_files, **TINY), tmp_path / "a", version="a", progress=False, write=print
    )
    planned = train(
        TrainConfig(data=data_files, **{**TINY, "fit_seconds": 3600.0}),
        tmp_path / "b",
        version="b",
        progress=False,
        write=print,
    )

    assert planned.history[0]["train_loss"] == pytest.approx(plain.history[0]["train_loss"])


# --- the plan made again on the real pace ------------------------------------------------------


def test_a_schedule_laid_out_anew_continues_from_where_it_is_and_ends_at_zero():
    # given a 1-epoch schedule of 100 steps (10 of warm-up), 40 steps in
    schedule = LinearSchedule(100, 10)
    before = schedule(40)

    # when the plan grows to 4 epochs
    schedule.relay(40, 400)

    # then the factor goes on from where it was, decays smoothly, and is zero at the new end
    assert schedule(40) == pytest.approx(before)
    factors = [schedule(step) for step in range(40, 401)]
    assert all(a >= b for a, b in zip(factors, factors[1:], strict=False))
    assert schedule(400) == 0.0 and schedule(399) > 0.0


def test_a_plan_that_shrinks_during_warm_up_keeps_warming_up():
    schedule = LinearSchedule(400, 40)
    schedule.relay(5, 100)
    assert schedule(5) == pytest.approx(6 / 40) and schedule(39) == pytest.approx(1.0)
    assert schedule(100) == 0.0


class FakeClock:
    """Seconds that pass only when the run trains a step or validates."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _paced(monkeypatch, clock: FakeClock, *, probe_s: float, step_s: float, validation_s: float) -> None:
    """Each training step takes ``probe_s`` for the plan's first PROBE_STEPS (the probe) and
    ``step_s`` after; each validation ``validation_s``."""
    real_step, real_validate = fitting._train_step, fitting._validate
    calls = {"steps": 0}

    def step(*args, **kwargs):
        calls["steps"] += 1
        clock.now += probe_s if calls["steps"] <= fitting.PROBE_STEPS else step_s
        return real_step(*args, **kwargs)

    def validate(*args, **kwargs):
        clock.now += validation_s
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(fitting, "_train_step", step)
    monkeypatch.setattr(fitting, "_validate", validate)


def test_a_slow_probe_is_corrected_by_the_real_pace_of_epoch_1(tmp_path, data_files, monkeypatch):
    # given a probe that times 10 s a step (a cold start) while real steps take 1 s, and 100 s
    clock = FakeClock()
    _paced(monkeypatch, clock, probe_s=10.0, step_s=1.0, validation_s=2.0)
    config = TrainConfig(data=data_files, **{**TINY, "epochs": 4, "fit_seconds": 100.0, "patience": 9})

    # when
    outcome = train(config, tmp_path / "m", version="p", progress=False, write=lambda _: None, clock=clock)

    # then the probe planned one epoch, the real pace four, and four ran, the decay ending at zero
    plan = json.loads((tmp_path / "m" / "training.json").read_text())["plan"]
    assert plan["first_plan_epochs"] == 1
    assert [r["epochs"] for r in plan["replans"]] == [4, 4]
    assert plan["replans"][0]["seconds_per_batch"] == pytest.approx(1.0)
    assert plan["replans"][1] == {"at": "after epoch 1", "epoch_s": 4.0, "validation_s": 2.0, "epochs": 4}
    assert plan["epochs"] == 4
    assert [e["epoch"] for e in outcome.history if isinstance(e["epoch"], int)] == [1, 2, 3, 4]
    assert plan["lr_factor_after_last_step"] == 0.0


def test_a_fast_probe_is_cut_back_by_the_real_pace_of_epoch_1(tmp_path, data_files, monkeypatch):
    # given a probe that times 1 s a step while real steps take 10 s, and 100 s
    clock = FakeClock()
    _paced(monkeypatch, clock, probe_s=1.0, step_s=10.0, validation_s=5.0)
    config = TrainConfig(data=data_files, **{**TINY, "epochs": 4, "fit_seconds": 100.0, "patience": 9})

    outcome = train(config, tmp_path / "m", version="p", progress=False, write=lambda _: None, clock=clock)

    # then it planned four, learnt a quarter into epoch 1 that only one fits, and decayed to zero in it
    record = json.loads((tmp_path / "m" / "training.json").read_text())
    plan = record["plan"]
    assert plan["first_plan_epochs"] == 4
    assert [r["epochs"] for r in plan["replans"]] == [1, 1]
    assert [e["epoch"] for e in outcome.history if isinstance(e["epoch"], int)] == [1]
    assert record["config"]["epochs"] == 1
    assert plan["lr_factor_after_last_step"] == 0.0


def test_the_planner_counts_the_epoch_under_way_and_the_averaging():
    clock = FakeClock()
    planner = EpochPlanner(100.0, 10, clock=clock, started=clock.now, averaging=False, reserve_s=0.0)

    assert planner.epochs(epoch_s=20.0, validation_s=5.0) == 4
    clock.now += 10.0  # half of epoch 1 trained: 10 s more and its validation, then 75 s left
    assert planner.epochs(epoch_s=20.0, validation_s=5.0, done=0.5) == 1 + 3
    averaging = EpochPlanner(100.0, 10, clock=clock, started=clock.now - 10.0, averaging=True, reserve_s=0.0)
    assert averaging.epochs(epoch_s=20.0, validation_s=5.0, done=0.5) == 3  # no time left to average 4
    assert averaging.epochs(epoch_s=20.0, validation_s=15.0, done=0.5) == 2  # 30 s spare: room to average
    assert planner.epochs(epoch_s=500.0, validation_s=5.0, done=0.5) == 1  # the epoch under way always ends
