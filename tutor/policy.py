"""Next-item selection: the pedagogical model as a pure function.

``choose_next(graph, student, settings, predict)`` decides what one student practises
next. It knows nothing of Django: the live tutor (``tutor.selectors``) and the learner
simulator both build the plain frozen dataclasses below and call it, so the two always run
the same policy.

How a choice is made, in order (the first rule that yields an item wins):

1. **Nothing left** - every concept mastered and no review due: ``done``, rule
   ``all_mastered``.
2. **Repeated errors** on a concept of the last item: after ``errors_before_prerequisite``
   errors in a row (and again every that many more) a review of its weakest prerequisite
   still in doubt, i.e. with mastery below ``step_back_below`` (``prerequisite_after_errors``);
   from ``errors_before_worked_example`` errors a worked example
   (``worked_example_after_errors``): among the concept's items that have one, test-out
   items included, the one the usual choice of step 4 takes (most items saved, then the
   target band), with its worked example shown before it; when none has one, an easier
   item than the one last failed, on the concept alone if possible
   (``easier_item_after_errors``). The worked example is the support that lowers the load;
   it is not paired with the easiest item as well: the easiest items are those a student
   who does not know the concept most often answers right by luck, and a lucky answer
   ends the run of errors while teaching nothing; and the errors that start a run are often
   on a test-out item, where an item on the concept alone leaves the concept building on it
   unpractised. In the simulator, the easiest item on the concept alone cost about 4% more
   items over the demo course and random courses (up to 7% on one, 1% less on another).
   A prerequisite confirmed well beyond the mastery
   threshold is not stepped back to: it is an unlikely cause of the errors, and an item on
   it teaches nothing the student is missing (the simulator, ``tutor.simulation``, showed
   such step backs costing more items than the false masteries they catch).
3. **Reviews due** - mastered concepts whose ``review_due_at`` has come, most overdue
   first (``review_due``). While concepts are being learned, a review waits until it is
   overdue by ``review_grace`` times its interval (the reason lists it under
   ``reviews_waiting``): FSRS's due date is where recall has fallen to its target, not a
   deadline, a review a little later strengthens memory more (the spacing effect FSRS
   itself models), and meanwhile any item that practises the concept *is* its review. Once
   nothing is left to learn every due review is served. The default, 3 intervals, bounds
   the wait: under FSRS-6's default forgetting curve recall is then still about 0.78
   (0.85 at 1 interval) against the 0.9 it schedules for, where the spacing effect pays
   most. In the simulator (200 and 1000 students, demo course seeds 1 and 2, random
   courses 20,200 seeds 0, 1 and 5 without prerequisite slowdown, demo with lower prior and
   faster learners) 3 needed about 1% fewer items than 1 (at 1000 students fewer on 6 of 7,
   0.5% more on one), at a 30-day retention still 5 to 20 points above the mastery
   baseline's; never serving reviews while learning saved little more and lets a review
   wait unboundedly on a long course.
4. **Learning** - concepts whose prerequisites are all mastered and which are not mastered
   yet, taken in this order: the concept in focus (the one practised last, not yet
   mastered), other concepts already started, then new concepts, each group in curriculum
   order. The first concept with an available item is worked on; among its items the one
   that saves the most items is chosen (``expected_items_saved``, to the nearest 0.001
   item), and among items that save as much, the one whose predicted success lies in the
   target band, or, when none does, the item closest to it.

   *Items saved* is the expected fall, after one answer, of the number of items still
   needed (``items_to_mastery``: under the tutor's own BKT, how many answers a concept
   needs until its P(L) reaches the mastery threshold; it counts both the practice the
   student still needs and the evidence the tutor still needs), summed over the concepts
   of the item, with the answer predicted and credit shared by the student model's own
   noisy-AND (``students.kt.bkt``, PRODUCT). An item on the concept alone saves exactly one
   item, by the definition of the count; an item on two concepts being learned saves more
   (one answer is practice and evidence on both, where two single items take two answers),
   and wins even outside the band; an item whose other concepts are mastered saves less
   (they only make it harder, and a wrong answer may knock one below the threshold), unless
   one of them is coming up for review: then the item is also part of that review, worth
   the elapsed fraction of its review interval (a whole item once due). The band chooses
   among items that practise the same concepts. This replaces raw information gain (still
   reported, ``information_gain``, in bits): entropy treats a bit on a concept about to be
   mastered like a bit on one just started, and cannot weigh practice against evidence.

   **Test-out.** An item of the concept being learned that also involves concepts building
   on it (whose other prerequisites are all mastered) is eligible once the concept's
   mastery is ``test_out_from`` or more (rule ``test_out``), whether that belief comes from
   answers or from the prior: the prior is the course's own estimate (fitted P(L0)) of how
   many of its students arrive knowing the concept, and past ``test_out_from`` the tutor
   already treats the student as no novice (full worked examples stop there too). So on a
   course whose students often arrive knowing a concept, its first item may combine it with
   the next one, and a student who knows both shows it in one answer instead of working
   through the basics first; where the prior is below ``test_out_from`` the first item is on
   the concept alone, and the new-concept cap still counts both concepts an item starts. A
   course that wants evidence first sets ``test_out_min_answers`` (answers on the concept
   before test-out; 0 by default, 1: never on the prior alone). In the simulator, requiring
   one answer first cost about 5% more items on the demo course (2,000 students: 79.6
   against 76.1), 2 to 4% on random courses and 1.5 to 10% with learner populations that
   know more or less at the start or learn faster, and kept at most 2 points more 30-day
   retention (without it the tutor stays 4 to 12 points above the mastery baseline's). A
   test-out item cannot be answered without the concept, so a right answer is full
   evidence for it, and it is practice and evidence on the next concept in the same answer;
   the items-saved comparison decides whether it beats an item on the concept alone. It is
   the only way a concept starts before its prerequisites are mastered, and only through
   items that practise those prerequisites too; for reviews only the usual eligible items
   are used. ``test_out_from`` (0.30) is where a novice stops
   being shown worked examples before every item (``worked_example_full_below``): a student
   who is still shown the full solution first is not yet asked to combine the concept with
   the next one. (In the simulator 0.30 and 0.50 needed about as many items overall, 0.60
   about 3% more: the anchor, not the simulator, picks 0.30.)

   Keeping a focus is deliberate: a tutor that hops between half-learned concepts costs
   items and confuses students, and under BKT every item of one concept is worth the same
   to it, so the value decides *which item*, and whether a neighbouring concept can be
   practised *at the same time*, rather than luring the student away.

Cognitive-load rules bound step 4 and adjust the result:

* at most ``new_concepts_per_window`` never-practised concepts start within a sliding
  window; when the cap changes the choice the rule is ``new_concept_cap``. When nothing but
  new concepts is left to learn (every concept started recently is mastered and nothing is
  due) the cap is relaxed, rule ``new_concept_cap_relaxed``: holding back a student who
  has mastered what was just started would only waste their time, and the cap exists to
  stop many half-learned concepts piling up, which cannot happen then;
* once a concept's mastery passes ``interleave_mastery`` it is not served more than
  ``interleave_after`` times in a row: another eligible concept is picked (``interleave``)
  when one can be, else the concept continues (and the reason says why). The cap outranks
  interleaving: a nearly mastered concept continues rather than a new one beyond the cap;
* an answer slower than ``slow_response_factor`` x the item's expected time shifts the
  target band towards easier items (``slow_response_easier`` when that changes the item);
* a wrong answer faster than ``fast_wrong_fraction`` x the expected time sets ``slow_down``;
* time on task (restarted by any pause of ``break_reset_minutes``) reaching
  ``break_after_minutes``, or accuracy over the last ``accuracy_window`` graded answers
  falling by ``accuracy_drop_fraction`` against the window before, sets
  ``break_suggestion``;
* worked examples fade: shown before the item while mastery is below
  ``worked_example_full_below``, offered on request below ``worked_example_offer_below``,
  not offered above.

Exercises answered in the last ``recent_items_excluded`` items are not served again,
unless nothing else at all can be served (then the least recently answered one is, and the
reason says ``recent_items_relaxed``).

Speed: ``CourseGraph`` holds every per-course index (build it once per course and cache
it); a call costs one pass over the student's concept states plus the items of the few
concepts it actually considers.
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from content.course_settings import PolicySettings

# Machine-readable rule names (Decision.rule and reason["rule"]).
RULE_ALL_MASTERED = "all_mastered"
RULE_NO_EXERCISE = "no_exercise_available"
RULE_PREREQUISITE = "prerequisite_after_errors"
RULE_WORKED_EXAMPLE = "worked_example_after_errors"
RULE_EASIER_ITEM = "easier_item_after_errors"
RULE_REVIEW_DUE = "review_due"
RULE_INTERLEAVE = "interleave"
RULE_NEW_CONCEPT_CAP = "new_concept_cap"
RULE_NEW_CONCEPT_CAP_RELAXED = "new_concept_cap_relaxed"
RULE_SLOW_RESPONSE = "slow_response_easier"
RULE_INFORMATION_GAIN = "information_gain"
RULE_TEST_OUT = "test_out"

WORKED_EXAMPLE_SHOW = "show"
WORKED_EXAMPLE_OFFER = "offer"
WORKED_EXAMPLE_NONE = "none"


# --- the course ------------------------------------------------------------------------
@dataclass(frozen=True)
class ConceptInfo:
    id: int
    slug: str
    name: str
    order: int  # position in the curriculum
    prerequisites: tuple[int, ...]
    p_guess: float
    p_slip: float
    p_learn: float
    # P(L0), used only when the student view carries no prior for this concept.
    p_init: float = 0.2


@dataclass(frozen=True)
class ExerciseInfo:
    id: int
    concepts: tuple[int, ...]
    difficulty: float  # 0 (easy) .. 1 (hard), authored; the student model may refine it
    expected_seconds: float
    has_worked_example: bool


class CourseGraph:
    """The per-course indexes the policy needs: concepts in curriculum order (a
    topological order of the prerequisite graph, ties broken by ``order`` then id),
    exercises by concept, prerequisite edges. Build once per course version and cache.

    Raises ValueError for an unknown prerequisite, a prerequisite cycle, a duplicate id,
    an exercise without concepts or with an unknown one."""

    def __init__(self, concepts: Iterable[ConceptInfo], exercises: Iterable[ExerciseInfo]) -> None:
        by_id: dict[int, ConceptInfo] = {}
        for concept in concepts:
            if concept.id in by_id:
                raise ValueError(f"Concept id {concept.id} ('{concept.slug}') appears twice.")
            by_id[concept.id] = concept
        for concept in by_id.values():
            for pre in concept.prerequisites:
                if pre not in by_id:
                    raise ValueError(f"Concept '{concept.slug}' has an unknown prerequisite (id {pre}).")
                if pre == concept.id:
                    raise ValueError(f"Concept '{concept.slug}' is its own prerequisite.")

        # Kahn's algorithm; among the concepts that are ready, the curriculum order decides.
        waiting = {cid: len(set(c.prerequisites)) for cid, c in by_id.items()}
        dependents: dict[int, list[int]] = {cid: [] for cid in by_id}
        for cid, c in by_id.items():
            for pre in set(c.prerequisites):
                dependents[pre].append(cid)
        heap = [(c.order, cid) for cid, c in by_id.items() if waiting[cid] == 0]
        heapq.heapify(heap)
        ordered: list[ConceptInfo] = []
        while heap:
            _, cid = heapq.heappop(heap)
            ordered.append(by_id[cid])
            for dep in dependents[cid]:
                waiting[dep] -= 1
                if waiting[dep] == 0:
                    heapq.heappush(heap, (by_id[dep].order, dep))
        if len(ordered) != len(by_id):
            stuck = sorted(by_id[cid].slug for cid, n in waiting.items() if n > 0)
            raise ValueError(
                f"The prerequisites form a cycle; concepts involved or blocked: {', '.join(stuck)}."
            )

        #: Concepts in curriculum order; a concept's index here is its curriculum rank.
        self.concepts: tuple[ConceptInfo, ...] = tuple(ordered)
        self._index: dict[int, int] = {c.id: i for i, c in enumerate(ordered)}
        self._slug_index: dict[str, int] = {c.slug: i for i, c in enumerate(ordered)}
        self._prerequisites: tuple[tuple[int, ...], ...] = tuple(
            tuple(sorted({self._index[p] for p in c.prerequisites})) for c in ordered
        )
        src = [i for i, pres in enumerate(self._prerequisites) for _ in pres]
        pre = [p for pres in self._prerequisites for p in pres]
        self._edge_src = np.asarray(src, dtype=np.intp)
        self._edge_pre = np.asarray(pre, dtype=np.intp)
        self._p_guess = tuple(float(c.p_guess) for c in ordered)
        self._p_slip = tuple(float(c.p_slip) for c in ordered)

        self._exercises: dict[int, ExerciseInfo] = {}
        self._exercise_concepts: dict[int, tuple[int, ...]] = {}
        by_concept: list[list[ExerciseInfo]] = [[] for _ in ordered]
        for exercise in exercises:
            if exercise.id in self._exercises:
                raise ValueError(f"Exercise id {exercise.id} appears twice.")
            if not exercise.concepts:
                raise ValueError(f"Exercise {exercise.id} is not linked to any concept.")
            unknown = [c for c in exercise.concepts if c not in self._index]
            if unknown:
                raise ValueError(f"Exercise {exercise.id} is linked to unknown concept ids {unknown}.")
            idxs = tuple(sorted({self._index[c] for c in exercise.concepts}))
            self._exercises[exercise.id] = exercise
            self._exercise_concepts[exercise.id] = idxs
            for i in idxs:
                by_concept[i].append(exercise)
        self._by_concept: tuple[tuple[int, ...], ...] = tuple(
            tuple(e.id for e in sorted(items, key=lambda e: (e.difficulty, e.id))) for items in by_concept
        )

    def __len__(self) -> int:
        return len(self.concepts)

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self._index

    def concept(self, concept_id: int) -> ConceptInfo:
        return self.concepts[self._index[concept_id]]

    def exercise(self, exercise_id: int) -> ExerciseInfo:
        return self._exercises[exercise_id]

    def curriculum_rank(self, concept_id: int) -> int:
        return self._index[concept_id]

    def exercises_for(self, concept_id: int) -> tuple[ExerciseInfo, ...]:
        """The concept's exercises, easiest (authored difficulty) first."""
        return tuple(self._exercises[e] for e in self._by_concept[self._index[concept_id]])

    @property
    def exercise_count(self) -> int:
        return len(self._exercises)


