"""The live update: prediction from the state before the answer, then BKT + Elo updates."""

from __future__ import annotations

import math

import pytest

from students.kt.bkt import BKTParams, Combination, update
from students.kt.model import AbilityState, ItemState, ModelSettings, observe_answer, predict_answer

PARAMS = {"fractions": BKTParams(p_init=0.4, p_learn=0.1, p_guess=0.2, p_slip=0.1)}


def test_prediction_is_bkt_shifted_by_ability_minus_difficulty():
    # given BKT predicting 0.48, ability 0.5 and difficulty 0.2
    # when
    prediction = predict_answer({"fractions": 0.4}, PARAMS, ItemState(0.2, 10), AbilityState(0.5, 3))
    # then logit P = logit 0.48 + 0.5 - 0.2
    expected = 1 / (1 + math.exp(-(math.log(0.48 / 0.52) + 0.3)))
    assert prediction.p_bkt == pytest.approx(0.48)
    assert prediction.p_correct == pytest.approx(expected)


def test_an_unpractised_concept_starts_at_its_initial_mastery():
    # given no mastery yet (None), and a concept without fitted parameters
    settings = ModelSettings(default_params=BKTParams(p_init=0.3, p_learn=0.1, p_guess=0.2, p_slip=0.1))
    # when
    prediction = predict_answer({"fractions": None, "unknown": None}, PARAMS, settings=settings)
    # then each uses its own (or the default) P(L0)
    assert prediction.mastery == {"fractions": 0.4, "unknown": 0.3}


def test_observe_answer_predicts_first_then_updates_all_parts_by_hand():
    # given a student with ability 0 on an item of difficulty 0, default step sizes
    settings = ModelSettings()
    item, ability = ItemState(0.0, 0), AbilityState(0.0, 0)
    # when the student answers right
    result = observe_answer({"fractions": 0.4}, PARAMS, item, ability, 1.0, settings=settings)
    # then the prediction is the one before the answer, BKT is updated as by hand, and the
    # Elo terms move by K * (1 - P) (no answers yet, so no decay)
    assert result.prediction.p_correct == pytest.approx(0.48)
    assert result.mastery["fractions"] == pytest.approx(update(0.4, PARAMS["fractions"], 1.0))
    assert result.evidence["fractions"] == pytest.approx(0.75)
    assert result.ability == AbilityState(pytest.approx(settings.ability_k * 0.52), 1)
    assert result.item == ItemState(pytest.approx(-settings.item_k * 0.52), 1)


def test_step_sizes_decay_with_the_number_of_answers():
    # given a seasoned student and a seasoned item
    settings = ModelSettings(ability_k=0.4, ability_decay=0.05, item_k=0.4, item_decay=0.05)
    # when
    result = observe_answer(
        {"fractions": 0.4}, PARAMS, ItemState(0.0, 100), AbilityState(0.0, 20), 0.0, settings=settings
    )
    # then each moves by K / (1 + c n) * (0 - 0.48)
    assert result.ability.ability == pytest.approx(-0.4 / 2.0 * 0.48)
    assert result.item.difficulty == pytest.approx(0.4 / 6.0 * 0.48)


def test_zero_evidence_weight_leaves_the_beliefs_but_counts_the_opportunity():
    # given an answer given with a worked example shown (weight 0)
    # when
    result = observe_answer({"fractions": 0.4}, PARAMS, ItemState(), AbilityState(), 1.0, weight=0.0)
    # then ability and difficulty stand still, and mastery only takes the learning step
    assert result.ability.ability == 0.0 and result.item.difficulty == 0.0
    assert result.evidence["fractions"] == pytest.approx(0.4)
    assert result.mastery["fractions"] == pytest.approx(0.4 + 0.6 * 0.1)


@pytest.mark.parametrize("combination", list(Combination))
def test_a_multi_concept_answer_updates_every_concept_live(combination):
    # given an item tagged with two concepts
    params = {**PARAMS, "decimals": BKTParams(p_init=0.5, p_learn=0.2, p_guess=0.25, p_slip=0.1)}
    settings = ModelSettings(combination=combination)
    # when
    result = observe_answer(
        {"fractions": 0.4, "decimals": None}, params, ItemState(), AbilityState(), 0.0, 1.0, settings
    )
    # then both concepts are updated
    assert set(result.mastery) == {"fractions", "decimals"}
    assert result.mastery["fractions"] < 0.4 + 0.6 * 0.1
    assert result.mastery["decimals"] < 0.5 + 0.5 * 0.2


def test_a_bad_score_is_refused_with_its_value():
    with pytest.raises(ValueError, match="1.5"):
        observe_answer({"fractions": 0.4}, PARAMS, ItemState(), AbilityState(), 1.5)


def test_settings_round_trip_through_a_dict():
    settings = ModelSettings(combination=Combination.MEAN_LOGIT, ability_k=0.3)
    assert ModelSettings.from_dict(settings.as_dict()) == settings
