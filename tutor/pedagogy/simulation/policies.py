"""What a policy sees and answers in the simulator: one student's run (``Run``), the choice
of an item (``Choice``), the ``Policy`` interface, and the product's own policy
(``AdaptivePolicy``: ``tutor.pedagogy.choose_next``). The baselines are in ``baselines``."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from content.api import PolicySettings
from tutor.pedagogy.choose import choose_next
from tutor.pedagogy.graph import CourseGraph
from tutor.pedagogy.simulation.beliefs import TutorBeliefs
from tutor.pedagogy.simulation.learners import Learner
from tutor.pedagogy.state import EARLIER_ITEMS, Decision, RecentItem, Reveal, StudentView

START = datetime(2025, 1, 6, 16, 0, tzinfo=UTC)  # a Monday afternoon; day k starts k days later
DAY = 86400.0


@dataclass(frozen=True)
class Choice:
    exercise_id: int | None  # None: nothing to serve now
    rule: str
    worked_example_shown: bool = False
    done: bool = False  # the policy declares the course mastered


DONE = Choice(None, "all_mastered", done=True)


@dataclass
class Run:
    """One student under one policy: the state every policy may look at."""

    graph: CourseGraph
    settings: PolicySettings
    tutor: TutorBeliefs
    learner: Learner
    rng: random.Random
    seconds: float = 0.0  # since START
    session_started: float = 0.0
    session_first: int = 0  # index in ``recent`` of the session's first answer
    recent: list[RecentItem] = field(default_factory=list)
    served: Counter = field(default_factory=Counter)  # exercise id -> times served
    items: int = 0
    # exercise id -> (when its answer was last shown to the student, ``items`` then)
    revealed: dict[int, tuple[datetime, int]] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        return START + timedelta(seconds=self.seconds)

    def view(self) -> StudentView:
        """The policy's input, as ``tutor.practice.selectors.student_view`` builds it."""
        return StudentView(
            states=self.tutor.states,
            prior_mastery=self.tutor.prior,
            recent=tuple(self.recent[max(0, self.session_first - EARLIER_ITEMS) :]),
            session_started_at=START + timedelta(seconds=self.session_started),
            now=self.now,
            revealed={
                e: Reveal(revealed_at=at, answers_since=self.items - then)
                for e, (at, then) in self.revealed.items()
            },
        )

    def held(self, exercise_id: int) -> bool:
        """Whether the exercise's answer was shown within the course's window (answers and
        days, ``PolicySettings.reveal_hold_items`` and ``reveal_hold_days``)."""
        shown = self.revealed.get(exercise_id)
        if shown is None:
            return False
        at, then = shown
        return (
            self.items - then < self.settings.reveal_hold_items
            or (self.now - at).total_seconds() < self.settings.reveal_hold_days * DAY
        )

    def recent_ids(self) -> set[int]:
        n = self.settings.recent_items_excluded
        return {r.exercise_id for r in self.recent[-n:]} if n else set()


class Policy:
    """A way of choosing items: ``next`` gives the next item, or says the course is
    mastered; ``done`` asks only the latter."""

    name = ""

    def start(self, run: Run) -> None:
        pass

    def next(self, run: Run) -> Choice:
        raise NotImplementedError

    def done(self, run: Run) -> bool:
        return run.tutor.all_mastered()


class AdaptivePolicy(Policy):
    """The product: ``tutor.pedagogy.choose_next``."""

    name = "adaptive"

    def __init__(self, choose: Callable = choose_next) -> None:
        self.choose = choose

    def decide(self, run: Run) -> Decision:
        return self.choose(run.graph, run.view(), run.settings, run.tutor.predict)

    def next(self, run: Run) -> Choice:
        decision = self.decide(run)
        return Choice(
            exercise_id=decision.exercise_id,
            rule=decision.rule,
            worked_example_shown=decision.worked_example == "show",
            done=decision.done,
        )

    def done(self, run: Run) -> bool:
        return self.decide(run).done


__all__ = ["DAY", "DONE", "START", "AdaptivePolicy", "Choice", "Policy", "Run"]