# --- the student -----------------------------------------------------------------------
@dataclass(frozen=True)
class ConceptState:
    mastery: float  # P(L)
    n_attempts: int
    error_streak: int  # wrong answers in a row
    first_practiced_at: datetime | None
    last_practiced_at: datetime | None
    review_due_at: datetime | None
    mastered: bool  # has reached mastery before


@dataclass(frozen=True)
class RecentItem:
    exercise_id: int
    concepts: tuple[int, ...]
    correct: bool | None  # None: a free-text answer waiting for its grade
    response_seconds: float | None
    expected_seconds: float
    answered_at: datetime


@dataclass(frozen=True)
class StudentView:
    """What the policy may know of one student in one course. A concept missing from
    ``states`` was never practised and has its prior (``prior_mastery``, else the
    concept's ``p_init``) as mastery. ``recent`` is oldest first: this session's answers
    plus a few earlier ones (for the rule against repeating recent items)."""

    states: Mapping[int, ConceptState]
    prior_mastery: Mapping[int, float]
    recent: tuple[RecentItem, ...]
    session_started_at: datetime
    now: datetime


# --- the decision ----------------------------------------------------------------------
@dataclass(frozen=True)
class Decision:
    exercise_id: int | None
    concept_id: int | None
    rule: str  # machine-readable, one of the RULE_* names
    reason: dict  # structured figures, JSON-serialisable; reason["rule"] == rule
    message: str  # plain-English "Why this exercise?" for the student
    worked_example: str = WORKED_EXAMPLE_NONE  # "show" (before the item), "offer" (on request), "none"
    break_suggestion: str | None = None
    slow_down: str | None = None
    done: bool = False  # everything mastered and nothing due

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


