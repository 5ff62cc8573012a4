"""Fitting the whole student model from a log: BKT per concept, then item difficulties.

1. BKT parameters per concept by MAP-EM over every (student, concept) sequence
   (`students.kt.fit.fit_bkt_arrays`): each row of a multi-concept answer is an
   observation of its concept, which is the view of the ``MEAN_LOGIT`` combination.
2. Item difficulties b_i as a penalised (MAP) logistic regression with an offset: each
   training answer contributes  w * [s log P + (1 - s) log(1 - P)]  with
   logit P = logit P_bkt + theta_before - b_i, where P_bkt and the student's ability
   theta_before come from replaying the training log through the live update
   (`students.kt.replay`), and a N(0, sd^2) prior on every b_i shrinks rarely seen items
   to "as hard as its concepts predict". Each b_i is one-dimensional given the offsets, so
   a few vectorised Newton steps solve all of them at once. Abilities depend on the
   difficulties (an easy item's success says less about the student), so replay and
   item fit alternate `item_rounds` times, starting from b = 0.

The result, `FittedModel`, holds everything the live tutor stores: per-concept BKT
parameters (and how many observations they rest on), per-item difficulty (and count),
and the settings of the blend.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from students.kt.bkt import BKTParams
from students.kt.data import AttemptLog
from students.kt.fit import BKTFit, BKTPrior, fit_bkt_arrays
from students.kt.model import DEFAULT_SETTINGS, ItemState, ModelSettings
from students.kt.numeric import logit
from students.kt.replay import replay


@dataclass(frozen=True)
class FitOptions:
    """Knobs of `fit_student_model`; defaults chosen on a validation split of training students."""

    prior: BKTPrior = field(default_factory=BKTPrior)
    fit_forget: bool = True
    restarts: int = 3
    max_iter: int = 200
    tol: float = 1e-6
    item_prior_sd: float = 1.0
    item_rounds: int = 2
    fit_items: bool = True
    seed: int = 0


@dataclass(frozen=True)
class FittedModel:
    """A fitted student model: what `fit_student_model` returns and the live tutor stores."""

    concepts: dict[str, BKTFit]
    items: dict[str, ItemState]
    settings: ModelSettings = DEFAULT_SETTINGS
    fit_seconds: float = 0.0
    n_rows: int = 0

    @property
    def params(self) -> dict[str, BKTParams]:
        return {name: fit.params for name, fit in self.concepts.items()}

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "concepts": {
                name: {
                    **fit.params.as_dict(),
                    "n_observations": fit.n_observations,
                    "n_sequences": fit.n_sequences,
                }
                for name, fit in self.concepts.items()
            },
            "items": {name: [item.difficulty, item.n_attempts] for name, item in self.items.items()},
            "settings": self.settings.as_dict(),
            "fit_seconds": self.fit_seconds,
            "n_rows": self.n_rows,
        }


def fit_item_difficulties(
    offset: np.ndarray,
    item: np.ndarray,
    score: np.ndarray,
    weight: np.ndarray,
    n_items: int,
    prior_sd: float = 1.0,
    iterations: int = 20,
) -> np.ndarray:
    """MAP difficulties b (one per item code) of logit P = offset - b[item] under N(0, prior_sd^2).

    Newton's method per item, vectorised with bincount; the objective of each b is concave,
    and the prior keeps the Hessian at least 1 / prior_sd^2, so the steps are safe.
    """
    precision = 1.0 / prior_sd**2
    b = np.zeros(n_items)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(offset - b[item])))
        gradient = np.bincount(item, weights=weight * (p - score), minlength=n_items) - precision * b
        hessian = np.bincount(item, weights=weight * p * (1.0 - p), minlength=n_items) + precision
        step = gradient / hessian
        b += step
        if np.max(np.abs(step)) < 1e-6:
            break
    return b


def fit_student_model(
    log: AttemptLog, options: FitOptions | None = None, settings: ModelSettings = DEFAULT_SETTINGS
) -> FittedModel:
    """Fit BKT per concept and a difficulty per item from `log` (see the module docstring)."""
    options = options or FitOptions()
    started = time.perf_counter()
    n_skills = len(log.skills)
    present = np.bincount(log.skill, minlength=n_skills) > 0
    fits = fit_bkt_arrays(
        log.skill,
        log.user * n_skills + log.skill,
        log.score,
        log.weight,
        n_concepts=n_skills,
        prior=options.prior,
        fit_forget=options.fit_forget,
        restarts=options.restarts,
        max_iter=options.max_iter,
        tol=options.tol,
        seed=options.seed,
    )
    concepts = {name: fits[k] for k, name in enumerate(log.skills) if present[k]}
    params = {name: fit.params for name, fit in concepts.items()}

    items: dict[str, ItemState] = {}
    if options.fit_items and len(log):
        for _ in range(options.item_rounds):
            result = replay(log, params, items, settings)
            first = result.answer_start
            problem = log.problem[first]
            offset = logit(result.p_bkt[first]) + result.ability_before[first]
            difficulty = fit_item_difficulties(
                offset, problem, log.score[first], log.weight[first], len(log.problems), options.item_prior_sd
            )
            counts = np.bincount(problem, minlength=len(log.problems))
            items = {
                name: ItemState(float(difficulty[i]), int(counts[i]))
                for i, name in enumerate(log.problems)
                if counts[i]
            }
    return FittedModel(
        concepts=concepts,
        items=items,
        settings=settings,
        fit_seconds=time.perf_counter() - started,
        n_rows=len(log),
    )


def params_from_mapping(data: Mapping[str, Mapping[str, float]]) -> dict[str, BKTParams]:
    """BKT parameters from ``{concept: {"p_init": ..., ...}}`` (e.g. `FittedModel.as_dict()["concepts"]`)."""
    fields = ("p_init", "p_learn", "p_guess", "p_slip", "p_forget")
    return {name: BKTParams(**{f: float(v[f]) for f in fields if f in v}) for name, v in data.items()}
