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
