"""An attempt log as columns: reading it, checking it, splitting it by student.

The format is the one of the shared ASSISTments 2009 log (one row per answer and concept):

    user_id, position, attempt_idx, problem_id, skill_name, correct

``position`` orders a student's rows; the k rows of one answer to an item tagged with k
concepts share ``attempt_idx``. ``correct`` is a score in [0, 1] (0/1 in that log; partial
credit from the live tutor's grader). An optional ``weight`` column (evidence weight in
[0, 1], 1 when absent) carries the live tutor's hint tempering. The live tutor builds an
`AttemptLog` from its own attempt rows with `AttemptLog.from_rows`.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

COLUMNS = ("user_id", "position", "attempt_idx", "problem_id", "skill_name", "correct")


class LogError(ValueError):
    """A log that cannot be read, with what was wrong and where."""


@dataclass(frozen=True)
class LogRow:
    """One (answer, concept) row of a log."""

    user_id: str
    position: int
    attempt_idx: int
    problem_id: str
    skill_name: str
    correct: float
    weight: float = 1.0


@dataclass(frozen=True, eq=False)
class AttemptLog:
    """A log as parallel numpy arrays, sorted by (user, position).

    ``user``, ``problem`` and ``skill`` are integer codes into ``users``, ``problems`` and
    ``skills`` (sorted names), so that the same name has the same code in every subset.
    """

    user: np.ndarray
    position: np.ndarray
    attempt: np.ndarray
    problem: np.ndarray
    skill: np.ndarray
    score: np.ndarray
    weight: np.ndarray
    users: tuple[str, ...]
    problems: tuple[str, ...]
    skills: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.user)

    @classmethod
    def from_rows(cls, rows: Iterable[LogRow]) -> AttemptLog:
        rows = list(rows)
        for i, row in enumerate(rows):
            _check_row(i, row.correct, row.weight, row.skill_name)
        return _build(
            [r.user_id for r in rows],
            np.array([r.position for r in rows], dtype=np.int64),
            np.array([r.attempt_idx for r in rows], dtype=np.int64),
            [r.problem_id for r in rows],
            [r.skill_name for r in rows],
            np.array([r.correct for r in rows], dtype=np.float64),
            np.array([r.weight for r in rows], dtype=np.float64),
        )

    def select_users(self, mask_by_user: np.ndarray) -> AttemptLog:
        """The rows of the users whose code is True in `mask_by_user` (same codes and names)."""
        keep = mask_by_user[self.user]
        return AttemptLog(
            user=self.user[keep],
            position=self.position[keep],
            attempt=self.attempt[keep],
            problem=self.problem[keep],
            skill=self.skill[keep],
            score=self.score[keep],
            weight=self.weight[keep],
            users=self.users,
            problems=self.problems,
            skills=self.skills,
        )

    def answers(self) -> Iterator[tuple[int, int, int]]:
        """(user code, first row, end row) of every answer, in log order: the rows
        [first, end) share a user and an ``attempt_idx``."""
        n = len(self)
        if n == 0:
            return
        new = np.ones(n, dtype=bool)
        new[1:] = (self.user[1:] != self.user[:-1]) | (self.attempt[1:] != self.attempt[:-1])
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:], n)
        yield from zip(self.user[starts].tolist(), starts.tolist(), ends.tolist(), strict=True)

    def write_csv(self, path: Path) -> None:
        """Write the log in the shared format (with a ``row`` column: the row's index here)."""
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(("row", *COLUMNS, "weight"))
            for i in range(len(self)):
                writer.writerow(
                    (
                        i,
                        self.users[self.user[i]],
                        int(self.position[i]),
                        int(self.attempt[i]),
                        self.problems[self.problem[i]],
                        self.skills[self.skill[i]],
                        _format_score(float(self.score[i])),
                        _format_score(float(self.weight[i])),
                    )
                )


def _format_score(x: float) -> str:
    return str(int(x)) if x in (0.0, 1.0) else repr(x)


def _check_row(i: int, score: float, weight: float, skill: str) -> None:
    if not 0.0 <= score <= 1.0:
        raise LogError(f"Row {i}: correct={score!r} is not a score in [0, 1].")
    if not 0.0 <= weight <= 1.0:
        raise LogError(f"Row {i}: weight={weight!r} is not in [0, 1].")
    if not skill:
        raise LogError(f"Row {i}: the skill_name is empty.")


def _codes(values: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    names, codes = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    return codes.astype(np.int64), tuple(str(n) for n in names)


def _build(
    users: list[str],
    position: np.ndarray,
    attempt: np.ndarray,
    problems: list[str],
    skills: list[str],
    score: np.ndarray,
    weight: np.ndarray,
) -> AttemptLog:
    user, user_names = _codes(users)
    problem, problem_names = _codes(problems)
    skill, skill_names = _codes(skills)
    order = np.lexsort((position, user))
    log = AttemptLog(
        user=user[order],
        position=position[order],
        attempt=attempt[order],
        problem=problem[order],
        skill=skill[order],
        score=score[order],
        weight=weight[order],
        users=user_names,
        problems=problem_names,
        skills=skill_names,
    )
    _check_order(log)
    return log


def _check_order(log: AttemptLog) -> None:
    """Rows of one answer are consecutive: attempt_idx never goes back within a student."""
    if len(log) < 2:
        return
    same_user = log.user[1:] == log.user[:-1]
    back = same_user & (log.attempt[1:] < log.attempt[:-1])
    if back.any():
        i = int(np.flatnonzero(back)[0]) + 1
        raise LogError(
            f"Student {log.users[log.user[i]]}: attempt_idx goes back from {log.attempt[i - 1]} to "
            f"{log.attempt[i]} at position {log.position[i]}; the rows of one answer must be consecutive."
        )
    sibling = same_user & (log.attempt[1:] == log.attempt[:-1])
    differs = sibling & (
        (log.problem[1:] != log.problem[:-1])
        | (log.score[1:] != log.score[:-1])
        | (log.weight[1:] != log.weight[:-1])
    )
    if differs.any():
        i = int(np.flatnonzero(differs)[0]) + 1
        raise LogError(
            f"Student {log.users[log.user[i]]}, attempt_idx {log.attempt[i]}: the rows of one answer must share "
            "problem_id, correct and weight."
        )
    dup = same_user & (log.position[1:] == log.position[:-1])
    if dup.any():
        i = int(np.flatnonzero(dup)[0]) + 1
        raise LogError(f"Student {log.users[log.user[i]]}: position {log.position[i]} appears twice.")


def read_log(path: Path | str) -> AttemptLog:
    """Read a CSV (or .csv.gz) log in the shared format; raise `LogError` naming what is wrong."""
    path = Path(path)
    if not path.exists():
        raise LogError(f"No log at {path}.")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", newline="") as handle:
            return _parse(handle, str(path))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LogError(f"Cannot read {path}: {exc}") from exc


def _parse(handle: io.TextIOBase, name: str) -> AttemptLog:
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise LogError(f"{name} is empty.")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise LogError(f"{name} lacks the column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}.")
    index = {c: header.index(c) for c in (*COLUMNS, "weight") if c in header}
    columns: dict[str, list[str]] = {c: [] for c in index}
    for line_no, row in enumerate(reader, start=2):
        if len(row) != len(header):
            raise LogError(f"{name}, line {line_no}: {len(row)} fields, expected {len(header)}.")
        for c, j in index.items():
            columns[c].append(row[j])
    try:
        position = np.array(columns["position"], dtype=np.int64)
        attempt = np.array(columns["attempt_idx"], dtype=np.int64)
        score = np.array(columns["correct"], dtype=np.float64)
        weight = np.array(columns["weight"], dtype=np.float64) if "weight" in columns else np.ones(len(score))
    except ValueError as exc:
        raise LogError(f"{name}: a non-numeric position, attempt_idx, correct or weight ({exc}).") from exc
    bad = np.flatnonzero(~((score >= 0) & (score <= 1)))
    if bad.size:
        raise LogError(f"{name}, line {bad[0] + 2}: correct={columns['correct'][bad[0]]!r} is not in [0, 1].")
    bad = np.flatnonzero(~((weight >= 0) & (weight <= 1)))
    if bad.size:
        raise LogError(f"{name}, line {bad[0] + 2}: weight={columns['weight'][bad[0]]!r} is not in [0, 1].")
    empty = [i for i, s in enumerate(columns["skill_name"]) if not s]
    if empty:
        raise LogError(f"{name}, line {empty[0] + 2}: the skill_name is empty.")
    return _build(
        columns["user_id"], position, attempt, columns["problem_id"], columns["skill_name"], score, weight
    )


def split_by_student(log: AttemptLog, test_frac: float, seed: int) -> tuple[AttemptLog, AttemptLog]:
    """(train, test): a seeded random `test_frac` of the students, with all their rows, is test.

    Deterministic given the seed and the set of student ids (students are shuffled in the
    order of their sorted ids), and no student is on both sides.
    """
    if not 0.0 < test_frac < 1.0:
        raise ValueError(f"test_frac must lie strictly between 0 and 1; got {test_frac}.")
    present = np.unique(log.user)
    if len(present) < 2:
        raise LogError("A split by student needs at least two students.")
    n_test = min(max(1, round(test_frac * len(present))), len(present) - 1)
    shuffled = np.random.default_rng(seed).permutation(present)
    is_test = np.zeros(len(log.users), dtype=bool)
    is_test[shuffled[:n_test]] = True
    return log.select_users(~is_test), log.select_users(is_test)


def merge_names(train: AttemptLog, test: AttemptLog) -> tuple[AttemptLog, AttemptLog]:
    """Two logs read from separate files, recoded so that a name has one code in both."""

    def recode(log: AttemptLog, users: tuple, problems: tuple, skills: tuple) -> AttemptLog:
        def remap(codes: np.ndarray, old: tuple, new: tuple) -> np.ndarray:
            lookup = {name: i for i, name in enumerate(new)}
            table = np.array([lookup[name] for name in old], dtype=np.int64)
            return table[codes] if len(codes) else codes

        return AttemptLog(
            user=remap(log.user, log.users, users),
            position=log.position,
            attempt=log.attempt,
            problem=remap(log.problem, log.problems, problems),
            skill=remap(log.skill, log.skills, skills),
            score=log.score,
            weight=log.weight,
            users=users,
            problems=problems,
            skills=skills,
        )

    users = tuple(sorted(set(train.users) | set(test.users)))
    problems = tuple(sorted(set(train.problems) | set(test.problems)))
    skills = tuple(sorted(set(train.skills) | set(test.skills)))
    return recode(train, users, problems, skills), recode(test, users, problems, skills)
