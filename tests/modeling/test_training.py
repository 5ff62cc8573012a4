"""Fine-tuning options that the registry tests do not reach: several runs, devices, bf16."""

from __future__ import annotations

import json

import pytest

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
