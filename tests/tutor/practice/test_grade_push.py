"""A grade that arrives later: recorded once, applied to the student model, pushed to the
student's open page over the WebSocket, and never to anyone else's."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from students import services as student_services
from students.models import Attempt, AttemptStatus, GradeSource, KnowledgeState
from tests.factories import (
    StudentFactory,
    TeacherFactory,
    pending_free_text_answer,
)
from tutor.practice.consumers import StudentEventsConsumer


def _pending_attempt(student):
    return pending_free_text_answer(student, text="a gap")


@pytest.mark.django_db
def test_grading_is_idempotent_and_updates_the_student_model_once(student):
    attempt = _pending_attempt(student)
    assert attempt.status == AttemptStatus.PENDING

    graded = student_services.attempt_grade(attempt.pk, score=1.0, label="correct", confidence=0.9)
    again = student_services.attempt_grade(attempt.pk, score=0.0, label="contradictory", confidence=0.9)

    assert graded.status == AttemptStatus.GRADED and graded.is_correct and graded.knowledge_updated
    assert again is None
    state = KnowledgeState.objects.get(student=student)
    assert state.n_attempts == 1 and state.n_correct == 1.0


@pytest.mark.django_db
def test_a_teachers_grade_outranks_the_models(student):
    attempt = _pending_attempt(student)
    student_services.attempt_grade(
        attempt.pk, score=0.5, label="partially_correct_incomplete", source=GradeSource.TEACHER
    )

    assert student_services.attempt_grade(attempt.pk, score=0.0, label="irrelevant", regrade=True) is None


def _listen_while_grading(user, grade, *, expect_message=True):
    async def scenario():
        communicator = WebsocketCommunicator(StudentEventsConsumer.as_asgi(), "/ws/student/")
        communicator.scope["user"] = user
        connected, _ = await communicator.connect()
        if not connected:
            return None
        await database_sync_to_async(grade)()
        if expect_message:
            heard = await communicator.receive_json_from(timeout=5)
        else:
            heard = "nothing" if await communicator.receive_nothing(timeout=1) else "something"
        await communicator.disconnect()
        return heard

    return async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_the_grade_is_pushed_to_the_students_open_page():
    student = StudentFactory()
    attempt = _pending_attempt(student)

    event = _listen_while_grading(
        student,
        lambda: student_services.attempt_grade(
            attempt.pk, score=1.0, label="correct", confidence=0.8, feedback={"missing_terms": []}
        ),
    )

    assert event["type"] == "grade.ready" and event["attempt"] == attempt.pk
    assert event["correct"] is True and event["changes"][0]["after"] > event["changes"][0]["before"]


@pytest.mark.django_db(transaction=True)
def test_another_student_hears_nothing():
    owner, other = StudentFactory(), StudentFactory()
    attempt = _pending_attempt(owner)

    heard = _listen_while_grading(
        other, lambda: student_services.attempt_grade(attempt.pk, score=1.0), expect_message=False
    )

    assert heard == "nothing"


@pytest.mark.django_db(transaction=True)
def test_only_students_may_open_the_socket():
    assert _listen_while_grading(TeacherFactory(), lambda: None) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("label", "score", "heading"),
    [
        ("correct", 0.9, "Correct"),
        ("partially_correct_incomplete", 0.5, "Partly right"),
        # some credit, but the grader says it contradicts the reference: not "partly right"
        ("contradictory", 0.4, "Not quite"),
        ("irrelevant", 0.2, "Not quite"),
    ],
)
def test_a_graded_free_text_answer_is_headed_by_its_label(client, student, label, score, heading):
    attempt = _pending_attempt(student)
    student_services.attempt_grade(attempt.pk, score=score, label=label, confidence=0.7)
    client.force_login(student)

    page = client.get(
        f"/learn/courses/{attempt.exercise.course.slug}/practice/answers/{attempt.pk}/"
    ).content.decode()

    assert f"<h1>{heading}</h1>" in page


@pytest.mark.django_db
def test_a_homework_answer_has_no_practice_feedback_page_before_its_release(client, student):
    # given a graded answer given in a homework (its grade waits for the teacher's release)
    attempt = _pending_attempt(student)
    Attempt.objects.filter(pk=attempt.pk).update(context="homework:1")
    student_services.attempt_grade(attempt.pk, score=1.0, label="correct", confidence=0.9)
    client.force_login(student)

    # when the student opens the practice feedback page of that answer
    response = client.get(f"/learn/courses/{attempt.exercise.course.slug}/practice/answers/{attempt.pk}/")

    # then it is not there
    assert response.status_code == 404
