"""Fitting: EM recovers simulated BKT parameters; priors, item difficulties, forward pass."""

from __future__ import annotations

import numpy as np
import pytest

from students.kt.bkt import BKTParams, predict_correct, update
from students.kt.fit import BetaPrior, BKTPrior, filtered_predictions, fit_bkt, fit_bkt_arrays
from students.kt.simulate import simulate_bkt
from students.kt.train import fit_item_difficulties

TOLERANCE = 0.05


@pytest.mark.parametrize(
    "true",
    [
        BKTParams(p_init=0.3, p_learn=0.15, p_guess=0.2, p_slip=0.1),
        BKTParams(p_init=0.55, p_learn=0.08, p_guess=0.3, p_slip=0.15),
    ],
)
def test_em_recovers_simulated_parameters_within_tolerance(true):
    """EM recovers P(L0), P(T), P(G), P(S) within +-0.05 (absolute) from 2,000 simulated
    students x 20 answers each, drawn from known parameters with a fixed seed."""
    # given answers simulated from known parameters
    answers = simulate_bkt(true, n_students=2000, n_steps=20, seed=11)
    # when
    fitted = fit_bkt({"c": [row.astype(float).tolist() for row in answers]})["c"].params
    # then
    for name in ("p_init", "p_learn", "p_guess", "p_slip"):
        assert abs(getattr(fitted, name) - getattr(true, name)) <= TOLERANCE, name
    assert fitted.p_forget == 0.0


def test_em_fits_several_concepts_at_once_and_forgetting_when_asked():
    """With forgetting fitted, P(F) is recovered within +-0.05 as well (2,000 x 20)."""
    # given two concepts simulated with different parameters, one forgetful
    a = BKTParams(p_init=0.3, p_learn=0.15, p_guess=0.2, p_slip=0.1)
    b = BKTParams(p_init=0.6, p_learn=0.2, p_guess=0.25, p_slip=0.08, p_forget=0.05)
    seqs = {
        "a": [r.astype(float).tolist() for r in simulate_bkt(a, 2000, 20, seed=1)],
        "b": [r.astype(float).tolist() for r in simulate_bkt(b, 2000, 20, seed=2)],
    }
    # when
    fits = fit_bkt(seqs, fit_forget=True)
    # then each concept gets its own parameters back
    for name, true in (("a", a), ("b", b)):
        got = fits[name].params
        for field in ("p_init", "p_learn", "p_guess", "p_slip", "p_forget"):
            assert abs(getattr(got, field) - getattr(true, field)) <= TOLERANCE, (name, field)
        assert fits[name].n_observations == 40000 and fits[name].n_sequences == 2000


def test_the_prior_dominates_a_concept_with_little_data():
    # given a strong prior and one student with three answers
    prior = BKTPrior(
        p_init=BetaPrior(30, 70),
        p_learn=BetaPrior(20, 80),
        p_guess=BetaPrior(20, 80),
        p_slip=BetaPrior(10, 90),
    )
    # when
    fitted = fit_bkt({"rare": [[1.0, 1.0, 1.0]]}, prior=prior)["rare"].params
    # then the estimates stay near the prior's modes
    assert fitted.p_init == pytest.approx(29 / 98, abs=0.03)
    assert fitted.p_guess == pytest.approx(19 / 98, abs=0.03)
    assert fitted.p_slip == pytest.approx(9 / 98, abs=0.03)


def test_fitted_guess_and_slip_stay_below_one_half():
    # given answers that are right half the time whatever the student knows
    rng = np.random.default_rng(0)
    seqs = {"noise": [rng.integers(0, 2, 10).astype(float).tolist() for _ in range(300)]}
    # when
    fitted = fit_bkt(seqs)["noise"].params
    # then the bounds hold
    assert fitted.p_guess < 0.5 and fitted.p_slip < 0.5
    assert all(0.001 <= getattr(fitted, f) <= 0.999 for f in ("p_init", "p_learn"))


def test_graded_observations_are_accepted_and_weight_zero_rows_carry_no_evidence():
    # given the same right/wrong answers, once plain and once with extra zero-weight rows of noise
    true = BKTParams(p_init=0.3, p_learn=0.15, p_guess=0.2, p_slip=0.1)
    answers = simulate_bkt(true, 500, 10, seed=3).astype(float)
    plain = [[(s, 1.0) for s in row] for row in answers]
    noisy = [[(s, 1.0) for s in row] + [(0.5, 0.0)] for row in answers]
    # when
    a = fit_bkt({"c": plain})["c"].params
    b = fit_bkt({"c": noisy})["c"].params
    # then guess and slip, which only evidence informs, agree
    assert b.p_guess == pytest.approx(a.p_guess, abs=0.01)
    assert b.p_slip == pytest.approx(a.p_slip, abs=0.01)


def test_the_vectorised_forward_pass_equals_the_live_update_row_by_row():
    # given fitted parameters and some sequences of mixed lengths
    params = BKTParams(p_init=0.35, p_learn=0.12, p_guess=0.22, p_slip=0.09, p_forget=0.03)
    rng = np.random.default_rng(5)
    seqs = [rng.random(rng.integers(1, 15)).round(1) for _ in range(40)]
    concept = np.zeros(sum(len(s) for s in seqs), dtype=int)
    sequence = np.concatenate([np.full(len(s), i) for i, s in enumerate(seqs)])
    score = np.concatenate(seqs)
    # when
    vectorised = filtered_predictions(concept, sequence, score, np.ones_like(score), [params])
    # then
    expected = []
    for s in seqs:
        p = params.p_init
        for y in s:
            expected.append(predict_correct(p, params))
            p = update(p, params, float(y))
    np.testing.assert_allclose(vectorised, expected, rtol=1e-12)


def test_fit_bkt_arrays_gives_a_concept_without_rows_the_prior():
    fits = fit_bkt_arrays(np.array([0, 0]), np.array([0, 0]), np.array([1.0, 0.0]), n_concepts=2)
    assert fits[1].n_observations == 0
    assert fits[1].params.p_guess == pytest.approx((2 - 1) / (2 + 5 - 2))


def test_item_difficulties_recover_the_order_of_simulated_items():
    # given 4 items of known difficulty answered by students with known offsets
    rng = np.random.default_rng(0)
    truth = np.array([-1.0, 0.0, 0.5, 1.5])
    item = rng.integers(0, 4, 20000)
    offset = rng.normal(0, 1, 20000)
    score = (rng.random(20000) < 1 / (1 + np.exp(-(offset - truth[item])))).astype(float)
    # when
    fitted = fit_item_difficulties(offset, item, score, np.ones(20000), 4, prior_sd=1.0)
    # then
    np.testing.assert_allclose(fitted, truth, atol=0.1)
