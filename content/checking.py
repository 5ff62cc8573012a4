"""Checking answers that need no model: multiple choice and numeric items.

Each check returns a ``Check`` with a credit in [0, 1] and the feedback to show. A bad
answer (an option of another exercise, a value that is not a number) raises
``AnswerError`` with a message that says what was wrong.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from content.models import Exercise, ExerciseKind


class AnswerError(ValueError):
    """The answer cannot be checked as given; the message says why."""


@dataclass(frozen=True)
class OptionFeedback:
    id: int
    text: str
    chosen: bool
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Check:
    correct: bool
    score: float
    message: str
    response: dict
    options: tuple[OptionFeedback, ...] = field(default_factory=tuple)
    expected: str = ""


def check_choices(exercise: Exercise, chosen_ids: list[int]) -> Check:
    """Exact set for full credit; partial credit for a multi-answer item is
    (right picks - wrong picks) / number of right options, never below 0."""
    if exercise.kind != ExerciseKind.MULTIPLE_CHOICE:
        raise AnswerError(f"Exercise '{exercise.slug}' is not a multiple-choice exercise.")
    options = list(exercise.choices.all())
    by_id = {o.pk: o for o in options}
    chosen = set()
    for raw in chosen_ids:
        try:
            option_id = int(raw)
        except (TypeError, ValueError) as error:
            raise AnswerError(f"'{raw}' is not an option id.") from error
        if option_id not in by_id:
            raise AnswerError(f"Option {option_id} is not an option of this exercise.")
        chosen.add(option_id)
    if not chosen:
        raise AnswerError("Choose at least one option.")
    right = {o.pk for o in options if o.is_correct}
    if len(right) == 1 and len(chosen) > 1:
        raise AnswerError("Choose only one option.")
    correct = chosen == right
    score = 1.0 if correct else max(0.0, (len(chosen & right) - len(chosen - right)) / len(right))
    feedback = tuple(
        OptionFeedback(id=o.pk, text=o.text, chosen=o.pk in chosen, correct=o.is_correct, feedback=o.feedback)
        for o in options
    )
    message = "Correct." if correct else ("Partly right." if score > 0 else "Not quite.")
    return Check(
        correct=correct,
        score=round(score, 4),
        message=message,
        response={"choices": [{"id": o.pk, "text": o.text} for o in options if o.pk in chosen]},
        options=feedback,
    )


_NUMBER = re.compile(r"^\s*([-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def parse_number(raw: str, unit: str = "") -> float:
    """A number as a student types it: "1.5", "1,5", "1.5 V", "-2e-3". A unit other
    than the item's own is refused, so "1.5 mA" is never read as 1.5 V."""
    if raw is None or not str(raw).strip():
        raise AnswerError("Type a number.")
    if len(str(raw)) > 64:
        raise AnswerError("That answer is too long to be a number.")
    match = _NUMBER.match(str(raw))
    if not match:
        raise AnswerError(f"'{raw}' is not a number.")
    number, rest = match.groups()
    if rest and rest.lower() != unit.lower():
        expected = f" (this answer is in {unit})" if unit else ""
        raise AnswerError(f"'{rest}' is not the unit this answer expects{expected}.")
    value = float(number.replace(",", "."))
    if not math.isfinite(value):
        raise AnswerError(f"'{raw}' is not a finite number.")
    return value


def check_numeric(exercise: Exercise, raw: str) -> Check:
    if exercise.kind != ExerciseKind.NUMERIC:
        raise AnswerError(f"Exercise '{exercise.slug}' is not a numeric exercise.")
    value = parse_number(raw, exercise.unit)
    tolerance = exercise.numeric_tolerance or 0.0
    # A little slack for binary floating point on top of the authored tolerance.
    correct = abs(value - exercise.numeric_value) <= tolerance + 1e-9 * max(1.0, abs(exercise.numeric_value))
    expected = f"{exercise.numeric_value:g}{(' ' + exercise.unit) if exercise.unit else ''}"
    return Check(
        correct=correct,
        score=1.0 if correct else 0.0,
        message="Correct." if correct else f"Not quite: the answer is {expected}.",
        response={"value": value, "raw": str(raw)[:64]},
        expected=expected,
    )
