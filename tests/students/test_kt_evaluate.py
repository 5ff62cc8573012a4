"""Offline evaluation: replay order, no leakage between sibling rows, metrics, kt_eval."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from students.kt import evaluate as evaluation
from students.kt import model as live
from students.kt.bkt import BKTParams
from students.kt.data import AttemptLog, LogRow, read_log, split_by_student
from students.kt.metrics import accuracy, auc, log_loss, rmse, score_predictions
from students.kt.model import AbilityState, ItemState, ModelSettings, observe_answer, predict_answer
from students.kt.replay import replay

SIM_LOG = Path(__file__).parent / "data" / "sim_log.csv"
ASSIST2009 = evaluation.assist2009_train_file()
PARAMS = {
    "A": BKTParams(p_init=0.4, p_learn=0.1, p_guess=0.2, p_slip=0.1),
    "B": BKTParams(p_init=0.5, p_learn=0.2, p_guess=0.25, p_slip=0.1),
}
ITEMS = {"p1": ItemState(-0.5, 10), "p2": ItemState(0.3, 10), "p3": ItemState(0.0, 10)}


def _tiny_log(second_answer: float = 0.0) -> AttemptLog:
    """u1 answers p1 (A), then p2 tagged A and B (two sibling rows), then p3 (B); u2 answers p2."""
    return AttemptLog.from_rows(
        [
            LogRow("u1", 0, 0, "p1", "A", 1.0),
            LogRow("u1", 1, 1, "p2", "A", second_answer),
            LogRow("u1", 2, 1, "p2", "B", second_answer),
            LogRow("u1", 3, 2, "p3", "B", 1.0),
            LogRow("u2", 0, 0, "p2", "A", 1.0),
            LogRow("u2", 1, 0, "p2", "B", 1.0),
        ]
    )


def test_replay_predicts_sibling_rows_from_the_state_before_their_answer():
    # given the tiny log, fixed parameters and items
    settings = ModelSettings()
    # when
    result = replay(_tiny_log(), PARAMS, ITEMS, settings)
    # then the first answer is predicted from scratch ...
    first = observe_answer({"A": None}, PARAMS, ITEMS["p1"], AbilityState(), 1.0, settings=settings)
    assert result.p_correct[0] == pytest.approx(first.prediction.p_correct)
    # ... both rows of the two-concept answer from the state after the first answer only ...
    before_second = predict_answer(
        {"A": first.mastery["A"], "B": None}, PARAMS, ITEMS["p2"], first.ability, settings
    )
    assert result.p_correct[1] == result.p_correct[2] == pytest.approx(before_second.p_correct)
    # ... and the next student starts afresh
    fresh = predict_answer({"A": None, "B": None}, PARAMS, ITEMS["p2"], AbilityState(), settings)
    assert result.p_correct[4] == result.p_correct[5] == pytest.approx(fresh.p_correct)
    assert result.n_updates == 4


def test_an_answers_outcome_reaches_only_later_answers():
    # given the same log with the two-concept answer right or wrong
    wrong = replay(_tiny_log(0.0), PARAMS, ITEMS, ModelSettings()).p_correct
    right = replay(_tiny_log(1.0), PARAMS, ITEMS, ModelSettings()).p_correct
    # then the rows of that answer (1, 2) and everything before are unchanged; the next answer moves
    np.testing.assert_array_equal(wrong[:3], right[:3])
    np.testing.assert_array_equal(wrong[4:], right[4:])
    assert right[3] > wrong[3]


def test_metrics_match_a_hand_computed_case():
    # given
    y = np.array([1, 0, 1, 0])
    p = np.array([0.9, 0.2, 0.6, 0.7])
    # then: 3 of 4 positive/negative pairs ordered right; errors .1 .2 .4 .7; 3 of 4 on the right side
    assert auc(y, p) == pytest.approx(0.75)
    assert rmse(y, p) == pytest.approx(math.sqrt((0.01 + 0.04 + 0.16 + 0.49) / 4))
    assert accuracy(y, p) == pytest.approx(0.75)
    assert log_loss(y, p) == pytest.approx(
        -(math.log(0.9) + math.log(0.8) + math.log(0.6) + math.log(0.3)) / 4
    )
    # ties count one half; one class only has no AUC
    assert auc(np.array([1, 0]), np.array([0.5, 0.5])) == pytest.approx(0.5)
    assert score_predictions(np.array([1, 1]), np.array([0.4, 0.9]))["auc"] is None


def test_the_live_update_is_the_function_being_scored(monkeypatch):
    # given a spy around the live update function
    assert evaluation.LIVE_UPDATE is live.observe_answer
    calls = []

    def spy(*args, **kwargs):
        result = evaluation.LIVE_UPDATE(*args, **kwargs)
        calls.append(result.prediction.p_correct)
        return result

    monkeypatch.setattr(live, "observe_answer", spy)
    train, test = split_by_student(read_log(SIM_LOG), 0.25, seed=0)
    # when
    outcome = evaluation.evaluate(train, test)
    # then every test answer went through it, and the scored predictions are what it returned
    scored = outcome.predictions[[s for _, s, _ in test.answers()]]
    assert outcome.report["n_updates"] == len(scored)
    np.testing.assert_array_equal(calls[-len(scored) :], scored)


def test_kt_eval_prints_json_with_the_metrics():
    # when
    out = io.StringIO()
    call_command(
        "kt_eval", "--data", str(SIM_LOG), "--test-frac", "0.25", "--seed", "1", "--json", stdout=out
    )
    report = json.loads(out.getvalue())
    # then
    for key in ("auc", "rmse", "accuracy", "log_loss", "n", "fit_seconds", "mean_update_us", "per_skill"):
        assert key in report
    assert set(report["per_skill"]) == {"decimals", "fractions", "ratios"}
    assert report["split"] == {"data": str(SIM_LOG), "test_frac": 0.25, "seed": 1}
    assert 0.0 <= report["auc"] <= 1.0 and report["n"] > 0


def test_kt_eval_takes_train_and_test_files_and_prints_a_table(tmp_path):
    # given the simulated log split into two files
    train, test = split_by_student(read_log(SIM_LOG), 0.25, seed=2)
    train.write_csv(tmp_path / "train.csv")
    test.write_csv(tmp_path / "test.csv")
    # when
    out = io.StringIO()
    call_command(
        "kt_eval", "--train", str(tmp_path / "train.csv"), "--test", str(tmp_path / "test.csv"), stdout=out
    )
    # then
    text = out.getvalue()
    assert "student model" in text and "AUC" in text
    assert f"test: {len(test)} rows" in text


def test_kt_eval_refuses_a_test_file_without_a_train_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--train"):
        call_command("kt_eval", "--test", str(SIM_LOG))


@pytest.mark.slow
@pytest.mark.skipif(
    not ASSIST2009.exists(), reason=f"the shared ASSISTments 2009 log is absent ({ASSIST2009})"
)
def test_on_real_learners_the_model_beats_chance_without_leaking():
    """A quarter of the ASSISTments 2009 students (read from the shared folder, never copied):
    fit on 80% of them, replay the rest. AUC must clear 0.7 and stay below 0.86 (a leak)."""
    # given
    log = read_log(ASSIST2009)
    keep = np.zeros(len(log.users), dtype=bool)
    keep[np.random.default_rng(0).permutation(len(log.users))[: len(log.users) // 4]] = True
    train, test = split_by_student(log.select_users(keep), 0.2, seed=0)
    # when
    report = evaluation.evaluate(train, test).report
    # then
    assert 0.7 < report["auc"] < 0.86
    assert report["bkt_only"]["auc"] < report["auc"]
