"""Simulated learners: answer sequences drawn from known BKT parameters (seeded).

Used to check that fitting recovers the parameters it was given, and to make small
synthetic logs for tests and demos (never real learner data).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from students.kt.bkt import BKTParams
from students.kt.data import COLUMNS


def simulate_bkt(params: BKTParams, n_students: int, n_steps: int, seed: int = 0) -> np.ndarray:
    """A (n_students, n_steps) array of 0/1 answers from BKT with `params`.

    Each student starts known with P(L0); answers right with 1 - P(S) if known, P(G) if
    not; then learns with P(T) (and forgets with P(F)) before the next answer.
    """
    rng = np.random.default_rng(seed)
    known = rng.random(n_students) < params.p_init
    answers = np.empty((n_students, n_steps), dtype=np.int8)
    for t in range(n_steps):
        p_right = np.where(known, 1.0 - params.p_slip, params.p_guess)
        answers[:, t] = rng.random(n_students) < p_right
        learns = rng.random(n_students) < params.p_learn
        forgets = rng.random(n_students) < params.p_forget
        known = np.where(known, ~forgets, learns)
    return answers


def simulate_log(
    params: Mapping[str, BKTParams],
    n_students: int,
    n_answers: int,
    *,
    multi_skill_rate: float = 0.2,
    n_problems_per_skill: int = 5,
    difficulty_sd: float = 0.0,
    seed: int = 0,
) -> list[dict[str, object]]:
    """Rows of a synthetic log in the shared format (one per answer and skill).

    Each answer practises one random skill, or with `multi_skill_rate` two skills (a
    problem tagged with both; right only if both "pass", a noisy AND). Problems of a skill
    shift the logit of P(correct) by a difficulty drawn with sd `difficulty_sd`.
    """
    rng = np.random.default_rng(seed)
    skills = sorted(params)
    problems: dict[tuple[str, ...], list[tuple[str, float]]] = {}

    def problems_for(tags: tuple[str, ...]) -> list[tuple[str, float]]:
        if tags not in problems:
            problems[tags] = [
                (f"{'+'.join(tags)}#{i}", float(rng.normal(0.0, difficulty_sd)) if difficulty_sd else 0.0)
                for i in range(n_problems_per_skill)
            ]
        return problems[tags]

    rows: list[dict[str, object]] = []
    for student in range(n_students):
        known = {s: rng.random() < params[s].p_init for s in skills}
        position = 0
        for attempt in range(n_answers):
            if len(skills) > 1 and rng.random() < multi_skill_rate:
                tags = tuple(sorted(rng.choice(skills, size=2, replace=False).tolist()))
            else:
                tags = (skills[int(rng.integers(len(skills)))],)
            problem, difficulty = problems_for(tags)[int(rng.integers(n_problems_per_skill))]
            p_right = 1.0
            for s in tags:
                p_right *= 1.0 - params[s].p_slip if known[s] else params[s].p_guess
            if difficulty:
                logit = np.log(p_right / (1.0 - p_right)) - difficulty
                p_right = 1.0 / (1.0 + np.exp(-logit))
            right = int(rng.random() < p_right)
            for s in tags:
                rows.append(
                    {
                        "user_id": f"sim{student:04d}",
                        "position": position,
                        "attempt_idx": attempt,
                        "problem_id": problem,
                        "skill_name": s,
                        "correct": right,
                    }
                )
                position += 1
            for s in tags:
                p = params[s]
                known[s] = (rng.random() >= p.p_forget) if known[s] else (rng.random() < p.p_learn)
    return rows


def write_log(rows: list[dict[str, object]], path: Path) -> None:
    """Write rows from `simulate_log` as a CSV in the shared format."""
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
