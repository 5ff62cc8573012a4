"""The practice loop end to end through the service and the pages."""

from __future__ import annotations

import pytest

from content.checking import AnswerError
from content.models import ExerciseKind, Status
from students.models import Attempt, AttemptStatus, KnowledgeHistory, KnowledgeState
from tests.factories import (
    ChoiceFactory,
    ConceptFactory,
    CourseFactory,
    ExerciseFactory,
    HintFactory,
    ReferenceAnswerFactory,
    StudentFactory,
)
from tutor.practice import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = CourseFactory(slug="elec")
    paths = ConceptFactory(course=course, slug="paths", name="Closed paths", order=0)
    gaps = ConceptFactory(course=course, slug="gaps", name="Gaps", order=1)
    gaps.prerequisites.add(paths)
    for i in range(3):
        mc = ExerciseFactory(
            course=course, slug=f"mc-{i}", kind=ExerciseKind.MULTIPLE_CHOICE, concepts=[paths], difficulty=0.3
        )
        ChoiceFactory(exercise=mc, text="right", is_correct=True, feedback="Yes: a closed path.")
        ChoiceFactory(exercise=mc, text="wrong", feedback="No: there is a gap.")
        HintFactory(exercise=mc, text="First hint", order=0)
        HintFactory(exercise=mc, text="Second hint", order=1)
    both = ExerciseFactory(
        course=course,
        slug="num",
        kind=ExerciseKind.NUMERIC,
        numeric_value=1.5,
        numeric_tolerance=0.05,
        unit="V",
        concepts=[paths, gaps],
    )
    HintFactory(exercise=both)
    ft = ExerciseFactory(course=course, slug="ft", kind=ExerciseKind.FREE_TEXT, concepts=[gaps])
    ReferenceAnswerFactory(exercise=ft)
    return course


def _serve(student, course):
    session = services.practice_start(student, course)
    return session, services.practice_next(session)


def _on_screen(student, course, slug):
    """A session with this exercise on screen, as if the tutor had chosen it."""
    session = services.practice_start(student, course)
    exercise = course.exercises.get(slug=slug)
    session.current_exercise = exercise
    session.save()
    return session, exercise


def _answer_right(session, served):
    exercise = session.current_exercise
    if exercise.kind == ExerciseKind.MULTIPLE_CHOICE:
        return services.practice_answer(
            session, exercise.pk, choices=[exercise.choices.get(is_correct=True).pk]
        )
    if exercise.kind == ExerciseKind.NUMERIC:
        return services.practice_answer(session, exercise.pk, value="1.5 V")
    return services.practice_answer(session, exercise.pk, text="A closed path through the battery.")


def test_the_tutor_serves_an_item_with_a_reason_and_keeps_it_on_reload(student, course):
    session, served = _serve(student, course)

    assert served.exercise is not None
    assert served.decision.reason["rule"] == served.decision.rule
    assert served.decision.message
    again = services.practice_next(session)
    assert again.exercise.id == served.exercise.id


def test_prerequisites_come_first(student, course):
    _, served = _serve(student, course)

    # Gaps is not ready: it starts only inside an item that practises Closed paths too
    # (test-out on the prior, 0.4, past test_out_from), never on its own
    assert served.exercise.concepts == ("Closed paths", "Gaps")
    assert served.decision.rule == "test_out"


def test_a_course_may_ask_for_an_answer_before_test_out(student, course):
    course.settings = {"test_out_min_answers": 1}
    course.save()

    _, served = _serve(student, course)

    assert served.exercise.concepts == ("Closed paths",)


def test_a_right_answer_is_logged_with_its_reason_and_updates_every_concept(student, course):
    session, served = _serve(student, course)

    outcome = _answer_right(session, served)

    attempt = outcome.attempt
    assert attempt.status == AttemptStatus.GRADED and attempt.score == 1.0 and attempt.is_correct
    assert attempt.reason["rule"] == served.decision.rule
    assert attempt.knowledge_updated
    concepts = set(attempt.exercise.concepts.values_list("pk", flat=True))
    states = KnowledgeState.objects.filter(student=student)
    assert set(states.values_list("concept_id", flat=True)) == concepts
    assert all(c.after > c.before for c in outcome.changes)
    assert KnowledgeHistory.objects.filter(attempt=attempt).count() == len(concepts)


def test_a_multi_concept_item_updates_all_its_concepts(student, course):
    session, numeric = _on_screen(student, course, "num")

    outcome = services.practice_answer(session, numeric.pk, value="1.5")

    assert {c.name for c in outcome.changes} == {"Closed paths", "Gaps"}


def test_an_answer_to_another_exercise_is_refused(student, course):
    session, served = _serve(student, course)
    other = course.exercises.exclude(pk=served.exercise.id).first()

    with pytest.raises(services.PracticeError, match=f"Exercise {other.pk} is not the exercise on screen"):
        services.practice_answer(session, other.pk, text="forged")
    assert not Attempt.objects.exists()


