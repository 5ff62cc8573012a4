"""The pedagogical model: which item a student practises next, and why.

Pure (no database): callers build the course (``CourseGraph``) and the student
(``StudentView``) as plain frozen dataclasses and call ``choose_next``; the live tutor does
it in ``tutor.practice.selectors``, the learner simulator (``tutor.pedagogy.simulation``) in
memory. How a choice is made is told in ``tutor.pedagogy.choose``. The modules:

* ``graph``: the course and its per-course indexes;
* ``state``: what the policy knows of the student, and the ``Decision`` it returns;
* ``situation``: one call's view of the student (mastered, ready, due, recent...);
* ``value``: the scoring maths (items to mastery, items saved, information gain);
* ``options``: the candidate items and their usual order;
* ``load``: the cognitive-load rules (signals, breaks, error runs, interleaving, fading);
* ``reasons``: the rule codes and the wording the student reads;
* ``decision``: the decision with its machine-readable reason;
* ``choose``: the decision flow;
* ``bench``: speed figures of ``choose_next`` on a large random course;
* ``simulation``: simulated learners under the product's policy and the baselines.
"""

from tutor.pedagogy.choose import choose_next
from tutor.pedagogy.graph import ConceptInfo, CourseGraph, ExerciseInfo
from tutor.pedagogy.reasons import (
    RENAMED_RULES,
    RULE_ALL_MASTERED,
    RULE_CAP_PRACTICE_MASTERED,
    RULE_EASIER_ITEM,
    RULE_INTERLEAVE,
    RULE_MOST_ITEMS_SAVED,
    RULE_NEW_CONCEPT_CAP,
    RULE_NEW_CONCEPT_CAP_RELAXED,
    RULE_NO_EXERCISE,
    RULE_OPTIONAL_PRACTICE,
    RULE_PRACTICE_WHILE_ANSWERS_SHOWN,
    RULE_PREREQUISITE,
    RULE_REVIEW_DUE,
    RULE_SLOW_RESPONSE,
    RULE_TEST_OUT,
    RULE_WORKED_EXAMPLE,
    WORKED_EXAMPLE_NONE,
    WORKED_EXAMPLE_OFFER,
    WORKED_EXAMPLE_SHOW,
)
from tutor.pedagogy.state import EARLIER_ITEMS, ConceptState, Decision, RecentItem, Reveal, StudentView
from tutor.pedagogy.value import information_gain, items_to_mastery, predicted_success_bkt

__all__ = [
    "EARLIER_ITEMS",
    "RENAMED_RULES",
    "RULE_ALL_MASTERED",
    "RULE_CAP_PRACTICE_MASTERED",
    "RULE_EASIER_ITEM",
    "RULE_INTERLEAVE",
    "RULE_MOST_ITEMS_SAVED",
    "RULE_NEW_CONCEPT_CAP",
    "RULE_NEW_CONCEPT_CAP_RELAXED",
    "RULE_NO_EXERCISE",
    "RULE_OPTIONAL_PRACTICE",
    "RULE_PRACTICE_WHILE_ANSWERS_SHOWN",
    "RULE_PREREQUISITE",
    "RULE_REVIEW_DUE",
    "RULE_SLOW_RESPONSE",
    "RULE_TEST_OUT",
    "RULE_WORKED_EXAMPLE",
    "WORKED_EXAMPLE_NONE",
    "WORKED_EXAMPLE_OFFER",
    "WORKED_EXAMPLE_SHOW",
    "ConceptInfo",
    "ConceptState",
    "CourseGraph",
    "Decision",
    "ExerciseInfo",
    "RecentItem",
    "Reveal",
    "StudentView",
    "choose_next",
    "information_gain",
    "items_to_mastery",
    "predicted_success_bkt",
]
