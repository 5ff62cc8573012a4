"""Metric definitions, checked against cases worked out by hand."""

from __future__ import annotations

import pytest

from modeling.grader.metrics import classification_metrics, grading_metrics, score_metrics


def test_classification_metrics_match_a_hand_computed_case():
    # given gold a a b b c and predictions a b b b a
    gold = ["a", "a", "b", "b", "c"]
    predicted = ["a", "b", "b", "b", "a"]

    # when
    report = classification_metrics(gold, predicted, ["a", "b", "c"])

    # then: F1(a) = 2*(1/2*1/2)/(1/2+1/2) = 0.5, F1(b) = 2*(2/3*1)/(2/3+1) = 0.8, F1(c) = 0
    assert report["accuracy"] == pytest.approx(3 / 5)
    assert report["f1_by_label"] == pytest.approx({"a": 0.5, "b": 0.8, "c": 0.0})
    assert report["macro_f1"] == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    assert report["weighted_f1"] == pytest.approx((0.5 * 2 + 0.8 * 2 + 0.0 * 1) / 5)
    assert report["confusion"]["matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]


def test_macro_f1_leaves_out_labels_neither_gold_nor_predicted():
    # given a label set where "c" never occurs
    report = classification_metrics(["a", "b"], ["a", "b"], ["a", "b", "c"])

    # then the perfect predictions score a perfect macro-F1
    assert report["macro_f1"] == pytest.approx(1.0)


def test_grading_metrics_map_gold_5way_labels_to_3way_and_2way():
    # given 5-way gold labels and predictions at each level
    gold = ["correct", "partially_correct_incomplete", "contradictory", "irrelevant"]
    predicted = {
        "5way": ["correct", "irrelevant", "contradictory", "irrelevant"],
        "3way": ["correct", "incorrect", "contradictory", "incorrect"],
        "2way": ["correct", "incorrect", "correct", "incorrect"],
    }

    # when
    metrics = grading_metrics(gold, predicted)

    # then 3-way folds partial and irrelevant into incorrect: all four are right
    assert metrics["n"] == 4
    assert metrics["acc_5way"] == pytest.approx(3 / 4)
    assert metrics["acc_3way"] == pytest.approx(1.0)
    assert metrics["macro_f1_3way"] == pytest.approx(1.0)
    # 2-way: gold correct, incorrect, incorrect, incorrect; one incorrect called correct
    assert metrics["acc_2way"] == pytest.approx(3 / 4)
    # F1(correct) = 2*(1/2*1)/(1/2+1) = 2/3; F1(incorrect) = 2*(1*2/3)/(1+2/3) = 0.8
    assert metrics["macro_f1_2way"] == pytest.approx((2 / 3 + 0.8) / 2)
    assert metrics["weighted_f1_2way"] == pytest.approx((2 / 3 * 1 + 0.8 * 3) / 4)


def test_score_metrics_match_a_hand_computed_case():
    # given targets 0, 0.5, 1 and predictions 0.1, 0.5, 0.7
    metrics = score_metrics([0.0, 0.5, 1.0], [0.1, 0.5, 0.7])

    # then r = cov / sqrt(var_t var_p) = 0.3 / sqrt(0.5 * 0.186667), RMSE = sqrt(0.1 / 3)
    assert metrics["pearson_r"] == pytest.approx(0.3 / (0.5 * 0.18666667) ** 0.5, rel=1e-6)
    assert metrics["rmse"] == pytest.approx((0.1 / 3) ** 0.5)
    assert metrics["n"] == 3


def test_pearson_r_is_undefined_for_a_constant_prediction():
    assert score_metrics([0.0, 1.0], [0.5, 0.5])["pearson_r"] is None
