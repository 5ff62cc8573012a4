"""Simulated learners for the practice loop: how many items each policy needs, and what the
students really know at the end and a month later.

Every simulated student has hidden, per-concept BKT parameters (drawn from the population's
Beta distributions, seeded) and a true known/unknown state per concept. A *policy* picks
items; the student answers from the hidden state; the tutor's beliefs are kept as the live
tutor keeps them (``students.learning.ConceptKnowledge`` records) and changed by the live
update itself (``students.learning.knowledge_update``: the student model's
``observe_answer``, the evidence weight of an answer after a worked example, the spaced
review of mastered concepts), and P(correct) comes from the live predictor
(``students.kt.model.predict_answer``), under every policy, so "mastered" means the same
for all of them: declared by that update (P(L) at ``PolicySettings.mastery_threshold`` and
``mastery_min_independent`` right answers of the student's own, one per exercise) and still
at the threshold. Each exercise shows its
answer after an answer as its kind does (``ExerciseInfo.answer_shown``: multiple choice
always, numeric when wrong, free text never; a worked example shown before it too), and a
later answer to it is passed to the update as "answer already shown". Nothing is written to
the database: a run takes a ``CourseGraph`` (``tutor.practice.selectors.course_graph`` for a
real course, ``random_course_graph`` for a generated one).

The modules: ``learners`` (the simulated students), ``beliefs`` (the tutor's beliefs),
``policies`` (what a policy sees, and the product's policy), ``baselines`` (mastery, fixed,
random), ``run`` (the run loop), ``results`` (figures and summaries), ``courses`` (random
courses).

**The simulated student** (``LearnerPopulation``; every number is an option of
``manage.py simulate_learners``):

* per concept, P(L0), P(T), P(G), P(S) ~ Beta(a, b), drawn once per student and concept;
* per item, the error rates grow with the item's authored difficulty d in [0, 1]: on the
  logit scale P(correct | known) = 1 - S and P(correct | unknown) = G are both lowered by
  ``difficulty_effect`` x (d - 0.5), so a hard item is slipped on more and guessed less;
* an answer to an item on several concepts is right only if every concept "passes"
  (noisy-AND, as in conjunctive knowledge tracing); the tutor's model combines the same
  way but with its own parameters, not the student's hidden ones;
* after each answer every unknown concept of the item becomes known with P(T), divided by
  ``prerequisite_slowdown`` while any of its prerequisites is not truly known;
* a known concept is forgotten at an exponential rate: it survives t days with probability
  2^(-t / h). The half-life h starts at the student's own (log-normal around
  ``half_life_days``) and grows with spaced practice: practising a known concept whose
  recall probability has fallen to R multiplies h by 1 + ``spacing_gain`` x (1 - R), so
  massed practice (R close to 1) barely helps and a well-timed review helps most (the
  spacing effect). Relearning a forgotten concept keeps its half-life (savings).

**Time.** An item takes its ``expected_seconds`` times a log-normal factor, plus a few
seconds of feedback; a session lasts ``session_minutes`` (the tutor's own break rule) and
the next one starts a day later, so reviews fall due and concepts are forgotten between
sessions.

**Policies.** ``adaptive`` is the product: ``tutor.pedagogy.choose_next`` with the course's
settings, worked examples shown when it says "show" (an answer after one carries less
evidence). The baselines live here, not in the product:

* ``mastery`` (mastery learning, the Cognitive Tutor way): the first concept in curriculum
  order whose belief is below the threshold is practised until it reaches it, with the
  concept's problems (those that involve no concept later in the curriculum), least-served
  first; the course is mastered when every concept's belief is at the threshold;
* ``fixed`` (the worksheet): curriculum order, ``fixed_items_per_concept`` items per
  concept from the same problem sets, then the course counts as done;
* ``random``: any exercise at random until every belief reaches the threshold.

Every policy stops at ``max_items_per_concept`` x concepts items. Exercises answered in the
last ``recent_items_excluded`` items are not repeated by the baselines either.

**Figures** per student: items served until the course is declared mastered (or the cap);
the share of concepts truly known then and ``retention_days`` later (an expected share: each
known concept counts by its survival probability); items whose every concept was already
truly known when served; concepts declared mastered (every concept for ``fixed``) that were
not truly known; items served again while their shown answer was within the window
(``repeats_after_reveal``); the fewest answers a concept had when it was declared mastered
(``min_answers_at_mastery``).
"""

from tutor.pedagogy.simulation.baselines import FixedPolicy, MasteryPolicy, RandomPolicy, problem_sets
from tutor.pedagogy.simulation.beliefs import TutorBeliefs, concept_state, tutor_params
from tutor.pedagogy.simulation.courses import random_course_graph
from tutor.pedagogy.simulation.learners import Learner, LearnerPopulation
from tutor.pedagogy.simulation.policies import DAY, DONE, START, AdaptivePolicy, Choice, Policy, Run
from tutor.pedagogy.simulation.results import PolicySummary, StudentResult, summarize
from tutor.pedagogy.simulation.run import POLICIES, RunSettings, make_policy, simulate, simulate_student

__all__ = [
    "DAY",
    "DONE",
    "POLICIES",
    "START",
    "AdaptivePolicy",
    "Choice",
    "FixedPolicy",
    "Learner",
    "LearnerPopulation",
    "MasteryPolicy",
    "Policy",
    "PolicySummary",
    "RandomPolicy",
    "Run",
    "RunSettings",
    "StudentResult",
    "TutorBeliefs",
    "concept_state",
    "make_policy",
    "problem_sets",
    "random_course_graph",
    "simulate",
    "simulate_student",
    "summarize",
    "tutor_params",
]
