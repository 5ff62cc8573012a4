"""Per-course pedagogy settings: every number that shapes how a course is taught.

They are course data (``Course.settings``, a course package's ``settings:``), so they live
with the domain model: the importer validates them here, and the tutor's pedagogy reads
them through ``content.api``. Defaults follow the course design notes; an unknown key or a
value out of range is rejected with a message naming the key.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class PolicySettings:
    """Every number that shapes the choice. Defaults follow the course design notes; a
    course overrides any of them in ``Course.settings`` (see ``from_mapping``)."""

    # P(L) at which a concept counts as mastered; prerequisites must reach it too.
    mastery_threshold: float = 0.95
    # Desirable difficulty: the band of predicted success that items are chosen from.
    target_success_low: float = 0.60
    target_success_high: float = 0.85
    # Exercises answered in the last N items are not served again.
    recent_items_excluded: int = 3
    # At most this many never-practised concepts start within the sliding window.
    new_concepts_per_window: int = 2
    new_concept_window_minutes: float = 20
    # After this many errors in a row on a concept: its worked example on an easier item.
    errors_before_worked_example: int = 2
    # After this many (and every this many more): a review of its weakest prerequisite...
    errors_before_prerequisite: int = 3
    # ...among those with mastery below this (still in doubt; at the default, P(not known)
    # is at least half of what the mastery threshold allows).
    step_back_below: float = 0.975
    # Fading: below this mastery the worked example is shown before the item...
    worked_example_full_below: float = 0.30
    # ...below this it is offered on request; above it, not offered.
    worked_example_offer_below: float = 0.60
    # An answer slower than this x the item's expected time lowers the next item's load...
    slow_response_factor: float = 2.0
    # ...by shifting the target band up (towards easier items) by this much.
    slow_band_shift: float = 0.10
    # A wrong answer in under this fraction of the expected time prompts "slow down".
    fast_wrong_fraction: float = 0.25
    # Minutes on task before a break is suggested...
    break_after_minutes: float = 25
    # ...where a pause of at least this many minutes between answers restarts the clock.
    break_reset_minutes: float = 5
    # Accuracy over the last N graded answers of the session...
    accuracy_window: int = 10
    # ...dropping by this fraction against the N before suggests a break.
    accuracy_drop_fraction: float = 1 / 3
    # No more than N items in a row from one concept...
    interleave_after: int = 4
    # ...once its mastery passes this.
    interleave_mastery: float = 0.80
    # Test-out: from this mastery on, a concept being learned may be practised by items that
    # also involve a concept building on it (whose other prerequisites are mastered); the
    # expected items saved decide whether such an item beats one on the concept alone. At or
    # above the mastery threshold it never applies. The default is
    # worked_example_full_below's: past the novice stage.
    test_out_from: float = 0.30
    # ...and once the student has answered at least this many items on the concept. 0: the
    # belief alone decides, the prior included (a course whose students mostly arrive
    # knowing a concept may test it out on its first item); 1: never on the prior alone.
    test_out_min_answers: int = 0
    # While concepts are being learned, a due review waits until it is overdue by this many
    # times its review interval (an item that practises it meanwhile counts as the review);
    # once nothing is left to learn every due review is served. 0: serve reviews when due.
    # At 3, recall is still about 0.78 when a waiting review is served (FSRS-6 default curve).
    review_grace: float = 3.0
    # Mastery needs evidence of the student's own: besides P(L) at the threshold, this many
    # right answers without hints, worked example or a previously shown answer, each on a
    # different exercise (an item that also involves a later concept counts once). Mastery
    # learning criteria ask as much: ASSISTments' skill builders, 3 right in a row. Lowered
    # per concept to what its items can still give (a concept with two items needs two).
    mastery_min_independent: int = 3
    # An item whose answer the student has seen (its correct options, a wrong numeric
    # answer's value, a worked solution shown before it) is not served again until both
    # this many answers in the course and this many days have passed: within a session the
    # answer is still in working memory, so a right answer would be recall of the answer,
    # not of the concept. Only when nothing else can be served does it come back earlier
    # (its right answer then counts as weaker evidence, ``revealed_evidence_factor``).
    reveal_hold_items: int = 30
    reveal_hold_days: float = 1.0

    def __post_init__(self) -> None:
        for f in fields(self):
            _check_setting(f.name, getattr(self, f.name))
        if not self.target_success_low < self.target_success_high:
            raise ValueError(
                f"Policy setting 'target_success_low' ({self.target_success_low}) must be below "
                f"'target_success_high' ({self.target_success_high})."
            )
        if self.worked_example_full_below > self.worked_example_offer_below:
            raise ValueError(
                f"Policy setting 'worked_example_full_below' ({self.worked_example_full_below}) must not be "
                f"above 'worked_example_offer_below' ({self.worked_example_offer_below})."
            )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> PolicySettings:
        """Settings from a course's ``settings`` JSON: missing keys take the defaults; an
        unknown key or a bad value raises ValueError naming the key."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise ValueError(
                f"Policy settings must be a mapping of names to values, not {type(data).__name__}."
            )
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise ValueError(
                    f"Unknown policy setting {key!r}; known settings: {', '.join(sorted(known))}."
                )
            values[key] = _coerce_setting(key, value)
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_INT_SETTINGS = {
    "recent_items_excluded",
    "new_concepts_per_window",
    "errors_before_worked_example",
    "errors_before_prerequisite",
    "accuracy_window",
    "interleave_after",
    "test_out_min_answers",
    "mastery_min_independent",
    "reveal_hold_items",
}
# name -> (lowest, highest, lowest allowed?, highest allowed?, what it must be, in words)
_LIMITS: dict[str, tuple[float, float, bool, bool, str]] = {
    "mastery_threshold": (0.0, 1.0, False, True, "a probability above 0 and at most 1"),
    "target_success_low": (0.0, 1.0, True, True, "a probability from 0 to 1"),
    "target_success_high": (0.0, 1.0, True, True, "a probability from 0 to 1"),
    "recent_items_excluded": (0, math.inf, True, False, "a whole number, 0 or more"),
    "new_concepts_per_window": (1, math.inf, True, False, "a whole number, 1 or more"),
    "new_concept_window_minutes": (0.0, math.inf, False, False, "a number of minutes above 0"),
    "errors_before_worked_example": (1, math.inf, True, False, "a whole number, 1 or more"),
    "errors_before_prerequisite": (1, math.inf, True, False, "a whole number, 1 or more"),
    "step_back_below": (0.0, 1.0, False, True, "a probability above 0 and at most 1"),
    "worked_example_full_below": (0.0, 1.0, True, True, "a probability from 0 to 1"),
    "worked_example_offer_below": (0.0, 1.0, True, True, "a probability from 0 to 1"),
    "slow_response_factor": (0.0, math.inf, False, False, "a number above 0"),
    "slow_band_shift": (0.0, 1.0, True, False, "a number from 0 up to (not including) 1"),
    "fast_wrong_fraction": (0.0, 1.0, True, False, "a fraction from 0 up to (not including) 1"),
    "break_after_minutes": (0.0, math.inf, False, False, "a number of minutes above 0"),
    "break_reset_minutes": (0.0, math.inf, False, False, "a number of minutes above 0"),
    "accuracy_window": (1, math.inf, True, False, "a whole number, 1 or more"),
    "accuracy_drop_fraction": (0.0, 1.0, False, True, "a fraction above 0 and at most 1"),
    "interleave_after": (1, math.inf, True, False, "a whole number, 1 or more"),
    "interleave_mastery": (0.0, 1.0, True, True, "a probability from 0 to 1"),
    "test_out_from": (0.0, 1.0, True, True, "a probability from 0 to 1"),
    "test_out_min_answers": (0, math.inf, True, False, "a whole number, 0 or more"),
    "review_grace": (0.0, math.inf, True, False, "a number of review intervals, 0 or more"),
    "mastery_min_independent": (0, math.inf, True, False, "a whole number, 0 or more"),
    "reveal_hold_items": (0, math.inf, True, False, "a whole number, 0 or more"),
    "reveal_hold_days": (0.0, math.inf, True, False, "a number of days, 0 or more"),
}


def _coerce_setting(name: str, value: Any) -> Any:
    # JSON has one number type: 3.0 is accepted where a whole number is wanted.
    if name in _INT_SETTINGS and isinstance(value, float) and value.is_integer():
        return int(value)
    if name not in _INT_SETTINGS and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _check_setting(name: str, value: Any) -> None:
    low, high, low_ok, high_ok, words = _LIMITS[name]
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if name in _INT_SETTINGS:
        is_number = is_number and isinstance(value, int)
    if not is_number or not math.isfinite(value):
        raise ValueError(f"Policy setting {name!r} must be {words}, not {value!r}.")
    above = value >= low if low_ok else value > low
    below = value <= high if high_ok else value < high
    if not (above and below):
        raise ValueError(f"Policy setting {name!r} must be {words}, not {value!r}.")


def course_settings_check(settings: Mapping[str, Any] | None) -> None:
    """Raise ValueError naming the key if these per-course settings cannot be used."""
    PolicySettings.from_mapping(settings)


def course_settings_for(course) -> PolicySettings:
    """The pedagogy settings of a course (its ``settings`` field over the defaults)."""
    return PolicySettings.from_mapping(course.settings or {})