# --- BKT helpers -----------------------------------------------------------------------
def predicted_success_bkt(p_known: float, p_guess: float, p_slip: float) -> float:
    """P(correct) under BKT: known and no slip, or unknown and a lucky guess."""
    _check_probabilities(p_known=p_known, p_guess=p_guess, p_slip=p_slip)
    return p_known * (1.0 - p_slip) + (1.0 - p_known) * p_guess


def information_gain(p_known: float, p_guess: float, p_slip: float) -> float:
    """Expected reduction, in bits, of the entropy of P(L) from observing one answer.

    IG = H(P(L)) - [P(c) H(P(L | c)) + P(w) H(P(L | w))], the mutual information between
    the known/unknown state and the answer under the BKT observation model
    (P(c | L) = 1 - P(S), P(c | not L) = P(G); Corbett & Anderson 1995). It is largest for
    an uncertain P(L) and an item that discriminates (small guess and slip)."""
    _check_probabilities(p_known=p_known, p_guess=p_guess, p_slip=p_slip)
    return _information_gain(p_known, p_guess, p_slip)


def _check_probabilities(**values: float) -> None:
    for name, value in values.items():
        if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
            raise ValueError(f"{name} must be a probability from 0 to 1, not {value!r}.")


def _entropy(p: float) -> float:
    if p <= 0.0 or p >= 1.0:
        return 0.0
    return -(p * math.log2(p) + (1.0 - p) * math.log2(1.0 - p))


def _information_gain(p_known: float, p_guess: float, p_slip: float) -> float:
    p_correct = p_known * (1.0 - p_slip) + (1.0 - p_known) * p_guess
    p_wrong = 1.0 - p_correct
    expected = 0.0
    if p_correct > 0.0:
        expected += p_correct * _entropy(p_known * (1.0 - p_slip) / p_correct)
    if p_wrong > 0.0:
        expected += p_wrong * _entropy(p_known * p_slip / p_wrong)
    return max(0.0, _entropy(p_known) - expected)


# --- items to mastery ------------------------------------------------------------------
# V(p) is tabulated on a grid of log-odds from P(L) = 0.001 up to the threshold; beliefs
# below the grid count as its first point. 128 points keep V within 0.03 items on average
# of a 2,000-point value iteration (more right at its jumps, where one answer more or less
# is needed; the jumps are smoothed over a grid step) and take well under a millisecond.
_GRID_POINTS = 128
_GRID_LOW = math.log(0.001 / 0.999)
# A concept that could never be learned (P(T) = 0) would need infinitely many items; its
# estimate uses this P(T) instead, i.e. it is merely very slow.
_MIN_LEARN = 0.001
# A threshold of 1 can never be reached by Bayes' rule; the estimate stops just below it.
_MAX_THRESHOLD = 0.9999


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


