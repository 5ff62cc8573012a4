"""Calibration: the temperature, the calibration error, and the auto-accept threshold."""

from __future__ import annotations

import numpy as np
import pytest

from modeling.grader import calibration
from modeling.grader.labels import LABELS_5WAY


def _overconfident(n: int = 400, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """Answers whose predicted label is right 70% of the time but said with 97% confidence."""
    rng = np.random.default_rng(seed)
    gold, rows = [], []
    for _ in range(n):
        predicted = int(rng.integers(0, 3))  # correct, partially correct, contradictory
        truth = predicted if rng.random() < 0.7 else (predicted + 1) % 3
        row = np.full(len(LABELS_5WAY), 0.0075)
        row[predicted] = 0.97
        rows.append(row)
        gold.append(LABELS_5WAY[truth])
    return np.array(rows), gold


def test_the_temperature_keeps_the_labels_and_softens_an_overconfident_grader():
    probabilities, gold = _overconfident()

    temperature = calibration.fit_temperature(probabilities, gold)
    scaled = calibration.apply_temperature(probabilities, temperature)

    assert temperature > 1.5
    np.testing.assert_array_equal(scaled.argmax(axis=1), probabilities.argmax(axis=1))
    np.testing.assert_allclose(scaled.sum(axis=1), 1.0)
    right = calibration.verdicts(probabilities)[0] == calibration.gold_3way(gold)
    before = calibration.expected_calibration_error(calibration.verdicts(probabilities)[1], right)
    after = calibration.expected_calibration_error(calibration.verdicts(scaled)[1], right)
    assert after < before / 2


def test_a_temperature_of_one_changes_nothing_and_zeros_stay_zero():
    p = np.array([[1.0, 0.0, 0.0, 0.0, 0.0], [0.2, 0.2, 0.2, 0.2, 0.2]])

    np.testing.assert_array_equal(calibration.apply_temperature(p, 1.0), p)
    assert calibration.apply_temperature(p, 2.0)[0, 1] == 0.0


def test_the_confidence_is_that_of_the_3way_verdict_of_the_label():
    # partially correct 0.4, irrelevant 0.3: the verdict "incorrect" is 0.7 sure
    p = np.array([[0.2, 0.4, 0.1, 0.3, 0.0]])

    classes, confidence = calibration.verdicts(p)

    assert classes.tolist() == [2] and confidence[0] == pytest.approx(0.7)


def test_the_calibration_error_of_a_calibrated_grader_is_small():
    rng = np.random.default_rng(1)
    confidence = rng.uniform(0.4, 1.0, 20_000)
    correct = rng.random(20_000) < confidence

    assert calibration.expected_calibration_error(confidence, correct) < 0.02
    assert calibration.expected_calibration_error(np.full(100, 0.9), np.zeros(100)) == pytest.approx(0.9)


def test_the_threshold_is_the_lowest_confidence_above_which_nine_in_ten_are_right():
    # 50 answers at 0.95 all right, 50 at 0.8 with 40 right, 100 at 0.6 with 50 right
    confidence = np.array([0.95] * 50 + [0.8] * 50 + [0.6] * 100)
    correct = np.array([True] * 50 + [True] * 40 + [False] * 10 + [True] * 50 + [False] * 50)

    threshold = calibration.choose_threshold(confidence, correct)
    accepted = calibration.auto_accept(confidence, correct, threshold)

    # at 0.8: 90 of 100 right; at 0.6: 140 of 200
    assert threshold == 0.8
    assert accepted.share == pytest.approx(0.5) and accepted.accuracy_3way == pytest.approx(0.9)


def test_no_threshold_when_too_few_answers_are_right_enough():
    confidence = np.linspace(0.3, 0.99, 100)
    assert calibration.choose_threshold(confidence, np.zeros(100, dtype=bool)) is None
    # ten sure answers are too few to trust
    assert calibration.choose_threshold(np.full(10, 0.99), np.ones(10, dtype=bool)) is None


def test_without_a_threshold_nothing_is_auto_accepted():
    accepted = calibration.auto_accept(np.array([0.99, 0.98]), np.array([True, True]), None)
    assert accepted.share == 0.0 and accepted.accuracy_3way is None
