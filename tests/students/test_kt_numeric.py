"""The one logistic link (``students.kt.numeric``): stable at the extremes, clamped where the
caller asks, and the same figures as the copies it replaced."""

from __future__ import annotations

import math

import numpy as np
import pytest

from students.kt.numeric import logit, sigmoid


def test_sigmoid_is_stable_far_out_on_both_sides():
    # exp(1000) overflows a float: the naive 1 / (1 + exp(-x)) raises at x = -1000
    assert sigmoid(1000.0) == 1.0
    assert sigmoid(-1000.0) == 0.0
    assert sigmoid(0.0) == 0.5
    assert sigmoid(-745.0) > 0.0  # still representable, not flushed by an overflow


def test_sigmoid_is_symmetric_and_inverts_logit():
    for x in (-30.0, -2.5, -1e-6, 0.7, 12.0):
        assert sigmoid(x) + sigmoid(-x) == pytest.approx(1.0, abs=1e-15)
    for p in (1e-6, 0.2, 0.5, 0.9, 1 - 1e-6):
        assert sigmoid(logit(p)) == pytest.approx(p, rel=1e-9)


def test_logit_clamps_by_the_callers_eps():
    assert logit(0.0) == math.log(1e-9 / (1 - 1e-9))
    assert logit(1.0) == pytest.approx(-logit(0.0), rel=1e-6)  # 1 - 1e-9 rounds, 1e-9 does not
    assert logit(0.0, eps=1e-6) == math.log(1e-6 / (1 - 1e-6))
    assert logit(1e-7, eps=1e-6) == logit(1e-6, eps=1e-6)
    assert logit(0.3, eps=0.0) == math.log(0.3 / 0.7)


def test_without_a_clamp_the_ends_are_an_error_not_a_silent_number():
    with pytest.raises((ValueError, ZeroDivisionError)):
        logit(0.0, eps=0.0)
    with pytest.raises(ZeroDivisionError):
        logit(1.0, eps=0.0)


def test_a_clamp_outside_zero_to_a_half_is_refused():
    with pytest.raises(ValueError, match="clamp"):
        logit(0.5, eps=0.5)
    with pytest.raises(ValueError, match="clamp"):
        logit(0.5, eps=-1e-9)


def test_an_array_is_clamped_and_transformed_elementwise_with_numpy():
    p = np.array([0.0, 0.25, 0.5, 1.0])

    out = logit(p)

    expected = np.log(np.clip(p, 1e-9, 1 - 1e-9) / (1 - np.clip(p, 1e-9, 1 - 1e-9)))
    assert isinstance(out, np.ndarray)
    assert np.array_equal(out, expected)


def test_the_figures_are_those_of_the_copies_it_replaced():
    # the student model's clamp (1e-9) and the simulator's (1e-6), bit for bit
    for p in (0.0, 1e-12, 0.123456789, 0.5, 0.987654321, 1.0):
        assert logit(p) == math.log(min(max(p, 1e-9), 1 - 1e-9) / (1 - min(max(p, 1e-9), 1 - 1e-9)))
        clamped = min(max(p, 1e-6), 1 - 1e-6)
        assert logit(p, eps=1e-6) == math.log(clamped / (1 - clamped))
