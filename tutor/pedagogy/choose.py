"""Next-item selection: the decision flow of the pedagogical model, as a pure function.

``choose_next(graph, student, settings, predict)`` decides what one student practises
next. It knows nothing of Django: the live tutor (``tutor.practice.selectors``) and the
learner simulator (``tutor.pedagogy.simulation``) both build the plain frozen dataclasses of
``tutor.pedagogy.graph`` and ``tutor.pedagogy.state`` and call it, so the two always run the
same policy. This module runs the rules in their order; the other modules of the package
each hold one part: the student's situation (``situation``), the scoring maths (``value``),
the candidate items and their order (``options``), the cognitive-load rules (``load``), the
rule codes and wording (``reasons``) and the decision with its reason (``decision``).

How a choice is made, in order (the first rule that yields an item wins):

**Mastered** means declared so by the student model (``students.learning.knowledge_update``:
P(L) at ``mastery_threshold`` *and* ``mastery_min_independent`` right answers given without
hints, worked example or a previously shown answer, one per exercise) and still at the
threshold. A belief at the threshold without that evidence is still being learned: only
items that can still give an independent right answer (never shown with their answer, not
credited yet) are worth anything to it (one item saved each), and when none may be served
the concept waits (for the concept its remaining items combine it with).

1. **Nothing left** - every concept mastered and no review due: ``done``, rule
   ``all_mastered``; unless the student asked to practise on (``optional_practice``): then
   an item on the mastered concept with the weakest memory (the earliest review date), in
   the target band or else the hardest, labelled optional (``optional_practice_after_mastery``,
   ``Decision.optional``); "all mastered" stays true.
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
   it teaches nothing the student is missing (the simulator, ``tutor.pedagogy.simulation``, showed
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
   target band, or, when none does, the item closest to it (rule ``most_items_saved``; it
   was stored as ``information_gain`` before, and ``Decision.from_dict`` still reads that).

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
  window, counting every concept started in it, mastered since or not; when the cap changes
  the choice the rule is ``new_concept_cap``. When nothing started is left to learn and the
  cap holds a new concept back, the student practises a mastered concept instead (the
  weakest memory first, ``new_concept_cap_practice_mastered``): a teacher's "two new topics
  at a time" is about what a student can take in, not about what is left half-learned (the
  cap was once lifted there, and a student who answered mostly right saw 6 concepts
  started in 20 minutes against a cap of 2). Only when no other item at all may be served
  is it lifted (``new_concept_cap_relaxed``, and the message says so);
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

**No answer shown twice too soon.** An exercise whose answer the student has seen (the
feedback of a multiple-choice item shows its correct options, that of a wrong numeric
answer the value; a worked example shown before an item solves it; ``StudentView.revealed``)
is not served again until both ``reveal_hold_items`` answers and ``reveal_hold_days`` days
have passed: not after errors (the remedial item comes from the others, else the usual flow
goes on), not for a review, not for learning. When everything left to learn has only such
items, a mastered concept is practised (``mastered_practice_while_answers_shown``); only
when nothing else at all may be served does one come back early, the one shown longest ago
(the reason carries ``answer_shown_before``, the message says so), and its right answer
then counts as weaker evidence (``students.learning``: ``revealed_evidence_factor``). On a
course with few items per concept that practice costs items (the demo course, in the
simulator, needs about 1.3 x the items of mastery learning with it, 0.95 x without it but
with about 13 early repeats per student): the course may shorten the window.

**Reasons in plain words.** Where the item stands against the target band is stated as
it is (``band_position``): in the band; the easiest item left on the concept when all are
harder than wanted (or, when an easier one teaches less, "harder than usual, but teaches
the most"); and the reason says how sure the tutor is and on how many answers
(``evidence``), or "not started".

Speed: ``CourseGraph`` holds every per-course index (build it once per course and cache
it); a call costs one pass over the student's concept states plus the items of the few
concepts it actually considers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from content.api import PolicySettings
from tutor.pedagogy.decision import finish, finish_done, finish_nothing
from tutor.pedagogy.graph import CourseGraph
from tutor.pedagogy.load import error_concept, interleave_block, signals_of
from tutor.pedagogy.options import Option, best, first_best, options, usual_order
from tutor.pedagogy.reasons import (
    RULE_CAP_PRACTICE_MASTERED,
    RULE_EASIER_ITEM,
    RULE_INTERLEAVE,
    RULE_MOST_ITEMS_SAVED,
    RULE_NEW_CONCEPT_CAP,
    RULE_NEW_CONCEPT_CAP_RELAXED,
    RULE_OPTIONAL_PRACTICE,
    RULE_PRACTICE_WHILE_ANSWERS_SHOWN,
    RULE_PREREQUISITE,
    RULE_REVIEW_DUE,
    RULE_SLOW_RESPONSE,
    RULE_TEST_OUT,
    RULE_WORKED_EXAMPLE,
    WORKED_EXAMPLE_NONE,
    WORKED_EXAMPLE_SHOW,
)
from tutor.pedagogy.situation import Situation
from tutor.pedagogy.state import Decision, StudentView


def choose_next(
    graph: CourseGraph,
    student: StudentView,
    settings: PolicySettings,
    predict: Callable[[int], float],
) -> Decision:
    """The next exercise for this student, with the rule that chose it and why.

    ``predict(exercise_id)`` is the caller's P(correct) of this student on an exercise
    (the student model's one predictor, ``students.kt.model.predict_answer``: BKT mastery
    combined with item difficulty and ability); it is only called for the items of the
    concepts actually considered."""
    return decide(Situation(graph, student, settings, predict))


def decide(sit: Situation) -> Decision:
    """The rules in their order (module docstring): the first that yields an item wins."""
    s = sit.settings
    signals = signals_of(sit)
    band = signals.band

    if not sit.graph.concepts:
        return finish_nothing(sit, signals)
    if not sit.learning.any() and not sit.due:
        if sit.student.optional_practice:
            o = extra_practice(sit, band)
            if o is not None:
                return finish(
                    sit,
                    RULE_OPTIONAL_PRACTICE,
                    o,
                    signals,
                    optional=True,
                    extra={"concepts_mastered": int(sit.mastered.sum()), **memory_figures(sit, o.concept)},
                )
        return finish_done(sit, signals)

    cap_budget = max(0, s.new_concepts_per_window - len(sit.new_in_window))

    # 1. repeated errors
    errors = error_concept(sit)
    if errors is not None:
        concept, streak = errors
        # A step back at 3 errors in a row, then again at 6, 9...: between them the
        # concept is retried with its worked example, not alternated with reviews.
        every = s.errors_before_prerequisite
        prerequisites = sit.graph.prerequisite_ranks[concept]
        if streak >= every and streak % every == 0 and prerequisites:
            for pre in sorted(prerequisites, key=lambda p: (sit.mastery[p], p)):
                if sit.mastery[pre] >= s.step_back_below:
                    break  # this one and the rest are confirmed: not the likely cause
                o = best(sit, pre, band, exclude=frozenset({concept}), new_budget=cap_budget)
                if o is not None:
                    return finish(
                        sit,
                        RULE_PREREQUISITE,
                        o,
                        signals,
                        extra={
                            "errors_in_a_row": streak,
                            "for_concept": sit.graph.concepts[concept].slug,
                            "for_concept_mastery": round(float(sit.mastery[concept]), 3),
                            "prerequisite_masteries": {
                                sit.graph.concepts[p].slug: round(float(sit.mastery[p]), 3)
                                for p in prerequisites
                            },
                        },
                    )
        o, easier, last_predicted = remedial(sit, concept, band, cap_budget)
        if o is not None:
            rule = RULE_WORKED_EXAMPLE if o.has_worked_example else RULE_EASIER_ITEM
            return finish(
                sit,
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

    blocked = interleave_block(sit)
    blocked_set = frozenset({blocked[0]}) if blocked else frozenset()

    # 2. reviews due
    for concept in sit.due:
        if concept in blocked_set:
            continue
        o = best(sit, concept, band, exclude=blocked_set, new_budget=cap_budget)
        if o is not None:
            review = sit.student.states[sit.graph.concepts[concept].id].review_due_at
            overdue = (sit.student.now - review).total_seconds() / 86400 if review else 0.0
            return finish(sit, RULE_REVIEW_DUE, o, signals, extra={"days_overdue": round(overdue, 2)})

    # 3. learning, within the load rules
    focus = sit.focus()
    blocked_concept = blocked[0] if blocked else None
    # Each relaxation is tried only when everything stricter found nothing: first the
    # interleaving (continuing a concept beats starting one beyond the cap), then the
    # cap, then the rule against repeating recent items.
    attempts: list[tuple[list[int], dict[str, Any]]] = [
        (
            sit.learning_order(focus, blocked_concept, with_new=cap_budget > 0),
            {"exclude": blocked_set, "new_budget": cap_budget, "test_out": True},
        ),
        (
            [blocked_concept] if blocked_concept is not None else [],
            {"new_budget": cap_budget, "test_out": True},
        ),
        (sit.learning_order(focus, None, with_new=True), {"new_budget": None, "test_out": True}),
        ([], {}),  # extra practice on a mastered concept rather than an answer seen (below)
        (
            sit.learning_order(focus, None, with_new=True),
            {"new_budget": None, "test_out": True, "ignore_held": True},
        ),
        (list(sit.due) + sit.learning_order(focus, None, with_new=True), {"ignore_recent": True}),
    ]
    found = None
    for step, (order, used) in enumerate(attempts):
        if step == 2:
            # The cap holds against every concept started in the window, mastered since or
            # not: while it holds back a new concept and nothing started is left to
            # practise, the student practises what they have mastered (weakest memory
            # first) rather than starting another concept.
            held_back = sit.new_held_back(cap_budget)
            o = extra_practice(sit, band) if held_back else None
            if o is not None:
                extra = {
                    "new_concepts_in_window": len(sit.new_in_window),
                    "new_concept_cap": s.new_concepts_per_window,
                    "held_back_concepts": [sit.graph.concepts[i].slug for i in held_back[:5]],
                    **memory_figures(sit, o.concept),
                }
                return finish(sit, RULE_CAP_PRACTICE_MASTERED, o, signals, extra=extra)
        if step == 4:
            # What is left to learn has only items whose answer the student saw within the
            # window: practice on a mastered concept comes first, such an item only after.
            o = extra_practice(sit, band)
            if o is not None:
                waiting = [
                    i for i in np.flatnonzero(sit.learning).tolist() if sit.graph.exercise_ids_by_rank[i]
                ]
                extra = {
                    "waiting_concepts": [sit.graph.concepts[i].slug for i in waiting[:5]],
                    "reveal_hold_items": s.reveal_hold_items,
                    "reveal_hold_days": s.reveal_hold_days,
                    **memory_figures(sit, o.concept),
                }
                return finish(sit, RULE_PRACTICE_WHILE_ANSWERS_SHOWN, o, signals, extra=extra)
            continue
        o = first_best(sit, order, band, **used)
        if o is not None:
            found = (step, o, used)
            break
    if found is None:
        return finish_nothing(sit, signals)
    step, chosen, used = found
    interleave_failed = step == 1
    relaxed = step in (2, 3, 5) and bool(chosen.new_concepts)

    extra: dict[str, Any] = {
        "new_concepts_in_window": len(sit.new_in_window),
        "new_concept_cap": s.new_concepts_per_window,
    }
    rule = RULE_MOST_ITEMS_SAVED
    if signals.slow:
        # Say "easier" only when the shifted band did change the item.
        usual = best(sit, chosen.concept, signals.base_band, **used)
        changed = usual is None or usual.exercise_id != chosen.exercise_id
        extra["slow_response_changed_item"] = changed
        if changed:
            rule = RULE_SLOW_RESPONSE
    if blocked is not None:
        extra["items_in_a_row"] = blocked[1]
        extra["previous_concept"] = sit.graph.concepts[blocked[0]].slug
        extra["previous_concept_mastery"] = round(float(sit.mastery[blocked[0]]), 3)
        if interleave_failed:
            extra["interleave"] = "no other concept could be practised now"
        elif chosen.concept != blocked[0]:
            rule = RULE_INTERLEAVE
    if sit.deferred:
        extra["reviews_waiting"] = [sit.graph.concepts[i].slug for i in sit.deferred]
    if chosen.tested and rule == RULE_MOST_ITEMS_SAVED:
        rule = RULE_TEST_OUT
    if relaxed:
        rule = RULE_NEW_CONCEPT_CAP_RELAXED
    elif cap_budget < s.new_concepts_per_window and not chosen.recent_relaxed:
        uncapped = first_best(
            sit,
            sit.learning_order(focus, blocked_concept, with_new=True),
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
            extra["held_back_concepts"] = [sit.graph.concepts[i].slug for i in uncapped.new_concepts]
    return finish(sit, rule, chosen, signals, extra=extra)


def remedial(
    sit: Situation, concept: int, band: tuple[float, float], cap_budget: int
) -> tuple[Option | None, bool, float | None]:
    """After errors: among the concept's items with a worked example (test-out items
    included), the usual choice (``best``); when none has one, an easier item than the
    one last failed, the easiest first and on this concept alone if possible. Also says
    whether the item is easier than the one last failed, and that one's prediction."""
    last_predicted = None
    cid = sit.graph.concepts[concept].id
    for item in reversed(sit.student.recent):
        if cid in item.concepts and item.exercise_id in sit.graph.exercises_by_id:
            last_predicted = sit.predicted(item.exercise_id)
            break

    def easier(o: Option) -> bool:
        return last_predicted is None or o.predicted > last_predicted + 1e-9

    with_example = [
        o for o in options(sit, concept, band, new_budget=cap_budget, test_out=True) if o.has_worked_example
    ]
    if with_example:
        pick = min(with_example, key=usual_order(band))
        return pick, easier(pick), last_predicted
    # No item whose answer was shown within the window: when the concept has none left,
    # the usual flow goes on (another concept), and relaxes that rule only as a last resort.
    found = options(sit, concept, band, new_budget=cap_budget) or [
        o
        for o in options(sit, concept, band, new_budget=cap_budget, ignore_recent=True)
        if not o.held_relaxed
    ]
    if not found:
        return None, False, last_predicted

    pick = min(
        found,
        key=lambda o: (
            not (easier(o) and o.has_worked_example),
            not easier(o),
            not o.has_worked_example,
            len(sit.graph.exercise_ranks[o.exercise_id]),
            -o.predicted,
            o.exercise_id,
        ),
    )
    return pick, easier(pick), last_predicted


