"""The scoring maths of the pedagogy (``tutor.pedagogy.value``): BKT's success term,
information gain and items to mastery, against hand-computed cases."""

from __future__ import annotations

import pytest

from tutor.pedagogy import information_gain, items_to_mastery, predicted_success_bkt


# --- BKT helpers ----------------------------------------------------------------------
def test_predicted_success_is_known_without_slip_or_a_lucky_guess():
    assert predicted_success_bkt(0.5, 0.2, 0.1) == pytest.approx(0.5 * 0.9 + 0.5 * 0.2)


def test_information_gain_matches_a_hand_computed_case():
    # Given P(L) = 0.5, P(G) = 0.2, P(S) = 0.1, by hand:
    #   P(correct) = 0.55; P(L | correct) = 0.45 / 0.55 = 0.81818; P(L | wrong) = 0.05 / 0.45 = 0.11111
    #   H(0.5) = 1 bit; H(0.81818) = 0.68404; H(0.11111) = 0.50326
    #   IG = 1 - (0.55 * 0.68404 + 0.45 * 0.50326) = 1 - 0.60269 = 0.39731 bits
    assert information_gain(0.5, 0.2, 0.1) == pytest.approx(0.39731, abs=1e-4)


def test_information_gain_is_nothing_when_the_state_is_certain_or_the_item_does_not_discriminate():
    assert information_gain(0.0, 0.2, 0.1) == 0.0
    assert information_gain(1.0, 0.2, 0.1) == 0.0
    assert information_gain(0.5, 0.5, 0.5) == pytest.approx(0.0, abs=1e-12)
    assert (
        information_gain(0.5, 0.2, 0.1) > information_gain(0.9, 0.2, 0.1) > information_gain(0.99, 0.2, 0.1)
    )


def test_information_gain_rejects_a_value_that_is_not_a_probability():
    with pytest.raises(ValueError, match="p_guess"):
        information_gain(0.5, 1.2, 0.1)


def test_items_to_mastery_matches_a_hand_computed_case():
    # Given no guesses and no slips, a right answer proves the concept known (mastered at once)
    # and a wrong one proves it unknown, P(L) = 0, then P(T) = 0.25 after the learning step:
    #   V(0.25) = 1 + 0.75 V(0.25)  =>  V(0.25) = 4;  V(0.5) = 1 + 0.5 V(0.25) = 3
    assert items_to_mastery(0.25, 0.0, 0.0, 0.25, 0.95) == pytest.approx(4.0, abs=0.02)
    assert items_to_mastery(0.5, 0.0, 0.0, 0.25, 0.95) == pytest.approx(3.0, abs=0.02)


def test_items_to_mastery_is_nothing_at_the_threshold_and_falls_as_mastery_rises():
    values = [items_to_mastery(p, 0.2, 0.1, 0.15, 0.95) for p in (0.05, 0.2, 0.4, 0.6, 0.8, 0.9, 0.949)]

    assert items_to_mastery(0.95, 0.2, 0.1, 0.15, 0.95) == 0.0
    assert all(a > b for a, b in zip(values, values[1:], strict=False))
    # one step short of the threshold, at least one more answer is needed
    assert values[-1] >= 1.0


def test_items_to_mastery_is_one_answer_more_than_what_the_answer_leaves():
    # V(p) = 1 + P(right) V(after right) + P(wrong) V(after wrong), the definition
    p, guess, slip, learn = 0.5, 0.2, 0.1, 0.15
    right = p * (1 - slip) + (1 - p) * guess
    after_right = p * (1 - slip) / right
    after_wrong = p * slip / (1 - right)

    def v(x: float) -> float:
        return items_to_mastery(x + (1 - x) * learn, guess, slip, learn, 0.95)

    expected = 1 + right * v(after_right) + (1 - right) * v(after_wrong)
    assert items_to_mastery(p, guess, slip, learn, 0.95) == pytest.approx(expected, abs=0.05)


def test_items_to_mastery_rejects_a_value_that_is_not_a_probability():
    with pytest.raises(ValueError, match="p_learn"):
        items_to_mastery(0.5, 0.2, 0.1, 1.5, 0.95)
