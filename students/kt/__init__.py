"""The student model's math: Bayesian Knowledge Tracing with an Elo/IRT residual.

Pure Python and numpy, no Django: the database layer (students.services) loads the
numbers, calls these functions and stores what they return. The public door:

Live, once per graded answer (`students.kt.model`):
    predict_answer(mastery, params, item, ability, settings) -> Prediction
    observe_answer(mastery, params, item, ability, score, weight, settings) -> AnswerUpdate

Fitting from the attempt log (`students.kt.train`, `students.kt.fit`):
    fit_student_model(log, options, settings) -> FittedModel
    fit_bkt(sequences, ...) -> {concept: BKTFit}

Offline evaluation lives in `students.kt.evaluate` (used by `manage.py kt_eval`).
"""

from students.kt.bkt import (
    BKTParams,
    Combination,
    posterior,
    posterior_multi,
    predict_correct,
    predict_correct_multi,
    transition,
    update,
    update_multi,
)
from students.kt.data import AttemptLog, LogError, LogRow, read_log, split_by_student
from students.kt.fit import BetaPrior, BKTFit, BKTPrior, fit_bkt, fit_bkt_arrays
from students.kt.model import (
    DEFAULT_SETTINGS,
    AbilityState,
    AnswerUpdate,
    ItemState,
    ModelSettings,
    Prediction,
    observe_answer,
    predict_answer,
)
from students.kt.simulate import simulate_bkt, simulate_log
from students.kt.train import FitOptions, FittedModel, fit_item_difficulties, fit_student_model

__all__ = [
    "DEFAULT_SETTINGS",
    "AbilityState",
    "AnswerUpdate",
    "AttemptLog",
    "BKTFit",
    "BKTParams",
    "BKTPrior",
    "BetaPrior",
    "Combination",
    "FitOptions",
    "FittedModel",
    "ItemState",
    "LogError",
    "LogRow",
    "ModelSettings",
    "Prediction",
    "fit_bkt",
    "fit_bkt_arrays",
    "fit_item_difficulties",
    "fit_student_model",
    "observe_answer",
    "posterior",
    "posterior_multi",
    "predict_answer",
    "predict_correct",
    "predict_correct_multi",
    "read_log",
    "simulate_bkt",
    "simulate_log",
    "split_by_student",
    "transition",
    "update",
    "update_multi",
]
