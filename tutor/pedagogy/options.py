"""The candidate items of a choice: which items of a concept may be served now (prerequisites,
test-out, the new-concept budget, recent items), each with its figures (``Option``), and
the usual order among them: most items saved, then the target band."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tutor.pedagogy.situation import Situation


@dataclass(frozen=True)
class Option:
    """An item that may be served now, with the figures the choice compares."""

    exercise_id: int
    concept: int  # curriculum rank of the concept it was chosen for
    predicted: float
    value: float  # expected items saved (``tutor.pedagogy.value.items_saved``)
    gain: float  # information, in bits, on the concepts it is wanted for
    distance: float  # from the target band; 0 inside it
    n_other: int  # concepts of the item the tutor wants no evidence on now (known, not due)
    has_worked_example: bool
    new_concepts: tuple[int, ...]
    tested: tuple[int, ...] = ()  # concepts started ahead of a prerequisite in the item (test-out)
    recent_relaxed: bool = False
    held_relaxed: bool = False  # its answer was shown within the window: served only as a last resort


def option(
    sit: Situation,
    exercise_id: int,
    concept: int,
    band: tuple[float, float],
    *,
    exclude: frozenset[int],
    new_budget: int | None,
    ignore_recent: bool,
    test_out: bool = False,
    ignore_held: bool = False,
) -> Option | None:
    """The exercise as a candidate for ``concept`` with its figures, or None when it may not
    be served now: a concept in ``exclude``, one not ready (unless it tests out), more new
    concepts than ``new_budget``, answered recently (unless ``ignore_recent``), or its
    answer shown within the course's window (unless ``ignore_held`` or ``ignore_recent``)."""
    if not ignore_recent and exercise_id in sit.recent_ids:
        return None
    held = exercise_id in sit.held
    if held and not (ignore_held or ignore_recent):
        return None
    idxs = sit.graph.exercise_ranks[exercise_id]
    new: list[int] = []
    tested: list[int] = []
    for i in idxs:
        if i in exclude:
            return None
        if not sit.allowed[i]:
            if not (test_out and tests_out(sit, i, idxs)):
                return None
            tested.append(i)
        if i not in sit.introduced:
            new.append(i)
    if new_budget is not None and len(new) > new_budget:
        return None
    gain = 0.0
    n_other = 0
    evidence = 0.0
    for i in idxs:
        if sit.wanted[i] or i in tested:
            gain += sit.gain(i)
        else:
            n_other += 1
        if sit.evidence_short[i] and sit.creditable(exercise_id, i):
            # P(L) is at the threshold and only independent right answers are missing: an
            # item that can give one saves one item (as an item on a concept being learned
            # does, by the definition of items saved); one already credited or shown saves none.
            evidence += 1.0
    p = sit.predicted(exercise_id)
    low, high = band
    distance = 0.0 if low <= p <= high else min(abs(p - low), abs(p - high))
    return Option(
        exercise_id=exercise_id,
        concept=concept,
        predicted=p,
        value=sit.value(idxs) + evidence,
        gain=gain,
        distance=distance,
        n_other=n_other,
        has_worked_example=sit.graph.exercises_by_id[exercise_id].has_worked_example,
        new_concepts=tuple(new),
        tested=tuple(tested),
        recent_relaxed=ignore_recent and exercise_id in sit.recent_ids,
        held_relaxed=held,
    )


def tests_out(sit: Situation, i: int, idxs: tuple[int, ...]) -> bool:
    """Whether concept ``i``, not ready, may be started by an item on ``idxs``: each of
    its prerequisites is mastered, or is in the item, being learned, at
    ``test_out_from`` or more and answered at least ``test_out_min_answers`` times (the
    item then cannot be answered without it)."""
    if sit.mastered[i]:
        return False
    threshold = sit.settings.test_out_from
    return all(
        sit.mastered[q]
        or (
            q in idxs
            and sit.learning[q]
            and sit.mastery[q] >= threshold
            and sit.answered(q) >= sit.settings.test_out_min_answers
        )
        for q in sit.graph.prerequisite_ranks[i]
    )


def options(
    sit: Situation,
    concept: int,
    band: tuple[float, float],
    *,
    exclude: frozenset[int] = frozenset(),
    new_budget: int | None = None,
    ignore_recent: bool = False,
    test_out: bool = False,
    ignore_held: bool = False,
) -> list[Option]:
    """Every item of ``concept`` that may be served now (``option``), easiest first."""
    found = []
    for exercise_id in sit.graph.exercise_ids_by_rank[concept]:
        o = option(
            sit,
            exercise_id,
            concept,
            band,
            exclude=exclude,
            new_budget=new_budget,
            ignore_recent=ignore_recent,
            test_out=test_out,
            ignore_held=ignore_held,
        )
        if o is not None:
            found.append(o)
    if sit.evidence_short[concept] and not (ignore_held or ignore_recent):
        # At the threshold, only an item that can still give an independent right answer
        # moves the concept towards mastery; with none that may be served now (its others
        # wait for a concept they combine it with), the concept waits too.
        found = [o for o in found if sit.creditable(o.exercise_id, concept)]
    return found


def best(sit: Situation, concept: int, band: tuple[float, float], **kwargs: Any) -> Option | None:
    """The concept's item that ``usual_order`` puts first."""
    found = options(sit, concept, band, **kwargs)
    if not found:
        return None
    if kwargs.get("ignore_recent") or kwargs.get("ignore_held"):
        # Only when nothing else can be served: an item whose answer was not shown, then
        # the one shown longest ago; then the least recently answered.
        return min(
            found,
            key=lambda o: (
                o.held_relaxed,
                -_answers_since_reveal(sit, o.exercise_id),
                sit.last_answered.get(o.exercise_id, -1),
                o.distance,
                -o.gain,
                o.exercise_id,
            ),
        )
    return min(found, key=usual_order(band))


def _answers_since_reveal(sit: Situation, exercise_id: int) -> int:
    reveal = sit.student.revealed.get(exercise_id)
    return 1 << 30 if reveal is None else reveal.answers_since


def usual_order(band: tuple[float, float]) -> Callable[[Option], tuple]:
    """The sort key of ``best``: the most expected items saved (to 0.001 item); then in
    the band, else closest to it; then fewer concepts that need no evidence now, then
    nearest the band's middle."""
    middle = (band[0] + band[1]) / 2
    return lambda o: (
        -round(o.value, 3),
        round(o.distance, 9),
        o.n_other,
        abs(o.predicted - middle),
        o.exercise_id,
    )


def first_best(
    sit: Situation, order: Iterable[int], band: tuple[float, float], **kwargs: Any
) -> Option | None:
    """The ``best`` item of the first concept in ``order`` that has one."""
    for concept in order:
        o = best(sit, concept, band, **kwargs)
        if o is not None:
            return o
    return None


__all__ = ["Option", "best", "first_best", "option", "options", "tests_out", "usual_order"]
