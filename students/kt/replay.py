"""Replaying a log through the live update, answer by answer, in each student's order.

Both the fitting (to see how each student's ability evolves) and the evaluation use this
loop, and the loop calls `students.kt.model.observe_answer` (looked up on the module at
call time, so what runs is whatever the live tutor runs). For every answer, i.e. the k
rows that share a student and an ``attempt_idx``, it

1. asks `observe_answer` for the prediction from the state *before* the answer and gives
   it to all k rows (the rows are the same answer; none may see another's outcome),
2. stores the state that `observe_answer` returns, for that student's next answer.

Students start from scratch (every concept at P(L0), ability 0) and never share state.
Item difficulties are read, not written: the replay's students are not in time order
with each other, so letting one move an item for the next would be an artefact of the
file's order. (Live, the caller stores `AnswerUpdate.item`.)
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from students.kt import model as live
from students.kt.bkt import BKTParams
from students.kt.data import AttemptLog
from students.kt.model import AbilityState, ItemState, ModelSettings


@dataclass(frozen=True, eq=False)
class ReplayResult:
    """Per row: the answer's prediction and the parts it was made of (state before it)."""

    p_correct: np.ndarray
    p_bkt: np.ndarray
    ability_before: np.ndarray
    answer_start: np.ndarray  # first row of each answer
    n_updates: int
    update_seconds: float  # time spent inside observe_answer

    @property
    def mean_update_us(self) -> float:
        return 1e6 * self.update_seconds / self.n_updates if self.n_updates else 0.0


def replay(
    log: AttemptLog,
    params: Mapping[str, BKTParams],
    items: Mapping[str, ItemState],
    settings: ModelSettings,
) -> ReplayResult:
    """Run every answer of `log` through `observe_answer`; see the module docstring."""
    n = len(log)
    p_correct = np.empty(n)
    p_bkt = np.empty(n)
    ability_before = np.empty(n)
    starts: list[int] = []
    # concept and item keys by code: the replay passes names, as the live tutor passes ids
    skill_names = log.skills
    problem_item = [items.get(name, ItemState()) for name in log.problems]
    skills = log.skill.tolist()
    problems = log.problem.tolist()
    scores = log.score.tolist()
    weights = log.weight.tolist()

    mastery: dict[str, float] = {}
    ability = AbilityState()
    current_user = -1
    spent = 0.0
    clock = time.perf_counter
    for user, start, end in log.answers():
        if user != current_user:
            current_user, mastery, ability = user, {}, AbilityState()
        concepts = {skill_names[skills[r]]: None for r in range(start, end)}
        before = {c: mastery.get(c) for c in concepts}
        item = problem_item[problems[start]]
        tic = clock()
        result = live.observe_answer(before, params, item, ability, scores[start], weights[start], settings)
        spent += clock() - tic
        p_correct[start:end] = result.prediction.p_correct
        p_bkt[start:end] = result.prediction.p_bkt
        ability_before[start:end] = ability.ability
        starts.append(start)
        mastery.update(result.mastery)
        ability = result.ability
    return ReplayResult(
        p_correct=p_correct,
        p_bkt=p_bkt,
        ability_before=ability_before,
        answer_start=np.array(starts, dtype=np.int64),
        n_updates=len(starts),
        update_seconds=spent,
    )
