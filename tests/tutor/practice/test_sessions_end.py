"""A practice session ends when its course or the exercise on screen is withdrawn, or after
a long pause, on every path: the API answers 409 with the reason, the pages say so, and
nothing is recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from content import services as content_services
from content.models import ExerciseKind, Status
from students.models import Attempt
from tests.factories import ChoiceFactory, ConceptFactory, CourseFactory, ExerciseFactory, StudentFactory
from tutor.practice import services
from tutor.practice.consumers import StudentEventsConsumer
from tutor.practice.models import PracticeSession
from tutor.practice.services import SESSION_IDLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = CourseFactory(slug="elec")
    concept = ConceptFactory(course=course)
    for i in range(3):
        mc = ExerciseFactory(
            course=course, slug=f"mc-{i}", kind=ExerciseKind.MULTIPLE_CHOICE, concepts=[concept]
        )
        ChoiceFactory(exercise=mc, text="right", is_correct=True)
        ChoiceFactory(exercise=mc, text="wrong")
    return course


def _api_session_with_item(client) -> tuple[int, dict]:
    sid = client.post("/api/practice/sessions/", {"course": "elec"}, content_type="application/json").json()[
        "id"
    ]
    return sid, client.get(f"/api/practice/sessions/{sid}/next/").json()["exercise"]


def _api_answer(client, sid: int, exercise: dict):
    right = next(o["id"] for o in exercise["options"] if o["text"] == "right")
    return client.post(
        f"/api/practice/sessions/{sid}/answer/",
        {"exercise": exercise["id"], "choices": [right]},
        content_type="application/json",
    )


def test_an_api_session_ends_when_the_admin_unpublishes_the_course(student_client, course):
    sid, exercise = _api_session_with_item(student_client)
    course.status = Status.DRAFT
    course.save()

    answer = _api_answer(student_client, sid, exercise)
    next_item = student_client.get(f"/api/practice/sessions/{sid}/next/")

    assert answer.status_code == 409
    assert "no longer open for practice" in answer.json()["detail"]
    assert next_item.status_code == 409
    assert Attempt.objects.count() == 0
    assert PracticeSession.objects.get(pk=sid).ended_at is not None


def test_an_api_session_ends_when_the_exercise_on_screen_is_archived(student_client, course):
    sid, exercise = _api_session_with_item(student_client)
    course.exercises.filter(pk=exercise["id"]).update(status=Status.ARCHIVED)

    hint = student_client.post(
        f"/api/practice/sessions/{sid}/hint/", {"exercise": exercise["id"]}, content_type="application/json"
    )
    answer = _api_answer(student_client, sid, exercise)

    assert hint.status_code == 409
    assert "was withdrawn (archived)" in hint.json()["detail"]
    assert answer.status_code == 409
    assert Attempt.objects.count() == 0


def test_an_api_session_ends_after_the_idle_timeout(student_client, course):
    sid, exercise = _api_session_with_item(student_client)
    PracticeSession.objects.filter(pk=sid).update(
        last_activity_at=PracticeSession.objects.get(pk=sid).last_activity_at
        - SESSION_IDLE
        - timedelta(seconds=1)
    )

    answer = _api_answer(student_client, sid, exercise)

    assert answer.status_code == 409
    assert "30 minutes without activity" in answer.json()["detail"]
    assert Attempt.objects.count() == 0


def test_a_new_session_after_the_end_goes_on(student_client, course):
    sid, _ = _api_session_with_item(student_client)
    PracticeSession.objects.filter(pk=sid).update(
        last_activity_at=PracticeSession.objects.get(pk=sid).last_activity_at
        - SESSION_IDLE
        - timedelta(seconds=1)
    )
    student_client.get(f"/api/practice/sessions/{sid}/next/")

    new_sid, exercise = _api_session_with_item(student_client)

    assert new_sid != sid
    assert _api_answer(student_client, new_sid, exercise).status_code == 200


def test_a_form_answer_after_the_idle_timeout_is_refused_with_the_reason(student_client, course):
    student_client.get("/learn/courses/elec/practice/")
    session = PracticeSession.objects.get()
    exercise = session.current_exercise
    PracticeSession.objects.filter(pk=session.pk).update(
        last_activity_at=session.last_activity_at - SESSION_IDLE - timedelta(seconds=1)
    )

    response = student_client.post(
        "/learn/courses/elec/practice/answer/",
        {"exercise": exercise.pk, "choice": [exercise.choices.get(is_correct=True).pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "30 minutes without activity" in page and "Nothing was recorded" in page
    assert Attempt.objects.count() == 0
    assert PracticeSession.objects.filter(ended_at__isnull=True).count() == 1  # the page opened a new one


def test_the_practice_page_moves_on_when_the_exercise_on_screen_is_withdrawn(student_client, course):
    student_client.get("/learn/courses/elec/practice/")
    withdrawn = PracticeSession.objects.get().current_exercise
    withdrawn.status = Status.DRAFT
    withdrawn.save()
    content_services.course_content_changed(course_ids=[course.pk])  # as the admin's edit does

    page = student_client.get("/learn/courses/elec/practice/").content.decode()

    assert "was withdrawn (draft)" in page
    assert PracticeSession.objects.get(ended_at__isnull=True).current_exercise != withdrawn


@pytest.mark.django_db(transaction=True)
def test_the_students_open_pages_hear_that_the_session_ended():
    course = CourseFactory(slug="elec")
    ExerciseFactory(course=course, concepts=[ConceptFactory(course=course)])
    student = StudentFactory()
    session = services.practice_start(student, course)
    services.practice_next(session)

    def unpublish_and_step():
        course.status = Status.ARCHIVED
        course.save()
        with pytest.raises(services.SessionClosed):
            services.practice_next(session)

    async def scenario():
        communicator = WebsocketCommunicator(StudentEventsConsumer.as_asgi(), "/ws/student/")
        communicator.scope["user"] = student
        assert (await communicator.connect())[0]
        await database_sync_to_async(unpublish_and_step)()
        heard = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return heard

    event = async_to_sync(scenario)()

    assert event["type"] == "practice.closed" and event["session"] == session.pk
    assert "no longer open for practice (archived)" in event["message"]
