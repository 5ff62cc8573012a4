"""The cognitive-load rules: the signals read from the last answers (a slow answer moves the
target band towards easier items, a fast wrong one asks the student to slow down, time on
task or falling accuracy suggests a break), a run of errors on a concept, a concept served
too many times in a row (interleaving), and the fading of worked examples as mastery rises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tutor.pedagogy import reasons
from tutor.pedagogy.options import Option
from tutor.pedagogy.reasons import WORKED_EXAMPLE_NONE, WORKED_EXAMPLE_OFFER, WORKED_EXAMPLE_SHOW
from tutor.pedagogy.situation import Situation


@dataclass(frozen=True)
class Signals:
    """What the last answers say about load, and the target band they leave."""

    band: tuple[float, float]
    base_band: tuple[float, float]
    slow: dict | None
    slow_down: str | None
    slow_down_figures: dict | None
    break_suggestion: str | None
    break_figures: dict | None


def signals_of(sit: Situation) -> Signals:
    """The load signals of the last answers: the target band (moved towards easier items
    after a slow answer), a request to slow down after a fast wrong one, a break."""
    s = sit.settings
    band = base_band = (s.target_success_low, s.target_success_high)
    slow = None
    slow_down = slow_down_figures = None
    if sit.student.recent:
        last = sit.student.recent[-1]
        seconds = last.response_seconds
        if seconds is not None and last.expected_seconds > 0:
            if seconds > s.slow_response_factor * last.expected_seconds:
                band = (min(band[0] + s.slow_band_shift, 1.0), min(band[1] + s.slow_band_shift, 1.0))
                slow = {
                    "response_seconds": round(seconds, 1),
                    "expected_seconds": round(last.expected_seconds, 1),
                    "band_shift": s.slow_band_shift,
                }
            if last.correct is False and seconds < s.fast_wrong_fraction * last.expected_seconds:
                slow_down = reasons.SLOW_DOWN_MESSAGE
                slow_down_figures = {
                    "response_seconds": round(seconds, 1),
                    "expected_seconds": round(last.expected_seconds, 1),
                }
    break_suggestion, break_figures = break_check(sit)
    return Signals(band, base_band, slow, slow_down, slow_down_figures, break_suggestion, break_figures)


def break_check(sit: Situation) -> tuple[str | None, dict | None]:
    """A break suggestion and its figures after long time on task (restarted by a pause)
    or a drop in accuracy, else (None, None)."""
    s = sit.settings
    student = sit.student
    reset = timedelta(minutes=s.break_reset_minutes)
    start = student.session_started_at
    previous = start
    for item in sit.session_items:
        if item.answered_at - previous >= reset:
            start = item.answered_at  # a pause: the clock restarts
        previous = item.answered_at
    if student.now - previous >= reset:
        start = student.now
    minutes = max(0.0, (student.now - start).total_seconds() / 60)
    if minutes >= s.break_after_minutes:
        return (
            reasons.break_after_time_message(minutes),
            {"reason": "time_on_task", "minutes_on_task": round(minutes, 1)},
        )
    graded = [r.correct for r in sit.session_items if r.correct is not None]
    n = s.accuracy_window
    if len(graded) >= 2 * n:
        last = sum(graded[-n:]) / n
        before = sum(graded[-2 * n : -n]) / n
        if before > 0 and last <= before * (1 - s.accuracy_drop_fraction) + 1e-9:
            return (
                reasons.break_after_accuracy_drop_message(n, last, before),
                {
                    "reason": "accuracy_drop",
                    "accuracy_last": round(last, 3),
                    "accuracy_before": round(before, 3),
                },
            )
    return None, None


def error_concept(sit: Situation) -> tuple[int, int] | None:
    """The concept of the last item with the longest error streak past the threshold."""
    if not sit.student.recent:
        return None
    found = None
    for cid in sit.student.recent[-1].concepts:
        i = sit.graph.rank_of.get(cid)
        state = sit.student.states.get(cid)
        if i is None or state is None or not sit.wanted[i]:
            continue
        if state.error_streak >= sit.settings.errors_before_worked_example:
            if found is None or state.error_streak > found[1]:
                found = (i, state.error_streak)
    return found


def interleave_block(sit: Situation) -> tuple[int, int] | None:
    """(concept, items in a row) when the last items overstayed on a concept past the
    interleaving mastery."""
    items = sit.session_items
    if not items:
        return None
    s = sit.settings
    for cid in items[-1].concepts:
        i = sit.graph.rank_of.get(cid)
        if i is None or not sit.learning[i] or sit.mastery[i] <= s.interleave_mastery:
            continue
        run = 0
        for item in reversed(items):
            if cid not in item.concepts:
                break
            run += 1
        if run >= s.interleave_after:
            return i, run
    return None


def fading(sit: Situation, o: Option) -> str:
    """How the item's worked example is given at the concept's mastery: shown, offered, none."""
    if not o.has_worked_example:
        return WORKED_EXAMPLE_NONE
    mastery = float(sit.mastery[o.concept])
    if mastery < sit.settings.worked_example_full_below:
        return WORKED_EXAMPLE_SHOW
    if mastery < sit.settings.worked_example_offer_below:
        return WORKED_EXAMPLE_OFFER
    return WORKED_EXAMPLE_NONE


__all__ = ["Signals", "break_check", "error_concept", "fading", "interleave_block", "signals_of"]