def extra_practice(sit: Situation, band: tuple[float, float]) -> Option | None:
    """Practice beyond what the course requires, on mastered concepts: the weakest memory
    first (the earliest spaced-review due date: under FSRS the due date is where recall
    falls to its target, so the soonest is the memory closest to fading; a concept without
    one by its mastery), and on it, a challenging item: in the target band if one is, else
    the hardest, never one whose answer was shown within the window nor a new concept."""
    states = sit.student.states
    far = sit.student.now.replace(year=9999)

    def memory(i: int) -> tuple:
        state = states.get(sit.graph.concepts[i].id)
        due = state.review_due_at if state is not None and state.review_due_at is not None else far
        return (due, float(sit.mastery[i]), i)

    for i in sorted(np.flatnonzero(sit.mastered).tolist(), key=memory):
        found = options(sit, i, band, new_budget=0)
        if found:
            return min(found, key=lambda o: (round(o.distance, 9), o.predicted, o.exercise_id))
    return None


def memory_figures(sit: Situation, i: int) -> dict[str, Any]:
    """The figures of a mastered concept's memory: when its review is due, in days."""
    state = sit.student.states.get(sit.graph.concepts[i].id)
    due = state.review_due_at if state is not None else None
    days = None if due is None else round((due - sit.student.now).total_seconds() / 86400, 2)
    return {"review_due_in_days": days}


__all__ = ["choose_next", "decide", "extra_practice", "memory_figures", "remedial"]
