"""What a run reports: the figures of one simulated student (``StudentResult``) and their
summary over a population under one policy (``PolicySummary``)."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class StudentResult:
    items: int  # served until the course was declared mastered, or the cap
    declared: bool  # the policy declared the course mastered (else: the cap, or nothing to serve)
    days: int  # sessions taken
    known_at_end: float  # share of concepts truly known at that point
    known_later: float  # expected share truly known retention_days later
    items_on_known: int  # items whose every concept was already truly known
    false_mastery: int  # concepts declared mastered but not truly known
    rules: dict[str, int]  # why each item was chosen
    rules_on_known: dict[str, int]  # the same, for the items on concepts already truly known
    # items served again while their answer, shown before, was within the course's window
    repeats_after_reveal: int = 0
    # the fewest answers a concept had when it was declared mastered (None: none was)
    min_answers_at_mastery: int | None = None


@dataclass(frozen=True)
class PolicySummary:
    policy: str
    students: int
    items_mean: float
    items_median: float
    items_p90: float
    declared_share: float
    known_at_end: float
    known_later: float
    items_on_known: float
    false_mastery: float
    days_mean: float
    rules: dict[str, int]
    rules_on_known: dict[str, int]
    repeats_after_reveal: float = 0.0  # per student, mean
    min_answers_at_mastery: int | None = None  # over every student and concept
    min_answers_at_mastery_mean: float | None = None  # each student's fewest, averaged

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(policy: str, results: Sequence[StudentResult]) -> PolicySummary:
    items = sorted(r.items for r in results)
    rules: Counter[str] = Counter()
    rules_on_known: Counter[str] = Counter()
    for r in results:
        rules.update(r.rules)
        rules_on_known.update(r.rules_on_known)
    n = len(results)
    fewest = [r.min_answers_at_mastery for r in results if r.min_answers_at_mastery is not None]
    return PolicySummary(
        policy=policy,
        students=n,
        items_mean=round(statistics.fmean(items), 2),
        items_median=float(statistics.median(items)),
        items_p90=float(items[min(n - 1, math.ceil(0.9 * n) - 1)]),
        declared_share=round(sum(r.declared for r in results) / n, 3),
        known_at_end=round(statistics.fmean(r.known_at_end for r in results), 4),
        known_later=round(statistics.fmean(r.known_later for r in results), 4),
        items_on_known=round(statistics.fmean(r.items_on_known for r in results), 2),
        false_mastery=round(statistics.fmean(r.false_mastery for r in results), 3),
        days_mean=round(statistics.fmean(r.days for r in results), 2),
        rules=dict(sorted(rules.items())),
        rules_on_known=dict(sorted(rules_on_known.items())),
        repeats_after_reveal=round(statistics.fmean(r.repeats_after_reveal for r in results), 3),
        min_answers_at_mastery=min(fewest) if fewest else None,
        min_answers_at_mastery_mean=round(statistics.fmean(fewest), 2) if fewest else None,
    )


__all__ = ["PolicySummary", "StudentResult", "summarize"]