def test_a_wrong_unit_is_named_and_nothing_is_logged(student, course):
    session, numeric = _on_screen(student, course, "num")

    with pytest.raises(AnswerError, match="'mA' is not the unit this answer expects"):
        services.practice_answer(session, numeric.pk, value="1.5 mA")
    assert not Attempt.objects.exists()


def test_a_huge_free_text_answer_is_refused_with_its_size(student, course):
    session, ft = _on_screen(student, course, "ft")

    with pytest.raises(AnswerError, match="50000 characters long; the limit is 2000"):
        services.practice_answer(session, ft.pk, text="x" * 50_000)
    assert not Attempt.objects.exists()


def test_a_free_text_answer_is_pending_and_never_blocks_the_loop(student, course):
    session, ft = _on_screen(student, course, "ft")

    outcome = services.practice_answer(session, ft.pk, text="Because the switch makes a gap.")

    assert outcome.attempt.status == AttemptStatus.PENDING
    assert outcome.attempt.score is None and not outcome.attempt.knowledge_updated
    assert services.practice_next(session).exercise is not None


def test_a_free_text_answer_is_queued_for_the_grader_only_once_committed(
    student, course, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(services.modeling_api, "grading_queue", lambda attempt_id: queued.append(attempt_id))
    session, ft = _on_screen(student, course, "ft")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = services.practice_answer(session, ft.pk, text="Because the switch makes a gap.")
        assert queued == []  # not before the answer's transaction commits
    for callback in callbacks:
        callback()

    assert queued == [outcome.attempt.pk]
    assert outcome.attempt.context == f"practice:{session.pk}"


def test_a_checked_answer_queues_no_grading(student, course, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(services.modeling_api, "grading_queue", lambda attempt_id: queued.append(attempt_id))
    session, mc = _on_screen(student, course, "mc-0")

    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.practice_answer(session, mc.pk, choices=[mc.choices.get(is_correct=True).pk])

    assert outcome.attempt.status == AttemptStatus.GRADED
    assert queued == []


def test_hints_come_one_at_a_time_and_count_as_weaker_evidence(student, course):
    session, mc = _on_screen(student, course, "mc-0")
    assert mc.kind == ExerciseKind.MULTIPLE_CHOICE

    first = services.practice_hint(session, mc.pk)
    second = services.practice_hint(session, mc.pk)

    assert first == ("First hint", 1, 2) and second == ("Second hint", 2, 2)
    with pytest.raises(services.PracticeError, match="All hints"):
        services.practice_hint(session, mc.pk)
    outcome = services.practice_answer(session, mc.pk, choices=[mc.choices.get(is_correct=True).pk])
    assert outcome.attempt.hints_used == 2

    helped_gain = outcome.changes[0].after - outcome.changes[0].before
    other = StudentFactory()
    other_session, other_mc = _on_screen(other, course, "mc-0")
    clean = services.practice_answer(
        other_session, other_mc.pk, choices=[other_mc.choices.get(is_correct=True).pk]
    )
    assert clean.changes[0].after - clean.changes[0].before > helped_gain


def test_a_draft_course_cannot_be_practised(student):
    draft = CourseFactory(status=Status.DRAFT)

    with pytest.raises(services.PracticeError, match="not open for practice"):
        services.practice_start(student, draft)


def test_the_practice_pages_work_from_form_posts(student_client, student, course):
    _, mc = _on_screen(student, course, "mc-0")
    page = student_client.get("/learn/courses/elec/practice/").content.decode()
    assert "Why this exercise?" in page

    from tutor.practice.models import PracticeSession

    assert PracticeSession.objects.get().current_exercise == mc
    student_client.post("/learn/courses/elec/practice/hint/", {"exercise": mc.pk})
    assert "First hint" in student_client.get("/learn/courses/elec/practice/").content.decode()
    response = student_client.post(
        "/learn/courses/elec/practice/answer/",
        {"exercise": mc.pk, "choice": [mc.choices.get(is_correct=True).pk]},
    )
    assert response.status_code == 302
    feedback = student_client.get(response["Location"]).content.decode()
    assert "Correct" in feedback and "Yes: a closed path." in feedback and "What changed" in feedback


def test_a_forged_form_post_shows_the_error(student_client, course):
    student_client.get("/learn/courses/elec/practice/")

    response = student_client.post(
        "/learn/courses/elec/practice/answer/", {"exercise": "999999"}, follow=True
    )

    assert "is not the exercise on screen" in response.content.decode()


def test_students_cannot_see_each_others_answers(client, student, course):
    session, served = _serve(student, course)
    attempt = _answer_right(session, served).attempt
    client.force_login(StudentFactory())

    assert client.get(f"/learn/courses/elec/practice/answers/{attempt.pk}/").status_code == 404


def test_the_progress_page_draws_mastery_on_the_graph_and_over_time(student_client, student, course):
    session, served = _serve(student, course)
    _answer_right(session, served)

    html = student_client.get("/learn/courses/elec/progress/").content.decode()

    assert 'class="concept-graph"' in html
    assert 'id="mastery-history"' in html
    assert "vendor/plotly.min.js" in html
