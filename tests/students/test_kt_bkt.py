"""BKT of one concept and of multi-concept answers: hand-computed updates, graded evidence."""

from __future__ import annotations

import math

import pytest

from students.kt.bkt import (
    BKTParams,
    Combination,
    combine,
    posterior,
    predict_correct,
    predict_correct_multi,
    update,
    update_multi,
)

PARAMS = BKTParams(p_init=0.4, p_learn=0.1, p_guess=0.2, p_slip=0.1)


def test_prediction_and_update_match_a_hand_computed_case():
    # given P(L) = 0.4, T = 0.1, G = 0.2, S = 0.1
    # when / then: P(correct) = 0.4 * 0.9 + 0.6 * 0.2 = 0.48
    assert predict_correct(0.4, PARAMS) == pytest.approx(0.48)
    # right: posterior 0.36 / (0.36 + 0.12) = 0.75, then 0.75 + 0.25 * 0.1 = 0.775
    assert update(0.4, PARAMS, 1.0) == pytest.approx(0.775)
    # wrong: posterior 0.04 / (0.04 + 0.48) = 1/13, then 1/13 + (12/13) * 0.1
    assert update(0.4, PARAMS, 0.0) == pytest.approx(1 / 13 + 12 / 13 * 0.1)


def test_partial_credit_is_the_fractional_likelihood_of_the_docstring():
    # given a half score: e(known) = sqrt(0.9 * 0.1) = 0.3, e(unknown) = sqrt(0.2 * 0.8) = 0.4
    # when
    result = posterior(0.4, PARAMS, 0.5)
    # then 0.4 * 0.3 / (0.12 + 0.6 * 0.4) = 1/3
    assert result == pytest.approx(1 / 3)


def test_forgetting_lowers_the_next_mastery():
    # given the same answer with and without forgetting
    forgetful = BKTParams(p_init=0.4, p_learn=0.1, p_guess=0.2, p_slip=0.1, p_forget=0.2)
    # when / then: 0.75 * 0.8 + 0.25 * 0.1
    assert update(0.4, forgetful, 1.0) == pytest.approx(0.625)
    assert update(0.4, forgetful, 1.0) < update(0.4, PARAMS, 1.0)


def test_a_higher_score_never_lowers_the_mastery():
    # given scores from 0 to 1
    scores = [i / 10 for i in range(11)]
    # when
    after = [update(0.4, PARAMS, s) for s in scores]
    # then
    assert all(a < b for a, b in zip(after, after[1:], strict=False))


def test_weaker_evidence_moves_belief_less_and_zero_weight_not_at_all():
    # given a right and a wrong answer at decreasing evidence weights (e.g. after hints)
    weights = [1.0, 0.75, 0.5, 0.25, 0.0]
    # when
    right = [posterior(0.4, PARAMS, 1.0, w) for w in weights]
    wrong = [posterior(0.4, PARAMS, 0.0, w) for w in weights]
    # then the posterior approaches the prior from either side, and equals it at w = 0
    assert all(a > b for a, b in zip(right, right[1:], strict=False))
    assert all(a < b for a, b in zip(wrong, wrong[1:], strict=False))
    assert right[-1] == pytest.approx(0.4) and wrong[-1] == pytest.approx(0.4)
    # and the log-odds shift is exactly w times the full one
    logit = lambda p: math.log(p / (1 - p))  # noqa: E731
    assert logit(right[2]) - logit(0.4) == pytest.approx(0.5 * (logit(right[0]) - logit(0.4)))


@pytest.mark.parametrize("combination", list(Combination))
def test_a_multi_concept_answer_updates_every_concept(combination):
    # given an answer that involves two concepts
    params = {"a": PARAMS, "b": BKTParams(p_init=0.5, p_learn=0.2, p_guess=0.25, p_slip=0.1)}
    mastery = {"a": 0.4, "b": 0.5}
    # when
    after_right = update_multi(mastery, params, 1.0, combination=combination)
    after_wrong = update_multi(mastery, params, 0.0, combination=combination)
    # then both concepts move, up after a right answer and down after a wrong one
    assert set(after_right) == set(after_wrong) == {"a", "b"}
    assert after_right["a"] > 0.4 and after_right["b"] > 0.5
    assert 0.0 < after_wrong["a"] < after_right["a"] and 0.0 < after_wrong["b"] < after_right["b"]


def test_noisy_and_shares_the_blame_of_a_wrong_answer_by_hand():
    # given A (P(L) 0.4) and B (P(L) 0.5, G 0.25, S 0.1): q_A = 0.48, q_B = 0.575
    params = {"a": PARAMS, "b": BKTParams(p_init=0.5, p_learn=0.2, p_guess=0.25, p_slip=0.1)}
    mastery = {"a": 0.4, "b": 0.5}
    # when
    p = predict_correct_multi(mastery, params, Combination.PRODUCT)
    wrong = update_multi(mastery, params, 0.0, combination=Combination.PRODUCT)
    right = update_multi(mastery, params, 1.0, combination=Combination.PRODUCT)
    # then P(correct) = 0.48 * 0.575, and A's posterior after a wrong answer is
    # 0.4 * (1 - 0.9 * 0.575) / (0.4 * (1 - 0.9 * 0.575) + 0.6 * (1 - 0.2 * 0.575)) before learning
    assert p == pytest.approx(0.48 * 0.575)
    post_a = 0.4 * 0.4825 / (0.4 * 0.4825 + 0.6 * 0.885)
    assert wrong["a"] == pytest.approx(post_a + (1 - post_a) * 0.1)
    # a wrong answer blames A less than if A had been alone; a right one credits it as alone
    assert wrong["a"] > update(0.4, PARAMS, 0.0)
    assert right["a"] == pytest.approx(update(0.4, PARAMS, 1.0))


def test_mean_logit_combination_by_hand():
    # given two concepts predicting 0.8 and 0.5
    # when / then the mean logit is log(4) / 2, i.e. P = 2/3
    assert combine([0.8, 0.5], Combination.MEAN_LOGIT) == pytest.approx(2 / 3)
    assert combine([0.8, 0.5], Combination.PRODUCT) == pytest.approx(0.4)
    assert combine([0.8], Combination.PRODUCT) == 0.8


@pytest.mark.parametrize(
    "kwargs",
    [{"p_guess": 0.5}, {"p_slip": 0.6}, {"p_init": 1.2}, {"p_learn": -0.1}, {"p_forget": float("nan")}],
)
def test_parameters_outside_the_bounds_are_refused(kwargs):
    with pytest.raises(ValueError, match="BKT"):
        BKTParams(**kwargs)


@pytest.mark.parametrize(("score", "weight"), [(1.5, 1.0), (-0.1, 1.0), (1.0, 2.0)])
def test_an_impossible_score_or_weight_is_refused(score, weight):
    with pytest.raises(ValueError):
        update(0.4, PARAMS, score, weight)
