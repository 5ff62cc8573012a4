"""The stored student model (``students.knowledge.knowledge_apply``) with the evidence
rules: an item whose answer the feedback showed is "revealed" for later answers, the
independent right answers are stored per concept, and the selectors give the policy both."""

from __future__ import annotations

import pytest

from content.models import ExerciseKind
from students import selectors
from students.models import KnowledgeState
from students.services import attempt_record
from tests.factories import ChoiceFactory, ConceptFactory, CourseFactory, ExerciseFactory, StudentFactory

pytestmark = pytest.mark.django_db


def _answer(student, exercise, *, correct=True, **kwargs):
    flags = {"hints_used": 0, "worked_example_shown": False, **kwargs}
    return attempt_record(
        student=student,
        exercise=exercise,
        context="practice:1",
        response={},
        score=1.0 if correct else 0.0,
        is_correct=correct,
        response_seconds=20.0,
        reason={},
        predicted_correct=None,
        **flags,
    )[0]


@pytest.fixture
def course():
    course = CourseFactory(slug="elec", settings={"mastery_min_independent": 2})
    paths = ConceptFactory(course=course, slug="paths", order=0)
    for i in range(3):
        mc = ExerciseFactory(
            course=course, slug=f"mc-{i}", kind=ExerciseKind.MULTIPLE_CHOICE, concepts=[paths]
        )
        ChoiceFactory(exercise=mc, text="right", is_correct=True)
        ChoiceFactory(exercise=mc, text="wrong")
    ExerciseFactory(
        course=course,
        slug="num",
        kind=ExerciseKind.NUMERIC,
        numeric_value=1.5,
        concepts=[paths],
        worked_example="",
    )
    return course


def _exercise(course, slug):
    return course.exercises.get(slug=slug)


def test_a_multiple_choice_item_answered_once_counts_as_revealed_the_next_time(course):
    student = StudentFactory()
    mc = _exercise(course, "mc-0")
    _answer(student, mc)

    # When the same item is answered right again
    _answer(student, mc)

    # Then only the first answer counted as the student's own
    state = KnowledgeState.objects.get(student=student, concept__slug="paths")
    assert state.independent_correct == 1
    assert state.credited_exercises == [mc.pk]


def test_mastery_waits_for_the_courses_minimum_of_independent_answers(course):
    student = StudentFactory()
    _answer(student, _exercise(course, "mc-0"), hints_used=1)
    _answer(student, _exercise(course, "mc-1"))
    state = KnowledgeState.objects.get(student=student, concept__slug="paths")
    assert state.mastered_at is None

    _answer(student, _exercise(course, "mc-2"))

    state.refresh_from_db()
    assert state.independent_correct == 2
    assert state.mastered_at is not None


def test_reveals_are_the_shown_answers_with_the_answers_since(course):
    student = StudentFactory()
    mc, num = _exercise(course, "mc-0"), _exercise(course, "num")
    _answer(student, mc)  # a multiple-choice answer shows the correct options
    _answer(student, num, correct=True)  # a right numeric answer shows nothing new
    _answer(student, _exercise(course, "mc-1"), correct=False)

    reveals = {r.exercise_id: r for r in selectors.reveals_in_course(student, course.pk, items=30)}

    assert set(reveals) == {mc.pk, _exercise(course, "mc-1").pk}
    assert reveals[mc.pk].answers_since == 2
    assert reveals[_exercise(course, "mc-1").pk].answers_since == 0


def test_a_wrong_numeric_answer_and_a_worked_example_reveal_the_item(course):
    student = StudentFactory()
    num = _exercise(course, "num")
    _answer(student, num, correct=False)

    assert [r.exercise_id for r in selectors.reveals_in_course(student, course.pk, items=5)] == [num.pk]

    other = StudentFactory()
    _answer(other, num, correct=True, worked_example_shown=True)
    assert [r.exercise_id for r in selectors.reveals_in_course(other, course.pk, items=5)] == [num.pk]


def test_the_evidence_selector_gives_the_credited_exercises_per_concept(course):
    student = StudentFactory()
    mc = _exercise(course, "mc-0")
    _answer(student, mc)

    evidence = selectors.evidence_for_course(student, course.pk)

    (row,) = evidence.values()
    assert row.independent_correct == 1 and row.credited == (mc.pk,)
