"""Released grades reach the student's open page over the WebSocket; the grade of a homework
answer that is not released never does."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from students import services as student_services
from tests.tutor.homework.conftest import model_graded
from tutor.homework import services
from tutor.practice.consumers import StudentEventsConsumer

pytestmark = pytest.mark.django_db(transaction=True)


def _listen(user, action, *, expect_message=True):
    async def scenario():
        communicator = WebsocketCommunicator(StudentEventsConsumer.as_asgi(), "/ws/student/")
        communicator.scope["user"] = user
        connected, _ = await communicator.connect()
        assert connected
        await database_sync_to_async(action)()
        if expect_message:
            heard = await communicator.receive_json_from(timeout=5)
        else:
            heard = "nothing" if await communicator.receive_nothing(timeout=1) else "something"
        await communicator.disconnect()
        return heard

    return async_to_sync(scenario)()


def _pending(world, student):
    attempt, _ = student_services.attempt_record(
        student=student,
        exercise=world.free_text,
        context=world.assignment.context,
        response={"text": "The gap."},
        score=None,
        is_correct=None,
        hints_used=0,
        worked_example_shown=False,
        response_seconds=None,
        reason={},
        predicted_correct=None,
    )
    return attempt


def test_the_models_grade_of_an_unreleased_homework_answer_is_not_pushed(world):
    student = world.students[0]
    attempt = _pending(world, student)

    heard = _listen(
        student,
        lambda: student_services.attempt_grade(attempt.pk, score=1.0, label="correct", confidence=0.9),
        expect_message=False,
    )

    assert heard == "nothing"


def test_a_release_is_pushed_with_the_teachers_grade_and_comment(world):
    student = world.students[0]
    attempt = model_graded(student, world.free_text, context=world.assignment.context)
    services.review_submit(world.teacher, attempt.pk, label="contradictory", comment="Trace the path again.")

    event = _listen(student, lambda: services.assignment_release(world.teacher, world.assignment.pk))

    assert event["type"] == "homework.released" and event["assignment"] == world.assignment.pk
    assert event["items"][0]["comment"] == "Trace the path again." and event["items"][0]["verdict"] == "wrong"


def test_another_student_hears_nothing_of_the_release(world):
    model_graded(world.students[0], world.free_text, context=world.assignment.context)

    heard = _listen(
        world.students[1],
        lambda: services.assignment_release(world.teacher, world.assignment.pk),
        expect_message=False,
    )

    assert heard == "nothing"
