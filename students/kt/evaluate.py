"""Offline evaluation of the student model on a log of real answers.

Protocol (what `manage.py kt_eval` runs):

1. Split by *student*: a seeded random fraction of the students, with all their rows, is
   the test set (`students.kt.data.split_by_student`), or train and test come as files.
   No test student's answer is used for fitting.
2. Fit on the training students with the production fitting code
   (`students.kt.train.fit_student_model`): BKT by EM, item difficulties.
3. Replay every test student's answers in order through the live update
   (`students.kt.replay.replay`, which calls `students.kt.model.observe_answer`): all k rows
   of a multi-concept answer are predicted from the state before that answer, then the
   state is updated once; sibling rows never see each other's outcome.
4. Score the rows' predicted P(correct) against their outcomes (`students.kt.metrics`):
   AUC, RMSE, accuracy, log-loss, overall and per skill; plus the time to fit and the mean
   time of one call of the live update. A test item or skill absent from training gets the
   defaults (difficulty 0, `ModelSettings.default_params`).

`replay` looks `observe_answer` up on its module at call time, so `LIVE_UPDATE` below and
the function the evaluation calls are the same object (a test checks this).

Data: the ASSISTments 2009-2010 skill-builder log (Feng, Heffernan & Koedinger 2009,
"Addressing the assessment challenge with an online system that tutors as it assesses",
UMUAI 19(3)), read from the shared data folder only; never copied into the project.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from students.kt import model as live
from students.kt.data import AttemptLog, merge_names, read_log, split_by_student
from students.kt.metrics import score_predictions
from students.kt.model import DEFAULT_SETTINGS, ModelSettings
from students.kt.replay import replay
from students.kt.train import FitOptions, FittedModel, fit_student_model

LIVE_UPDATE = live.observe_answer

# The shared copy of the ASSISTments log, relative to the repository root.
ASSIST2009_DIR = Path("..") / "shared" / "data" / "assist2009"


def assist2009_train_file(repo_root: Path | None = None) -> Path:
    """Where the shared ASSISTments 2009 training log lives (it may be absent)."""
    root = repo_root or Path(__file__).resolve().parents[2]
    return (root / ASSIST2009_DIR / "assist2009_train.csv.gz").resolve()


def load_split(
    *,
    data: Path | None = None,
    test_frac: float = 0.2,
    seed: int = 0,
    train: Path | None = None,
    test: Path | None = None,
) -> tuple[AttemptLog, AttemptLog, dict[str, Any]]:
    """(train, test, description) from one file split by student, or from two files."""
    if data is not None:
        if train is not None or test is not None:
            raise ValueError("Give either one log to split or a train and a test log, not both.")
        log = read_log(data)
        train_log, test_log = split_by_student(log, test_frac, seed)
        return train_log, test_log, {"data": str(data), "test_frac": test_frac, "seed": seed}
    if train is None or test is None:
        raise ValueError("Give one log to split (data) or both a train and a test log.")
    train_log, test_log = merge_names(read_log(train), read_log(test))
    overlap = set(np.unique(train_log.user).tolist()) & set(np.unique(test_log.user).tolist())
    if overlap:
        raise ValueError(f"{len(overlap)} student(s) appear in both the train and the test log.")
    return train_log, test_log, {"train": str(train), "test": str(test)}


def per_skill_scores(log: AttemptLog, predictions: np.ndarray) -> dict[str, dict[str, Any]]:
    """The metrics of the rows of each skill, by skill name."""
    out: dict[str, dict[str, Any]] = {}
    order = np.argsort(log.skill, kind="stable")
    skills = log.skill[order]
    bounds = np.flatnonzero(np.diff(skills)) + 1
    for rows in np.split(order, bounds):
        if len(rows):
            out[log.skills[log.skill[rows[0]]]] = score_predictions(log.score[rows], predictions[rows])
    return out


@dataclass(frozen=True, eq=False)
class Evaluation:
    report: dict[str, Any]
    predictions: np.ndarray  # per test row
    model: FittedModel


def evaluate(
    train: AttemptLog,
    test: AttemptLog,
    *,
    options: FitOptions | None = None,
    settings: ModelSettings = DEFAULT_SETTINGS,
) -> Evaluation:
    """Fit on `train`, replay `test` through the live update, score it (module docstring)."""
    if len(train) == 0 or len(test) == 0:
        raise ValueError("Both the training and the test log need rows.")
    fitted = fit_student_model(train, options, settings)
    result = replay(test, fitted.params, fitted.items, settings)
    report = score_predictions(test.score, result.p_correct)
    report.update(
        fit_seconds=fitted.fit_seconds,
        mean_update_us=result.mean_update_us,
        n_updates=result.n_updates,
        n_train_rows=len(train),
        n_train_students=int(len(np.unique(train.user))),
        n_test_students=int(len(np.unique(test.user))),
        n_concepts=len(fitted.concepts),
        n_items=len(fitted.items),
        # the BKT part alone, from the same replay: how much the Elo terms add
        bkt_only=score_predictions(test.score, result.p_bkt),
        settings=settings.as_dict(),
        per_skill=per_skill_scores(test, result.p_correct),
    )
    return Evaluation(report=report, predictions=result.p_correct, model=fitted)


def evaluate_pybkt(
    train: AttemptLog, test: AttemptLog, *, seed: int = 0, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """pyBKT's figures on the same split, scored by the same code (`students.kt.baseline`)."""
    from students.kt.baseline import run_pybkt

    predictions, facts = run_pybkt(train, test, seed=seed, log=log)
    report = score_predictions(test.score, predictions)
    report.update(
        fit_seconds=facts["fit_seconds"],
        predict_seconds=facts["predict_seconds"],
        version=facts.get("pybkt_version"),
        num_fits=facts.get("num_fits"),
        n_unseen_skill_rows=facts.get("n_unseen_skill_rows"),
        per_skill=per_skill_scores(test, predictions),
    )
    return report
