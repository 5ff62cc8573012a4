"""The course's pedagogy settings (``content.api.PolicySettings``) as the policy reads them."""

from __future__ import annotations

import math

import pytest

from content.api import PolicySettings
from tests.tutor.pedagogy.builders import A, B, choose, concept, exercise, state, student


# --- settings -------------------------------------------------------------------------
def test_settings_from_a_course_override_the_defaults():
    settings = PolicySettings.from_mapping(
        {"mastery_threshold": 0.9, "recent_items_excluded": 5.0, "interleave_after": 3}
    )

    assert settings.mastery_threshold == 0.9
    assert settings.recent_items_excluded == 5 and isinstance(settings.recent_items_excluded, int)
    assert settings.interleave_after == 3
    assert settings.target_success_low == 0.6
    assert PolicySettings.from_mapping({}) == PolicySettings()


def test_settings_reject_an_unknown_key():
    with pytest.raises(ValueError, match="'mastery_treshold'"):
        PolicySettings.from_mapping({"mastery_treshold": 0.9})


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"mastery_threshold": 1.5}, "mastery_threshold"),
        ({"mastery_threshold": "high"}, "mastery_threshold"),
        ({"mastery_threshold": math.nan}, "mastery_threshold"),
        ({"recent_items_excluded": -1}, "recent_items_excluded"),
        ({"recent_items_excluded": 2.5}, "recent_items_excluded"),
        ({"interleave_after": True}, "interleave_after"),
        ({"break_after_minutes": 0}, "break_after_minutes"),
        ({"target_success_low": 0.9}, "target_success_low"),
        ({"worked_example_full_below": 0.7}, "worked_example_full_below"),
        ({"step_back_below": 0}, "step_back_below"),
        ({"test_out_from": 1.2}, "test_out_from"),
        ({"test_out_min_answers": -1}, "test_out_min_answers"),
        ({"test_out_min_answers": 0.5}, "test_out_min_answers"),
        ({"review_grace": -1}, "review_grace"),
        ({"mastery_min_independent": -1}, "mastery_min_independent"),
        ({"mastery_min_independent": 2.5}, "mastery_min_independent"),
        ({"reveal_hold_items": -3}, "reveal_hold_items"),
        ({"reveal_hold_days": -0.5}, "reveal_hold_days"),
    ],
)
def test_settings_reject_a_bad_value_naming_the_key(data, key):
    with pytest.raises(ValueError, match=key):
        PolicySettings.from_mapping(data)


def test_a_stricter_course_threshold_changes_what_counts_as_mastered():
    concepts = [concept(A), concept(B, A)]
    exercises = [exercise(11, A), exercise(21, B)]
    settings = PolicySettings.from_mapping({"mastery_threshold": 0.98})

    decision = choose(concepts, exercises, student({A: state(0.96)}), settings=settings)

    assert decision.concept_id == A


def test_the_evidence_and_reveal_settings_have_documented_defaults_and_take_json_numbers():
    defaults = PolicySettings()
    settings = PolicySettings.from_mapping(
        {"mastery_min_independent": 2.0, "reveal_hold_items": 10, "reveal_hold_days": 2}
    )

    assert (defaults.mastery_min_independent, defaults.reveal_hold_items, defaults.reveal_hold_days) == (
        3,
        30,
        1.0,
    )
    assert (settings.mastery_min_independent, settings.reveal_hold_items, settings.reveal_hold_days) == (
        2,
        10,
        2.0,
    )