@functools.lru_cache(maxsize=4096)
def _items_table(
    p_guess: float, p_slip: float, p_learn: float, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """(log-odds grid, V on it): ``items_to_mastery`` solved exactly on the grid as the
    linear system V = 1 + M V (M: where one answer moves the belief, linearly interpolated
    between grid points)."""
    threshold = min(threshold, _MAX_THRESHOLD)
    top = _logit(threshold)
    # The last point sits just below the threshold: V jumps there from one answer or more to 0.
    x = np.linspace(_GRID_LOW, top - 1e-9, _GRID_POINTS)
    step = x[1] - x[0]
    p = 1.0 / (1.0 + np.exp(-x))
    learn = max(p_learn, _MIN_LEARN)
    p_right = p * (1.0 - p_slip) + (1.0 - p) * p_guess
    rows = np.arange(_GRID_POINTS)
    system = np.eye(_GRID_POINTS)
    for chance, known in (
        (p_right, p * (1.0 - p_slip) / p_right),
        (1.0 - p_right, p * p_slip / (1.0 - p_right)),
    ):
        after = known + (1.0 - known) * learn
        reached = after >= threshold
        xa = np.log(np.clip(after, 1e-12, 1.0 - 1e-12) / np.clip(1.0 - after, 1e-12, 1.0))
        position = np.clip((xa - _GRID_LOW) / step, 0.0, _GRID_POINTS - 1)
        low = np.floor(position).astype(np.intp)
        high = np.minimum(low + 1, _GRID_POINTS - 1)
        frac = position - low
        weight = np.where(reached, 0.0, chance)
        system[rows, low] -= weight * (1.0 - frac)
        system[rows, high] -= weight * frac
    values = np.linalg.solve(system, np.ones(_GRID_POINTS))
    return x, values


def items_to_mastery(
    p_known: float, p_guess: float, p_slip: float, p_learn: float, threshold: float
) -> float:
    """Expected number of answers until P(L) reaches ``threshold``, if the concept is
    practised alone under BKT with these parameters (the tutor's own model of itself).

    V(p) = 0 from the threshold on, else V(p) = 1 + P(c) V(T(P(L | c))) + P(w) V(T(P(L | w))),
    T the learning step p + (1 - p) P(T): the expected length of the mastery-learning walk
    (Corbett & Anderson 1995's mastery criterion seen as a stopping time). It counts both
    the practice a student still needs to learn the concept and the answers the tutor needs
    to be sure of it; it falls as P(L) rises."""
    _check_probabilities(
        p_known=p_known, p_guess=p_guess, p_slip=p_slip, p_learn=p_learn, threshold=threshold
    )
    return _items_left(p_known, p_guess, p_slip, p_learn, threshold)


def _items_left(p_known: float, p_guess: float, p_slip: float, p_learn: float, threshold: float) -> float:
    if p_known >= threshold:
        return 0.0
    x, values = _items_table(p_guess, p_slip, p_learn, threshold)
    # Below the grid: its first point; between its last point and the threshold: its last
    # point (V does not fall to 0 before the threshold: one more answer is always needed).
    return float(np.interp(math.log(max(p_known, 1e-12) / (1.0 - p_known)), x, values))


# --- the choice ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Option:
    exercise_id: int
    concept: int  # index of the concept it was chosen for
    predicted: float
    value: float  # expected items saved (see _Choice.value)
    gain: float  # information, in bits, on the concepts it is wanted for
    distance: float  # from the target band; 0 inside it
    n_other: int  # concepts of the item the tutor wants no evidence on now (known, not due)
    has_worked_example: bool
    new_concepts: tuple[int, ...]
    tested: tuple[int, ...] = ()  # concepts started ahead of a prerequisite in the item (test-out)
    recent_relaxed: bool = False


@dataclass(frozen=True)
class _Signals:
    band: tuple[float, float]
    base_band: tuple[float, float]
    slow: dict | None
    slow_down: str | None
    slow_down_figures: dict | None
    break_suggestion: str | None
    break_figures: dict | None


def choose_next(
    graph: CourseGraph,
    student: StudentView,
    settings: PolicySettings,
    predict: Callable[[int], float],
) -> Decision:
    """The next exercise for this student, with the rule that chose it and why.

    ``predict(exercise_id)`` is the caller's P(correct) of this student on an exercise
    (BKT mastery combined with item difficulty); it is only called for the items of the
    concepts actually considered."""
    return _Choice(graph, student, settings, predict).decide()


class _Choice:
    """One call's working state: the student's concept states as arrays, lazily cached
    information gains and predictions."""

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
        index = graph._index
        states = student.states
        prior = student.prior_mastery

        n = len(graph.concepts)
        mastery = np.empty(n)
        for i, concept in enumerate(graph.concepts):
            state = states.get(concept.id)
            mastery[i] = state.mastery if state is not None else prior.get(concept.id, concept.p_init)
        self.mastery = mastery
        self.mastered = mastery >= settings.mastery_threshold
        not_mastered = ~self.mastered
        if graph._edge_src.size:
            blocking = np.bincount(graph._edge_src, weights=not_mastered[graph._edge_pre], minlength=n)
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

        self.session_items = [r for r in student.recent if r.answered_at >= student.session_started_at]
        excluded = settings.recent_items_excluded
        self.recent_ids = {r.exercise_id for r in student.recent[-excluded:]} if excluded else set()
        self.last_answered: dict[int, int] = {r.exercise_id: k for k, r in enumerate(student.recent)}

    # -- figures ------------------------------------------------------------------------
    def predicted(self, exercise_id: int) -> float:
        p = self._predicted.get(exercise_id)
        if p is None:
            p = float(self._predict_fn(exercise_id))
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"predict({exercise_id}) returned {p!r}, not a probability.")
            self._predicted[exercise_id] = p
        return p

    def value(self, idxs: tuple[int, ...]) -> float:
        """Expected items saved by one answer to an item on the concepts ``idxs``.

        For every concept j of the item: V_j(P(L_j)) - E[V_j(P(L_j) after the answer)], V
        being ``items_to_mastery``, with the answer predicted and the credit shared as in the
        student model's noisy-AND (PRODUCT, ``students.kt.bkt``): P(correct) = prod_j q_j, and
        concept j sees P(correct | L_j) = P(pass_j | L_j) prod_{m != j} q_m. So an item on one
        concept being learned saves exactly one item (that is what V means), an item that also
        carries another concept being learned saves more, and one whose extra concepts only
        make it harder saves less. A mastered concept saves nothing unless a wrong answer
        takes it back below the threshold (then it costs the items it would need), and adds
        the share of a review it has come to need: the elapsed fraction of its review
        interval, 1 once due (answering it is an FSRS review).

        The student model is taken as it is: its BKT knows nothing of prerequisites, so a
        concept started ahead of one (``tested``, test-out) is valued with its own P(T). (A
        value that assumed no learning at all without the prerequisite was tried: in the
        simulator, where learning is slower then but not nil, it cost about 5% more items.)"""
        cached = self._value.get(idxs)
        if cached is not None:
            return cached
        graph = self.graph
        threshold = self.settings.mastery_threshold
        masteries = [float(self.mastery[j]) for j in idxs]
        passes = [
            p * (1.0 - graph._p_slip[j]) + (1.0 - p) * graph._p_guess[j]
            for j, p in zip(idxs, masteries, strict=True)
        ]
        p_right = math.prod(passes)
        p_wrong = 1.0 - p_right
        total = 0.0
        for n, j in enumerate(idxs):
            p, guess, slip, learn = (
                masteries[n],
                graph._p_guess[j],
                graph._p_slip[j],
                graph.concepts[j].p_learn,
            )
            # P(right | L_j): j passes and every other concept of the item does (noisy-AND)
            right_if_known = (1.0 - slip) * math.prod(q for m, q in enumerate(passes) if m != n)
            known_right = p * right_if_known / p_right if p_right > 0 else p
            known_wrong = p * (1.0 - right_if_known) / p_wrong if p_wrong > 0 else p
            after_right = known_right + (1.0 - known_right) * learn
            after_wrong = known_wrong + (1.0 - known_wrong) * learn
            total += _items_left(p, guess, slip, learn, threshold) - (
                p_right * _items_left(after_right, guess, slip, learn, threshold)
                + p_wrong * _items_left(after_wrong, guess, slip, learn, threshold)
            )
            if self.mastered[j]:
                total += self.review_progress.get(j, 0.0)
        self._value[idxs] = total
        return total

    def gain(self, i: int) -> float:
        g = self._gain.get(i)
        if g is None:
            g = _information_gain(float(self.mastery[i]), self.graph._p_guess[i], self.graph._p_slip[i])
            self._gain[i] = g
        return g

    # -- options ------------------------------------------------------------------------
    def option(
        self,
        exercise_id: int,
        concept: int,
        band: tuple[float, float],
        *,
        exclude: frozenset[int],
        new_budget: int | None,
        ignore_recent: bool,
        test_out: bool = False,
    ) -> _Option | None:
        if not ignore_recent and exercise_id in self.recent_ids:
            return None
        idxs = self.graph._exercise_concepts[exercise_id]
        new: list[int] = []
        tested: list[int] = []
        for i in idxs:
            if i in exclude:
                return None
            if not self.allowed[i]:
                if not (test_out and self.tests_out(i, idxs)):
                    return None
                tested.append(i)
            if i not in self.introduced:
                new.append(i)
        if new_budget is not None and len(new) > new_budget:
            return None
        gain = 0.0
        n_other = 0
        for i in idxs:
            if self.wanted[i] or i in tested:
                gain += self.gain(i)
            else:
                n_other += 1
        p = self.predicted(exercise_id)
        low, high = band
        distance = 0.0 if low <= p <= high else min(abs(p - low), abs(p - high))
        return _Option(
            exercise_id=exercise_id,
            concept=concept,
            predicted=p,
            value=self.value(idxs),
            gain=gain,
            distance=distance,
            n_other=n_other,
            has_worked_example=self.graph._exercises[exercise_id].has_worked_example,
            new_concepts=tuple(new),
            tested=tuple(tested),
            recent_relaxed=ignore_recent and exercise_id in self.recent_ids,
        )

    def tests_out(self, i: int, idxs: tuple[int, ...]) -> bool:
        """Whether concept ``i``, not ready, may be started by an item on ``idxs``: each of
        its prerequisites is mastered, or is in the item, being learned, at
        ``test_out_from`` or more and answered at least ``test_out_min_answers`` times (the
        item then cannot be answered without it)."""
        if self.mastered[i]:
            return False
        threshold = self.settings.test_out_from
        return all(
            self.mastered[q]
            or (
                q in idxs
                and self.learning[q]
                and self.mastery[q] >= threshold
                and self.answered(q) >= self.settings.test_out_min_answers
            )
            for q in self.graph._prerequisites[i]
        )

    def answered(self, i: int) -> int:
        """Answers on concept ``i``: its state's count, and at least one if a recent answer
        involves it that the state does not show yet."""
        return max(self.answers.get(i, 0), 1 if i in self.introduced else 0)

    def options(
        self,
        concept: int,
        band: tuple[float, float],
        *,
        exclude: frozenset[int] = frozenset(),
        new_budget: int | None = None,
        ignore_recent: bool = False,
        test_out: bool = False,
    ) -> list[_Option]:
        found = []
        for exercise_id in self.graph._by_concept[concept]:
            o = self.option(
                exercise_id,
                concept,
                band,
                exclude=exclude,
                new_budget=new_budget,
                ignore_recent=ignore_recent,
                test_out=test_out,
            )
            if o is not None:
                found.append(o)
        return found

    def best(self, concept: int, band: tuple[float, float], **kwargs: Any) -> _Option | None:
        """The concept's item that ``usual_order`` puts first."""
        found = self.options(concept, band, **kwargs)
        if not found:
            return None
        if kwargs.get("ignore_recent"):
            # Only when nothing else can be served: the least recently answered item.
            return min(
                found,
                key=lambda o: (self.last_answered.get(o.exercise_id, -1), o.distance, -o.gain, o.exercise_id),
            )
        return min(found, key=self.usual_order(band))

    @staticmethod
    def usual_order(band: tuple[float, float]) -> Callable[[_Option], tuple]:
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

    def first_best(self, order: Iterable[int], band: tuple[float, float], **kwargs: Any) -> _Option | None:
        for concept in order:
            o = self.best(concept, band, **kwargs)
            if o is not None:
                return o
        return None

    # -- the rules ----------------------------------------------------------------------
    def signals(self) -> _Signals:
        s = self.settings
        band = base_band = (s.target_success_low, s.target_success_high)
        slow = None
        slow_down = slow_down_figures = None
        if self.student.recent:
            last = self.student.recent[-1]
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
                    slow_down = (
                        "That answer came very quickly. Take your time and read each question carefully: "
                        "a careful try teaches you more than a quick guess."
                    )
                    slow_down_figures = {
                        "response_seconds": round(seconds, 1),
                        "expected_seconds": round(last.expected_seconds, 1),
                    }
        break_suggestion, break_figures = self.break_check()
        return _Signals(band, base_band, slow, slow_down, slow_down_figures, break_suggestion, break_figures)

    def break_check(self) -> tuple[str | None, dict | None]:
        s = self.settings
        student = self.student
        reset = timedelta(minutes=s.break_reset_minutes)
        start = student.session_started_at
        previous = start
        for item in self.session_items:
            if item.answered_at - previous >= reset:
                start = item.answered_at  # a pause: the clock restarts
            previous = item.answered_at
        if student.now - previous >= reset:
            start = student.now
        minutes = max(0.0, (student.now - start).total_seconds() / 60)
        if minutes >= s.break_after_minutes:
            return (
                f"You have been practising for {int(minutes)} minutes. A short break of a few minutes "
                "helps you remember what you learned.",
                {"reason": "time_on_task", "minutes_on_task": round(minutes, 1)},
            )
        graded = [r.correct for r in self.session_items if r.correct is not None]
        n = s.accuracy_window
        if len(graded) >= 2 * n:
            last = sum(graded[-n:]) / n
            before = sum(graded[-2 * n : -n]) / n
            if before > 0 and last <= before * (1 - s.accuracy_drop_fraction) + 1e-9:
                return (
                    f"Your last {n} answers were right {last:.0%} of the time, against {before:.0%} in the "
                    f"{n} before. You may be tired: a short break often helps.",
                    {
                        "reason": "accuracy_drop",
                        "accuracy_last": round(last, 3),
                        "accuracy_before": round(before, 3),
                    },
                )
        return None, None

    def error_concept(self) -> tuple[int, int] | None:
        """The concept of the last item with the longest error streak past the threshold."""
        if not self.student.recent:
            return None
        found = None
        for cid in self.student.recent[-1].concepts:
            i = self.graph._index.get(cid)
            state = self.student.states.get(cid)
            if i is None or state is None or not self.wanted[i]:
                continue
            if state.error_streak >= self.settings.errors_before_worked_example:
                if found is None or state.error_streak > found[1]:
                    found = (i, state.error_streak)
        return found

    def interleave_block(self) -> tuple[int, int] | None:
        """(concept, items in a row) when the last items overstayed on a concept past the
        interleaving mastery."""
        items = self.session_items
        if not items:
            return None
        s = self.settings
        for cid in items[-1].concepts:
            i = self.graph._index.get(cid)
            if i is None or not self.learning[i] or self.mastery[i] <= s.interleave_mastery:
                continue
            run = 0
            for item in reversed(items):
                if cid not in item.concepts:
                    break
                run += 1
            if run >= s.interleave_after:
                return i, run
        return None

    def focus(self) -> list[int]:
        """Concepts of the most recent item that are still being learned."""
        for item in reversed(self.student.recent):
            found = sorted(
                i
                for cid in item.concepts
                if (i := self.graph._index.get(cid)) is not None and self.learning[i]
            )
            if found:
                return found
        return []

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

    # -- decide -------------------------------------------------------------------------
    def decide(self) -> Decision:
        s = self.settings
        signals = self.signals()
        band = signals.band

        if not self.graph.concepts:
            return self.finish_nothing(signals)
        if not self.learning.any() and not self.due:
            return self.finish_done(signals)

        cap_budget = max(0, s.new_concepts_per_window - len(self.new_in_window))

        # 1. repeated errors
        errors = self.error_concept()
        if errors is not None:
            concept, streak = errors
            # A step back at 3 errors in a row, then again at 6, 9...: between them the
            # concept is retried with its worked example, not alternated with reviews.
            every = s.errors_before_prerequisite
            prerequisites = self.graph._prerequisites[concept]
            if streak >= every and streak % every == 0 and prerequisites:
                for pre in sorted(prerequisites, key=lambda p: (self.mastery[p], p)):
                    if self.mastery[pre] >= s.step_back_below:
                        break  # this one and the rest are confirmed: not the likely cause
                    o = self.best(pre, band, exclude=frozenset({concept}), new_budget=cap_budget)
                    if o is not None:
                        return self.finish(
                            RULE_PREREQUISITE,
                            o,
                            signals,
                            extra={
                                "errors_in_a_row": streak,
                                "for_concept": self.graph.concepts[concept].slug,
                                "for_concept_mastery": round(float(self.mastery[concept]), 3),
                                "prerequisite_masteries": {
                                    self.graph.concepts[p].slug: round(float(self.mastery[p]), 3)
                                    for p in prerequisites
                                },
                            },
                        )
            o, easier, last_predicted = self.remedial(concept, band, cap_budget)
            if o is not None:
                rule = RULE_WORKED_EXAMPLE if o.has_worked_example else RULE_EASIER_ITEM
                return self.finish(
                    rule,
                    o,
                    signals,
                    worked_example=WORKED_EXAMPLE_SHOW if o.has_worked_example else WORKED_EXAMPLE_NONE,
                    extra={
                        "errors_in_a_row": streak,
                        "easier_than_last": easier,
                        "last_item_predicted_success": None
                        if last_predicted is None
                        else round(last_predicted, 3),
                    },
                )

        blocked = self.interleave_block()
        blocked_set = frozenset({blocked[0]}) if blocked else frozenset()

        # 2. reviews due
        for concept in self.due:
            if concept in blocked_set:
                continue
            o = self.best(concept, band, exclude=blocked_set, new_budget=cap_budget)
            if o is not None:
                review = self.student.states[self.graph.concepts[concept].id].review_due_at
                overdue = (self.student.now - review).total_seconds() / 86400 if review else 0.0
                return self.finish(RULE_REVIEW_DUE, o, signals, extra={"days_overdue": round(overdue, 2)})

        # 3. learning, within the load rules
        focus = self.focus()
        blocked_concept = blocked[0] if blocked else None
        # Each relaxation is tried only when everything stricter found nothing: first the
        # interleaving (continuing a concept beats starting one beyond the cap), then the
        # cap, then the rule against repeating recent items.
        attempts: list[tuple[list[int], dict[str, Any]]] = [
            (
                self.learning_order(focus, blocked_concept, with_new=cap_budget > 0),
                {"exclude": blocked_set, "new_budget": cap_budget, "test_out": True},
            ),
            (
                [blocked_concept] if blocked_concept is not None else [],
                {"new_budget": cap_budget, "test_out": True},
            ),
            (self.learning_order(focus, None, with_new=True), {"new_budget": None, "test_out": True}),
            (list(self.due) + self.learning_order(focus, None, with_new=True), {"ignore_recent": True}),
        ]
        found = next(
            (
                (step, o, used)
                for step, (order, used) in enumerate(attempts)
                if (o := self.first_best(order, band, **used)) is not None
            ),
            None,
        )
        if found is None:
            return self.finish_nothing(signals)
        step, chosen, used = found
        interleave_failed = step == 1
        relaxed = step == 2 and bool(chosen.new_concepts)

        extra: dict[str, Any] = {
            "new_concepts_in_window": len(self.new_in_window),
            "new_concept_cap": s.new_concepts_per_window,
        }
        rule = RULE_INFORMATION_GAIN
        if signals.slow:
            # Say "easier" only when the shifted band did change the item.
            usual = self.best(chosen.concept, signals.base_band, **used)
            changed = usual is None or usual.exercise_id != chosen.exercise_id
            extra["slow_response_changed_item"] = changed
            if changed:
                rule = RULE_SLOW_RESPONSE
        if blocked is not None:
            extra["items_in_a_row"] = blocked[1]
            extra["previous_concept"] = self.graph.concepts[blocked[0]].slug
            extra["previous_concept_mastery"] = round(float(self.mastery[blocked[0]]), 3)
            if interleave_failed:
                extra["interleave"] = "no other concept could be practised now"
            elif chosen.concept != blocked[0]:
                rule = RULE_INTERLEAVE
        if self.deferred:
            extra["reviews_waiting"] = [self.graph.concepts[i].slug for i in self.deferred]
        if chosen.tested and rule == RULE_INFORMATION_GAIN:
            rule = RULE_TEST_OUT
        if relaxed:
            rule = RULE_NEW_CONCEPT_CAP_RELAXED
        elif cap_budget < s.new_concepts_per_window and not chosen.recent_relaxed:
            uncapped = self.first_best(
                self.learning_order(focus, blocked_concept, with_new=True),
                band,
                exclude=blocked_set,
                new_budget=None,
                test_out=True,
            )
            if (
                uncapped is not None
                and uncapped.exercise_id != chosen.exercise_id
                and len(uncapped.new_concepts) > cap_budget
            ):
                rule = RULE_NEW_CONCEPT_CAP
                extra["held_back_concepts"] = [self.graph.concepts[i].slug for i in uncapped.new_concepts]
        return self.finish(rule, chosen, signals, extra=extra)

    def remedial(
        self, concept: int, band: tuple[float, float], cap_budget: int
    ) -> tuple[_Option | None, bool, float | None]:
        """After errors: among the concept's items with a worked example (test-out items
        included), the usual choice (``best``); when none has one, an easier item than the
        one last failed, the easiest first and on this concept alone if possible. Also says
        whether the item is easier than the one last failed, and that one's prediction."""
        last_predicted = None
        cid = self.graph.concepts[concept].id
        for item in reversed(self.student.recent):
            if cid in item.concepts and item.exercise_id in self.graph._exercises:
                last_predicted = self.predicted(item.exercise_id)
                break

        def easier(o: _Option) -> bool:
            return last_predicted is None or o.predicted > last_predicted + 1e-9

        with_example = [
            o
            for o in self.options(concept, band, new_budget=cap_budget, test_out=True)
            if o.has_worked_example
        ]
        if with_example:
            best = min(with_example, key=self.usual_order(band))
            return best, easier(best), last_predicted
        found = self.options(concept, band, new_budget=cap_budget) or self.options(
            concept, band, new_budget=cap_budget, ignore_recent=True
        )
        if not found:
            return None, False, last_predicted

        best = min(
            found,
            key=lambda o: (
                not (easier(o) and o.has_worked_example),
                not easier(o),
                not o.has_worked_example,
                len(self.graph._exercise_concepts[o.exercise_id]),
                -o.predicted,
                o.exercise_id,
            ),
        )
        return best, easier(best), last_predicted

    # -- building the decision ----------------------------------------------------------
    def fading(self, o: _Option) -> str:
        if not o.has_worked_example:
            return WORKED_EXAMPLE_NONE
        mastery = float(self.mastery[o.concept])
        if mastery < self.settings.worked_example_full_below:
            return WORKED_EXAMPLE_SHOW
        if mastery < self.settings.worked_example_offer_below:
            return WORKED_EXAMPLE_OFFER
        return WORKED_EXAMPLE_NONE

    def finish(
        self,
        rule: str,
        o: _Option,
        signals: _Signals,
        *,
        worked_example: str | None = None,
        extra: dict | None = None,
    ) -> Decision:
        graph = self.graph
        concept = graph.concepts[o.concept]
        worked = self.fading(o) if worked_example is None else worked_example
        item_concepts = graph._exercise_concepts[o.exercise_id]
        reason: dict[str, Any] = {
            "rule": rule,
            "exercise_id": o.exercise_id,
            "concept": concept.slug,
            "concept_id": concept.id,
            "mastery": round(float(self.mastery[o.concept]), 3),
            "predicted_success": round(o.predicted, 3),
            "target_band": [round(signals.band[0], 3), round(signals.band[1], 3)],
            "in_band": o.distance == 0.0,
            "expected_items_saved": round(o.value, 3),
            "information_gain": round(o.gain, 4),
            "item_concepts": [
                {
                    "concept": graph.concepts[i].slug,
                    "mastery": round(float(self.mastery[i]), 3),
                    "information_gain": round(self.gain(i), 4) if self.wanted[i] or i in o.tested else 0.0,
                }
                for i in item_concepts
            ],
            "worked_example": worked,
        }
        if o.new_concepts:
            reason["starts_concepts"] = [graph.concepts[i].slug for i in o.new_concepts]
        if o.tested:
            reason["test_out"] = {
                "concepts": [graph.concepts[i].slug for i in o.tested],
                "ahead_of": [
                    graph.concepts[q].slug
                    for q in item_concepts
                    if not self.mastered[q] and any(q in graph._prerequisites[i] for i in o.tested)
                ],
                "test_out_from": self.settings.test_out_from,
                "answers_on_concept": self.answered(o.concept),
            }
        if o.recent_relaxed:
            reason["recent_items_relaxed"] = True
        if signals.slow:
            reason["slow_response"] = signals.slow
        reason.update(extra or {})
        self.add_signals(reason, signals)
        return Decision(
            exercise_id=o.exercise_id,
            concept_id=concept.id,
            rule=rule,
            reason=reason,
            message=self.message(rule, o, reason),
            worked_example=worked,
            break_suggestion=signals.break_suggestion,
            slow_down=signals.slow_down,
            done=False,
        )

    @staticmethod
    def add_signals(reason: dict, signals: _Signals) -> None:
        if signals.break_figures:
            reason["break"] = signals.break_figures
        if signals.slow_down_figures:
            reason["fast_wrong_answer"] = signals.slow_down_figures

    def finish_done(self, signals: _Signals) -> Decision:
        reason = {"rule": RULE_ALL_MASTERED, "concepts_mastered": int(self.mastered.sum())}
        self.add_signals(reason, signals)
        return Decision(
            exercise_id=None,
            concept_id=None,
            rule=RULE_ALL_MASTERED,
            reason=reason,
            message="You have mastered every concept in this course, and nothing is due for review. Well done!",
            worked_example=WORKED_EXAMPLE_NONE,
            break_suggestion=None,
            slow_down=signals.slow_down,
            done=True,
        )

    def finish_nothing(self, signals: _Signals) -> Decision:
        candidates = list(self.due) + np.flatnonzero(self.learning).tolist()
        empty = [self.graph.concepts[i].slug for i in candidates if not self.graph._by_concept[i]]
        reason = {
            "rule": RULE_NO_EXERCISE,
            "candidate_concepts": [self.graph.concepts[i].slug for i in candidates[:20]],
            "concepts_without_exercises": empty[:20],
        }
        self.add_signals(reason, signals)
        return Decision(
            exercise_id=None,
            concept_id=None,
            rule=RULE_NO_EXERCISE,
            reason=reason,
            message="There is no exercise you can practise right now. Your teacher has been told what is missing."
            if empty
            else "There is no exercise you can practise right now.",
            worked_example=WORKED_EXAMPLE_NONE,
            break_suggestion=signals.break_suggestion,
            slow_down=signals.slow_down,
            done=False,
        )

    def message(self, rule: str, o: _Option, reason: dict) -> str:
        concept = self.graph.concepts[o.concept]
        name = concept.name
        mastery = f"{self.mastery[o.concept]:.0%}"
        chance = f"{o.predicted:.0%}"
        level = (
            f"it is at a good level of challenge for you (about a {chance} chance of getting it right)"
            if o.distance == 0.0
            else f"it is the closest we have to the right level of challenge for you (about a {chance} chance)"
        )
        others = [
            self.graph.concepts[i].name
            for i in self.graph._exercise_concepts[o.exercise_id]
            if i != o.concept and self.wanted[i]
        ]
        also = f" It also practises {', '.join(others)}." if others else ""
        if rule == RULE_PREREQUISITE:
            return (
                f"{reason['errors_in_a_row']} answers in a row on {self._name(reason['for_concept'])} were not "
                f"right. It builds on {name}, so a quick review of {name} should help before you go back to it."
            )
        if rule == RULE_WORKED_EXAMPLE:
            then = "an easier exercise" if reason.get("easier_than_last") else "the exercise"
            return (
                f"The last {reason['errors_in_a_row']} answers on {name} were not right, so here is a worked "
                f"example to study first, then {then} to try yourself.{also}"
            )
        if rule == RULE_EASIER_ITEM:
            return (
                f"The last {reason['errors_in_a_row']} answers on {name} were not right, so here is an easier "
                "exercise on it to get you back on track."
            )
        if rule == RULE_REVIEW_DUE:
            return (
                f"Time to review {name}: you mastered it earlier, and a review now, just as you might start to "
                "forget it, helps you keep it."
            )
        if rule == RULE_INTERLEAVE:
            return (
                f"You did {reason['items_in_a_row']} exercises in a row on {self._name(reason['previous_concept'])} "
                f"and nearly have it. Mixing in {name} now helps you remember both.{also}"
            )
        if rule == RULE_NEW_CONCEPT_CAP:
            return (
                f"You started {len(self.new_in_window)} new topics in the last "
                f"{self.settings.new_concept_window_minutes:g} minutes, so let's keep working on {name} "
                f"(mastery {mastery}) before starting another.{also}"
            )
        if rule == RULE_TEST_OUT:
            ahead = ", ".join(self._name(slug) for slug in reason["test_out"]["concepts"])
            if not reason["test_out"]["answers_on_concept"]:
                return (
                    f"You may already know {name}: this exercise uses it in {ahead}, which builds on it. A right "
                    f"answer shows you know {name} and makes a start on {ahead} in one go; if not, the next "
                    f"exercises take {name} step by step.{also}"
                )
            return (
                f"You nearly have {name} (mastery {mastery}). This exercise uses it in {ahead}, which builds "
                f"on it: a right answer confirms {name} and makes a start on {ahead} in one go.{also}"
            )
        if rule == RULE_NEW_CONCEPT_CAP_RELAXED:
            return (
                f"You have mastered the topics you started recently, so here is a new one: {name}. "
                f"We chose this exercise because {level}.{also}"
            )
        if rule == RULE_SLOW_RESPONSE:
            return (
                f"That last one took a while, so here is a somewhat easier exercise on {name} "
                f"(about a {chance} chance of getting it right).{also}"
            )
        starting = o.concept in o.new_concepts
        what = (
            f"Next up in the course: {name}."
            if starting
            else f"You are working on {name} (mastery {mastery})."
        )
        return f"{what} We chose this exercise because {level}, and your answer will tell us the most about what you know.{also}"

    def _name(self, slug: str) -> str:
        i = self.graph._slug_index.get(slug)
        return slug if i is None else self.graph.concepts[i].name


__all__ = [
    "ConceptInfo",
    "ConceptState",
    "CourseGraph",
    "Decision",
    "ExerciseInfo",
    "PolicySettings",
    "RecentItem",
    "StudentView",
    "choose_next",
    "information_gain",
    "items_to_mastery",
    "predicted_success_bkt",
]
