"""One call's view of the student in the course: which concepts are mastered, ready, being
learned, new within the cap's window, due or waiting for review, what was answered recently;
and the figures of the choice (predicted success, items saved, information), cached for the
call. Built once per ``choose_next`` call; every rule reads it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np

from content.api import PolicySettings
from tutor.pedagogy.graph import CourseGraph
from tutor.pedagogy.state import StudentView
from tutor.pedagogy.value import information_gain_unchecked, items_saved


class Situation:
    """The student's concept states as arrays indexed by curriculum rank, lazily cached
    predictions, items saved and information gains."""

    def __init__(
        self,
        graph: CourseGraph,
        student: StudentView,
        settings: PolicySettings,
        predict: Callable[[int], float],
    ) -> None:
        self.graph = graph
        self.student = student
        self.settings = settings
        self._predict_fn = predict
        self._predicted: dict[int, float] = {}
        self._gain: dict[int, float] = {}
        self._value: dict[tuple[int, ...], float] = {}
        now = student.now
        index = graph.rank_of
        states = student.states
        prior = student.prior_mastery

        n = len(graph.concepts)
        mastery = np.empty(n)
        for i, concept in enumerate(graph.concepts):
            state = states.get(concept.id)
            mastery[i] = state.mastery if state is not None else prior.get(concept.id, concept.p_init)
        self.mastery = mastery
        # Mastered: declared so by the student model (P(L) at the threshold *and* the
        # course's minimum of independent right answers, ``students.learning``), and still
        # at the threshold. A belief at the threshold without that evidence is still learned.
        declared = np.zeros(n, dtype=bool)
        for i, concept in enumerate(graph.concepts):
            state = states.get(concept.id)
            declared[i] = state is not None and state.mastered
        self.at_threshold = mastery >= settings.mastery_threshold
        self.mastered = self.at_threshold & declared
        # At the threshold but short of independent evidence: an item never shown with its
        # answer and not credited yet is what it needs.
        self.evidence_short = self.at_threshold & ~declared
        not_mastered = ~self.mastered
        if graph.edge_concept.size:
            blocking = np.bincount(
                graph.edge_concept, weights=not_mastered[graph.edge_prerequisite], minlength=n
            )
            self.ready = blocking == 0
        else:
            self.ready = np.ones(n, dtype=bool)
        self.learning = self.ready & not_mastered
        self.allowed = self.ready | self.mastered  # concepts an item may involve

        window_start = now - timedelta(minutes=settings.new_concept_window_minutes)
        self.introduced: set[int] = set()  # concept indexes practised before
        self.answers: dict[int, int] = {}  # concept index -> answers on it the states record
        self.new_in_window: set[int] = set()
        due: list[tuple[datetime, int]] = []
        # mastered concept -> elapsed fraction of its review interval (1 once due)
        self.review_progress: dict[int, float] = {}
        overdue_by: dict[int, float | None] = {}  # due concept -> days overdue / interval days
        for cid, state in states.items():
            i = index.get(cid)
            if i is None:
                continue  # a concept no longer in the course
            if state.n_attempts > 0 or state.first_practiced_at is not None:
                self.introduced.add(i)
            self.answers[i] = state.n_attempts
            if state.first_practiced_at is not None and state.first_practiced_at >= window_start:
                self.new_in_window.add(i)
            if state.review_due_at is not None and self.mastered[i]:
                interval = (
                    (state.review_due_at - state.last_practiced_at).total_seconds()
                    if state.last_practiced_at is not None
                    else 0.0
                )
                if state.review_due_at <= now:
                    due.append((state.review_due_at, i))
                    self.review_progress[i] = 1.0
                    overdue_by[i] = (
                        (now - state.review_due_at).total_seconds() / interval if interval > 0 else None
                    )
                elif interval > 0:
                    elapsed = (now - state.last_practiced_at).total_seconds()
                    self.review_progress[i] = min(1.0, max(0.0, elapsed / interval))
        seen_before_window: set[int] = set()
        for item in student.recent:
            for cid in item.concepts:
                i = index.get(cid)
                if i is None:
                    continue
                if item.answered_at < window_start:
                    seen_before_window.add(i)
                elif i not in seen_before_window:
                    state = states.get(cid)
                    if state is None or state.first_practiced_at is None:
                        self.new_in_window.add(i)  # an answer the state does not show yet
                self.introduced.add(i)
        due.sort(key=lambda d: (d[0], d[1]))
        self.due = [i for _, i in due]
        # Reviews that wait while concepts are being learned (review_grace); an item that
        # practises one of them still counts as its review (review_progress is 1).
        self.deferred: list[int] = []
        if settings.review_grace > 0 and self.learning.any():
            self.deferred = [
                i for i in self.due if overdue_by[i] is not None and overdue_by[i] < settings.review_grace
            ]
            if self.deferred:
                waiting = set(self.deferred)
                self.due = [i for i in self.due if i not in waiting]
        self.wanted = self.learning.copy()  # concepts whose evidence the tutor wants now
        self.wanted[self.due] = True

        # Items whose answer the student saw within the course's window (answers AND days):
        # not served again until both have passed, unless nothing else can be.
        hold_days = timedelta(days=settings.reveal_hold_days)
        self.held: set[int] = {
            eid
            for eid, r in student.revealed.items()
            if r.answers_since < settings.reveal_hold_items or now - r.revealed_at < hold_days
        }

        self.session_items = [r for r in student.recent if r.answered_at >= student.session_started_at]
        excluded = settings.recent_items_excluded
        self.recent_ids = {r.exercise_id for r in student.recent[-excluded:]} if excluded else set()
        self.last_answered: dict[int, int] = {r.exercise_id: k for k, r in enumerate(student.recent)}

    # -- figures ------------------------------------------------------------------------
    def predicted(self, exercise_id: int) -> float:
        """The caller's P(correct) on the exercise, checked and cached."""
        p = self._predicted.get(exercise_id)
        if p is None:
            p = float(self._predict_fn(exercise_id))
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"predict({exercise_id}) returned {p!r}, not a probability.")
            self._predicted[exercise_id] = p
        return p

    def value(self, ranks: tuple[int, ...]) -> float:
        """Expected items saved by one answer to an item on the concepts ``ranks``
        (``tutor.pedagogy.value.items_saved``), cached for the call."""
        cached = self._value.get(ranks)
        if cached is None:
            cached = items_saved(
                self.graph,
                ranks,
                self.mastery,
                self.mastered,
                self.review_progress,
                self.settings.mastery_threshold,
            )
            self._value[ranks] = cached
        return cached

    def creditable(self, exercise_id: int, i: int) -> bool:
        """Whether a right answer to the exercise would count as independent evidence for
        concept ``i``: its answer was never shown to the student, nor was it credited yet."""
        if exercise_id in self.student.revealed:
            return False
        state = self.student.states.get(self.graph.concepts[i].id)
        return state is None or exercise_id not in state.credited

    def gain(self, i: int) -> float:
        """Information, in bits, of one answer on concept ``i`` (reported, not ranked by)."""
        g = self._gain.get(i)
        if g is None:
            g = information_gain_unchecked(
                float(self.mastery[i]), self.graph.p_guess[i], self.graph.p_slip[i]
            )
            self._gain[i] = g
        return g

    def answered(self, i: int) -> int:
        """Answers on concept ``i``: its state's count, and at least one if a recent answer
        involves it that the state does not show yet."""
        return max(self.answers.get(i, 0), 1 if i in self.introduced else 0)

    def focus(self) -> list[int]:
        """Concepts of the most recent item that are still being learned."""
        for item in reversed(self.student.recent):
            found = sorted(
                i
                for cid in item.concepts
                if (i := self.graph.rank_of.get(cid)) is not None and self.learning[i]
            )
            if found:
                return found
        return []

    def new_held_back(self, cap_budget: int) -> list[int]:
        """Concepts ready to start, never practised and with items, that the new-concept cap
        holds back now (none while the cap leaves room)."""
        if cap_budget > 0:
            return []
        return [
            i
            for i in np.flatnonzero(self.learning).tolist()
            if i not in self.introduced and self.graph.exercise_ids_by_rank[i]
        ]

    def learning_order(self, focus: list[int], blocked: int | None, with_new: bool) -> list[int]:
        """Focus first, then concepts already started, then new ones; curriculum order."""
        skip = set(focus)
        if blocked is not None:
            skip.add(blocked)
        started, new = [], []
        for i in np.flatnonzero(self.learning).tolist():
            if i in skip:
                continue
            (started if i in self.introduced else new).append(i)
        head = [i for i in focus if i != blocked]
        return head + started + (new if with_new else [])


__all__ = ["Situation"]
